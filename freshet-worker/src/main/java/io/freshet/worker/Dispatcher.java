package io.freshet.worker;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs entries through the handler and hands each outcome on: a success to the {@link Acker} (or
 * the {@link TransactionalCommit}), a failure stays pending with its error remembered for the
 * dead letter. Owns the backpressure: {@code concurrency} permits, one per entry in flight, which
 * the fetch thread and the reclaimer acquire before they take entries. Thread-safe.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** Below this average a synchronous handler runs on the fetch thread: a hand-off costs more. */
  private static final long FAST_HANDLER_NANOS = 20_000;
  /** An entry slower than this makes its task call in a helper for the rest of the batch. */
  private static final long SLOW_ENTRY_NANOS = 200_000;
  /** Failures remembered for dead letters at most (a bound, should entries fail and vanish). */
  private static final int MAX_REMEMBERED_ERRORS = 100_000;

  private final ProcessorConfig config;
  private final RedisClusterCommands<String, String> redis;
  private final ProcessorMetrics metrics;
  private final Acker acker;
  private final TransactionalCommit commit;
  private final ExecutorService handlers;
  private final Semaphore permits;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
  /** Moving average of synchronous handler time; starts slow, so the first batches fan out. */
  private volatile long avgHandlerNanos = Long.MAX_VALUE / 2;

  Dispatcher(ProcessorConfig config, RedisClusterCommands<String, String> redis, ProcessorMetrics metrics,
      Acker acker, TransactionalCommit commit) {
    this.config = config;
    this.redis = redis;
    this.metrics = metrics;
    this.acker = acker;
    this.commit = commit;
    this.permits = new Semaphore(config.concurrency());
    this.handlers = Executors.newFixedThreadPool(config.concurrency(), r -> {
      Thread t = new Thread(r, "freshet-worker-handler-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  // ---- permits: one per entry in flight --------------------------------------------------------

  /** Entries taken and not yet finished. */
  int inFlight() {
    return config.concurrency() - permits.availablePermits();
  }

  /** True while entry {@code id} is being run here. */
  boolean isRunning(String id) {
    return inFlight.contains(id);
  }

  int availablePermits() {
    return permits.availablePermits();
  }

  /** Waits up to {@code waitMs} for one permit, then takes up to {@code wanted} without waiting: how many it got. */
  int acquireUpTo(int wanted, long waitMs) {
    try {
      if (!permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
        return 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    int got = 1;
    while (got < wanted && permits.tryAcquire()) {
      got++;
    }
    return got;
  }

  boolean tryAcquire() {
    return permits.tryAcquire();
  }

  void release(int n) {
    permits.release(n);
  }

  /** Waits until nothing is in flight or {@code deadlineNanos} (System.nanoTime) passes. */
  void awaitIdle(long deadlineNanos) throws InterruptedException {
    while (permits.availablePermits() < config.concurrency() && System.nanoTime() < deadlineNanos) {
      Thread.sleep(5);
    }
  }

  /** Stops the handler threads (interrupting what still runs). */
  void shutdownNow() {
    handlers.shutdownNow();
  }

  /** The last failure of entry {@code id} here; null if none is known. */
  String lastError(String id) {
    return lastErrors.get(id);
  }

  void forgetError(String id) {
    lastErrors.remove(id);
  }

  // ---- running entries, each holding a permit ---------------------------------------------------

  /**
   * Runs a fetched batch: on the calling (fetch) thread while synchronous handlers are fast, else
   * on the handler threads.
   */
  void runBatch(List<StreamEntry> batch) {
    if (config.handler() != null && avgHandlerNanos < FAST_HANDLER_NANOS) {
      runHere(batch);
    } else {
      dispatchAll(batch);
    }
  }

  /** Runs one entry on the handler threads. */
  void dispatch(StreamEntry entry) {
    dispatchAll(List.of(entry));
  }

  /** Runs a batch of fast handlers on this thread, in order; acks still go to the acker. */
  private void runHere(List<StreamEntry> batch) {
    for (StreamEntry e : batch) {
      inFlight.add(e.id());
    }
    for (StreamEntry e : batch) {
      run(e);
    }
  }

  private void recordHandlerTime(long nanos) {
    long avg = avgHandlerNanos;
    avgHandlerNanos = avg >= Long.MAX_VALUE / 4 ? nanos : avg + (nanos - avg) / 16;
  }

  /**
   * Runs a batch on the handler threads. One task starts draining the batch; whenever an entry
   * takes longer than {@link #SLOW_ENTRY_NANOS} the task calls in one more (up to
   * {@code concurrency}), so slow handlers soon run in parallel while fast ones finish on one
   * thread without a hand-off per entry.
   */
  private void dispatchAll(List<StreamEntry> batch) {
    if (batch.isEmpty()) {
      return;
    }
    for (StreamEntry e : batch) {
      inFlight.add(e.id());
    }
    spawn(new Batch(new ConcurrentLinkedQueue<>(batch), Math.min(batch.size(), config.concurrency())));
  }

  private record Batch(Queue<StreamEntry> queue, int maxTasks, AtomicInteger tasks) {
    Batch(Queue<StreamEntry> queue, int maxTasks) {
      this(queue, maxTasks, new AtomicInteger());
    }
  }

  private void spawn(Batch b) {
    if (b.tasks().incrementAndGet() > b.maxTasks()) {
      b.tasks().decrementAndGet();
      return;
    }
    handlers.execute(() -> {
      try {
        for (StreamEntry e = b.queue().poll(); e != null; e = b.queue().poll()) {
          long started = System.nanoTime();
          run(e);
          if (System.nanoTime() - started > SLOW_ENTRY_NANOS && !b.queue().isEmpty()) {
            spawn(b);
          }
        }
      } finally {
        b.tasks().decrementAndGet();
      }
    });
  }

  private void run(StreamEntry entry) {
    String marker = config.idempotency() ? config.markerKey(entry) : null;
    try {
      if (marker != null && marker.isEmpty()) {
        throw new IllegalStateException("entry has no field " + config.idempotencyField() + " to deduplicate on");
      }
      if (marker != null && redis.exists(marker) > 0) {
        // the side effect already happened (the previous ack was lost): ack without running again
        redis.xack(config.stream(), config.group(), entry.id());
        metrics.duplicates.increment();
        finish(entry);
        return;
      }
      long started = System.nanoTime();
      if (config.asyncHandler() != null) {
        CompletionStage<?> stage = config.asyncHandler().handle(entry);
        stage.whenComplete((r, error) -> {
          metrics.handlerLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          complete(entry, marker, error, null);
        });
        return;
      }
      Throwable error = null;
      List<Consumer<RedisCommands<String, String>>> writes = null;
      try {
        if (config.transactionalHandler() != null) {
          writes = config.transactionalHandler().handle(entry);
        } else {
          config.handler().handle(entry);
        }
      } catch (Throwable t) {
        error = t;
      }
      long took = System.nanoTime() - started;
      recordHandlerTime(took);
      metrics.handlerLatency.record(took, TimeUnit.NANOSECONDS);
      complete(entry, marker, error, writes);
    } catch (RuntimeException e) {
      LOG.warn("entry " + entry.id() + ": " + e.getMessage());
      lastErrors.put(entry.id(), String.valueOf(e));
      finish(entry);
    }
  }

  private void complete(StreamEntry entry, String marker, Throwable error,
      List<Consumer<RedisCommands<String, String>>> writes) {
    try {
      if (error != null) {
        metrics.failed.increment();
        if (lastErrors.size() < MAX_REMEMBERED_ERRORS) {
          lastErrors.put(entry.id(), String.valueOf(error));
        }
        return; // stays pending: reclaimed after the backoff, dead-lettered past maxDeliveries
      }
      if (marker != null || (writes != null && !writes.isEmpty())) {
        if (!commit.commit(entry.id(), marker, writes)) {
          metrics.duplicates.increment(); // another worker's commit came first
          return;
        }
      } else {
        acker.ackLater(entry.id());
      }
      if (!lastErrors.isEmpty()) {
        lastErrors.remove(entry.id());
      }
      metrics.processed.increment();
    } catch (RuntimeException e) {
      LOG.warn("acking " + entry.id() + ": " + e.getMessage()); // stays pending
    } finally {
      finish(entry);
    }
  }

  private void finish(StreamEntry entry) {
    inFlight.remove(entry.id());
    permits.release();
  }
}
