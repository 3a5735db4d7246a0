package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis 8.x stream commands over TCP with raw RESP (the Lettuce and Jedis versions in the
 * build predate them). Exact edge cases are unit-tested in the engine with a manual clock; this
 * checks the wire, the metadata clients ask for, and real-time CLAIM wake-ups.
 */
@ExtendWith(FreshetExtension.class)
class Redis8StreamIT {
  @Test
  void ackAndDeleteOverTheWire(@FreshetPort int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("XADD", "orders", "1-0", "order_id", "1001");
      c.call("XADD", "orders", "2-0", "order_id", "1002");
      c.call("XGROUP", "CREATE", "orders", "billing", "0");
      c.call("XGROUP", "CREATE", "orders", "shipping", "0");
      c.call("XREADGROUP", "GROUP", "billing", "b1", "STREAMS", "orders", ">");
      c.call("XREADGROUP", "GROUP", "shipping", "s1", "STREAMS", "orders", ">");
      assertThat(c.call("XACKDEL", "orders", "billing", "ACKED", "IDS", "2", "1-0", "2-0"))
          .isEqualTo("*2\r\n:2\r\n:2\r\n");
      assertThat(c.call("XACKDEL", "orders", "shipping", "ACKED", "IDS", "1", "1-0")).isEqualTo("*1\r\n:1\r\n");
      assertThat(c.call("XDELEX", "orders", "DELREF", "IDS", "1", "2-0")).isEqualTo("*1\r\n:1\r\n");
      assertThat(c.call("XPENDING", "orders", "shipping")).startsWith("*4\r\n:0\r\n");
      assertThat(c.call("XLEN", "orders")).isEqualTo(":0\r\n");
      assertThat(c.call("COMMAND", "INFO", "xackdel")).startsWith("*1\r\n*10\r\n$7\r\nxackdel\r\n:-6\r\n");
      assertThat(c.call("COMMAND", "DOCS", "xdelex")).contains("8.2.0", "KEEPREF", "DELREF", "ACKED", "IDS");
      assertThat(c.call("COMMAND", "GETKEYS", "XDELEX", "orders", "IDS", "1", "1-0")).isEqualTo("*1\r\n$6\r\norders\r\n");
      // the 7.0 docs of XADD, XTRIM and XREADGROUP gain the 8.x options Freshet implements
      assertThat(c.call("COMMAND", "DOCS", "xadd")).contains("NOMKSTREAM", "KEEPREF", "DELREF", "ACKED");
      assertThat(c.call("COMMAND", "DOCS", "xtrim")).contains("ACKED");
      assertThat(c.call("COMMAND", "DOCS", "xreadgroup")).contains("$5\r\nCLAIM\r\n", "min-idle-time");
    }
  }

  @Test
  void blockedClaimWakesWhenAnEntryBecomesClaimable(@FreshetPort int port) throws Exception {
    try (RawClient c = new RawClient(port); RawClient reader = new RawClient(port)) {
      c.call("XADD", "jobs", "1-0", "f", "v");
      c.call("XGROUP", "CREATE", "jobs", "workers", "0");
      c.call("XREADGROUP", "GROUP", "workers", "crashed", "STREAMS", "jobs", ">");
      long started = System.nanoTime();
      reader.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "workers", "rescuer", "BLOCK", "5000", "CLAIM", "300",
          "STREAMS", "jobs", ">"));
      String reply = reader.readReply();
      long waitedMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(reply).startsWith("*1\r\n*2\r\n$4\r\njobs\r\n*1\r\n*4\r\n$3\r\n1-0\r\n").endsWith(":1\r\n");
      assertThat(waitedMs).isBetween(250L, 3000L);
      assertThat(c.call("XPENDING", "jobs", "workers", "-", "+", "1")).contains("rescuer", ":2\r\n");
    }
  }

  /** XPENDING's extended reply with the idle times of owned entries masked. */
  private static String pendingMasked(RawClient c) throws Exception {
    return c.call("XPENDING", "jobs", "grp", "-", "+", "10").replaceAll("(\\$2\r\nc\\d\r\n):\\d+", "$1:N");
  }

  @Test
  void nackedEntriesSurviveRestartRewriteAndReloadInOrder(@FreshetPort int unused) throws Exception {
    Path dir = Files.createTempDirectory("nack-persist");
    String before;
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("appendfsync", "always").start();
         RawClient c = new RawClient(server.port())) {
      for (int i = 1; i <= 5; i++) {
        c.call("XADD", "jobs", i + "-0", "f", "v" + i);
      }
      c.call("XGROUP", "CREATE", "jobs", "grp", "0");
      c.call("XGROUP", "CREATE", "jobs", "other", "0");
      c.call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "jobs", ">");
      assertThat(c.call("XNACK", "jobs", "grp", "FAIL", "IDS", "1", "3-0")).isEqualTo(":1\r\n");
      assertThat(c.call("XNACK", "jobs", "grp", "FATAL", "IDS", "1", "1-0")).isEqualTo(":1\r\n");
      assertThat(c.call("XNACK", "jobs", "grp", "SILENT", "IDS", "1", "4-0", "RETRYCOUNT", "33")).isEqualTo(":1\r\n");
      assertThat(c.call("XNACK", "jobs", "other", "FAIL", "IDS", "1", "2-0", "FORCE")).isEqualTo(":1\r\n");
      before = pendingMasked(c);
      assertThat(before).contains("$3\r\n1-0\r\n$0\r\n\r\n:-1\r\n:9223372036854775807\r\n",
          "$3\r\n4-0\r\n$0\r\n\r\n:-1\r\n:33\r\n");
    }
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("freshet-rdb-version", "10").start();
         RawClient c = new RawClient(server.port())) {
      assertThat(pendingMasked(c)).isEqualTo(before); // from the log
      assertThat(c.call("BGREWRITEAOF")).startsWith("+");
      long deadline = System.currentTimeMillis() + 10_000;
      while (c.call("INFO", "persistence").contains("aof_rewrite_in_progress:1") && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.call("DEBUG", "RELOAD")).isEqualTo("+OK\r\n");
      assertThat(pendingMasked(c)).isEqualTo(before); // from the snapshot
      assertThat(c.call("XPENDING", "jobs", "other", "-", "+", "10")).contains("2-0\r\n$0\r\n\r\n:-1\r\n:0\r\n");
      // the NACK zone's order survived: 3-0, 1-0, 4-0
      assertThat(c.call("XREADGROUP", "GROUP", "grp", "c2", "COUNT", "3", "CLAIM", "0", "STREAMS", "jobs", ">"))
          .matches("(?s)\\*1\r\n\\*2\r\n\\$4\r\njobs\r\n\\*3\r\n\\*4\r\n\\$3\r\n3-0.*\\$3\r\n1-0.*\\$3\r\n4-0.*");
      c.call("CONFIG", "SET", "appendonly", "no");
      assertThat(c.call("XNACK", "jobs", "grp", "FAIL", "IDS", "1", "2-0")).isEqualTo(":1\r\n");
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
    }
    // redis-server 7.0 loads the file: NACKed entries are Freshet's extra, the owned ones are there
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip(dir); RawClient c = new RawClient(redis.port())) {
      assertThat(c.call("XLEN", "jobs")).isEqualTo(":5\r\n");
      assertThat(c.call("XPENDING", "jobs", "grp")).startsWith("*4\r\n:4\r\n"); // all but the NACKed 2-0
    }
  }
}
