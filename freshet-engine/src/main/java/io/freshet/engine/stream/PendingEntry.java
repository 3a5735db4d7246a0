package io.freshet.engine.stream;

/**
 * One entry delivered to a consumer and not yet acknowledged (Redis's streamNACK); the same
 * object sits in the group's PEL and in its consumer's PEL. Owned by the engine thread.
 */
public final class PendingEntry {
  public long deliveryTimeMs;
  public long deliveryCount;
  public Consumer consumer;

  public PendingEntry(long deliveryTimeMs, long deliveryCount, Consumer consumer) {
    this.deliveryTimeMs = deliveryTimeMs;
    this.deliveryCount = deliveryCount;
    this.consumer = consumer;
  }
}
