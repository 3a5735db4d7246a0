package io.freshet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.FreshetServer;
import io.freshet.server.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The README's worker snippet runs against an embedded Freshet and stays identical to the README. */
class ReadmeWorkerExampleIT {
  /** The README's helper; here it fails the test when the condition does not come true in time. */
  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the README example did not charge every order within 30 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void snippetRunsAndMatchesTheReadme() throws Exception {
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("readme-worker"))
        .start(); RawClient c = new RawClient(server.port())) {
      String uri = "redis://127.0.0.1:" + server.port();
      for (String order : new String[] {"1001", "1002", "1001", "1003"}) {
        c.call("XADD", "orders", "*", "order_id", order);
      }
      // README:worker:start
      Set<String> charged = ConcurrentHashMap.newKeySet();
      try (StreamProcessor processor = StreamProcessor.builder(uri, "orders", "billing")
          .concurrency(16)                        // entries in flight at most
          .maxDeliveries(5)                       // then to orders:dlq, moved and acked atomically
          .backoff(new Backoff(30_000, 600_000))  // idle before a retry, doubling per delivery
          .idempotent("order_id", 86_400_000)     // run each order_id once: marker and XACK atomic
          .handler(entry -> charged.add(entry.field("order_id")))
          .start()) {
        waitUntil(() -> charged.size() == 3);     // close() stops fetching, finishes in-flight work
      }
      // README:worker:end
      assertThat(charged).containsExactlyInAnyOrder("1001", "1002", "1003");
      assertThat(c.call("XPENDING", "orders", "billing")).startsWith("*4\r\n:0\r\n");
      assertThat(c.call("EXISTS", "orders:done:billing:1001", "orders:done:billing:1002", "orders:done:billing:1003"))
          .as("each order's idempotency marker").isEqualTo(":3\r\n");
    }
    String source = Files.readString(Path.of("src/test/java/io/freshet/worker/ReadmeWorkerExampleIT.java"),
        StandardCharsets.UTF_8);
    String snippet = source.substring(source.indexOf("// README:worker:start") + 23,
        source.indexOf("      // README:worker:end"));
    StringBuilder unindented = new StringBuilder();
    for (String line : snippet.split("\n", -1)) {
      unindented.append(line.length() >= 6 ? line.substring(6) : line.strip()).append('\n');
    }
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    assertThat(readme).contains(unindented.toString().strip());
  }
}
