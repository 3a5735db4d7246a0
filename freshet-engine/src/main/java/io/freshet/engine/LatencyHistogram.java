package io.freshet.engine;

/**
 * One command's latencies for INFO latencystats, in the layout of the HdrHistogram Redis uses
 * (lowest 1 ns, highest 1 s, 2 significant digits): 128 linear sub-buckets per power of two,
 * so a percentile is reported as the highest value of its sub-bucket, exactly the figure Redis
 * prints. Written from HdrHistogram's published bucket arithmetic. Engine thread only.
 */
public final class LatencyHistogram {
  private static final long LOWEST_NS = 1;
  private static final long HIGHEST_NS = 1_000_000_000L;
  private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
  private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  private static final int SUB_BUCKET_COUNT = 2 * SUB_BUCKET_HALF_COUNT;
  private static final long SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
  private static final int BUCKET_COUNT = bucketsFor(HIGHEST_NS);

  private final long[] counts = new long[(BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT];
  private long total;

  private static int bucketsFor(long value) {
    long smallestUntrackable = SUB_BUCKET_COUNT;
    int buckets = 1;
    while (smallestUntrackable <= value) {
      smallestUntrackable <<= 1;
      buckets++;
    }
    return buckets;
  }

  /** Records one latency, clamped to 1 ns .. 1 s as Redis does. */
  public void record(long ns) {
    long v = Math.max(LOWEST_NS, Math.min(HIGHEST_NS, ns));
    counts[indexOf(v)]++;
    total++;
  }

  public long count() {
    return total;
  }

  private static int indexOf(long v) {
    int pow2ceiling = 64 - Long.numberOfLeadingZeros(v | SUB_BUCKET_MASK);
    int bucket = pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
    int subBucket = (int) (v >>> bucket);
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
  }

  /** hdr_value_at_percentile: the highest value equivalent to the one at the percentile (0: lowest). */
  public long valueAtPercentile(double percentile) {
    double requested = Math.min(percentile, 100.0);
    long wanted = Math.max(1, (long) ((requested / 100) * total + 0.5));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= wanted) {
        int bucket = (i >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
        int subBucket = (i & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
        if (bucket < 0) {
          subBucket -= SUB_BUCKET_HALF_COUNT;
          bucket = 0;
        }
        long lowest = (long) subBucket << bucket;
        return percentile == 0.0 ? lowest : lowest + (1L << bucket) - 1;
      }
    }
    return 0;
  }
}
