package io.freshet.worker;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Everything a {@link StreamProcessor} was configured with, fixed when {@code start()} builds it:
 * changing the builder afterwards changes nothing in the running processor. Immutable; any
 * thread. Exactly one of the three handlers is set.
 *
 * @param consumer the consumer name, the default (host-pid-random) already chosen
 * @param markerPrefix idempotency markers start with this, in the stream's slot on a cluster
 */
record ProcessorConfig(String uri, String stream, String group, String startId, String consumer,
    Handler handler, Handler.Async asyncHandler, Handler.Transactional transactionalHandler,
    int concurrency, int batchSize, long blockMs, Backoff backoff, long reclaimIntervalMs, long maxDeliveries,
    String deadLetterStream, boolean idempotency, String idempotencyField, long idempotencyTtlMs,
    long shutdownTimeoutMs, long consumerIdleMs, long errorBackoffMs, MeterRegistry registry,
    String markerPrefix) {

  ProcessorConfig {
    Objects.requireNonNull(uri);
    Objects.requireNonNull(stream);
    Objects.requireNonNull(group);
    Objects.requireNonNull(consumer);
    Objects.requireNonNull(backoff);
    Objects.requireNonNull(registry);
    if (handler == null && asyncHandler == null && transactionalHandler == null) {
      throw new IllegalStateException("a handler is required");
    }
    if (Links.isCluster(uri) && deadLetterStream != null && !Links.sameSlot(stream, deadLetterStream)) {
      throw new IllegalStateException("on a cluster the dead-letter stream must hash to the stream's slot "
          + "(one MULTI/EXEC moves an entry): use a hash tag, e.g. " + DeadLetter.defaultStream(stream, true));
    }
  }

  /** The "done" marker of an entry: in the stream's hash slot (see Links.sameSlotPrefix), so MULTI/EXEC works. */
  String markerKey(StreamEntry entry) {
    String value = idempotencyField == null ? entry.id() : entry.field(idempotencyField);
    return value == null ? "" : markerPrefix + ":done:" + group + ":" + value;
  }

  /** A daemon thread named for its role, the stream and the group (as thread dumps show it). */
  Thread daemonThread(String role, Runnable body) {
    Thread t = new Thread(body, "freshet-worker-" + role + "-" + stream + "-" + group);
    t.setDaemon(true);
    return t;
  }
}
