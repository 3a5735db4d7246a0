package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.FreshetServer;
import io.freshet.worker.Backoff;
import io.freshet.worker.DeadLetter;
import io.freshet.worker.StreamProcessor;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The stream subcommands against an embedded Freshet, as a user would chain them. */
class StreamCommandsTest {
  private static FreshetServer server;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("cli-streams")).start();
    url = "redis://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = Freshet.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    String[] withUrl = new String[args.length + 2];
    System.arraycopy(args, 0, withUrl, 0, args.length);
    withUrl[args.length] = "--url";
    withUrl[args.length + 1] = url;
    int exit = cl.execute(withUrl);
    assertThat(exit).as("%s -> %s", String.join(" ", args), out).isZero();
    return out.toString();
  }

  @Test
  void badInputAndServerErrorsAreOneLineAndExitStatusOne() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Freshet.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("produce", "--stream", "bad", "--field", "no-equals-sign", "--url", url)).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("freshet: --field wants k=v, got no-equals-sign" + System.lineSeparator());
    err.getBuffer().setLength(0);
    run("group", "create", "--stream", "bad", "--group", "g");
    assertThat(cl.execute("group", "create", "--stream", "bad", "--group", "g", "--url", url)).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("(error) BUSYGROUP Consumer Group name already exists"
        + System.lineSeparator());
  }

  @Test
  void produceReadConsumeReclaimAndReplay() throws Exception {
    assertThat(run("produce", "--stream", "orders", "--count", "5", "--field", "order_id={n}", "--field", "qty=2"))
        .contains("added 5 entries to orders").containsPattern("\\d+-0\\n");
    assertThat(run("read", "orders").lines()).hasSize(5).first().asString()
        .startsWith("{\"stream\":\"orders\",\"id\":\"").contains("\"fields\":{\"order_id\":\"1\",\"qty\":\"2\"}");
    assertThat(run("group", "create", "--stream", "orders", "--group", "billing", "--from", "0")).contains("OK");

    Path seen = Files.createTempFile("consumed", ".jsonl");
    run("consume", "--stream", "orders", "--group", "billing", "--consumer", "c1", "--exec", "cat >> " + seen,
        "--max-entries", "5");
    assertThat(Files.readAllLines(seen)).hasSize(5).allMatch(l -> l.endsWith("\"deliveries\":1}"));
    assertThat(run("pending", "--stream", "orders", "--group", "billing")).startsWith("pending: 0");

    // two entries a crashed consumer took: reclaim sends them to the dead-letter stream
    run("produce", "--stream", "orders", "--count", "2", "--field", "order_id=bad{n}");
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
    try (var c = client.connect()) {
      c.sync().xreadgroup(io.lettuce.core.Consumer.from("billing", "crashed"),
          io.lettuce.core.XReadArgs.StreamOffset.lastConsumed("orders"));
    } finally {
      client.shutdown();
    }
    assertThat(run("pending", "--stream", "orders", "--group", "billing")).contains("pending: 2", "crashed: 2");
    assertThat(run("reclaim", "--stream", "orders", "--group", "billing", "--consumer", "c2", "--min-idle", "0",
        "--max-retries", "1")).contains("claimed 0, dead-lettered 2");
    assertThat(run("dlq", "list", "--stream", "orders").lines()).hasSize(2)
        .allMatch(l -> l.contains("\"original_stream\":\"orders\"") && l.contains("\"deliveries\":\"1\"")
            && l.contains("\"error\":\"reclaimed past 1 deliveries\"") && l.contains("\"consumer\":\"c2\""));
    assertThat(run("dlq", "replay", "--stream", "orders")).contains("replayed 2 entries into orders");
    assertThat(run("dlq", "list", "--stream", "orders")).isEmpty();
    assertThat(run("info", "orders")).contains("orders", "billing").containsPattern("orders\\s+billing\\s+9\\s+2\\s+0");

    Path jsonl = Files.createTempFile("entries", ".jsonl");
    Files.writeString(jsonl, "{\"sensor\":\"t1\",\"celsius\":21.5}\n{\"sensor\":\"t2\",\"note\":\"a \\\"quoted\\\" \\u00e9\"}\n");
    assertThat(run("produce", "--stream", "sensors", "--file", jsonl.toString())).contains("added 2 entries");
    assertThat(run("read", "sensors")).contains("\"celsius\":\"21.5\"", "\"note\":\"a \\\"quoted\\\" \u00e9\"");
  }

  @Test
  void reclaimRacingAProcessorAndAnotherReclaimDeadLettersEachEntryOnce() throws Exception {
    String stream = "poison";
    int entries = 300;
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (var c = client.connect()) {
      RedisCommands<String, String> redis = c.sync();
      redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "billing", XGroupCreateArgs.Builder.mkstream());
      for (int i = 0; i < entries; i++) {
        redis.xadd(stream, "order_id", "bad" + i);
      }
      // a crashed consumer took them all, each delivered three times already
      String[] ids = redis.xreadgroup(Consumer.from("billing", "crashed"), XReadArgs.Builder.count(entries),
          XReadArgs.StreamOffset.lastConsumed(stream)).stream().map(StreamMessage::getId).toArray(String[]::new);
      redis.xclaim(stream, Consumer.from("billing", "crashed"), XClaimArgs.Builder.minIdleTime(0).retryCount(3).justid(),
          ids);

      ExecutorService reclaimers = Executors.newFixedThreadPool(2);
      try (StreamProcessor processor = StreamProcessor.builder(url, stream, "billing").consumer("worker")
          .maxDeliveries(3).backoff(new Backoff(1, 1)).reclaimIntervalMs(1).meterRegistry(registry)
          .handler(e -> {
            throw new IllegalStateException("poison");
          }).start()) {
        List<Future<Long>> cliMoves = new ArrayList<>();
        for (String consumer : List.of("cli1", "cli2")) {
          cliMoves.add(reclaimers.submit(() -> {
            long moved = 0;
            while (redis.xpending(stream, "billing").getCount() > 0) {
              String out = run("reclaim", "--stream", stream, "--group", "billing", "--consumer", consumer,
                  "--min-idle", "0", "--max-retries", "3");
              Matcher m = Pattern.compile("dead-lettered (\\d+)").matcher(out);
              assertThat(m.find()).as(out).isTrue();
              moved += Long.parseLong(m.group(1));
            }
            return moved;
          }));
        }
        long movedByCli = cliMoves.get(0).get(60, TimeUnit.SECONDS) + cliMoves.get(1).get(60, TimeUnit.SECONDS);
        double movedByProcessor = registry.counter("freshet.worker.dead.lettered", "stream", stream, "group", "billing")
            .count();
        assertThat(movedByCli + (long) movedByProcessor).as("moves counted by the CLI and the processor")
            .isEqualTo(entries);
      } finally {
        reclaimers.shutdownNow();
      }
      List<StreamMessage<String, String>> dead = redis.xrange(stream + ":dlq", Range.create("-", "+"));
      assertThat(dead).hasSize(entries);
      assertThat(dead.stream().map(m -> m.getBody().get("original_id"))).as("each entry dead-lettered once")
          .doesNotHaveDuplicates().containsExactlyInAnyOrder(ids);
      assertThat(redis.xpending(stream, "billing").getCount()).isZero();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void replaysRacingEachOtherReplayEachDeadLetterOnce() throws Exception {
    String stream = "replayed";
    int entries = 200;
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
    try (var c = client.connect()) {
      RedisCommands<String, String> redis = c.sync();
      for (int i = 0; i < entries; i++) {
        redis.xadd(stream + ":dlq", DeadLetter.entry(Map.of("order_id", "o" + i), stream, i + "-1", "g", "w", 5, "boom"));
      }
      ExecutorService replays = Executors.newFixedThreadPool(3);
      try {
        List<Future<String>> outs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          outs.add(replays.submit(() -> run("dlq", "replay", "--stream", stream)));
        }
        long replayed = 0;
        for (Future<String> out : outs) {
          Matcher m = Pattern.compile("replayed (\\d+) entries").matcher(out.get(60, TimeUnit.SECONDS));
          assertThat(m.find()).isTrue();
          replayed += Long.parseLong(m.group(1));
        }
        assertThat(replayed).isEqualTo(entries);
      } finally {
        replays.shutdownNow();
      }
      List<StreamMessage<String, String>> back = redis.xrange(stream, Range.create("-", "+"));
      assertThat(back).hasSize(entries).allSatisfy(m -> assertThat(m.getBody()).containsOnlyKeys("order_id"));
      assertThat(back.stream().map(m -> m.getBody().get("order_id"))).doesNotHaveDuplicates();
      assertThat(redis.xlen(stream + ":dlq")).isZero();
    } finally {
      client.shutdown();
    }
  }
}
