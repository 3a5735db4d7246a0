package io.freshet.engine.stream;

import java.nio.charset.StandardCharsets;

/**
 * A stream entry ID: two unsigned 64-bit numbers, milliseconds and sequence. Immutable; any
 * thread.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
  public static final StreamId MIN = new StreamId(0, 0);
  public static final StreamId MAX = new StreamId(-1L, -1L);

  @Override
  public int compareTo(StreamId o) {
    int c = Long.compareUnsigned(ms, o.ms);
    return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
  }

  public boolean isZero() {
    return ms == 0 && seq == 0;
  }

  /** The next ID, or null if this is the maximum. */
  public StreamId next() {
    if (seq != -1L) {
      return new StreamId(ms, seq + 1);
    }
    if (ms != -1L) {
      return new StreamId(ms + 1, 0);
    }
    return null;
  }

  /** The previous ID, or null if this is 0-0. */
  public StreamId previous() {
    if (seq != 0) {
      return new StreamId(ms, seq - 1);
    }
    if (ms != 0) {
      return new StreamId(ms - 1, -1L);
    }
    return null;
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
  }

  /** "ms-seq" as ASCII bytes, without going through String (XADD replies with it every call). */
  public byte[] toBytes() {
    if (ms >= 0 && seq >= 0) {
      int msLen = digits(ms);
      int seqLen = digits(seq);
      byte[] b = new byte[msLen + 1 + seqLen];
      fill(b, msLen, ms);
      b[msLen] = '-';
      fill(b, b.length, seq);
      return b;
    }
    return toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static int digits(long v) {
    int n = 1;
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  private static void fill(byte[] b, int end, long v) {
    do {
      b[--end] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v != 0);
  }

  /**
   * Redis's string2ull: string2ll when it succeeds (negative is an error), else C's strtoull
   * (leading spaces, an optional sign that negates, decimal digits, no overflow, nothing after).
   */
  public static Long parseUnsigned(byte[] b, int from, int to) {
    // fast path: up to 18 plain digits cannot overflow and mean the same to both parsers
    if (to - from > 0 && to - from <= 18) {
      long v = 0;
      int i = from;
      for (; i < to; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) {
          break;
        }
        v = v * 10 + d;
      }
      if (i == to) {
        return v;
      }
    }
    byte[] part = java.util.Arrays.copyOfRange(b, from, to);
    Long asLong = io.freshet.engine.protocol.Numbers.parseLong(part);
    if (asLong != null) {
      return asLong < 0 ? null : asLong;
    }
    int i = 0;
    int n = part.length;
    while (i < n && (part[i] == ' ' || (part[i] >= 9 && part[i] <= 13))) {
      i++;
    }
    boolean negative = false;
    if (i < n && (part[i] == '+' || part[i] == '-')) {
      negative = part[i] == '-';
      i++;
    }
    if (i >= n) {
      return null;
    }
    long v = 0;
    for (; i < n; i++) {
      int d = part[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      long hi = Math.multiplyHigh(v, 10) + ((v >> 63) & 10);
      long lo = v * 10;
      if (hi != 0) {
        return null;
      }
      long next = lo + d;
      if (Long.compareUnsigned(next, lo) < 0) {
        return null;
      }
      v = next;
    }
    return negative ? -v : v;
  }

  /**
   * Parses {@code ms[-seq]}; a missing sequence becomes {@code missingSeq}. Returns null when
   * the text is not an ID.
   */
  public static StreamId parse(byte[] b, long missingSeq) {
    if (b.length > 127) {
      return null;
    }
    int dash = -1;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '-') {
        dash = i;
        break;
      }
    }
    if (dash < 0) {
      Long ms = parseUnsigned(b, 0, b.length);
      return ms == null ? null : new StreamId(ms, missingSeq);
    }
    Long ms = parseUnsigned(b, 0, dash);
    Long seq = parseUnsigned(b, dash + 1, b.length);
    return ms == null || seq == null ? null : new StreamId(ms, seq);
  }
}
