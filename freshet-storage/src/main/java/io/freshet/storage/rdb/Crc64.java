package io.freshet.storage.rdb;

/**
 * Redis's CRC-64 (Jones polynomial, reflected, no final xor) that ends every RDB file and DUMP
 * payload. Check value: {@code crc64(0, "123456789") == 0xe9c6d914c4b8d9caL}. Stateless.
 */
public final class Crc64 {
  private static final long POLY = 0x95ac9329ac4bc9b5L; // 0xad93d23594c935a9 bit-reflected
  private static final long[][] TABLE = new long[8][256];

  static {
    for (int i = 0; i < 256; i++) {
      long crc = i;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
      }
      TABLE[0][i] = crc;
    }
    for (int i = 0; i < 256; i++) {
      for (int t = 1; t < 8; t++) {
        TABLE[t][i] = (TABLE[t - 1][i] >>> 8) ^ TABLE[0][(int) (TABLE[t - 1][i] & 0xff)];
      }
    }
  }

  private Crc64() {}

  public static long update(long crc, byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (end - i >= 8) {
      long x = crc ^ ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
          | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
      crc = TABLE[7][(int) (x & 0xff)] ^ TABLE[6][(int) ((x >>> 8) & 0xff)] ^ TABLE[5][(int) ((x >>> 16) & 0xff)]
          ^ TABLE[4][(int) ((x >>> 24) & 0xff)] ^ TABLE[3][(int) ((x >>> 32) & 0xff)]
          ^ TABLE[2][(int) ((x >>> 40) & 0xff)] ^ TABLE[1][(int) ((x >>> 48) & 0xff)] ^ TABLE[0][(int) (x >>> 56)];
      i += 8;
    }
    while (i < end) {
      crc = TABLE[0][(int) ((crc ^ b[i++]) & 0xff)] ^ (crc >>> 8);
    }
    return crc;
  }
}
