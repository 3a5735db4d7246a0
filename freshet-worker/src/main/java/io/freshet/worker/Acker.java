package io.freshet.worker;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks successes in batches on a thread of its own: whatever has finished since the last XACK
 * goes in the next one, so a busy processor sends one XACK per batch, as a hand-written loop
 * would. Handlers only enqueue (no wake-up per entry); the thread looks every millisecond when
 * idle. {@link #ackLater} is thread-safe.
 */
final class Acker {
  private static final Logger LOG = LoggerFactory.getLogger(Acker.class);
  private static final int MAX_IDS_PER_XACK = 1000;

  private final ProcessorConfig config;
  private final RedisClusterCommands<String, String> redis;
  /** IDs whose handlers succeeded, not yet acked. */
  private final Queue<String> toAck = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean acking = true;

  Acker(ProcessorConfig config, RedisClusterCommands<String, String> redis) {
    this.config = config;
    this.redis = redis;
    this.thread = config.daemonThread("ack", this::loop);
  }

  void start() {
    thread.start();
  }

  /** Acks {@code id} with the next batch. */
  void ackLater(String id) {
    toAck.add(id);
  }

  /** Acks what is queued, then stops (waiting up to {@code waitMs}). */
  void stop(long waitMs) throws InterruptedException {
    acking = false;
    thread.join(waitMs);
  }

  private void loop() {
    List<String> batch = new ArrayList<>();
    while (acking || !toAck.isEmpty()) {
      try {
        for (String id = toAck.poll(); id != null && batch.size() < MAX_IDS_PER_XACK; id = toAck.poll()) {
          batch.add(id);
        }
        if (batch.isEmpty()) {
          LockSupport.parkNanos(1_000_000);
          continue;
        }
        redis.xack(config.stream(), config.group(), batch.toArray(new String[0]));
      } catch (RuntimeException e) {
        LOG.warn("acking " + batch.size() + " entries: " + e.getMessage()); // they stay pending
      }
      batch.clear();
    }
  }
}
