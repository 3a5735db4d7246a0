package io.freshet.storage.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LzfTest {
  private static byte[] roundTrip(byte[] in) {
    byte[] out = new byte[in.length];
    int n = Lzf.compress(in, in.length, out, in.length);
    if (n == 0) {
      return null;
    }
    return Lzf.decompress(java.util.Arrays.copyOf(out, n), in.length);
  }

  @Test
  void repetitiveInputShrinksAndComesBackExactly() {
    byte[] in = "order_id:1001 qty:2 sku:ABC-123 ".repeat(40).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[in.length];
    int n = Lzf.compress(in, in.length, out, in.length);
    assertThat(n).isBetween(1, in.length / 5);
    assertThat(Lzf.decompress(java.util.Arrays.copyOf(out, n), in.length)).isEqualTo(in);
  }

  @Test
  void randomInputsOfEveryShapeRoundTripOrReportNoGain() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      int length = random.nextInt(i < 1000 ? 64 : 20_000) + 1;
      int alphabet = 1 + random.nextInt(i % 3 == 0 ? 256 : 4); // from incompressible to long runs
      byte[] in = new byte[length];
      for (int j = 0; j < length; j++) {
        in[j] = (byte) random.nextInt(alphabet);
      }
      byte[] back = roundTrip(in);
      if (back != null) {
        assertThat(back).as("length %d alphabet %d", length, alphabet).isEqualTo(in);
      } else {
        // only short or near-random data may fail to shrink
        assertThat(length < 64 || alphabet > 4).as("length %d alphabet %d", length, alphabet).isTrue();
      }
    }
  }

  @Test
  void aLimitTooSmallGivesZero() {
    byte[] in = "abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(Lzf.compress(in, in.length, new byte[in.length], in.length - 4)).isZero();
  }
}
