package io.freshet.worker;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.util.List;
import java.util.Map;

/**
 * What the group's consumers left behind: entries idle past the backoff for their delivery
 * count are claimed (XPENDING IDLE, then XCLAIM with the backoff as min-idle, so two workers
 * never both win) and run again; past {@code maxDeliveries} they go to the dead-letter stream;
 * consumers idle past the threshold with nothing pending are removed. XPENDING + XCLAIM rather
 * than XAUTOCLAIM: the backoff and the dead-letter decision need each entry's delivery count.
 * Runs on the fetch thread, once per reclaim interval.
 */
final class Reclaimer {
  private final ProcessorConfig config;
  private final RedisClusterCommands<String, String> redis;
  private final Dispatcher dispatcher;
  private final DeadLetterMover deadLetters;
  private final ProcessorMetrics metrics;

  Reclaimer(ProcessorConfig config, RedisClusterCommands<String, String> redis, Dispatcher dispatcher,
      ProcessorMetrics metrics) {
    this.config = config;
    this.redis = redis;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.deadLetters = new DeadLetterMover(config.stream(), config.group(), config.deadLetterStream());
  }

  /** Claims and dispatches idle entries while permits last; dead-letters those delivered too often. */
  void reclaim() {
    int room = dispatcher.availablePermits();
    List<PendingMessage> stale = redis.xpending(config.stream(),
        XPendingArgs.Builder.xpending(config.group(), Range.create("-", "+"), Limit.from(Math.max(room, 1) * 4L))
            .idle(config.backoff().minIdleMs()));
    for (PendingMessage p : stale) {
      if (dispatcher.isRunning(p.getId())) {
        continue; // ours and still running
      }
      long deliveries = p.getRedeliveryCount();
      if (deliveries >= config.maxDeliveries()) {
        deadLetter(p.getId(), deliveries);
        continue;
      }
      long needIdle = config.backoff().idleBeforeRetryMs(deliveries);
      if (p.getMsSinceLastDelivery() < needIdle) {
        continue;
      }
      if (!dispatcher.tryAcquire()) {
        return;
      }
      // min-idle makes the claim lose cleanly if another worker took it first
      List<StreamMessage<String, String>> claimed = redis.xclaim(config.stream(),
          Consumer.from(config.group(), config.consumer()), XClaimArgs.Builder.minIdleTime(needIdle), p.getId());
      if (claimed.isEmpty() || claimed.get(0).getBody() == null) {
        dispatcher.release(1);
        continue;
      }
      metrics.retried.increment();
      dispatcher.dispatch(new StreamEntry(config.stream(), p.getId(), claimed.get(0).getBody(), deliveries + 1));
    }
  }

  private void deadLetter(String id, long deliveries) {
    String error = dispatcher.lastError(id);
    if (error == null) {
      error = "delivered " + deliveries + " times without success";
    }
    if (deadLetters.claimAndMove(redis, config.consumer(), config.backoff().minIdleMs(), id, deliveries, error)) {
      metrics.deadLettered.increment();
    }
    dispatcher.forgetError(id); // moved, here or by whoever claimed it first
  }

  /** Consumers idle past the threshold with nothing pending are removed (never this one). */
  void removeIdleConsumers() {
    if (config.consumerIdleMs() <= 0) {
      return;
    }
    for (Object c : redis.xinfoConsumers(config.stream(), config.group())) {
      Map<String, Object> info = ProcessorMetrics.pairs(c);
      Object name = info.get("name");
      Object pending = info.get("pending");
      Object idle = info.get("idle");
      if (!config.consumer().equals(name) && Long.valueOf(0).equals(pending) && idle instanceof Long i
          && i > config.consumerIdleMs()) {
        redis.xgroupDelconsumer(config.stream(), Consumer.from(config.group(), (String) name));
      }
    }
  }
}
