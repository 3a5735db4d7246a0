package io.freshet.engine;

import io.freshet.engine.protocol.ReplyWriter;

/**
 * A connection whose replies go nowhere: the engine's journal replay uses one, and so can tools
 * and tests that drive the engine without a client. Engine thread only.
 */
public class DiscardingConnection extends ReplyWriter implements Connection {
  @Override
  protected void write(byte[] bytes, int offset, int length) {}

  @Override
  protected void write(int b) {}

  @Override
  public long pendingBytes() {
    return 0;
  }

  @Override
  public ReplyWriter output() {
    return this;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public String remoteAddress() {
    return "internal";
  }

  @Override
  public String localAddress() {
    return "internal";
  }

  @Override
  public long networkPendingBytes() {
    return 0;
  }
}
