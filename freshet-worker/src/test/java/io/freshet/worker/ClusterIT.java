package io.freshet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker library on a 3-node Redis Cluster started from Debian's redis-server: sharded
 * streams {@code orders:{0}} ... {@code orders:{3}} with one processor per shard, dead letters and
 * idempotency markers in each stream's slot (one MULTI/EXEC each), an untagged stream, and a
 * dead-letter stream in another slot refused up front.
 */
class ClusterIT {
  private static RedisClusterProcesses cluster;
  private static RedisClusterClient client;
  private static StatefulRedisClusterConnection<String, String> connection;

  @BeforeAll
  static void start() throws Exception {
    cluster = RedisClusterProcesses.startOrSkip();
    List<RedisURI> seeds = new ArrayList<>();
    for (int port : cluster.ports) {
      seeds.add(RedisURI.create("127.0.0.1", port));
    }
    client = RedisClusterClient.create(seeds);
    connection = client.connect();
  }

  @AfterAll
  static void stop() {
    if (connection != null) {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RedisAdvancedClusterCommands<String, String> redis() {
    return connection.sync();
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static long pending(String stream, String group) {
    return redis().xpending(stream, group).getCount();
  }

  @Test
  void shardedStreamsWithOneProcessorPerShard() throws Exception {
    int shards = 4;
    int perShard = 150;
    Set<Integer> slots = new HashSet<>();
    for (int s = 0; s < shards; s++) {
      slots.add(SlotHash.getSlot("orders:{" + s + "}"));
    }
    assertThat(slots).as("the shards spread over slots").hasSize(shards);
    Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
    AtomicInteger poisonAttempts = new AtomicInteger();
    List<StreamProcessor> processors = new ArrayList<>();
    try {
      for (int s = 0; s < shards; s++) {
        String stream = "orders:{" + s + "}";
        try (StreamProducer producer = StreamProducer.create(cluster.uri(), stream)) {
          List<Map<String, String>> batch = new ArrayList<>();
          for (int i = 0; i < perShard; i++) {
            batch.add(Map.of("order_id", s + "-" + i, "kind", i % 50 == 7 ? "poison" : "good"));
          }
          assertThat(producer.addAll(batch)).hasSize(perShard);
        }
        processors.add(StreamProcessor.builder(cluster.uri(), stream, "fulfilment").backoff(new Backoff(50, 200))
            .reclaimIntervalMs(50).maxDeliveries(2).idempotent("order_id", 60_000).handler(e -> {
              if (e.field("kind").equals("poison")) {
                poisonAttempts.incrementAndGet();
                throw new IllegalArgumentException("bad order " + e.field("order_id"));
              }
              applied.computeIfAbsent(e.field("order_id"), k -> new AtomicInteger()).incrementAndGet();
            }).start());
      }
      int poisonPerShard = (int) java.util.stream.IntStream.range(0, perShard).filter(i -> i % 50 == 7).count();
      int good = shards * (perShard - poisonPerShard);
      await("every good order applied", () -> applied.size() == good);
      for (int s = 0; s < shards; s++) {
        String stream = "orders:{" + s + "}";
        await("poison of " + stream + " dead-lettered",
            () -> redis().xlen(stream + ":dlq") == poisonPerShard && pending(stream, "fulfilment") == 0);
      }
    } finally {
      processors.forEach(StreamProcessor::close);
    }
    assertThat(applied.values()).allMatch(n -> n.get() == 1);
    assertThat(poisonAttempts.get()).isEqualTo(shards * 3 * 2);
    for (int s = 0; s < shards; s++) {
      String stream = "orders:{" + s + "}";
      List<StreamMessage<String, String>> dead = redis().xrange(stream + ":dlq", io.lettuce.core.Range.create("-", "+"));
      assertThat(dead).allMatch(m -> m.getBody().get("kind").equals("poison")
          && m.getBody().get("original_stream").equals(stream));
      // the idempotency markers share the stream's slot
      assertThat(redis().exists(stream + ":done:fulfilment:" + s + "-0")).isEqualTo(1L);
      Map<String, Object> group = groupInfo(stream);
      assertThat(group.get("pending")).isEqualTo(0L);
      assertThat(group.get("lag")).isEqualTo(0L);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> groupInfo(String stream) {
    List<Object> info = (List<Object>) redis().xinfoGroups(stream).get(0);
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i + 1 < info.size(); i += 2) {
      m.put(String.valueOf(info.get(i)), info.get(i + 1));
    }
    return m;
  }

  @Test
  void anUntaggedStreamGetsDeadLettersAndMarkersInItsSlot() throws Exception {
    String stream = "payments";
    assertThat(DeadLetter.defaultStream(stream, true)).isEqualTo("{payments}:dlq");
    assertThat(SlotHash.getSlot("{payments}:dlq")).isEqualTo(SlotHash.getSlot(stream));
    redis().xadd(stream, Map.of("payment_id", "p-1", "kind", "poison"));
    redis().xadd(stream, Map.of("payment_id", "p-2", "kind", "good"));
    Set<String> done = ConcurrentHashMap.newKeySet();
    try (StreamProcessor p = StreamProcessor.builder(cluster.uri(), stream, "ledger").backoff(new Backoff(50, 200))
        .reclaimIntervalMs(50).maxDeliveries(1).idempotent("payment_id", 60_000).handler(e -> {
          if (e.field("kind").equals("poison")) {
            throw new IllegalStateException("declined");
          }
          done.add(e.field("payment_id"));
        }).start()) {
      await("dead-lettered and done", () -> redis().xlen("{payments}:dlq") == 1 && done.contains("p-2")
          && pending(stream, "ledger") == 0);
    }
    assertThat(redis().exists("{payments}:done:ledger:p-2")).isEqualTo(1L);
  }

  @Test
  void publishingOnceWorksOnTheCluster() {
    try (StreamProducer p = StreamProducer.create(cluster.uri(), "events")) {
      String first = p.addOnce("api", "m-1", Map.of("x", "1"));
      assertThat(p.addOnce("api", "m-1", Map.of("x", "1"))).isEqualTo(first);
      assertThat(redis().xlen("events")).isEqualTo(1L);
      assertThat(redis().get("{events}:idmp:api:m-1")).isEqualTo(first);
    }
  }

  @Test
  void aDeadLetterStreamInAnotherSlotIsRefused() {
    assertThatThrownBy(() -> StreamProcessor.builder(cluster.uri(), "orders:{0}", "g").deadLetterStream("dlq:elsewhere")
        .handler(e -> { }).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hash to the stream's slot");
  }
}
