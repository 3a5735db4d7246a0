package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.FreshetProcess;
import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Idempotent production (Redis 8.6 XADD IDMP/IDMPAUTO) over TCP: a producer that resends every
 * message whose reply it did not get adds each message exactly once, through dropped
 * connections and a kill -9; the IDMP state and its settings survive restarts, log rewrites and
 * DEBUG RELOAD.
 */
class IdempotentProducerIT {
  private static final int MESSAGES = 400;

  /** Sends an XADD and hangs up before reading the reply, as a client whose connection drops. */
  private static void sendAndDrop(int port, String... argv) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(RawClient.encode(argv));
      out.flush();
    }
  }

  @Test
  void aRetryingProducerAddsEachMessageOnceAcrossDroppedRepliesAndKillNine() throws Exception {
    Path dir = Files.createTempDirectory("idmp-crash");
    int port = RedisServerProcess.freePort();
    Process p = FreshetProcess.start(dir, port);
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    Thread producer = new Thread(() -> {
      try {
        RawClient c = FreshetProcess.connect(port);
        for (int i = 0; i < MESSAGES; i++) {
          String[] xadd = {"XADD", "orders", "IDMP", "checkout-1", "order-" + i, "*", "order_id", Integer.toString(i)};
          if (i % 10 == 3) {
            sendAndDrop(port, xadd); // the reply is lost: the producer cannot know, so it resends
            retries.incrementAndGet();
          }
          while (true) {
            try {
              String reply = c.call(xadd);
              if (reply.startsWith("$")) {
                acknowledged.incrementAndGet();
                break;
              }
              throw new IOException("unexpected reply " + reply);
            } catch (IOException e) {
              retries.incrementAndGet(); // killed mid-call: resend the same message to the restarted server
              c.close();
              c = FreshetProcess.connect(port);
            }
          }
        }
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    producer.start();
    try {
      while (acknowledged.get() < MESSAGES / 3) {
        Thread.sleep(5);
      }
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      p = FreshetProcess.start(dir, port);
      producer.join(120_000);
      assertThat(producer.isAlive()).isFalse();
      assertThat(acknowledged.get()).isEqualTo(MESSAGES);
      try (RawClient c = FreshetProcess.connect(port)) {
        assertThat(c.call("XLEN", "orders")).isEqualTo(":" + MESSAGES + "\r\n");
        TreeMap<Integer, Integer> seen = new TreeMap<>();
        Matcher m = Pattern.compile("order_id\r\n\\$\\d+\r\n(\\d+)\r\n").matcher(c.call("XRANGE", "orders", "-", "+"));
        while (m.find()) {
          seen.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
        }
        assertThat(seen).hasSize(MESSAGES);
        assertThat(seen.values()).allMatch(n -> n == 1);
        assertThat(seen.firstKey()).isZero();
        assertThat(seen.lastKey()).isEqualTo(MESSAGES - 1);
        // each dropped send made its resend a duplicate, except one the kill may have cut short;
        // retries cut by the kill may or may not have been
        String info = c.call("XINFO", "STREAM", "orders");
        long duplicates = Long.parseLong(info.replaceAll("(?s).*iids-duplicates\r\n:(\\d+)\r\n.*", "$1"));
        assertThat(duplicates).isGreaterThanOrEqualTo(MESSAGES / 10 - 2).isLessThanOrEqualTo(retries.get());
        assertThat(info).contains("iids-added\r\n:" + MESSAGES + "\r\n");
      }
    } finally {
      producer.join(1000);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void stateAndSettingsSurviveRestartRewriteAndReload() throws Exception {
    Path dir = Files.createTempDirectory("idmp-persist");
    String first;
    String auto;
    String infoBefore;
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("appendfsync", "always").start();
         RawClient c = new RawClient(server.port())) {
      c.call("XADD", "s", "IDMP", "p1", "init", "*", "f", "init");
      assertThat(c.call("XCFGSET", "s", "IDMP-DURATION", "600", "IDMP-MAXSIZE", "3")).isEqualTo("+OK\r\n");
      first = c.call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "1");
      c.call("XADD", "s", "IDMP", "p2", "req-1", "*", "f", "2");
      auto = c.call("XADD", "s", "IDMPAUTO", "p3", "*", "f", "3", "g", "4");
      assertThat(c.call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "dup")).isEqualTo(first);
      infoBefore = idmpFields(c.call("XINFO", "STREAM", "s"));
      assertThat(infoBefore).contains("idmp-duration:600", "idmp-maxsize:3", "pids-tracked:3", "iids-tracked:3",
          "iids-added:4", "iids-duplicates:1");
    }
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start();
         RawClient c = new RawClient(server.port())) {
      assertThat(idmpFields(c.call("XINFO", "STREAM", "s"))).isEqualTo(infoBefore);
      // compaction: the rewritten log's base snapshot carries the state
      assertThat(c.call("BGREWRITEAOF")).startsWith("+");
      long deadline = System.currentTimeMillis() + 10_000;
      while (c.call("INFO", "persistence").contains("aof_rewrite_in_progress:1") && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.call("DEBUG", "RELOAD")).isEqualTo("+OK\r\n");
      assertThat(idmpFields(c.call("XINFO", "STREAM", "s"))).isEqualTo(infoBefore);
    }
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start();
         RawClient c = new RawClient(server.port())) {
      assertThat(idmpFields(c.call("XINFO", "STREAM", "s"))).isEqualTo(infoBefore);
      assertThat(c.call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "again")).isEqualTo(first);
      assertThat(c.call("XADD", "s", "IDMPAUTO", "p3", "*", "g", "4", "f", "3")).isEqualTo(auto);
      assertThat(c.call("XLEN", "s")).isEqualTo(":4\r\n");
      // from an RDB file alone (no log)
      assertThat(c.call("CONFIG", "SET", "appendonly", "no")).isEqualTo("+OK\r\n");
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
    }
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("appendonly", "no").start();
         RawClient c = new RawClient(server.port())) {
      assertThat(c.call("XADD", "s", "IDMP", "p2", "req-1", "*", "f", "again")).isNotEqualTo(first).startsWith("$");
      assertThat(c.call("XLEN", "s")).isEqualTo(":4\r\n");
      assertThat(idmpFields(c.call("XINFO", "STREAM", "s"))).contains("idmp-duration:600", "iids-duplicates:4");
    }
  }

  /** The IDMP part of an XINFO STREAM reply as "name:value" lines. */
  private static String idmpFields(String info) {
    StringBuilder sb = new StringBuilder();
    Matcher m = Pattern.compile("\\$\\d+\r\n(idmp-duration|idmp-maxsize|pids-tracked|iids-tracked|iids-added|iids-duplicates)"
        + "\r\n:(\\d+)\r\n").matcher(info);
    while (m.find()) {
      sb.append(m.group(1)).append(':').append(m.group(2)).append('\n');
    }
    return sb.toString();
  }
}
