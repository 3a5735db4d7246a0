package io.freshet.storage;

import java.util.Arrays;

/** A growable byte array for building records and snapshots. Not thread-safe; one owner. */
public final class Bytes {
  private byte[] buf;
  private int size;

  public Bytes(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  public int size() {
    return size;
  }

  public byte[] array() {
    return buf;
  }

  public void clear() {
    size = 0;
  }

  /** Drops everything after {@code newSize}. */
  /** Removes the first {@code n} bytes, moving the rest to the front. */
  public void dropFront(int n) {
    System.arraycopy(buf, n, buf, 0, size - n);
    size -= n;
  }

  public void truncate(int newSize) {
    size = newSize;
  }

  /** Shrinks a buffer that grew for one large batch back to {@code capacity}. */
  public void trimTo(int capacity) {
    if (buf.length > capacity && size <= capacity) {
      buf = Arrays.copyOf(buf, capacity);
    }
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) size + more);
      if (want > Integer.MAX_VALUE - 8) {
        want = Integer.MAX_VALUE - 8;
        if (size + more > want) {
          throw new IllegalStateException("buffer over 2 GB");
        }
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  public void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  /** Reserves {@code n} bytes to fill in later. */
  public void skip(int n) {
    ensure(n);
    size += n;
  }

  public void varint(long v) {
    ensure(10);
    while ((v & ~0x7fL) != 0) {
      buf[size++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  public void putInt(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  public static int getInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}
