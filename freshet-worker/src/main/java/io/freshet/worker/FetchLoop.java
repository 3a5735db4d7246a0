package io.freshet.worker;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch thread: creates the group, first re-reads this consumer's own pending entries (a
 * previous run's leftovers), then loops on a blocking XREADGROUP on a connection of its own,
 * asking for no more entries than it holds permits, and once per reclaim interval runs the
 * {@link Reclaimer}, refreshes the gauges and removes idle consumers. An error (the server gone,
 * the group deleted) is logged and retried after the error backoff.
 */
final class FetchLoop {
  private static final Logger LOG = LoggerFactory.getLogger(FetchLoop.class);

  private final ProcessorConfig config;
  /** Only the blocking XREADGROUP: it holds its connection for up to blockMs. */
  private final RedisClusterCommands<String, String> reader;
  private final RedisClusterCommands<String, String> redis;
  private final Dispatcher dispatcher;
  private final Reclaimer reclaimer;
  private final ProcessorMetrics metrics;
  private final Thread thread;
  private volatile boolean running = true;

  FetchLoop(ProcessorConfig config, RedisClusterCommands<String, String> reader,
      RedisClusterCommands<String, String> redis, Dispatcher dispatcher, Reclaimer reclaimer,
      ProcessorMetrics metrics) {
    this.config = config;
    this.reader = reader;
    this.redis = redis;
    this.dispatcher = dispatcher;
    this.reclaimer = reclaimer;
    this.metrics = metrics;
    this.thread = config.daemonThread("fetch", this::loop);
  }

  void start() {
    thread.start();
  }

  /** Stops fetching; waits up to {@code waitMs} for the current read to return. */
  void stop(long waitMs) throws InterruptedException {
    running = false;
    thread.join(waitMs);
  }

  private void loop() {
    long nextReclaimMs = 0;
    boolean recovered = false;
    while (running) {
      try {
        if (!recovered) {
          createGroup();
          recoverOwnPending();
          recovered = true;
        }
        long now = System.currentTimeMillis();
        if (now >= nextReclaimMs) {
          reclaimer.reclaim();
          metrics.refreshGauges(redis, config.stream(), config.group());
          reclaimer.removeIdleConsumers();
          nextReclaimMs = now + config.reclaimIntervalMs();
        }
        long waitMs = Math.max(1, Math.min(config.blockMs(), nextReclaimMs - System.currentTimeMillis()));
        int n = dispatcher.acquireUpTo(config.batchSize(), waitMs);
        if (n == 0) {
          continue;
        }
        List<StreamMessage<String, String>> messages = reader.xreadgroup(
            Consumer.from(config.group(), config.consumer()), XReadArgs.Builder.count(n).block(waitMs),
            XReadArgs.StreamOffset.lastConsumed(config.stream()));
        dispatcher.release(n - messages.size());
        List<StreamEntry> batch = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> m : messages) {
          batch.add(new StreamEntry(config.stream(), m.getId(), m.getBody(), 1));
        }
        dispatcher.runBatch(batch);
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
          recovered = false; // the stream or group went away: create them again
        }
        LOG.warn("stream " + config.stream() + " group " + config.group() + ": " + e.getMessage());
        sleep(config.errorBackoffMs());
      }
    }
  }

  private void createGroup() {
    try {
      redis.xgroupCreate(XReadArgs.StreamOffset.from(config.stream(), config.startId()), config.group(),
          XGroupCreateArgs.Builder.mkstream());
    } catch (RedisCommandExecutionException e) {
      if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /** At start the consumer first re-reads its own pending entries: a previous run's leftovers. */
  private void recoverOwnPending() {
    Consumer<String> me = Consumer.from(config.group(), config.consumer());
    String after = "0";
    while (running) {
      int n = dispatcher.acquireUpTo(config.batchSize(), config.blockMs());
      if (n == 0) {
        continue;
      }
      List<PendingMessage> pending = redis.xpending(config.stream(),
          XPendingArgs.Builder.xpending(me, Range.create("(" + after, "+"), Limit.from(n)));
      if (pending.isEmpty()) {
        dispatcher.release(n);
        return;
      }
      dispatcher.release(n - pending.size());
      for (PendingMessage p : pending) {
        after = p.getId();
        List<StreamMessage<String, String>> claimed = redis.xclaim(config.stream(), me,
            XClaimArgs.Builder.minIdleTime(0), p.getId());
        if (claimed.isEmpty() || claimed.get(0).getBody() == null) {
          dispatcher.release(1);
          redis.xack(config.stream(), config.group(), p.getId()); // the entry was deleted meanwhile
          continue;
        }
        dispatcher.dispatch(new StreamEntry(config.stream(), p.getId(), claimed.get(0).getBody(),
            p.getRedeliveryCount() + 1));
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
