package io.freshet.worker;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reliable consumer-group processing of one stream: at-least-once delivery (an entry is acked
 * only after its handler succeeds), recovery of this consumer's own pending entries at start,
 * reclaiming of entries other consumers left idle (with backoff growing with the delivery
 * count), dead-lettering past a maximum delivery count, optional idempotency, backpressure and
 * graceful shutdown. Works against Freshet and Redis alike.
 *
 * <pre>{@code
 * try (StreamProcessor p = StreamProcessor.builder("redis://127.0.0.1:6379", "orders", "billing")
 *     .handler(entry -> charge(entry.field("order_id")))
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Threads: one fetch thread owns the blocking read and the reclaim cycle; handlers run on
 * {@code concurrency} handler threads; public methods are thread-safe.
 */
public final class StreamProcessor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StreamProcessor.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Builder config;
  private final String consumer;
  private final Links links;
  private final RedisClusterCommands<String, String> reader;
  private final RedisClusterCommands<String, String> commands;
  private final Links.Transactional tx;
  private final Object txLock = new Object();
  private final ExecutorService handlers;
  private final Semaphore permits;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
  private final WorkerMetrics metrics;
  private final Thread fetcher;
  /** IDs whose handlers succeeded, acked in batches by {@link #acker} (one XACK for many). */
  private final java.util.Queue<String> toAck = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Thread acker;
  private volatile boolean running = true;
  private volatile boolean acking = true;

  private StreamProcessor(Builder b) {
    this.config = b;
    this.consumer = b.consumer != null ? b.consumer : defaultConsumerName();
    this.metrics = new WorkerMetrics(b.registry != null ? b.registry : new SimpleMeterRegistry(), b.stream, b.group);
    this.links = new Links(b.uri);
    this.reader = links.open();
    this.commands = links.open();
    this.tx = links.openTransactional(b.stream);
    this.permits = new Semaphore(b.concurrency);
    this.handlers = Executors.newFixedThreadPool(b.concurrency, r -> {
      Thread t = new Thread(r, "freshet-worker-handler-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.fetcher = new Thread(this::fetchLoop, "freshet-worker-fetch-" + b.stream + "-" + b.group);
    this.fetcher.setDaemon(true);
    this.acker = new Thread(this::ackLoop, "freshet-worker-ack-" + b.stream + "-" + b.group);
    this.acker.setDaemon(true);
  }

  /** A builder for a processor reading {@code stream} as a member of {@code group}. */
  public static Builder builder(String uri, String stream, String group) {
    return new Builder(uri, stream, group);
  }

  private static String defaultConsumerName() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String consumer() {
    return consumer;
  }

  /** Entries fetched and not yet finished (never more than {@code concurrency}). */
  public int inFlight() {
    return config.concurrency - permits.availablePermits();
  }

  private RedisClusterCommands<String, String> redis() {
    return commands;
  }

  // ---- the fetch thread ---------------------------------------------------------------------

  private void fetchLoop() {
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
          reclaim();
          refreshGauges();
          removeIdleConsumers();
          nextReclaimMs = now + config.reclaimIntervalMs;
        }
        long waitMs = Math.max(1, Math.min(config.blockMs, nextReclaimMs - System.currentTimeMillis()));
        int n = acquireUpTo(config.batchSize, waitMs);
        if (n == 0) {
          continue;
        }
        List<StreamMessage<String, String>> messages = reader.xreadgroup(
            Consumer.from(config.group, consumer), XReadArgs.Builder.count(n).block(waitMs),
            XReadArgs.StreamOffset.lastConsumed(config.stream));
        permits.release(n - messages.size());
        List<StreamEntry> batch = new java.util.ArrayList<>(messages.size());
        for (StreamMessage<String, String> m : messages) {
          batch.add(new StreamEntry(config.stream, m.getId(), m.getBody(), 1));
        }
        if (handlersAreFast()) {
          runHere(batch);
        } else {
          dispatchAll(batch);
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
          recovered = false; // the stream or group went away: create them again
        }
        LOG.log(Level.WARNING, "stream " + config.stream + " group " + config.group + ": " + e.getMessage());
        sleep(config.errorBackoffMs);
      }
    }
  }

  private void createGroup() {
    try {
      redis().xgroupCreate(XReadArgs.StreamOffset.from(config.stream, config.startId), config.group,
          XGroupCreateArgs.Builder.mkstream());
    } catch (RedisCommandExecutionException e) {
      if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /** At start the consumer first re-reads its own pending entries: a previous run's leftovers. */
  private void recoverOwnPending() {
    String after = "0";
    while (running) {
      int n = acquireUpTo(config.batchSize, config.blockMs);
      if (n == 0) {
        continue;
      }
      List<PendingMessage> pending = redis().xpending(config.stream,
          XPendingArgs.Builder.xpending(Consumer.from(config.group, consumer), Range.create("(" + after, "+"),
              Limit.from(n)));
      if (pending.isEmpty()) {
        permits.release(n);
        return;
      }
      permits.release(n - pending.size());
      for (PendingMessage p : pending) {
        after = p.getId();
        List<StreamMessage<String, String>> claimed = redis().xclaim(config.stream, Consumer.from(config.group, consumer),
            XClaimArgs.Builder.minIdleTime(0), p.getId());
        if (claimed.isEmpty() || claimed.get(0).getBody() == null) {
          permits.release();
          redis().xack(config.stream, config.group, p.getId()); // the entry was deleted meanwhile
          continue;
        }
        dispatch(new StreamEntry(config.stream, p.getId(), claimed.get(0).getBody(), p.getRedeliveryCount() + 1));
      }
    }
  }

  /**
   * Entries any consumer left idle past the backoff for their delivery count are claimed and run
   * again here; past {@code maxDeliveries} they go to the dead-letter stream instead.
   */
  private void reclaim() {
    int room = permits.availablePermits();
    List<PendingMessage> stale = redis().xpending(config.stream,
        XPendingArgs.Builder.xpending(config.group, Range.create("-", "+"), Limit.from(Math.max(room, 1) * 4L))
            .idle(config.backoff.minIdleMs()));
    for (PendingMessage p : stale) {
      if (inFlight.contains(p.getId())) {
        continue; // ours and still running
      }
      long deliveries = p.getRedeliveryCount();
      if (deliveries >= config.maxDeliveries) {
        // claim it first (min-idle: only one worker wins), so one worker moves it, once
        List<StreamMessage<String, String>> mine = redis().xclaim(config.stream, Consumer.from(config.group, consumer),
            XClaimArgs.Builder.minIdleTime(config.backoff.minIdleMs()).justid(), p.getId());
        if (!mine.isEmpty()) {
          deadLetter(p.getId(), deliveries);
        }
        continue;
      }
      long needIdle = config.backoff.idleBeforeRetryMs(deliveries);
      if (p.getMsSinceLastDelivery() < needIdle) {
        continue;
      }
      if (!permits.tryAcquire()) {
        return;
      }
      // min-idle makes the claim lose cleanly if another worker took it first
      List<StreamMessage<String, String>> claimed = redis().xclaim(config.stream, Consumer.from(config.group, consumer),
          XClaimArgs.Builder.minIdleTime(needIdle), p.getId());
      if (claimed.isEmpty() || claimed.get(0).getBody() == null) {
        permits.release();
        continue;
      }
      metrics.retried.increment();
      dispatch(new StreamEntry(config.stream, p.getId(), claimed.get(0).getBody(), deliveries + 1));
    }
  }

  /**
   * Acks an entry and, if this ack was the one that took it out of the PEL, adds it to the
   * dead-letter stream: one script, so the move is atomic and happens once even when two workers
   * decide at the same moment (a MULTI/EXEC would run both moves).
   */
  private static final ServerScript DEAD_LETTER = new ServerScript(
      "if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then",
      "  if #ARGV > 2 then redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3)) end",
      "  return 1",
      "end",
      "return 0");

  private void deadLetter(String id, long deliveries) {
    List<StreamMessage<String, String>> found = redis().xrange(config.stream, Range.create(id, id));
    String error = lastErrors.getOrDefault(id, "delivered " + deliveries + " times without success");
    List<String> args = new ArrayList<>(List.of(config.group, id));
    if (!found.isEmpty() && found.get(0).getBody() != null) {
      DeadLetter.entry(found.get(0).getBody(), config.stream, id, config.group, consumer, deliveries, error)
          .forEach((k, v) -> {
            args.add(k);
            args.add(v);
          });
    }
    Long moved = DEAD_LETTER.run(redis(), ScriptOutputType.INTEGER, new String[] {config.stream, config.deadLetterStream},
        args.toArray(new String[0]));
    lastErrors.remove(id);
    if (moved != null && moved == 1) {
      metrics.deadLettered.increment();
    }
  }


  private void refreshGauges() {
    for (Object group : redis().xinfoGroups(config.stream)) {
      Map<String, Object> g = pairs(group);
      if (config.group.equals(g.get("name"))) {
        Object lag = g.get("lag");
        metrics.lag.set(lag instanceof Long l ? l : -1);
        Object pending = g.get("pending");
        metrics.pending.set(pending instanceof Long l ? l : 0);
      }
    }
    List<PendingMessage> first = redis().xpending(config.stream, config.group, Range.create("-", "+"), Limit.from(1));
    metrics.oldestPendingAgeMs.set(first.isEmpty() ? 0
        : Math.max(0, System.currentTimeMillis() - Long.parseLong(first.get(0).getId().split("-")[0])));
  }

  /** Consumers idle past the threshold with nothing pending are removed (never this one). */
  private void removeIdleConsumers() {
    if (config.consumerIdleMs <= 0) {
      return;
    }
    for (Object c : redis().xinfoConsumers(config.stream, config.group)) {
      Map<String, Object> info = pairs(c);
      Object name = info.get("name");
      Object pending = info.get("pending");
      Object idle = info.get("idle");
      if (!consumer.equals(name) && Long.valueOf(0).equals(pending) && idle instanceof Long i
          && i > config.consumerIdleMs) {
        redis().xgroupDelconsumer(config.stream, Consumer.from(config.group, (String) name));
      }
    }
  }

  private static Map<String, Object> pairs(Object reply) {
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

  // ---- handlers -----------------------------------------------------------------------------

  private int acquireUpTo(int wanted, long waitMs) {
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

  private void dispatch(StreamEntry entry) {
    dispatchAll(List.of(entry));
  }

  /** Below this average a synchronous handler runs on the fetch thread: a hand-off costs more. */
  private static final long FAST_HANDLER_NANOS = 20_000;
  /** Moving average of synchronous handler time; starts slow, so the first batches fan out. */
  private volatile long avgHandlerNanos = Long.MAX_VALUE / 2;

  private boolean handlersAreFast() {
    return config.handler != null && avgHandlerNanos < FAST_HANDLER_NANOS;
  }

  /** Runs a batch of fast handlers on the fetch thread, in order; acks still go to the acker. */
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

  /** An entry slower than this makes its task call in a helper for the rest of the batch. */
  private static final long SLOW_ENTRY_NANOS = 200_000;

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
    Batch b = new Batch(new java.util.concurrent.ConcurrentLinkedQueue<>(batch), Math.min(batch.size(),
        config.concurrency));
    spawn(b);
  }

  private record Batch(java.util.Queue<StreamEntry> queue, int maxTasks, AtomicInteger tasks) {
    Batch(java.util.Queue<StreamEntry> queue, int maxTasks) {
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
    String marker = config.idempotency ? markerKey(entry) : null;
    try {
      if (marker != null && marker.isEmpty()) {
        throw new IllegalStateException("entry has no field " + config.idempotencyField + " to deduplicate on");
      }
      if (marker != null && redis().exists(marker) > 0) {
        // the side effect already happened (the previous ack was lost): ack without running again
        redis().xack(config.stream, config.group, entry.id());
        metrics.duplicates.increment();
        finish(entry);
        return;
      }
      long started = System.nanoTime();
      if (config.asyncHandler != null) {
        CompletionStage<?> stage = config.asyncHandler.handle(entry);
        stage.whenComplete((r, error) -> {
          metrics.handlerLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          complete(entry, marker, error, null);
        });
        return;
      }
      Throwable error = null;
      List<java.util.function.Consumer<RedisCommands<String, String>>> writes = null;
      try {
        if (config.transactionalHandler != null) {
          writes = config.transactionalHandler.handle(entry);
        } else {
          config.handler.handle(entry);
        }
      } catch (Throwable t) {
        error = t;
      }
      long took = System.nanoTime() - started;
      recordHandlerTime(took);
      metrics.handlerLatency.record(took, TimeUnit.NANOSECONDS);
      complete(entry, marker, error, writes);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "entry " + entry.id() + ": " + e.getMessage());
      lastErrors.put(entry.id(), String.valueOf(e));
      finish(entry);
    }
  }

  private void complete(StreamEntry entry, String marker, Throwable error,
      List<java.util.function.Consumer<RedisCommands<String, String>>> writes) {
    try {
      if (error != null) {
        metrics.failed.increment();
        if (lastErrors.size() < 100_000) {
          lastErrors.put(entry.id(), String.valueOf(error));
        }
        return; // stays pending: reclaimed after the backoff, dead-lettered past maxDeliveries
      }
      if (marker != null || (writes != null && !writes.isEmpty())) {
        synchronized (txLock) {
          RedisCommands<String, String> tx = this.tx.sync();
          if (marker != null) {
            // Another worker may have run this entry too (it was reclaimed while we ran it): the
            // first to commit wins; WATCH makes a later commit of ours apply nothing.
            tx.watch(marker);
            if (tx.exists(marker) > 0) {
              tx.unwatch();
              tx.xack(config.stream, config.group, entry.id());
              metrics.duplicates.increment();
              return;
            }
          }
          tx.multi();
          if (writes != null) {
            writes.forEach(w -> w.accept(tx));
          }
          if (marker != null) {
            tx.psetex(marker, config.idempotencyTtlMs, "1");
          }
          tx.xack(config.stream, config.group, entry.id());
          if (tx.exec().wasDiscarded()) {
            metrics.duplicates.increment(); // the other worker's commit came first
            return;
          }
        }
      } else {
        toAck.add(entry.id());
      }
      if (!lastErrors.isEmpty()) {
        lastErrors.remove(entry.id());
      }
      metrics.processed.increment();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "acking " + entry.id() + ": " + e.getMessage()); // stays pending
    } finally {
      finish(entry);
    }
  }

  private void finish(StreamEntry entry) {
    inFlight.remove(entry.id());
    permits.release();
  }

  /** The "done" marker: in the stream's hash slot (see Links.sameSlotPrefix), so MULTI/EXEC works. */
  private String markerKey(StreamEntry entry) {
    String value = config.idempotencyField == null ? entry.id() : entry.field(config.idempotencyField);
    return value == null ? "" : config.markerPrefix + ":done:" + config.group + ":" + value;
  }

  /**
   * Acks successes in batches: whatever has finished since the last XACK goes in the next one,
   * so a busy processor sends one XACK per batch, as a hand-written loop would. Handlers only
   * enqueue (no wake-up per entry); this thread looks every millisecond when idle.
   */
  private void ackLoop() {
    List<String> batch = new java.util.ArrayList<>();
    while (acking || !toAck.isEmpty()) {
      try {
        for (String id = toAck.poll(); id != null && batch.size() < 1000; id = toAck.poll()) {
          batch.add(id);
        }
        if (batch.isEmpty()) {
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          continue;
        }
        redis().xack(config.stream, config.group, batch.toArray(new String[0]));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "acking " + batch.size() + " entries: " + e.getMessage()); // they stay pending
      }
      batch.clear();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private StreamProcessor startFetching() {
    acker.start();
    fetcher.start();
    return this;
  }

  /**
   * Graceful shutdown: stop fetching, let in-flight handlers finish (and be acked) within the
   * shutdown timeout, leave everything else pending for the group's other consumers.
   */
  @Override
  public void close() {
    running = false;
    try {
      fetcher.join(config.blockMs + 2000);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs);
      while (permits.availablePermits() < config.concurrency && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handlers.shutdownNow();
    acking = false;
    try {
      acker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    links.close();
  }

  /** Builds a {@link StreamProcessor}; each setter documents its default. */
  public static final class Builder {
    final String uri;
    final String stream;
    final String group;
    String startId = "0";
    String consumer;
    Handler handler;
    Handler.Async asyncHandler;
    Handler.Transactional transactionalHandler;
    int concurrency = 16;
    int batchSize = 100;
    long blockMs = 2000;
    Backoff backoff = new Backoff(30_000, 600_000);
    long reclaimIntervalMs = 1000;
    long maxDeliveries = 5;
    String deadLetterStream;
    boolean idempotency;
    String idempotencyField;
    long idempotencyTtlMs = 24 * 3600 * 1000L;
    long shutdownTimeoutMs = 30_000;
    long consumerIdleMs = 3600 * 1000L;
    long errorBackoffMs = 1000;
    MeterRegistry registry;
    /** Idempotency markers start with this, in the stream's slot on a cluster. */
    final String markerPrefix;

    Builder(String uri, String stream, String group) {
      this.uri = Objects.requireNonNull(uri);
      this.stream = Objects.requireNonNull(stream);
      this.group = Objects.requireNonNull(group);
      boolean cluster = Links.isCluster(uri);
      this.deadLetterStream = DeadLetter.defaultStream(stream, cluster);
      this.markerPrefix = Links.sameSlotPrefix(stream, cluster);
    }

    /** Where a new group starts: "0" (default, everything in the stream) or "$" (new entries only). */
    public Builder startAt(String id) {
      this.startId = id;
      return this;
    }

    /** Consumer name; default host-pid-random, unique per process. */
    public Builder consumer(String name) {
      this.consumer = name;
      return this;
    }

    public Builder handler(Handler handler) {
      this.handler = handler;
      this.asyncHandler = null;
      this.transactionalHandler = null;
      return this;
    }

    public Builder asyncHandler(Handler.Async handler) {
      this.asyncHandler = handler;
      this.handler = null;
      this.transactionalHandler = null;
      return this;
    }

    /** A handler whose Redis writes commit atomically with the ack (exactly-once side effects). */
    public Builder transactionalHandler(Handler.Transactional handler) {
      this.transactionalHandler = handler;
      this.handler = null;
      this.asyncHandler = null;
      return this;
    }

    /** Entries in flight at most (fetched and not finished); default 16. */
    public Builder concurrency(int n) {
      this.concurrency = positive(n);
      return this;
    }

    /** COUNT of each XREADGROUP; default 100. */
    public Builder batchSize(int n) {
      this.batchSize = positive(n);
      return this;
    }

    /** BLOCK of each XREADGROUP; default 2000 ms. */
    public Builder blockMs(long ms) {
      this.blockMs = positive(ms);
      return this;
    }

    /** Idle time before a failed or abandoned entry is retried, doubling per delivery; default 30 s to 10 min. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff);
      return this;
    }

    /** How often to look for idle entries; default 1000 ms. */
    public Builder reclaimIntervalMs(long ms) {
      this.reclaimIntervalMs = positive(ms);
      return this;
    }

    /** Deliveries after which an entry goes to the dead-letter stream; default 5. */
    public Builder maxDeliveries(long n) {
      this.maxDeliveries = positive(n);
      return this;
    }

    /** Dead-letter stream; default {@code <stream>:dlq}. */
    public Builder deadLetterStream(String name) {
      this.deadLetterStream = Objects.requireNonNull(name);
      return this;
    }

    /**
     * Runs each entry's side effect at most once per key: by entry ID ({@code field} null) or by
     * a business field such as {@code order_id}; markers live {@code ttlMs}.
     */
    public Builder idempotent(String field, long ttlMs) {
      this.idempotency = true;
      this.idempotencyField = field;
      this.idempotencyTtlMs = positive(ttlMs);
      return this;
    }

    /** How long close() waits for in-flight handlers; default 30 s. */
    public Builder shutdownTimeoutMs(long ms) {
      this.shutdownTimeoutMs = ms;
      return this;
    }

    /** Other consumers idle this long with nothing pending are removed; 0 never; default 1 h. */
    public Builder removeIdleConsumersAfterMs(long ms) {
      this.consumerIdleMs = ms;
      return this;
    }

    /** Where the meters go; default a private SimpleMeterRegistry. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** Connects, creates the group if needed and starts processing. */
    public StreamProcessor start() {
      if (handler == null && asyncHandler == null && transactionalHandler == null) {
        throw new IllegalStateException("a handler is required");
      }
      if (Links.isCluster(uri) && deadLetterStream != null && !Links.sameSlot(stream, deadLetterStream)) {
        throw new IllegalStateException("on a cluster the dead-letter stream must hash to the stream's slot "
            + "(one MULTI/EXEC moves an entry): use a hash tag, e.g. " + DeadLetter.defaultStream(stream, true));
      }
      return new StreamProcessor(this).startFetching();
    }

    private static int positive(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("must be positive: " + n);
      }
      return n;
    }

    private static long positive(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("must be positive: " + n);
      }
      return n;
    }
  }
}
