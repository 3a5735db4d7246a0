package io.freshet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.FreshetServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The chaos test: 10,000 entries, 3 worker processes whose handlers fail 10% of the time at
 * random, 1% poison entries that always fail, one worker killed with kill -9 halfway and
 * restarted. In the end every good entry's side effect is applied exactly once, every poison
 * entry is in the dead-letter stream exactly once, nothing is pending and the lag is 0.
 */
class ChaosIT {
  private static final int ENTRIES = 10_000;

  private static Process startWorker(String uri, String stream, String group, String consumer, Path log)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChaosWorker.class.getName(),
        uri, stream, group, consumer)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  private static void await(String what, long timeoutSeconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void tenThousandEntriesThreeWorkersOneKilledHalfway() throws Exception {
    Path dir = Files.createTempDirectory("chaos");
    String stream = "chaos:orders";
    String group = "fulfilment";
    List<Process> workers = new ArrayList<>();
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir.resolve("data")).start()) {
      String uri = "redis://127.0.0.1:" + server.port();
      Set<String> poison = new HashSet<>();
      try (StreamProducer producer = StreamProducer.create(uri, stream)) {
        for (int from = 0; from < ENTRIES; from += 1000) {
          List<Map<String, String>> batch = new ArrayList<>();
          for (int n = from; n < from + 1000; n++) {
            boolean bad = n % 100 == 42;
            if (bad) {
              poison.add("o-" + n);
            }
            batch.add(Map.of("order_id", "o-" + n, "kind", bad ? "poison" : "good"));
          }
          producer.addAll(batch);
        }
      }
      int good = ENTRIES - poison.size();
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> redis = connection.sync();
        for (int i = 0; i < 3; i++) {
          workers.add(startWorker(uri, stream, group, "worker-" + i, dir.resolve("worker-" + i + ".log")));
        }
        await("half the entries done", 120, () -> redis.hlen(stream + ":effects") >= good / 2);
        Process victim = workers.get(0);
        victim.destroyForcibly(); // SIGKILL: its in-flight entries stay pending under its name
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long doneAtKill = redis.hlen(stream + ":effects");
        workers.set(0, startWorker(uri, stream, group, "worker-0", dir.resolve("worker-0.log")));
        await("every entry done or dead-lettered", 180, () -> redis.hlen(stream + ":effects") == good
            && redis.xlen(stream + ":dlq") >= poison.size() && redis.xpending(stream, group).getCount() == 0);
        assertThat(doneAtKill).as("the kill came halfway").isLessThan(good);

        Map<String, String> effects = redis.hgetall(stream + ":effects");
        assertThat(effects).hasSize(good);
        assertThat(effects.values()).as("each side effect applied exactly once").containsOnly("1");
        assertThat(effects.keySet()).doesNotContainAnyElementsOf(poison);

        List<StreamMessage<String, String>> dead = redis.xrange(stream + ":dlq", Range.create("-", "+"));
        Map<String, Integer> deadCounts = new HashMap<>();
        for (StreamMessage<String, String> m : dead) {
          deadCounts.merge(m.getBody().get("order_id"), 1, Integer::sum);
          assertThat(m.getBody()).containsEntry("kind", "poison").containsEntry("original_stream", stream);
        }
        assertThat(deadCounts.keySet()).isEqualTo(poison);
        assertThat(deadCounts.values()).as("each poison entry dead-lettered exactly once").containsOnly(1);

        assertThat(redis.xpending(stream, group).getCount()).isZero();
        @SuppressWarnings("unchecked")
        List<Object> info = (List<Object>) redis.xinfoGroups(stream).get(0);
        assertThat(info.get(info.indexOf("lag") + 1)).isEqualTo(0L);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } finally {
      for (Process w : workers) {
        w.getOutputStream().close(); // graceful: the worker closes its processor
      }
      for (Process w : workers) {
        if (!w.waitFor(15, TimeUnit.SECONDS)) {
          w.destroyForcibly();
        }
      }
    }
  }
}
