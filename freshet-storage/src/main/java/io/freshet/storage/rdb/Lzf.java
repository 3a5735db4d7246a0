package io.freshet.storage.rdb;

/**
 * LZF, the compression Redis uses for strings in RDB files and DUMP payloads: a stream of
 * literal runs (control byte 0-31: that many plus one bytes follow) and back references
 * (length-2 in the top three bits, 7 meaning one more length byte; 13 bits of distance-1).
 * Written from the format; the compressor finds matches through a hash of the next three
 * bytes, as liblzf does, but need not pick the same ones. Stateless.
 */
final class Lzf {
  private Lzf() {}

  private static final int HASH_BITS = 14;
  private static final int MAX_LITERAL = 32;
  private static final int MAX_DISTANCE = 1 << 13;
  private static final int MAX_MATCH = 7 + 255 + 2;

  /**
   * Compresses {@code in[0, length)} into {@code out}, using at most {@code limit} bytes;
   * returns the compressed length, or 0 when it does not fit (as liblzf's lzf_compress).
   */
  static int compress(byte[] in, int length, byte[] out, int limit) {
    int[] table = new int[1 << HASH_BITS];
    java.util.Arrays.fill(table, -1);
    int ip = 0;
    int op = 0;
    int literalStart = 0;
    while (ip + 2 < length) {
      int h = hash(in, ip);
      int ref = table[h];
      table[h] = ip;
      if (ref >= 0 && ip - ref <= MAX_DISTANCE && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]
          && in[ref + 2] == in[ip + 2]) {
        int max = Math.min(MAX_MATCH, length - ip);
        int len = 3;
        while (len < max && in[ref + len] == in[ip + len]) {
          len++;
        }
        op = literals(in, literalStart, ip, out, op, limit);
        if (op < 0) {
          return 0;
        }
        int distance = ip - ref - 1;
        int code = len - 2;
        int need = code < 7 ? 2 : 3;
        if (op + need > limit) {
          return 0;
        }
        if (code < 7) {
          out[op++] = (byte) ((code << 5) | (distance >>> 8));
        } else {
          out[op++] = (byte) ((7 << 5) | (distance >>> 8));
          out[op++] = (byte) (code - 7);
        }
        out[op++] = (byte) distance;
        ip += len;
        literalStart = ip;
      } else {
        ip++;
      }
    }
    op = literals(in, literalStart, length, out, op, limit);
    return op < 0 ? 0 : op;
  }

  private static int hash(byte[] in, int at) {
    int v = ((in[at] & 0xff) << 16) | ((in[at + 1] & 0xff) << 8) | (in[at + 2] & 0xff);
    return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
  }

  /** Writes {@code in[from, to)} as literal runs; returns the new output position or -1. */
  private static int literals(byte[] in, int from, int to, byte[] out, int op, int limit) {
    while (from < to) {
      int n = Math.min(MAX_LITERAL, to - from);
      if (op + 1 + n > limit) {
        return -1;
      }
      out[op++] = (byte) (n - 1);
      System.arraycopy(in, from, out, op, n);
      op += n;
      from += n;
    }
    return op;
  }

  /**
   * The most LZF can expand: a back reference of 3 input bytes copies at most 264 bytes, so
   * output over 88 times the input is a damaged length, refused before it is allocated.
   */
  static final long MAX_EXPANSION = 88;

  /** Decompresses {@code in} into exactly {@code outLen} bytes, or throws on malformed input. */
  static byte[] decompress(byte[] in, int outLen) {
    byte[] out = new byte[outLen];
    int ip = 0;
    int op = 0;
    while (ip < in.length) {
      int ctrl = in[ip++] & 0xff;
      if (ctrl < 32) {
        int len = ctrl + 1;
        if (op + len > outLen || ip + len > in.length) {
          throw new RdbException("invalid LZF data");
        }
        System.arraycopy(in, ip, out, op, len);
        ip += len;
        op += len;
      } else {
        int len = ctrl >> 5;
        if (len == 7) {
          if (ip >= in.length) {
            throw new RdbException("invalid LZF data");
          }
          len += in[ip++] & 0xff;
        }
        if (ip >= in.length) {
          throw new RdbException("invalid LZF data");
        }
        int ref = op - ((ctrl & 0x1f) << 8) - 1 - (in[ip++] & 0xff);
        len += 2;
        if (ref < 0 || op + len > outLen) {
          throw new RdbException("invalid LZF data");
        }
        for (int k = 0; k < len; k++) {
          out[op++] = out[ref++];
        }
      }
    }
    if (op != outLen) {
      throw new RdbException("invalid LZF data");
    }
    return out;
  }
}
