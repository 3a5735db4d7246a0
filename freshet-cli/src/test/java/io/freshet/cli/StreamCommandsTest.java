package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.FreshetServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    CommandLine cl = new CommandLine(new Freshet());
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
        .allMatch(l -> l.contains("\"original_stream\":\"orders\"") && l.contains("\"consumer\":\"crashed\""));
    assertThat(run("dlq", "replay", "--stream", "orders")).contains("replayed 2 entries into orders");
    assertThat(run("dlq", "list", "--stream", "orders")).isEmpty();
    assertThat(run("info", "orders")).contains("orders", "billing").containsPattern("orders\\s+billing\\s+9\\s+2\\s+0");

    Path jsonl = Files.createTempFile("entries", ".jsonl");
    Files.writeString(jsonl, "{\"sensor\":\"t1\",\"celsius\":21.5}\n{\"sensor\":\"t2\",\"note\":\"a \\\"quoted\\\" \\u00e9\"}\n");
    assertThat(run("produce", "--stream", "sensors", "--file", jsonl.toString())).contains("added 2 entries");
    assertThat(run("read", "sensors")).contains("\"celsius\":\"21.5\"", "\"note\":\"a \\\"quoted\\\" \u00e9\"");
  }
}
