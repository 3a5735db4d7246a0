package io.freshet.server;

import io.freshet.engine.protocol.ReplyWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Buffers one connection's replies in a pooled buffer until the engine flushes them.
 * Owned by the engine thread.
 */
final class ByteBufReplyWriter extends ReplyWriter {
  private final ByteBufAllocator allocator;
  private ByteBuf buffer;

  ByteBufReplyWriter(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  private ByteBuf buffer() {
    if (buffer == null) {
      buffer = allocator.ioBuffer(512);
    }
    return buffer;
  }

  @Override
  protected void write(byte[] bytes, int offset, int length) {
    buffer().writeBytes(bytes, offset, length);
  }

  @Override
  protected void write(int b) {
    buffer().writeByte(b);
  }

  @Override
  public long pendingBytes() {
    return buffer == null ? 0 : buffer.readableBytes();
  }

  /** Hands over the buffered replies (the caller releases them), or null if none. */
  ByteBuf take() {
    ByteBuf b = buffer;
    buffer = null;
    return b;
  }

  void release() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
  }
}
