package io.freshet.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>The parts, each with one job: {@link ProcessorConfig} (what the builder set, fixed at
 * start), {@link FetchLoop} (the fetch thread), {@link Dispatcher} (running handlers, the
 * permits), {@link Reclaimer} (idle entries and consumers), {@link Acker} (batched XACKs),
 * {@link TransactionalCommit} (idempotent and transactional acks), {@link DeadLetterMover} (the
 * exactly-once move, shared with the CLI) and {@link ProcessorMetrics}. This class wires them
 * and runs the lifecycle.
 */
public final class StreamProcessor implements AutoCloseable {
  private final ProcessorConfig config;
  private final Links links;
  private final Dispatcher dispatcher;
  private final Acker acker;
  private final FetchLoop fetchLoop;

  private StreamProcessor(ProcessorConfig config) {
    this.config = config;
    ProcessorMetrics metrics = new ProcessorMetrics(config.registry(), config.stream(), config.group());
    this.links = new Links(config.uri());
    try {
      var reader = links.open();
      var commands = links.open();
      var tx = links.openTransactional(config.stream());
      this.acker = new Acker(config, commands);
      this.dispatcher = new Dispatcher(config, commands, metrics, acker, new TransactionalCommit(config, tx));
      Reclaimer reclaimer = new Reclaimer(config, commands, dispatcher, metrics);
      this.fetchLoop = new FetchLoop(config, reader, commands, dispatcher, reclaimer, metrics);
    } catch (RuntimeException e) {
      links.close(); // could not connect: leave no client threads behind
      throw e;
    }
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
    return config.consumer();
  }

  /** Entries fetched and not yet finished (never more than {@code concurrency}). */
  public int inFlight() {
    return dispatcher.inFlight();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private StreamProcessor startFetching() {
    acker.start();
    fetchLoop.start();
    return this;
  }

  /**
   * Graceful shutdown: stop fetching, let in-flight handlers finish (and be acked) within the
   * shutdown timeout, leave everything else pending for the group's other consumers.
   */
  @Override
  public void close() {
    try {
      fetchLoop.stop(config.blockMs() + 2000);
      dispatcher.awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dispatcher.shutdownNow();
    try {
      acker.stop(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    links.close();
  }

  /** Builds a {@link StreamProcessor}; each setter documents its default. */
  public static final class Builder {
    private final String uri;
    private final String stream;
    private final String group;
    private String startId = "0";
    private String consumer;
    private Handler handler;
    private Handler.Async asyncHandler;
    private Handler.Transactional transactionalHandler;
    private int concurrency = 16;
    private int batchSize = 100;
    private long blockMs = 2000;
    private Backoff backoff = new Backoff(30_000, 600_000);
    private long reclaimIntervalMs = 1000;
    private long maxDeliveries = 5;
    private String deadLetterStream;
    private boolean idempotency;
    private String idempotencyField;
    private long idempotencyTtlMs = 24 * 3600 * 1000L;
    private long shutdownTimeoutMs = 30_000;
    private long consumerIdleMs = 3600 * 1000L;
    private final long errorBackoffMs = 1000;
    private MeterRegistry registry;
    /** Idempotency markers start with this, in the stream's slot on a cluster. */
    private final String markerPrefix;

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

    /**
     * Connects, creates the group if needed and starts processing. The processor keeps a copy of
     * this builder's settings: changing the builder later does not change it.
     */
    public StreamProcessor start() {
      return new StreamProcessor(config()).startFetching();
    }

    /** The settings as they are now, checked. */
    ProcessorConfig config() {
      return new ProcessorConfig(uri, stream, group, startId, consumer != null ? consumer : defaultConsumerName(),
          handler, asyncHandler, transactionalHandler, concurrency, batchSize, blockMs, backoff, reclaimIntervalMs,
          maxDeliveries, deadLetterStream, idempotency, idempotencyField, idempotencyTtlMs, shutdownTimeoutMs,
          consumerIdleMs, errorBackoffMs, registry != null ? registry : new SimpleMeterRegistry(), markerPrefix);
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
