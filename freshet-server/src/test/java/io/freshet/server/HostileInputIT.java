package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import io.freshet.server.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inputs that once stopped the whole server, over TCP: each gets Redis's answer (or closes its own
 * connection) while other clients keep being served.
 */
@ExtendWith(FreshetExtension.class)
class HostileInputIT {
  @FreshetPort
  int port;

  /** Regression: an inline request starting with NUL looped forever on the engine thread until OOM. */
  @Test
  void inlineRequestWithNulWaitsLikeRedisAndHoldsUpNobody() throws Exception {
    try (RawClient nul = new RawClient(port); RawClient other = new RawClient(port)) {
      nul.sendRaw(new byte[] {0, '\r', '\n'});
      nul.sendRaw("PING\r\n");
      assertThat(other.call("PING")).isEqualTo("+PONG\r\n");
      // as in Redis the NUL hides every newline after it, so the request grows until it is too big
      nul.sendRaw("\r\n".repeat(40 * 1024));
      assertThat(nul.readReply()).isEqualTo("-ERR Protocol error: too big inline request\r\n");
      assertThat(nul.isClosedByServer()).isTrue();
      assertThat(other.call("ECHO", "still here")).isEqualTo("$10\r\nstill here\r\n");
    }
    try (RawClient fresh = new RawClient(port)) {
      assertThat(fresh.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  /**
   * Regression: the recursive glob took 30 s for 20 stars against a key of forty a's, with the
   * engine blocked. KEYS, SCAN MATCH and every later pattern user share the matcher.
   */
  @Test
  void exponentialGlobPatternsAnswerAtOnce() throws Exception {
    try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
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

  /**
   * Random protocol-shaped garbage (no letters, so no command names) from one connection after
   * another: each is answered with an error, closed or left waiting, and a second client is
   * served throughout.
   */
  @Test
  void garbageOnOneConnectionNeverHoldsUpAnother() throws Exception {
    java.util.Random random = new java.util.Random(16);
    byte[] alphabet = "*$\r\n\0-+:0123456789 \"'\\x\t".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    try (RawClient other = new RawClient(port)) {
      for (int round = 0; round < 60; round++) {
        byte[] junk = new byte[1 + random.nextInt(round % 10 == 0 ? 200_000 : 2_000)];
        for (int i = 0; i < junk.length; i++) {
          junk[i] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
        }
        try (RawClient bad = new RawClient(port)) {
          bad.sendRaw(junk);
        } catch (java.io.IOException closedWhileWriting) {
          // the server closed that connection on a protocol error: what it should do
        }
        long start = System.nanoTime();
        assertThat(other.call("PING")).isEqualTo("+PONG\r\n");
        assertThat(System.nanoTime() - start).as("round %d: PING answered promptly", round).isLessThan(2_000_000_000L);
      }
      assertThat(other.call("DBSIZE")).startsWith(":");
    }
  }
}
