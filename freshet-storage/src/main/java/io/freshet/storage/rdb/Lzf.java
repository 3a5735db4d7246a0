package io.freshet.storage.rdb;

/** LZF decompression, for strings Redis compressed in RDB files. Stateless. */
final class Lzf {
  private Lzf() {}

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
