package io.freshet.cli;

import io.freshet.worker.StreamProcessor;
import io.freshet.worker.StreamProducer;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code freshet bench worker}: the processor with a no-op handler next to a hand-written Lettuce
 * XREADGROUP COUNT n + XACK loop, on the same server and stream shape; prints entries/s of both
 * and the ratio. Main thread (the processor runs its own threads).
 */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Worker.class})
final class BenchCommand extends StreamCommands.UsageOnly {

  @Command(name = "worker", description = "StreamProcessor (no-op handler) vs a raw XREADGROUP/XACK loop.")
  static final class Worker extends StreamCommands.Base {
    @Option(names = "--entries", defaultValue = "200000",
        description = "entries to append and consume (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(names = "--batch", defaultValue = "100", description = "entries per read (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--rounds", defaultValue = "3",
        description = "rounds of each, the median counts (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
      String stream = "bench:worker:" + System.nanoTime();
      try (StreamProducer producer = StreamProducer.create(url, stream)) {
        List<Map<String, String>> chunk = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          chunk.add(Map.of("order_id", "1001", "user_id", "42", "product_id", "A", "qty", "2"));
        }
        for (int i = 0; i < entries; i += 1000) {
          producer.addAll(chunk);
        }
      }
      List<Double> raw = new ArrayList<>();
      List<Double> processor = new ArrayList<>();
      RedisClient client = RedisClient.create(url);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> redis = connection.sync();
        for (int r = 0; r < rounds; r++) {
          raw.add(rawLoop(redis, stream, "raw" + r));
          processor.add(processorRun(stream, "proc" + r));
        }
        redis.del(stream);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      double r = median(raw);
      double p = median(processor);
      out().printf("raw XREADGROUP/XACK loop: %.0f entries/s%n", r);
      out().printf("StreamProcessor, no-op handler: %.0f entries/s%n", p);
      out().printf("ratio: %.2f%n", p / r);
      return 0;
    }

    private double rawLoop(RedisCommands<String, String> redis, String stream, String group) {
      redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
      long started = System.nanoTime();
      long done = 0;
      while (done < entries) {
        List<StreamMessage<String, String>> got = redis.xreadgroup(Consumer.from(group, "c"),
            XReadArgs.Builder.count(batch), XReadArgs.StreamOffset.lastConsumed(stream));
        if (got.isEmpty()) {
          break;
        }
        String[] ids = new String[got.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = got.get(i).getId();
        }
        redis.xack(stream, group, ids);
        done += ids.length;
      }
      return done / ((System.nanoTime() - started) / 1e9);
    }

    private double processorRun(String stream, String group) throws InterruptedException {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      // the group exists before the clock starts, as for the raw loop; connecting is not timed
      try (StreamProcessor p = StreamProcessor.builder(url, stream, group).batchSize(batch).concurrency(batch * 2)
          .meterRegistry(registry).handler(e -> { }).start()) {
        long started = System.nanoTime();
        var processed = registry.counter("freshet.worker.processed", "stream", stream, "group", group);
        while (processed.count() < entries) {
          Thread.sleep(1);
        }
        return entries / ((System.nanoTime() - started) / 1e9);
      }
    }

    private static double median(List<Double> xs) {
      List<Double> sorted = new ArrayList<>(xs);
      sorted.sort(null);
      return sorted.get(sorted.size() / 2);
    }
  }
}
