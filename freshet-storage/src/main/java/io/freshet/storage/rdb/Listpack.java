package io.freshet.storage.rdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Redis's listpack: {@code total-bytes u32le | count u16le | element* | 0xFF}, each element an
 * encoded integer or string followed by its length written backwards. Writes what Redis's
 * lpAppend writes (strings that are canonical integers become integers) and reads every encoding.
 * One owner at a time.
 */
final class Listpack {
  private Listpack() {}

  /** Builds one listpack. */
  static final class Writer {
    private byte[] buf = new byte[256];
    private int size = 6;
    private int count;

    void addInt(long v) {
      int start = size;
      if (v >= 0 && v <= 127) {
        put((byte) v);
      } else if (v >= -4096 && v <= 4095) {
        put((byte) (0xC0 | ((v >> 8) & 0x1F)));
        put((byte) v);
      } else if (v >= -32768 && v <= 32767) {
        put((byte) 0xF1);
        le(v, 2);
      } else if (v >= -8388608 && v <= 8388607) {
        put((byte) 0xF2);
        le(v, 3);
      } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        put((byte) 0xF3);
        le(v, 4);
      } else {
        put((byte) 0xF4);
        le(v, 8);
      }
      backlen(size - start);
      count++;
    }

    void addString(byte[] b, int off, int len) {
      if (isCanonicalInt(b, off, len)) {
        addInt(parseCanonical(b, off, len));
        return;
      }
      int start = size;
      if (len < 64) {
        put((byte) (0x80 | len));
      } else if (len < 4096) {
        put((byte) (0xE0 | (len >> 8)));
        put((byte) len);
      } else {
        put((byte) 0xF0);
        le(len, 4);
      }
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
      backlen(size - start);
      count++;
    }

    void addString(byte[] b) {
      addString(b, 0, b.length);
    }

    int bytes() {
      return size + 1;
    }

    byte[] finish() {
      put((byte) 0xFF);
      leAt(0, size, 4);
      leAt(4, Math.min(count, 65535), 2);
      return Arrays.copyOf(buf, size);
    }

    private void backlen(long l) {
      if (l <= 127) {
        put((byte) l);
      } else if (l < 16383) {
        put((byte) (l >> 7));
        put((byte) ((l & 127) | 128));
      } else if (l < 2097151) {
        put((byte) (l >> 14));
        put((byte) (((l >> 7) & 127) | 128));
        put((byte) ((l & 127) | 128));
      } else if (l < 268435455) {
        put((byte) (l >> 21));
        put((byte) (((l >> 14) & 127) | 128));
        put((byte) (((l >> 7) & 127) | 128));
        put((byte) ((l & 127) | 128));
      } else {
        put((byte) (l >> 28));
        put((byte) (((l >> 21) & 127) | 128));
        put((byte) (((l >> 14) & 127) | 128));
        put((byte) (((l >> 7) & 127) | 128));
        put((byte) ((l & 127) | 128));
      }
    }

    private void le(long v, int n) {
      ensure(n);
      leAt(size, v, n);
      size += n;
    }

    private void leAt(int at, long v, int n) {
      for (int i = 0; i < n; i++) {
        buf[at + i] = (byte) (v >>> (8 * i));
      }
    }

    private void put(byte b) {
      ensure(1);
      buf[size++] = b;
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }
  }

  /** Redis's string2ll: the value of a canonical decimal long (no '+', no leading zeros), else null. */
  static Long canonicalInt(byte[] b, int off, int len) {
    return isCanonicalInt(b, off, len) ? Long.parseLong(new String(b, off, len, StandardCharsets.US_ASCII)) : null;
  }

  /** True when the bytes are a canonical long; checked without allocating. */
  static boolean isCanonicalInt(byte[] b, int off, int len) {
    if (len == 0 || len > 20) {
      return false;
    }
    int i = off;
    int end = off + len;
    boolean negative = b[i] == '-';
    if (negative && ++i == end) {
      return false;
    }
    if (b[i] == '0') {
      return end - i == 1 && !negative;
    }
    long v = 0; // accumulated negatively so Long.MIN_VALUE fits
    for (; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || v < Long.MIN_VALUE / 10 || v * 10 < Long.MIN_VALUE + d) {
        return false;
      }
      v = v * 10 - d;
    }
    return negative || v != Long.MIN_VALUE;
  }

  /** The value of bytes {@link #isCanonicalInt} accepted. */
  static long parseCanonical(byte[] b, int off, int len) {
    boolean negative = b[off] == '-';
    long v = 0;
    for (int i = negative ? off + 1 : off; i < off + len; i++) {
      v = v * 10 - (b[i] - '0');
    }
    return negative ? v : -v;
  }

  /** Reads the elements of one listpack in order. */
  /** Decimal forms of small integers, shared: values like 1, 42 or 1001 recur in every entry. */
  private static final int CACHED_INTS = 4096;
  private static final byte[][] SMALL_INTS = new byte[CACHED_INTS][];

  static {
    for (int i = 0; i < CACHED_INTS; i++) {
      SMALL_INTS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** An integer element's bytes; small ones shared, see {@link Reader#nextShared()}. */
  static byte[] decimal(long v) {
    return v >= 0 && v < CACHED_INTS ? SMALL_INTS[(int) v] : Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  static final class Reader {
    private final byte[] lp;
    private int pos = 6;
    private final int end;
    /** Set by {@link #next()}: the element was an integer, held in {@link #intValue}. */
    boolean isInt;
    long intValue;

    Reader(byte[] lp) {
      this.lp = lp;
      if (lp.length < 7 || (lp[lp.length - 1] & 0xff) != 0xFF) {
        throw new RdbException("invalid listpack");
      }
      long total = le(0, 4);
      if (total != lp.length) {
        throw new RdbException("listpack size mismatch");
      }
      this.end = lp.length - 1;
    }

    boolean hasNext() {
      return pos < end;
    }

    /** Bytes not read yet: a bound on how many elements can follow (each takes at least one). */
    int remainingBytes() {
      return end - pos;
    }

    /** The next element as bytes (integers in decimal), a new array the caller may keep. */
    byte[] next() {
      byte[] str = advance();
      return str != null ? str : Long.toString(intValue).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * As {@link #next()}, but a small integer's bytes are a shared array: for callers that copy
     * what they keep, or never modify it (stream entries go into chunks).
     */
    byte[] nextShared() {
      byte[] str = advance();
      return str != null ? str : decimal(intValue);
    }

    /**
     * Moves past the next element: returns its bytes if it is a string, or null with the integer
     * in {@link #intValue} (so integers are not turned into text only to be parsed back).
     */
    private byte[] advance() {
      int start = pos;
      int b = lp[pos] & 0xff;
      byte[] str = null;
      isInt = true;
      if ((b & 0x80) == 0) {
        intValue = b;
        pos += 1;
      } else if ((b & 0xC0) == 0x80) {
        int len = b & 0x3F;
        str = slice(pos + 1, len);
        pos += 1 + len;
      } else if ((b & 0xE0) == 0xC0) {
        intValue = (((b & 0x1F) << 8) | (lp[pos + 1] & 0xff));
        if (intValue >= 4096) {
          intValue -= 8192;
        }
        pos += 2;
      } else if ((b & 0xF0) == 0xE0) {
        int len = ((b & 0x0F) << 8) | (lp[pos + 1] & 0xff);
        str = slice(pos + 2, len);
        pos += 2 + len;
      } else if (b == 0xF0) {
        long len = le(pos + 1, 4);
        str = slice(pos + 5, (int) len);
        pos += 5 + (int) len;
      } else if (b == 0xF1) {
        intValue = (short) le(pos + 1, 2);
        pos += 3;
      } else if (b == 0xF2) {
        intValue = (le(pos + 1, 3) << 40) >> 40;
        pos += 4;
      } else if (b == 0xF3) {
        intValue = (int) le(pos + 1, 4);
        pos += 5;
      } else if (b == 0xF4) {
        intValue = le(pos + 1, 8);
        pos += 9;
      } else {
        throw new RdbException("invalid listpack element encoding");
      }
      if (str != null) {
        isInt = false;
      }
      long l = pos - start;
      pos += l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
      if (pos > end) {
        throw new RdbException("listpack element runs past the end");
      }
      return str;
    }

    /** The next element, which must be an integer. */
    long nextInt() {
      byte[] b = advance();
      if (!isInt) {
        Long v = canonicalInt(b, 0, b.length);
        if (v == null) {
          throw new RdbException("listpack: integer expected");
        }
        return v;
      }
      return intValue;
    }

    private byte[] slice(int from, int len) {
      if (from + len > end || len < 0) {
        throw new RdbException("listpack string runs past the end");
      }
      return Arrays.copyOfRange(lp, from, from + len);
    }

    private long le(int at, int n) {
      if (at + n > lp.length) {
        throw new RdbException("listpack truncated");
      }
      long v = 0;
      for (int i = 0; i < n; i++) {
        v |= (long) (lp[at + i] & 0xff) << (8 * i);
      }
      return v;
    }
  }
}
