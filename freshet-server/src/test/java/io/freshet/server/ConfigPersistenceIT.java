package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The parameters that change what Freshet writes: rdbcompression, rdbchecksum and
 * aof-use-rdb-preamble, each checked by a restart and, for RDB files, by redis-server.
 */
class ConfigPersistenceIT {
  private static FreshetServer start(Path dir, String... params) {
    FreshetServer.Builder b = FreshetServer.builder().port(0).dataDir(dir);
    for (int i = 0; i < params.length; i += 2) {
      b.config(params[i], params[i + 1]);
    }
    return b.start();
  }

  /** Every type, long compressible strings, a stream with groups, pending entries and idle consumers. */
  private static void populate(RawClient c) throws IOException {
    String longValue = "compress-me-".repeat(50);
    c.call("SET", "str", longValue);
    c.call("SET", "short", "x");
    c.call("SET", "ttl", "x", "PX", "100000");
    c.call("HSET", "h", "f1", longValue, "f2", "42");
    c.call("SADD", "set", "a", "b", longValue);
    c.call("RPUSH", "list", "x", longValue, "z");
    for (int i = 1; i <= 150; i++) {
      c.call("XADD", "orders", i + "-1", "order_id", Integer.toString(1000 + i), "note", "same note for every order");
    }
    c.call("XDEL", "orders", "5-1", "150-1");
    c.call("XGROUP", "CREATE", "orders", "billing", "0");
    c.call("XGROUP", "CREATE", "orders", "shipping", "100-1");
    c.call("XREADGROUP", "GROUP", "billing", "alice", "COUNT", "7", "STREAMS", "orders", ">");
    c.call("XREADGROUP", "GROUP", "billing", "bob", "COUNT", "3", "STREAMS", "orders", ">");
    c.call("XACK", "orders", "billing", "2-1", "9-1");
    c.call("XCLAIM", "orders", "billing", "bob", "0", "3-1");
    c.call("XGROUP", "CREATECONSUMER", "orders", "shipping", "idle-carol");
    c.call("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM");
    c.call("XADD", "trimmed", "1-1", "f", "v");
    c.call("XDEL", "trimmed", "1-1");
    c.call("SELECT", "2");
    c.call("SET", "in-db2", "yes");
    c.call("SELECT", "0");
  }

  /** Replies that must be equal before and after (elapsed times masked). */
  private static String fingerprint(RawClient c) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String[] cmd : new String[][] {{"GET", "str"}, {"GET", "short"}, {"HGETALL", "h"}, {"SMEMBERS", "set"},
        {"LRANGE", "list", "0", "-1"}, {"XRANGE", "orders", "-", "+"}, {"XINFO", "STREAM", "orders", "FULL"},
        {"XINFO", "STREAM", "empty", "FULL"}, {"XINFO", "STREAM", "trimmed", "FULL"}, {"DBSIZE"}, {"EXISTS", "ttl"}}) {
      sb.append(String.join(" ", cmd)).append(" => ").append(c.call(cmd)).append('\n');
    }
    c.call("SELECT", "2");
    sb.append(c.call("GET", "in-db2"));
    c.call("SELECT", "0");
    return sb.toString().replaceAll("(idle|inactive|seen-time|active-time)\r\n:-?\\d+", "$1\r\n:N");
  }

  private static void awaitRewrite(RawClient c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.call("INFO", "persistence").contains("aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0")) {
      assertThat(System.nanoTime()).isLessThan(deadline); // each INFO is a round trip: no sleep needed
    }
  }

  private static List<String> logFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aCommandBaseRecreatesEveryTypeAcrossRestarts() throws Exception {
    Path dir = Files.createTempDirectory("preamble-no");
    String before;
    try (FreshetServer s = start(dir, "aof-use-rdb-preamble", "no"); RawClient c = new RawClient(s.port())) {
      populate(c);
      before = fingerprint(c);
      assertThat(c.call("BGREWRITEAOF")).isEqualTo("+Background append only file rewriting started\r\n");
      awaitRewrite(c);
      assertThat(c.call("INFO", "persistence")).contains("aof_last_bgrewrite_status:ok");
    }
    assertThat(logFiles(dir)).containsExactly("appendonly.aof.1.base.flog", "appendonly.aof.2.incr.flog",
        "appendonly.aof.manifest");
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(fingerprint(c)).isEqualTo(before);
      assertThat(c.call("PTTL", "ttl")).matches(":\\d{4,6}\r\n");
      // the other way back: an RDB base again, same data
      c.call("BGREWRITEAOF");
      awaitRewrite(c);
    }
    assertThat(logFiles(dir)).containsExactly("appendonly.aof.2.base.rdb", "appendonly.aof.3.incr.flog",
        "appendonly.aof.manifest");
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(fingerprint(c)).isEqualTo(before);
    }
  }

  @Test
  void consumersKeepTheirSeenTimeThroughACommandBase() throws Exception {
    Path dir = Files.createTempDirectory("preamble-seen");
    String before;
    try (FreshetServer s = start(dir, "aof-use-rdb-preamble", "no"); RawClient c = new RawClient(s.port())) {
      populate(c);
      before = c.call("XINFO", "STREAM", "orders", "FULL").replaceAll("(active-time)\r\n:-?\\d+", "$1\r\n:N");
      c.call("BGREWRITEAOF");
      awaitRewrite(c);
    }
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      // seen-time and delivery times come back exactly; active-time is not carried by commands
      assertThat(c.call("XINFO", "STREAM", "orders", "FULL").replaceAll("(active-time)\r\n:-?\\d+", "$1\r\n:N"))
          .isEqualTo(before);
    }
  }

  @Test
  void compressedAndUncheckedSnapshotsLoadHereAndInRedis() throws Exception {
    Path plainDir = Files.createTempDirectory("rdb-plain");
    Path packedDir = Files.createTempDirectory("rdb-packed");
    String view;
    try (FreshetServer s = start(plainDir, "appendonly", "no", "rdbcompression", "no", "freshet-rdb-version", "10");
         RawClient c = new RawClient(s.port())) {
      populate(c);
      c.call("SAVE");
    }
    try (FreshetServer s = start(packedDir, "appendonly", "no", "rdbchecksum", "no", "freshet-rdb-version", "10");
         RawClient c = new RawClient(s.port())) {
      populate(c);
      assertThat(c.call("CONFIG", "GET", "rdbcompression")).contains("yes");
      c.call("SAVE");
      view = fingerprint(c);
    }
    byte[] plain = Files.readAllBytes(plainDir.resolve("dump.rdb"));
    byte[] packed = Files.readAllBytes(packedDir.resolve("dump.rdb"));
    assertThat(packed.length).isLessThan(plain.length - 1000); // the long strings and stream nodes shrank
    assertThat(java.util.Arrays.copyOfRange(packed, packed.length - 8, packed.length)).containsOnly(0);
    assertThat(java.util.Arrays.copyOfRange(plain, plain.length - 8, plain.length)).isNotEqualTo(new byte[8]);
    try (FreshetServer s = start(packedDir, "appendonly", "no"); RawClient c = new RawClient(s.port())) {
      assertThat(fingerprint(c)).isEqualTo(view);
    }
    Process check = new ProcessBuilder("redis-check-rdb", packedDir.resolve("dump.rdb").toString())
        .redirectErrorStream(true).start();
    String checkOut = new String(check.getInputStream().readAllBytes());
    if (check.waitFor() == 0 || !checkOut.isEmpty()) {
      assertThat(checkOut).contains("RDB looks OK");
    }
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip(packedDir); RawClient c = new RawClient(redis.port())) {
      assertThat(c.call("STRLEN", "str")).isEqualTo(":600\r\n");
      assertThat(c.call("HGET", "h", "f1")).contains("compress-me-compress-me-");
      assertThat(c.call("XLEN", "orders")).isEqualTo(":148\r\n");
      assertThat(c.call("XRANGE", "orders", "100-1", "100-1")).contains("same note for every order");
      assertThat(c.call("XPENDING", "orders", "billing")).startsWith("*4\r\n:8\r\n");
    }
  }
}
