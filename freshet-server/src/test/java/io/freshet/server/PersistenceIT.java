package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.server.testing.FreshetProcess;
import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Data survives restarts, kill -9 and compaction, and moves to and from redis-server. */
class PersistenceIT {
  private static FreshetServer start(Path dir, String... params) {
    FreshetServer.Builder b = FreshetServer.builder().port(0).dataDir(dir);
    for (int i = 0; i < params.length; i += 2) {
      b.config(params[i], params[i + 1]);
    }
    return b.start();
  }

  /** A dataset of every type, with a consumer group, pending entries and an expiry. */
  private static void populate(RawClient c) throws IOException {
    c.call("SET", "str", "hello");
    c.call("SET", "ttl", "x", "PX", "100000");
    c.call("HSET", "h", "f1", "v1", "f2", "42");
    c.call("SADD", "ints", "1", "2", "3");
    c.call("SADD", "words", "a", "b");
    c.call("RPUSH", "list", "x", "y", "z");
    for (int i = 1; i <= 250; i++) {
      c.call("XADD", "orders", i + "-1", "order_id", Integer.toString(1000 + i), "qty", "2");
    }
    c.call("XADD", "orders", "300-1", "other", "shape");
    c.call("XDEL", "orders", "5-1");
    c.call("XGROUP", "CREATE", "orders", "billing", "0");
    c.call("XGROUP", "CREATE", "orders", "shipping", "100-1");
    c.call("XREADGROUP", "GROUP", "billing", "alice", "COUNT", "7", "STREAMS", "orders", ">");
    c.call("XREADGROUP", "GROUP", "billing", "bob", "COUNT", "3", "STREAMS", "orders", ">");
    c.call("XACK", "orders", "billing", "2-1", "9-1");
    // IDMP state travels in an AUX field after its stream: redis-server must skip it
    c.call("XADD", "idem", "IDMP", "producer-1", "msg-1", "*", "f", "v");
    c.call("SELECT", "3");
    c.call("SET", "in-db3", "yes");
    c.call("SELECT", "0");
  }

  /** What must be equal before and after (idle times masked: they move with the clock). */
  private static String fingerprint(RawClient c) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String[] cmd : new String[][] {{"GET", "str"}, {"HGETALL", "h"}, {"SMISMEMBER", "ints", "1", "2", "3", "4"},
        {"SMISMEMBER", "words", "a", "b", "c"},
        {"LRANGE", "list", "0", "-1"}, {"XRANGE", "orders", "-", "+"}, {"XPENDING", "orders", "billing", "-", "+", "100"},
        {"XINFO", "GROUPS", "orders"}, {"XINFO", "CONSUMERS", "orders", "billing"}, {"DBSIZE"}, {"EXISTS", "ttl"}}) {
      sb.append(String.join(" ", cmd)).append(" => ").append(c.call(cmd)).append('\n');
    }
    c.call("SELECT", "3");
    sb.append(c.call("GET", "in-db3"));
    c.call("SELECT", "0");
    // XPENDING's idle (after the consumer name) and XINFO CONSUMERS' idle/inactive are elapsed times
    return sb.toString().replaceAll("(\r\n\\$\\d+\r\n\\w+\r\n):\\d+(\r\n:\\d+\r\n)", "$1:N$2")
        .replaceAll("(idle|inactive)\r\n:-?\\d+", "$1\r\n:N");
  }

  /** XINFO CONSUMERS without 7.2's inactive field, to compare with redis-server 7.0. */
  private static String as70(String fingerprint) {
    return fingerprint.replace("*8\r\n$4\r\nname", "*6\r\n$4\r\nname").replace("$8\r\ninactive\r\n:N\r\n", "");
  }

  private static String masked(String reply) {
    return reply.replaceAll("(idle|inactive|seen-time|active-time|delivery-time)\r\n:-?\\d+", "$1\r\n:N");
  }

  @Test
  void everythingSurvivesARestartAndACompaction() throws Exception {
    Path dir = Files.createTempDirectory("persist");
    String before;
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      populate(c);
      before = fingerprint(c);
    }
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(fingerprint(c)).isEqualTo(before);
      assertThat(c.call("PTTL", "ttl")).matches(":\\d{4,6}\r\n");
      assertThat(c.call("BGREWRITEAOF")).isEqualTo("+Background append only file rewriting started\r\n");
      awaitInfo(c, "aof_rewrite_in_progress:0");
      c.call("XADD", "orders", "400-1", "after", "rewrite");
      assertThat(c.call("INFO", "persistence")).contains("aof_rewrites:1", "aof_enabled:1", "aof_last_write_status:ok");
    }
    try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("appendonly.aof.1.base.rdb", "appendonly.aof.2.incr.flog", "appendonly.aof.manifest");
    }
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("XRANGE", "orders", "400-1", "+")).contains("rewrite");
      c.call("XDEL", "orders", "400-1");
      assertThat(fingerprint(c)).isEqualTo(before);
      assertThat(c.call("DEBUG", "RELOAD")).isEqualTo("+OK\r\n");
      assertThat(fingerprint(c)).isEqualTo(before);
      assertThat(c.call("DEBUG", "LOADAOF")).isEqualTo("+OK\r\n");
      assertThat(fingerprint(c)).isEqualTo(before);
    }
  }

  private static void awaitInfo(RawClient c, String field) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.call("INFO", "persistence").contains(field)) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void saveBgsaveAndLastsave() throws Exception {
    Path dir = Files.createTempDirectory("persist-save");
    try (FreshetServer s = start(dir, "appendonly", "no"); RawClient c = new RawClient(s.port())) {
      populate(c);
      assertThat(c.call("INFO", "persistence")).contains("aof_enabled:0", "rdb_changes_since_last_save:");
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      assertThat(c.call("INFO", "persistence")).contains("rdb_changes_since_last_save:0");
      c.call("SET", "later", "1");
      assertThat(c.call("BGSAVE")).isEqualTo("+Background saving started\r\n");
      awaitInfo(c, "rdb_bgsave_in_progress:0");
      assertThat(c.call("LASTSAVE")).matches(":\\d{10}\r\n");
      assertThat(c.call("BGSAVE", "NOW")).isEqualTo("-ERR syntax error\r\n");
    }
    try (FreshetServer s = start(dir, "appendonly", "no"); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("GET", "later")).isEqualTo("$1\r\n1\r\n");
      assertThat(c.call("XLEN", "orders")).isEqualTo(":250\r\n");
      c.call("SET", "at-shutdown", "saved");
      c.sendRaw(RawClient.encode("SHUTDOWN", "SAVE"));
      s.awaitTermination();
    }
    try (FreshetServer s = start(dir, "appendonly", "no"); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("GET", "at-shutdown")).isEqualTo("$5\r\nsaved\r\n");
      // turning the log on at run time starts it from a snapshot of what is there
      assertThat(c.call("CONFIG", "SET", "appendonly", "yes")).isEqualTo("+OK\r\n");
      awaitInfo(c, "aof_rewrite_in_progress:0");
      assertThat(c.call("INFO", "persistence")).contains("aof_enabled:1");
      c.call("SET", "logged", "1");
    }
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("GET", "logged")).isEqualTo("$1\r\n1\r\n");
      assertThat(c.call("GET", "at-shutdown")).isEqualTo("$5\r\nsaved\r\n");
      assertThat(c.call("CONFIG", "SET", "appendonly", "no")).isEqualTo("+OK\r\n");
      assertThat(c.call("INFO", "persistence")).contains("aof_enabled:0");
    }
  }

  @Test
  void damageInTheMiddleRefusesToStartAndATornTailIsCut() throws Exception {
    Path dir = Files.createTempDirectory("persist-damage");
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      for (int i = 0; i < 20; i++) {
        c.call("SET", "k" + i, "v".repeat(50));
      }
    }
    Path log = dir.resolve("appendonlydir/appendonly.aof.1.incr.flog");
    byte[] good = Files.readAllBytes(log);
    Files.write(log, java.util.Arrays.copyOf(good, good.length - 7)); // torn last record
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("DBSIZE")).isEqualTo(":19\r\n");
      c.call("SET", "k19", "again");
    }
    try (FreshetServer s = start(dir); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("GET", "k19")).isEqualTo("$5\r\nagain\r\n");
    }
    byte[] now = Files.readAllBytes(log);
    now[now.length / 2] ^= 0x10;
    Files.write(log, now);
    assertThatThrownBy(() -> start(dir)).hasMessageContaining("appendonly.aof.1.incr.flog")
        .hasMessageContaining("corrupt record at offset");
  }

  /**
   * kill -9 under appendfsync always, 20 times, with writers and a group consumer running: every
   * acknowledged XADD is present exactly once and every acknowledged XACK stays acknowledged.
   */
  @Test
  void killNineLosesNothingAcknowledged() throws Exception {
    Path dir = Files.createTempDirectory("persist-crash");
    int port = RedisServerProcess.freePort();
    Map<String, String> acked = new HashMap<>(); // message number -> entry ID
    List<String> ackedAcks = new ArrayList<>();
    Random random = new Random(3);
    int next = 0;
    int rounds = Integer.getInteger("freshet.crash.rounds", 20); // bench/crash.sh runs more
    for (int round = 0; round < rounds; round++) {
      Process p = FreshetProcess.start(dir, port);
      try {
        try (RawClient c = FreshetProcess.connect(port)) {
          c.call("XGROUP", "CREATE", "jobs", "workers", "0", "MKSTREAM");
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<String[]> adds = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        int base = next;
        next += 100_000;
        Thread writer = new Thread(() -> {
          try (RawClient c = new RawClient(port)) {
            for (int n = base; !stop.get(); n++) {
              String reply = c.call("XADD", "jobs", "*", "n", Integer.toString(n));
              adds.add(new String[] {Integer.toString(n), reply.substring(reply.indexOf('\n') + 1).trim()});
            }
          } catch (IOException e) {
            // killed
          }
        });
        Thread consumer = new Thread(() -> {
          try (RawClient c = new RawClient(port)) {
            Pattern id = Pattern.compile("\\$\\d+\r\n(\\d+-\\d+)\r\n\\*2");
            while (!stop.get()) {
              String batch = c.call("XREADGROUP", "GROUP", "workers", "w", "COUNT", "10", "STREAMS", "jobs", ">");
              Matcher m = id.matcher(batch);
              while (m.find()) {
                if (c.call("XACK", "jobs", "workers", m.group(1)).equals(":1\r\n")) {
                  acks.add(m.group(1));
                }
              }
            }
          } catch (IOException e) {
            // killed
          }
        });
        writer.start();
        consumer.start();
        Thread.sleep(100 + random.nextInt(300));
        p.destroyForcibly(); // SIGKILL
        p.waitFor(10, TimeUnit.SECONDS);
        stop.set(true);
        writer.join();
        consumer.join();
        synchronized (adds) {
          adds.forEach(a -> acked.put(a[0], a[1]));
        }
        ackedAcks.addAll(acks);
      } finally {
        p.destroyForcibly();
      }
    }
    Process p = FreshetProcess.start(dir, port);
    try (RawClient c = FreshetProcess.connect(port)) {
      String all = c.call("XRANGE", "jobs", "-", "+");
      Map<String, Integer> seen = new HashMap<>();
      Matcher m = Pattern.compile("\\$1\r\nn\r\n\\$\\d+\r\n(\\d+)\r\n").matcher(all);
      while (m.find()) {
        seen.merge(m.group(1), 1, Integer::sum);
      }
      assertThat(acked).isNotEmpty();
      for (Map.Entry<String, String> e : acked.entrySet()) {
        assertThat(seen.get(e.getKey())).as("message %s (%s)", e.getKey(), e.getValue()).isEqualTo(1);
        assertThat(all).contains(e.getValue());
      }
      assertThat(seen.values()).allMatch(n -> n == 1);
      assertThat(ackedAcks).isNotEmpty();
      for (String id : ackedAcks) {
        assertThat(c.call("XPENDING", "jobs", "workers", id, id, "1")).isEqualTo("*0\r\n");
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Freshet's dump.rdb loads into redis-server (and passes redis-check-rdb), and back. */
  @Test
  void rdbMovesBothWaysWithRedis() throws Exception {
    Path dir = Files.createTempDirectory("persist-interop");
    String freshetView;
    try (FreshetServer s = start(dir, "appendonly", "no", "freshet-rdb-version", "10");
        RawClient c = new RawClient(s.port())) {
      populate(c);
      c.call("SAVE");
      freshetView = fingerprint(c);
    }
    Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("dump.rdb").toString()).redirectErrorStream(true).start();
    String checkOut = new String(check.getInputStream().readAllBytes());
    if (check.waitFor() == 0 || !checkOut.isEmpty()) {
      assertThat(checkOut).contains("RDB looks OK");
    }
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip(dir); RawClient c = new RawClient(redis.port())) {
      assertThat(fingerprint(c)).isEqualTo(as70(freshetView));
      c.call("XADD", "orders", "500-1", "from", "redis");
      c.call("SAVE");
      freshetView = fingerprint(c);
    }
    try (FreshetServer s = start(dir, "appendonly", "no"); RawClient c = new RawClient(s.port())) {
      assertThat(as70(fingerprint(c))).isEqualTo(freshetView);
    }
  }

  /** DUMP from redis-server RESTOREs into Freshet and back, streams with groups included. */
  @Test
  void dumpAndRestoreBothWays() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip();
        FreshetServer s = start(Files.createTempDirectory("persist-dump"), "freshet-rdb-version", "10");
        RawClient r = new RawClient(redis.port()); RawClient f = new RawClient(s.port())) {
      populate(r);
      for (String key : new String[] {"str", "h", "ints", "words", "list", "orders"}) {
        byte[] payload = bulk(r, "DUMP", key);
        assertThat(f.call(List.of("RESTORE".getBytes(), key.getBytes(), "0".getBytes(), payload))).isEqualTo("+OK\r\n");
        assertThat(f.call(List.of("RESTORE".getBytes(), key.getBytes(), "0".getBytes(), payload)))
            .isEqualTo("-BUSYKEY Target key name already exists.\r\n");
        byte[] back = bulk(f, "DUMP", key);
        r.call("DEL", key);
        assertThat(r.call(List.of("RESTORE".getBytes(), key.getBytes(), "0".getBytes(), back))).isEqualTo("+OK\r\n");
      }
      String values = as70(fingerprint(f));
      assertThat(values.substring(0, values.indexOf("DBSIZE")))
          .isEqualTo(fingerprint(r).substring(0, values.indexOf("DBSIZE")));
      byte[] bad = bulk(f, "DUMP", "str");
      bad[0] ^= 1;
      assertThat(f.call(List.of("RESTORE".getBytes(), "x".getBytes(), "0".getBytes(), bad)))
          .isEqualTo("-ERR DUMP payload version or checksum are wrong\r\n");
      assertThat(f.call(List.of("RESTORE".getBytes(), "x".getBytes(), "-1".getBytes(), bulk(f, "DUMP", "str"))))
          .isEqualTo("-ERR Invalid TTL value, must be >= 0\r\n");
      assertThat(f.call(List.of("RESTORE".getBytes(), "str".getBytes(), "5000".getBytes(), bulk(f, "DUMP", "h"),
          "REPLACE".getBytes()))).isEqualTo("+OK\r\n");
      assertThat(f.call("TYPE", "str")).isEqualTo("+hash\r\n");
      assertThat(f.call("PTTL", "str")).matches(":\\d{4}\r\n");
    }
  }

  /**
   * A stream with Redis 8.x state (IDMP records, XNACKed entries) dumps as Redis 8.6/8.8 payloads
   * (RDB 13/14): RESTORE into Freshet keeps the state, redis-server 7.0 refuses the payload by its
   * version, as it refuses Redis 8's.
   */
  @Test
  void dumpOfNewerStreamStateRestoresIntoFreshetOnly() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip();
        FreshetServer s = start(Files.createTempDirectory("persist-dump8"), "freshet-rdb-version", "10");
        RawClient r = new RawClient(redis.port()); RawClient f = new RawClient(s.port())) {
      f.call("XADD", "idmp", "IDMP", "producer", "req-1", "*", "f", "v");
      f.call("XADD", "idmp", "IDMP", "producer", "req-1", "*", "f", "v"); // duplicate
      for (String id : new String[] {"1-0", "2-0", "3-0"}) {
        f.call("XADD", "nacked", id, "f", "v");
      }
      f.call("XGROUP", "CREATE", "nacked", "g", "0");
      f.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nacked", ">");
      f.call("XNACK", "nacked", "g", "FAIL", "IDS", "2", "2-0", "1-0");
      for (String key : new String[] {"idmp", "nacked"}) {
        String before = f.call("XINFO", "STREAM", key, "FULL");
        byte[] payload = bulk(f, "DUMP", key);
        assertThat(r.call(List.of("RESTORE".getBytes(), key.getBytes(), "0".getBytes(), payload)))
            .isEqualTo("-ERR DUMP payload version or checksum are wrong\r\n");
        f.call("DEL", key);
        assertThat(f.call(List.of("RESTORE".getBytes(), key.getBytes(), "0".getBytes(), payload))).isEqualTo("+OK\r\n");
        assertThat(f.call("XINFO", "STREAM", key, "FULL")).as(key).isEqualTo(before);
      }
      assertThat(f.call("XINFO", "STREAM", "idmp")).contains("$15\r\niids-duplicates\r\n:1\r\n");
      // the NACK zone keeps its order: 2-0 was given back first
      assertThat(f.call("XREADGROUP", "GROUP", "g", "d", "COUNT", "1", "CLAIM", "0", "STREAMS", "nacked", ">"))
          .contains("2-0");
    }
  }

  private static byte[] bulk(RawClient c, String... args) throws IOException {
    return c.callBulk(args);
  }
}
