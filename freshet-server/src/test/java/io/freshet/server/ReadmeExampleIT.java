package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's embedded-server snippet compiles, runs, and stays identical to the README. */
class ReadmeExampleIT {
  @Test
  void embeddedServerSnippetRuns() throws Exception {
    Path dir = Files.createTempDirectory("freshet-readme");
    // README:embedded:start
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start()) {
      int port = server.port();
      RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        connection.sync().set("greeting", "hello");
        System.out.println(connection.sync().get("greeting")); // hello
      }
      client.shutdown();
    }
    // README:embedded:end
  }

  @Test
  void readmeQuotesTheSnippetVerbatim() throws Exception {
    String source = Files.readString(Path.of("src/test/java/io/freshet/server/ReadmeExampleIT.java"),
        StandardCharsets.UTF_8);
    String snippet = source.substring(source.indexOf("// README:embedded:start") + 25,
        source.indexOf("    // README:embedded:end"));
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    String unindented = snippet.replaceAll("(?m)^    ", "");
    assertThat(readme).contains(unindented);
  }
}
