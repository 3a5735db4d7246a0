package io.freshet.worker;

/**
 * How long a pending entry must sit idle before it is reclaimed for its next attempt: the
 * minimum idle time for the second delivery, doubling with each further delivery, capped.
 * Immutable; any thread.
 */
public record Backoff(long minIdleMs, long maxIdleMs) {
  public Backoff {
    if (minIdleMs < 1 || maxIdleMs < minIdleMs) {
      throw new IllegalArgumentException("need 1 <= minIdleMs <= maxIdleMs");
    }
  }

  /** Idle time after which an entry delivered {@code deliveries} times may be reclaimed. */
  public long idleBeforeRetryMs(long deliveries) {
    long shift = Math.max(0, Math.min(deliveries - 1, 30));
    long idle = minIdleMs << shift;
    return idle < 0 || idle > maxIdleMs ? maxIdleMs : idle;
  }
}
