package io.freshet.lua;

/**
 * Redis's rand.c (redisLrand48): the 48-bit linear congruential generator behind math.random in
 * scripts, one sequence per server shared by EVAL and FUNCTION states, never reset by SCRIPT
 * FLUSH, so scripts draw the same numbers as on Redis. Engine thread only.
 */
final class Rand48 {
  static final int MAX = Integer.MAX_VALUE;
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long MASK = (1L << 48) - 1;
  private long x = 0x1234ABCD330EL;

  int next() {
    x = (MULTIPLIER * x + 0xB) & MASK;
    return (int) (x >>> 17);
  }

  void seed(int seed) {
    x = (((long) seed & 0xffffffffL) << 16 | 0x330E) & MASK;
  }
}
