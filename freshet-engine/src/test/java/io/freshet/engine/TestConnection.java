package io.freshet.engine;

import io.freshet.engine.protocol.ReplyWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An in-memory connection for driving the engine directly in unit tests. */
public final class TestConnection implements Connection {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ReplyWriter out = new ReplyWriter() {
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
  };

  @Override
  public ReplyWriter output() {
    return out;
  }

  /** Everything replied since the last call. */
  public String take() {
    String s = bytes.toString(StandardCharsets.UTF_8);
    bytes.reset();
    return s;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public String remoteAddress() {
    return "127.0.0.1:1";
  }

  @Override
  public String localAddress() {
    return "127.0.0.1:6379";
  }

  @Override
  public long networkPendingBytes() {
    return 0;
  }
}
