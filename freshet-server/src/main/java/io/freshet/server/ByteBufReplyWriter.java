package io.freshet.server;

import io.freshet.engine.protocol.ReplyWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Buffers one connection's replies until the engine flushes them.
 *
 * <p>Replies are made of many small pieces (a type byte, a length, CRLF, a few bytes of data).
 * Writing each straight into a direct buffer costs a bounds check and a native copy per piece, so
 * pieces first go to a staging array shared by every connection on the engine thread, and are
 * copied into the connection's buffer in one go when another connection starts writing, when the
 * staging array fills up, and before a flush. Owned by the engine thread.
 */
final class ByteBufReplyWriter extends ReplyWriter {
  /** The engine thread's staging area and the writer whose bytes it currently holds. */
  private static final class Staging {
    final byte[] bytes = new byte[16 * 1024];
    int used;
    ByteBufReplyWriter owner;
  }

  private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

  private final ByteBufAllocator allocator;
  private ByteBuf buffer;
  private Staging staging;

  ByteBufReplyWriter(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  private Staging stage() {
    Staging s = staging;
    if (s == null) {
      s = STAGING.get();
      staging = s;
    }
    if (s.owner != this) {
      if (s.owner != null) {
        s.owner.drain();
      }
      s.owner = this;
    }
    return s;
  }

  /** Moves staged bytes into this connection's buffer. */
  private void drain() {
    Staging s = staging;
    if (s == null || s.owner != this || s.used == 0) {
      return;
    }
    if (buffer == null) {
      buffer = allocator.ioBuffer(Math.max(512, s.used));
    }
    buffer.writeBytes(s.bytes, 0, s.used);
    s.used = 0;
  }

  @Override
  protected void write(byte[] bytes, int offset, int length) {
    Staging s = stage();
    if (length > s.bytes.length - s.used) {
      drain();
      if (length > s.bytes.length / 2) {
        // large values go straight to the buffer: staging them would only add a copy
        if (buffer == null) {
          buffer = allocator.ioBuffer(length + 64);
        }
        buffer.writeBytes(bytes, offset, length);
        return;
      }
    }
    System.arraycopy(bytes, offset, s.bytes, s.used, length);
    s.used += length;
  }

  @Override
  protected void writeFramed(byte[] header, byte[] value, int offset, int length) {
    Staging s = stage();
    byte[] to = s.bytes;
    int used = s.used;
    if (header.length + length + 2 > to.length - used) {
      super.writeFramed(header, value, offset, length);
      return;
    }
    System.arraycopy(header, 0, to, used, header.length);
    used += header.length;
    System.arraycopy(value, offset, to, used, length);
    used += length;
    to[used] = '\r';
    to[used + 1] = '\n';
    s.used = used + 2;
  }

  @Override
  protected void write(int b) {
    Staging s = stage();
    if (s.used == s.bytes.length) {
      drain();
    }
    s.bytes[s.used++] = (byte) b;
  }

  @Override
  public long pendingBytes() {
    long staged = staging != null && staging.owner == this ? staging.used : 0;
    return (buffer == null ? 0 : buffer.readableBytes()) + staged;
  }

  /** Hands over the buffered replies (the caller releases them), or null if none. */
  ByteBuf take() {
    drain();
    ByteBuf b = buffer;
    buffer = null;
    return b;
  }

  void release() {
    if (staging != null && staging.owner == this) {
      staging.used = 0;
      staging.owner = null;
    }
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
  }
}
