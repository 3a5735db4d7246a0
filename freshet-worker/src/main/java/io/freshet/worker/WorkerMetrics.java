package io.freshet.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's Micrometer meters, tagged with stream and group. Counters and the timer are
 * thread-safe; the gauges read values the processor's fetch thread refreshes.
 */
final class WorkerMetrics {
  final Counter processed;
  final Counter failed;
  final Counter retried;
  final Counter deadLettered;
  final Counter duplicates;
  final Timer handlerLatency;
  final AtomicLong lag = new AtomicLong();
  final AtomicLong pending = new AtomicLong();
  final AtomicLong oldestPendingAgeMs = new AtomicLong();

  WorkerMetrics(MeterRegistry registry, String stream, String group) {
    Tags tags = Tags.of("stream", stream, "group", group);
    processed = registry.counter("freshet.worker.processed", tags);
    failed = registry.counter("freshet.worker.failed", tags);
    retried = registry.counter("freshet.worker.retried", tags);
    deadLettered = registry.counter("freshet.worker.dead.lettered", tags);
    duplicates = registry.counter("freshet.worker.duplicates", tags);
    handlerLatency = registry.timer("freshet.worker.handler", tags);
    Gauge.builder("freshet.worker.lag", lag, AtomicLong::get).tags(tags).register(registry);
    Gauge.builder("freshet.worker.pending", pending, AtomicLong::get).tags(tags).register(registry);
    Gauge.builder("freshet.worker.oldest.pending.age", oldestPendingAgeMs, AtomicLong::get).baseUnit("milliseconds")
        .tags(tags).register(registry);
  }
}
