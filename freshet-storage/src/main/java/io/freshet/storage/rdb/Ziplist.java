package io.freshet.storage.rdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads Redis's old ziplist encoding (RDB files from Redis before 7.0). Stateless. */
final class Ziplist {
  private Ziplist() {}

  static List<byte[]> read(byte[] zl) {
    if (zl.length < 11 || (zl[zl.length - 1] & 0xff) != 0xFF) {
      throw new RdbException("Bad data format: ziplist");
    }
    List<byte[]> out = new ArrayList<>();
    int p = 10;
    while ((zl[p] & 0xff) != 0xFF) {
      p += (zl[p] & 0xff) == 0xFE ? 5 : 1; // previous entry length
      int b = zl[p] & 0xff;
      switch (b >> 6) {
        case 0 -> {
          int len = b & 0x3F;
          out.add(slice(zl, p + 1, len));
          p += 1 + len;
        }
        case 1 -> {
          int len = ((b & 0x3F) << 8) | (zl[p + 1] & 0xff);
          out.add(slice(zl, p + 2, len));
          p += 2 + len;
        }
        case 2 -> {
          int len = ((zl[p + 1] & 0xff) << 24) | ((zl[p + 2] & 0xff) << 16) | ((zl[p + 3] & 0xff) << 8) | (zl[p + 4] & 0xff);
          out.add(slice(zl, p + 5, len));
          p += 5 + len;
        }
        default -> {
          long v;
          int size;
          if (b == 0xC0) {
            v = (short) le(zl, p + 1, 2);
            size = 2;
          } else if (b == 0xD0) {
            v = (int) le(zl, p + 1, 4);
            size = 4;
          } else if (b == 0xE0) {
            v = le(zl, p + 1, 8);
            size = 8;
          } else if (b == 0xF0) {
            v = (le(zl, p + 1, 3) << 40) >> 40;
            size = 3;
          } else if (b == 0xFE) {
            v = zl[p + 1];
            size = 1;
          } else if (b >= 0xF1 && b <= 0xFD) {
            v = (b & 0x0F) - 1;
            size = 0;
          } else {
            throw new RdbException("Bad data format: ziplist encoding");
          }
          out.add(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
          p += 1 + size;
        }
      }
      if (p >= zl.length) {
        throw new RdbException("Bad data format: ziplist overrun");
      }
    }
    return out;
  }

  private static byte[] slice(byte[] b, int from, int len) {
    if (from + len > b.length - 1) {
      throw new RdbException("Bad data format: ziplist overrun");
    }
    return Arrays.copyOfRange(b, from, from + len);
  }

  private static long le(byte[] b, int at, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (b[at + i] & 0xff) << (8 * i);
    }
    return v;
  }
}
