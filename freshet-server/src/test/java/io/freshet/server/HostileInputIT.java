package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inputs that once stopped the whole server, over TCP: each gets Redis's answer (or closes its own
 * connection) while other clients keep being served.
 */
class HostileInputIT {
  private final List<FreshetServer> servers = new ArrayList<>();

  private FreshetServer start(Map<String, String> config) throws Exception {
    FreshetServer s = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("freshet-hostile"))
        .config(config).start();
    servers.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    servers.forEach(FreshetServer::close);
  }

  /** Regression: an inline request starting with NUL looped forever on the engine thread until OOM. */
  @Test
  void inlineRequestWithNulWaitsLikeRedisAndHoldsUpNobody() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient nul = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
      nul.sendRaw(new byte[] {0, '\r', '\n'});
      nul.sendRaw("PING\r\n");
      assertThat(other.call("PING")).isEqualTo("+PONG\r\n");
      // as in Redis the NUL hides every newline after it, so the request grows until it is too big
      nul.sendRaw("\r\n".repeat(40 * 1024));
      assertThat(nul.readReply()).isEqualTo("-ERR Protocol error: too big inline request\r\n");
      assertThat(nul.isClosedByServer()).isTrue();
      assertThat(other.call("ECHO", "still here")).isEqualTo("$10\r\nstill here\r\n");
    }
    try (RawClient fresh = new RawClient(s.port())) {
      assertThat(fresh.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  /**
   * Regression: the recursive glob took 30 s for 20 stars against a key of forty a's, with the
   * engine blocked. KEYS, SCAN MATCH and every later pattern user share the matcher.
   */
  @Test
  void exponentialGlobPatternsAnswerAtOnce() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient c = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
      c.call("SET", "a".repeat(40), "v");
      c.call("SET", "a".repeat(39) + "b", "v");
      String stars = "a*".repeat(30) + "b";
      assertThat(c.call("KEYS", stars)).isEqualTo("*1\r\n$40\r\n" + "a".repeat(39) + "b\r\n");
      assertThat(c.call("SCAN", "0", "MATCH", stars, "COUNT", "100"))
          .isEqualTo("*2\r\n$1\r\n0\r\n*1\r\n$40\r\n" + "a".repeat(39) + "b\r\n");
      assertThat(c.call("KEYS", "*a".repeat(2000) + "*c")).isEqualTo("*0\r\n");
      assertThat(other.call("PING")).isEqualTo("+PONG\r\n");
    }
  }
}
