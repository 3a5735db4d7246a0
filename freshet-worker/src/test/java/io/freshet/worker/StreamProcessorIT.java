package io.freshet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The processor against Freshet and against Debian's redis-server, over TCP with Lettuce. */
class StreamProcessorIT {
  private static String uri(int port) {
    return "redis://127.0.0.1:" + port;
  }

  private static String fresh(String prefix) {
    return prefix + ":" + UUID.randomUUID();
  }

  /** A condition that may talk to the server; a failed call counts as not yet. */
  private interface Check {
    boolean test() throws Exception;
  }

  private static void awaitCheck(String what, Check check) throws InterruptedException {
    await(what, () -> {
      try {
        return check.test();
      } catch (Exception e) {
        return false;
      }
    });
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void add(RawClient c, String stream, int n, String... extra) throws Exception {
    for (int i = 0; i < n; i++) {
      String[] args = new String[5 + extra.length];
      args[0] = "XADD";
      args[1] = stream;
      args[2] = "*";
      args[3] = "n";
      args[4] = Integer.toString(i);
      System.arraycopy(extra, 0, args, 5, extra.length);
      c.call(args);
    }
  }

  /** {@code count} entries delivered to {@code consumer} of a new group and never acked: a crashed worker's. */
  private static void abandon(RawClient c, String stream, String group, String consumer, int count) throws Exception {
    c.call("XGROUP", "CREATE", stream, group, "0");
    c.call("XREADGROUP", "GROUP", group, consumer, "COUNT", Integer.toString(count), "STREAMS", stream, ">");
  }

  private static String pendingCount(RawClient c, String stream, String group) throws Exception {
    String reply = c.call("XPENDING", stream, group);
    return reply.substring(reply.indexOf(':') + 1, reply.indexOf("\r\n", reply.indexOf(':')));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void everyEntryIsHandledAndAcked(String name, int port) throws Exception {
    String stream = fresh("orders");
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 300);
      try (StreamProcessor p = StreamProcessor.builder(uri(port), stream, "billing").concurrency(8).batchSize(50)
          .meterRegistry(registry).handler(e -> seen.merge(e.id(), 1, Integer::sum)).start()) {
        await("300 entries", () -> registry.counter("freshet.worker.processed", "stream", stream, "group", "billing")
            .count() == 300);
        assertThat(p.inFlight()).isLessThanOrEqualTo(8);
      }
      assertThat(seen).hasSize(300).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
      assertThat(pendingCount(c, stream, "billing")).isEqualTo("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void failuresAreRetriedAndPoisonGoesToTheDeadLetterStream(String name, int port) throws Exception {
    String stream = fresh("jobs");
    Map<String, Long> deliveriesOnSuccess = new ConcurrentHashMap<>();
    AtomicInteger poisonAttempts = new AtomicInteger();
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 5, "kind", "flaky");
      add(c, stream, 2, "kind", "poison");
      try (StreamProcessor p = StreamProcessor.builder(uri(port), stream, "workers").backoff(new Backoff(100, 400))
          .reclaimIntervalMs(50).maxDeliveries(3).handler(e -> {
            if (e.field("kind").equals("poison")) {
              poisonAttempts.incrementAndGet();
              throw new IllegalArgumentException("cannot parse order " + e.field("n"));
            }
            if (e.deliveries() == 1) {
              throw new IllegalStateException("transient");
            }
            deliveriesOnSuccess.put(e.id(), e.deliveries());
          }).start()) {
        await("flaky entries retried", () -> deliveriesOnSuccess.size() == 5);
        awaitCheck("poison dead-lettered", () -> c.call("XLEN", stream + ":dlq").equals(":2\r\n")
            && pendingCount(c, stream, "workers").equals("0"));
      }
      assertThat(deliveriesOnSuccess.values()).containsOnly(2L);
      assertThat(poisonAttempts.get()).isEqualTo(6); // 3 deliveries each, then the dead-letter stream
      String dlq = c.call("XRANGE", stream + ":dlq", "-", "+");
      assertThat(dlq).contains("kind", "poison", "original_stream", stream, "original_id", "group", "workers",
          "deliveries", "error", "cannot parse order", "failed_at");
      assertThat(c.call("XLEN", stream + ":dlq")).isEqualTo(":2\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void entriesADeadConsumerHeldAreReclaimed(String name, int port) throws Exception {
    String stream = fresh("sensor");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 20);
      abandon(c, stream, "alerts", "crashed", 10);
      try (StreamProcessor p = StreamProcessor.builder(uri(port), stream, "alerts").backoff(new Backoff(200, 200))
          .reclaimIntervalMs(50).removeIdleConsumersAfterMs(100).handler(e -> handled.add(e.id())).start()) {
        await("all 20, the crashed consumer's 10 included", () -> handled.size() == 20);
        awaitCheck("the emptied crashed consumer removed",
            () -> !c.call("XINFO", "CONSUMERS", stream, "alerts").contains("crashed"));
      }
      assertThat(pendingCount(c, stream, "alerts")).isEqualTo("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void ownPendingEntriesAreReadFirstOnRestart(String name, int port) throws Exception {
    String stream = fresh("restart");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 6);
      abandon(c, stream, "g", "w1", 4); // the previous run's
      // a long backoff: only the restart recovery can pick these up quickly
      try (StreamProcessor p = StreamProcessor.builder(uri(port), stream, "g").consumer("w1")
          .backoff(new Backoff(600_000, 600_000)).handler(e -> handled.add(e.id() + "/" + e.deliveries())).start()) {
        await("6 entries", () -> handled.size() == 6);
      }
      assertThat(handled.stream().filter(h -> h.endsWith("/2")).count()).isEqualTo(4);
      assertThat(pendingCount(c, stream, "g")).isEqualTo("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void idempotencySkipsEntriesWhoseSideEffectIsDone(String name, int port) throws Exception {
    String stream = fresh("{payments}");
    List<String> charged = new java.util.concurrent.CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RawClient c = new RawClient(port)) {
      c.call("XADD", stream, "*", "order_id", "1001");
      c.call("XADD", stream, "*", "order_id", "1002");
      c.call("XADD", stream, "*", "order_id", "1001"); // a producer's retry
      c.call("SET", stream + ":done:billing:1003", "1"); // 1003 was charged before a crash lost its ack
      c.call("XADD", stream, "*", "order_id", "1003");
      try (StreamProcessor p = StreamProcessor.builder(uri(port), stream, "billing").concurrency(1)
          .idempotent("order_id", 60_000).meterRegistry(registry).handler(e -> charged.add(e.field("order_id")))
          .start()) {
        awaitCheck("all acked", () -> registry.counter("freshet.worker.processed", "stream", stream, "group", "billing")
            .count() + registry.counter("freshet.worker.duplicates", "stream", stream, "group", "billing").count() == 4);
      }
      assertThat(charged).containsExactly("1001", "1002");
      assertThat(pendingCount(c, stream, "billing")).isEqualTo("0");
      assertThat(c.call("PTTL", stream + ":done:billing:1002")).matches(":\\d{4,5}\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void gracefulShutdownFinishesWhatIsInFlight(String name, int port) throws Exception {
    String stream = fresh("slow");
    AtomicInteger finished = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(4);
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 40);
      StreamProcessor p = StreamProcessor.builder(uri(port), stream, "g").concurrency(4).batchSize(10)
          .asyncHandler(e -> CompletableFuture.runAsync(() -> {
            started.countDown();
            try {
              Thread.sleep(300);
            } catch (InterruptedException ex) {
              Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
          })).start();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      p.close();
      // backpressure kept the fetch at 4 in flight; all of them finished and were acked
      assertThat(finished.get()).isBetween(4, 12);
      assertThat(pendingCount(c, stream, "g")).isEqualTo("0");
      String groups = c.call("XINFO", "GROUPS", stream);
      assertThat(groups).contains("entries-read\r\n:" + finished.get() + "\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void changingTheBuilderAfterStartChangesNothing(String name, int port) throws Exception {
    String stream = fresh("fixed");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (RawClient c = new RawClient(port)) {
      add(c, stream, 30);
      CountDownLatch changed = new CountDownLatch(1);
      StreamProcessor.Builder builder = StreamProcessor.builder(uri(port), stream, "g").concurrency(2).batchSize(10)
          .handler(e -> {
            changed.await(); // every entry runs after the builder was changed
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            handled.add(e.id());
            running.decrementAndGet();
          });
      try (StreamProcessor p = builder.start()) {
        builder.concurrency(16).batchSize(100).handler(e -> {
          throw new IllegalStateException("the builder's later handler ran");
        });
        changed.countDown();
        await("30 entries", () -> handled.size() == 30);
        assertThat(p.inFlight()).isLessThanOrEqualTo(2);
      }
      assertThat(mostAtOnce.get()).isBetween(1, 2);
      assertThat(pendingCount(c, stream, "g")).isEqualTo("0");
    }
  }
}
