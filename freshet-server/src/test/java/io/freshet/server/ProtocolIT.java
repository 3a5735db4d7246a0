package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wire protocol over raw sockets: inline, pipelining, limits, errors, auth, closing. */
class ProtocolIT {
  private final List<FreshetServer> servers = new ArrayList<>();

  private FreshetServer start(Map<String, String> config) throws Exception {
    FreshetServer s = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("freshet-proto"))
        .config(config).start();
    servers.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    servers.forEach(FreshetServer::close);
  }

  @Test
  void inlineCommandsAsTelnetSendsThem() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw("PING\r\n");
      assertThat(c.readReply()).isEqualTo("+PONG\r\n");
      c.sendRaw("set greeting \"hello world\"\n");
      assertThat(c.readReply()).isEqualTo("+OK\r\n");
      c.sendRaw("get greeting\r\n");
      assertThat(c.readReply()).isEqualTo("$11\r\nhello world\r\n");
      c.sendRaw("\r\n   \r\nECHO 'a b'\r\n");
      assertThat(c.readReply()).isEqualTo("$3\r\na b\r\n");
    }
  }

  @Test
  void whileTheLoopPollsForRequestsTimersStillFireAndRepliesStayInOrder() throws Exception {
    FreshetServer s = start(Map.of("freshet-busy-poll-us", "10000"));
    try (RawClient busy = new RawClient(s.port()); RawClient blocked = new RawClient(s.port())) {
      assertThat(busy.call("CONFIG", "GET", "freshet-busy-poll-us"))
          .isEqualTo("*2\r\n$20\r\nfreshet-busy-poll-us\r\n$5\r\n10000\r\n");
      // back-to-back requests keep the loop polling; the 2 ms timer must still end the BLPOP
      blocked.sendRaw(RawClient.encode("BLPOP", "nothing", "0.2"));
      long start = System.nanoTime();
      for (int i = 1; i <= 20_000; i++) {
        assertThat(busy.call("INCR", "n")).isEqualTo(":" + i + "\r\n");
        if (i == 10_000) {
          assertThat(busy.call("CONFIG", "SET", "freshet-busy-poll-us", "0")).isEqualTo("+OK\r\n");
        }
      }
      assertThat(blocked.readReply()).isEqualTo("*-1\r\n");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
      assertThat(busy.call("CONFIG", "SET", "freshet-busy-poll-us", "10001"))
          .startsWith("-ERR CONFIG SET failed (possibly related to argument 'freshet-busy-poll-us')");
    }
  }

  @Test
  void hundredThousandPipelinedCommandsInOneWriteAreAnsweredInOrder() throws Exception {
    FreshetServer s = start(Map.of());
    int n = 100_000;
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] incr = RawClient.encode("INCR", "counter");
    for (int i = 0; i < n; i++) {
      all.writeBytes(incr);
    }
    try (RawClient c = new RawClient(s.port())) {
      Thread writer = new Thread(() -> {
        try {
          c.sendRaw(all.toByteArray());
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      for (int i = 1; i <= n; i++) {
        String reply = c.readReply();
        if (!reply.equals(":" + i + "\r\n")) {
          assertThat(reply).as("reply %d", i).isEqualTo(":" + i + "\r\n");
        }
      }
      writer.join();
    }
  }

  @Test
  void protocolErrorClosesOnlyThatConnection() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient bad = new RawClient(s.port()); RawClient good = new RawClient(s.port())) {
      good.call("SET", "k", "v");
      bad.sendRaw("*1\r\n$4\r\nPING\r\n*1\r\n$-7\r\n");
      assertThat(bad.readReply()).isEqualTo("+PONG\r\n");
      assertThat(bad.readReply()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
      assertThat(bad.isClosedByServer()).isTrue();
      assertThat(good.call("GET", "k")).isEqualTo("$1\r\nv\r\n");
    }
    try (RawClient garbage = new RawClient(s.port())) {
      garbage.sendRaw(new byte[] {'*', 'x', '\r', '\n', 0, 1, 2, (byte) 0xff});
      assertThat(garbage.readReply()).isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
      assertThat(garbage.isClosedByServer()).isTrue();
    }
  }

  @Test
  void oversizedHeadersAreRejectedWithoutAllocating() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw("*1\r\n$536870913\r\n");
      assertThat(c.readReply()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
    }
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw("*1048577\r\n");
      assertThat(c.readReply()).isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
    }
    try (RawClient c = new RawClient(s.port())) {
      assertThat(c.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void queryBufferLimitClosesTheClient() throws Exception {
    FreshetServer s = start(Map.of("client-query-buffer-limit", "1mb"));
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw("*2\r\n$3\r\nSET\r\n$5000000\r\n");
      c.sendRaw(new byte[2 * 1024 * 1024]);
      assertThat(c.isClosedByServer()).isTrue();
    }
    try (RawClient c = new RawClient(s.port())) {
      assertThat(c.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void clientThatNeverReadsCannotExhaustMemory() throws Exception {
    FreshetServer s = start(Map.of("freshet-client-output-hard-limit", "8mb"));
    try (RawClient setup = new RawClient(s.port())) {
      setup.call("SET", "big", "x".repeat(100_000));
    }
    try (RawClient greedy = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
      String id = greedy.call("CLIENT", "ID").replaceAll("[:\r\n]", "");
      byte[] get = RawClient.encode("GET", "big");
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < 2000; i++) {
        batch.writeBytes(get);
      }
      Thread writer = new Thread(() -> {
        try {
          greedy.sendRaw(batch.toByteArray());
        } catch (Exception ignored) {
          // the server may close the connection while we write
        }
      });
      writer.setDaemon(true);
      writer.start();
      Thread.sleep(1000);
      // 2000 x 100 KB of replies would be 200 MB. The greedy client is either held back
      // (not read from while its socket is full) or closed at the 8 MB limit; never buffered.
      String line = "";
      for (String l : other.call("CLIENT", "LIST").split("\n")) {
        if (l.contains("id=" + id + " ")) {
          line = l;
        }
      }
      if (!line.isEmpty()) {
        long omem = Long.parseLong(line.replaceAll(".* omem=(\\d+) .*", "$1"));
        assertThat(omem).isLessThanOrEqualTo(16L * 1024 * 1024);
      }
      assertThat(other.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void authGatesCommandsAndUnauthenticatedLimits() throws Exception {
    FreshetServer s = start(Map.of("requirepass", "s3cret"));
    try (RawClient c = new RawClient(s.port())) {
      assertThat(c.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.\r\n");
      assertThat(c.call("AUTH", "wrong")).isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
      assertThat(c.call("AUTH", "default", "s3cret")).isEqualTo("+OK\r\n");
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK\r\n");
    }
    try (RawClient c = new RawClient(s.port())) {
      String hello = c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me");
      assertThat(hello).startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n");
      assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("$2\r\nme\r\n");
      assertThat(c.call("GET", "missing")).isEqualTo("_\r\n");
    }
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw("*20\r\n");
      assertThat(c.readReply()).isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
      assertThat(c.isClosedByServer()).isTrue();
    }
  }

  @Test
  void maxclientsRefusesTheExtraClient() throws Exception {
    FreshetServer s = start(Map.of("maxclients", "2"));
    try (RawClient a = new RawClient(s.port()); RawClient b = new RawClient(s.port())) {
      assertThat(a.call("PING")).isEqualTo("+PONG\r\n");
      assertThat(b.call("PING")).isEqualTo("+PONG\r\n");
      try (RawClient c = new RawClient(s.port())) {
        assertThat(c.readReply()).isEqualTo("-ERR max number of clients reached\r\n");
        assertThat(c.isClosedByServer()).isTrue();
      }
      assertThat(a.call("INFO", "stats")).contains("rejected_connections:1");
    }
  }

  @Test
  void quitKillAndShutdown() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient c = new RawClient(s.port())) {
      assertThat(c.call("QUIT")).isEqualTo("+OK\r\n");
      assertThat(c.isClosedByServer()).isTrue();
    }
    try (RawClient victim = new RawClient(s.port()); RawClient killer = new RawClient(s.port())) {
      String id = victim.call("CLIENT", "ID").replaceAll("[:\r\n]", "");
      assertThat(killer.call("CLIENT", "KILL", "ID", id)).isEqualTo(":1\r\n");
      assertThat(victim.isClosedByServer()).isTrue();
      assertThat(killer.call("CLIENT", "KILL", "ID", id)).isEqualTo(":0\r\n");
      assertThat(killer.call("CLIENT", "KILL", "1.2.3.4:5")).isEqualTo("-ERR No such client\r\n");
    }
    try (RawClient c = new RawClient(s.port())) {
      c.sendRaw(RawClient.encode("SHUTDOWN", "NOSAVE"));
      assertThat(c.isClosedByServer()).isTrue();
    }
    s.awaitTermination();
  }

  @Test
  void resp3TypesAndResetGoBackToResp2() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient c = new RawClient(s.port())) {
      c.call("HELLO", "3");
      c.call("HSET", "h", "f", "v");
      assertThat(c.call("HGETALL", "h")).isEqualTo("%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
      assertThat(c.call("SMEMBERS", "none")).isEqualTo("~0\r\n");
      assertThat(c.call("CONFIG", "GET", "maxclients")).isEqualTo("%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
      assertThat(c.call("RESET")).isEqualTo("+RESET\r\n");
      assertThat(c.call("HGETALL", "h")).isEqualTo("*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
      assertThat(c.call("HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
    }
  }

  @Test
  void debugSleepBlocksTheServerAsInRedis() throws Exception {
    FreshetServer s = start(Map.of());
    try (RawClient a = new RawClient(s.port()); RawClient b = new RawClient(s.port())) {
      long start = System.nanoTime();
      a.sendRaw(RawClient.encode("DEBUG", "SLEEP", "0.3"));
      Thread.sleep(50);
      assertThat(b.call("PING")).isEqualTo("+PONG\r\n");
      assertThat(System.nanoTime() - start).isGreaterThan(250_000_000L);
      assertThat(a.readReply()).isEqualTo("+OK\r\n");
    }
  }
}
