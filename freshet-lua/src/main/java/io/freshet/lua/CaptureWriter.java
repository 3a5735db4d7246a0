package io.freshet.lua;

import io.freshet.engine.protocol.ReplyWriter;
import java.util.Arrays;

/** Collects the reply of a command a script runs, to be turned into Lua values. Engine thread. */
final class CaptureWriter extends ReplyWriter {
  byte[] buf = new byte[512];
  int length;

  @Override
  protected void write(byte[] bytes, int offset, int len) {
    ensure(len);
    System.arraycopy(bytes, offset, buf, length, len);
    length += len;
  }

  @Override
  protected void write(int b) {
    ensure(1);
    buf[length++] = (byte) b;
  }

  private void ensure(int more) {
    if (length + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
    }
  }

  @Override
  public long pendingBytes() {
    return length;
  }

  void reset() {
    length = 0;
    if (buf.length > 1 << 20) {
      buf = new byte[512];
    }
  }
}
