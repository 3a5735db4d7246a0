package io.freshet.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An in-memory connection for driving the engine directly in unit tests: keeps what it is sent. */
public final class TestConnection extends DiscardingConnection {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @Override
  protected void write(byte[] b, int off, int len) {
    bytes.write(b, off, len);
  }

  @Override
  protected void write(int b) {
    bytes.write(b);
  }

  @Override
  public long pendingBytes() {
    return bytes.size();
  }

  /** Everything replied since the last call. */
  public String take() {
    String s = bytes.toString(StandardCharsets.UTF_8);
    bytes.reset();
    return s;
  }

  @Override
  public String remoteAddress() {
    return "127.0.0.1:1";
  }

  @Override
  public String localAddress() {
    return "127.0.0.1:6379";
  }
}
