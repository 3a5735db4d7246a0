package io.freshet.worker;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's Micrometer meters, tagged with stream and group, and the refresh of its gauges
 * from the server. Counters and the timer are thread-safe; the gauges read values the fetch
 * thread refreshes once per reclaim cycle.
 */
final class ProcessorMetrics {
  final Counter processed;
  final Counter failed;
  final Counter retried;
  final Counter deadLettered;
  final Counter duplicates;
  final Timer handlerLatency;
  final AtomicLong lag = new AtomicLong();
  final AtomicLong pending = new AtomicLong();
  final AtomicLong oldestPendingAgeMs = new AtomicLong();

  ProcessorMetrics(MeterRegistry registry, String stream, String group) {
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

  /** Lag and pending from XINFO GROUPS, the oldest pending entry's age from its ID. Fetch thread. */
  void refreshGauges(RedisClusterCommands<String, String> redis, String stream, String group) {
    for (Object g : redis.xinfoGroups(stream)) {
      Map<String, Object> info = pairs(g);
      if (group.equals(info.get("name"))) {
        Object lagValue = info.get("lag");
        lag.set(lagValue instanceof Long l ? l : -1);
        Object pendingValue = info.get("pending");
        pending.set(pendingValue instanceof Long l ? l : 0);
      }
    }
    List<PendingMessage> first = redis.xpending(stream, group, Range.create("-", "+"), Limit.from(1));
    oldestPendingAgeMs.set(first.isEmpty() ? 0
        : Math.max(0, System.currentTimeMillis() - Long.parseLong(first.get(0).getId().split("-")[0])));
  }

  /** An XINFO reply (a flat list under RESP2, a map under RESP3) as a map. */
  static Map<String, Object> pairs(Object reply) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (reply instanceof List<?> list) {
      for (int i = 0; i + 1 < list.size(); i += 2) {
        out.put(String.valueOf(list.get(i)), list.get(i + 1));
      }
    } else if (reply instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.put(String.valueOf(k), v));
    }
    return out;
  }
}
