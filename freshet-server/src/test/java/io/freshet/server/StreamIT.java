package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Blocking stream reads and the stream behaviour newer than the 7.0 oracle. Parameterized tests
 * run on Freshet and redis-server alike; the {@code @Test}s cover behaviour Freshet takes from
 * newer Redis (known differences from 7.0, written from Redis's documentation).
 */
class StreamIT {


  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void xreadBlockIsWokenByXaddWithTheNewEntryOnly(String name, int port) throws Exception {
    try (RawClient reader = new RawClient(port); RawClient writer = new RawClient(port)) {
      writer.call("DEL", "bs:1");
      writer.call("XADD", "bs:1", "1-1", "old", "x");
      reader.sendRaw(RawClient.encode("XREAD", "BLOCK", "5000", "STREAMS", "bs:1", "$"));
      writer.awaitBlocked(1);
      long start = System.nanoTime();
      writer.call("XADD", "bs:1", "2-1", "order_id", "1001");
      assertThat(reader.readReply())
          .isEqualTo("*1\r\n*2\r\n$4\r\nbs:1\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$8\r\norder_id\r\n$4\r\n1001\r\n");
      assertThat(System.nanoTime() - start).as("wake-up latency").isLessThan(50_000_000L);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void timeoutAnswersNullAndDisconnectLeavesNoWaiter(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port); RawClient observer = new RawClient(port)) {
      c.call("DEL", "bs:2");
      assertThat(c.call("XREAD", "BLOCK", "50", "STREAMS", "bs:2", "0")).isEqualTo("*-1\r\n");
      c.call("HELLO", "3");
      c.call("XGROUP", "CREATE", "bs:2", "g", "$", "MKSTREAM");
      assertThat(c.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "bs:2", ">")).isEqualTo("_\r\n");
      try (RawClient gone = new RawClient(port)) {
        gone.sendRaw(RawClient.encode("XREAD", "BLOCK", "0", "STREAMS", "bs:2", "$"));
        observer.awaitBlocked(1);
      }
      observer.awaitBlocked(0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void groupReadersAreServedInArrivalOrder(String name, int port) throws Exception {
    try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("DEL", "bs:3");
      w.call("XGROUP", "CREATE", "bs:3", "workers", "$", "MKSTREAM");
      a.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "workers", "a", "COUNT", "1", "BLOCK", "5000", "STREAMS", "bs:3", ">"));
      w.awaitBlocked(1);
      b.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "workers", "b", "COUNT", "1", "BLOCK", "5000", "STREAMS", "bs:3", ">"));
      w.awaitBlocked(2);
      w.call("XADD", "bs:3", "5-1", "n", "1");
      assertThat(a.readReply()).contains("5-1");
      w.awaitBlocked(1);
      w.call("XADD", "bs:3", "5-2", "n", "2");
      assertThat(b.readReply()).contains("5-2");
      assertThat(w.call("XPENDING", "bs:3", "workers"))
          .isEqualTo("*4\r\n:2\r\n$3\r\n5-1\r\n$3\r\n5-2\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n");
      assertThat(w.call("XACK", "bs:3", "workers", "5-1", "5-2", "9-9")).isEqualTo(":2\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void blockInsideMultiDoesNotBlock(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("DEL", "bs:4");
      c.call("MULTI");
      c.call("XREAD", "BLOCK", "0", "STREAMS", "bs:4", "$");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n*-1\r\n");
    }
  }

  // ---- behaviour after 7.0 (Freshet only) --------------------------------------------------

  @Test
  void destroyedGroupOrDeletedKeyRerunsTheReaderWhichGetsNogroup() throws Exception {
    int port = Targets.freshetPort();
    try (RawClient r = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("DEL", "bs:5");
      w.call("XGROUP", "CREATE", "bs:5", "g", "$", "MKSTREAM");
      r.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "bs:5", ">"));
      w.awaitBlocked(1);
      w.call("XGROUP", "DESTROY", "bs:5", "g");
      assertThat(r.readReply())
          .isEqualTo("-NOGROUP No such key 'bs:5' or consumer group 'g' in XREADGROUP with GROUP option\r\n");
      w.call("XGROUP", "CREATE", "bs:5", "g", "$", "MKSTREAM");
      r.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "bs:5", ">"));
      w.awaitBlocked(1);
      w.call("DEL", "bs:5");
      assertThat(r.readReply()).startsWith("-NOGROUP No such key 'bs:5'");
      // a type change wakes a group reader too (Redis 7.2+ unblock_on_nokey)
      w.call("XGROUP", "CREATE", "bs:5", "g", "$", "MKSTREAM");
      r.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "bs:5", ">"));
      w.awaitBlocked(1);
      w.call("SET", "bs:5", "now a string");
      assertThat(r.readReply()).isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
      // so does RENAME: the key the reader waits on is gone
      w.call("DEL", "bs:5");
      w.call("XGROUP", "CREATE", "bs:5", "g", "$", "MKSTREAM");
      r.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "bs:5", ">"));
      w.awaitBlocked(1);
      w.call("RENAME", "bs:5", "bs:5:moved");
      assertThat(r.readReply()).startsWith("-NOGROUP No such key 'bs:5'");
      // the error sent to the woken reader is counted like any other
      assertThat(w.call("INFO", "errorstats")).contains("errorstat_NOGROUP:count=");
    }
  }

  /**
   * A plain XREAD is woken only by a stream (Redis 7.2+ blocked.c): deleting, retyping or
   * flushing its key leaves it waiting, and a new stream serves it only past the "$" it saw.
   * Redis 7.0.15 behaves the same here, so this runs on both servers.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void plainReaderWaitsThroughDeleteTypeChangeAndFlush(String name, int port) throws Exception {
    try (RawClient r = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("DEL", "bs:plain");
      w.call("XADD", "bs:plain", "5-0", "f", "old");
      r.sendRaw(RawClient.encode("XREAD", "BLOCK", "0", "STREAMS", "bs:plain", "$"));
      w.awaitBlocked(1);
      w.call("DEL", "bs:plain");
      w.call("SET", "bs:plain", "a string");
      w.call("MULTI");
      w.call("DEL", "bs:plain");
      w.call("LPUSH", "bs:plain", "item");
      w.call("EXEC");
      w.call("DEL", "bs:plain");
      w.call("XADD", "bs:plain", "3-0", "f", "older");
      assertThat(w.blockedClients()).isEqualTo(1);
      w.call("XADD", "bs:plain", "6-0", "f", "new");
      assertThat(r.readReply()).isEqualTo(
          "*1\r\n*2\r\n$8\r\nbs:plain\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\nf\r\n$3\r\nnew\r\n");
      w.awaitBlocked(0);
    }
  }

  @Test
  void xsetidMayNotGoBelowTheMaxDeletedId() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("DEL", "bs:9");
      c.call("XADD", "bs:9", "1-1", "a", "1");
      c.call("XADD", "bs:9", "1-2", "b", "2");
      c.call("XADD", "bs:9", "1-3", "c", "3");
      c.call("XDEL", "bs:9", "1-2", "1-3");
      assertThat(c.call("XSETID", "bs:9", "1-2"))
          .isEqualTo("-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\r\n");
      // the current value is checked whatever MAXDELETEDID says (Redis 7.2+ xsetidCommand)
      assertThat(c.call("XSETID", "bs:9", "1-2", "MAXDELETEDID", "1-1"))
          .isEqualTo("-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\r\n");
      assertThat(c.call("XSETID", "bs:9", "1-3", "MAXDELETEDID", "1-1")).isEqualTo("+OK\r\n");
      assertThat(c.call("XINFO", "STREAM", "bs:9"))
          .contains("$17\r\nlast-generated-id\r\n$3\r\n1-3\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n");
      assertThat(c.call("XSETID", "bs:9", "1-2")).isEqualTo("+OK\r\n");
    }
  }

  /** The scenarios of Redis issues 13957 and 13337 / Valkey 1951, with 8.0's answers. */
  @Test
  void lagFollowsTheRedis80RulesAfterTrimsAndTombstones() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("DEL", "lag:1");
      for (int i = 1; i <= 5; i++) {
        c.call("XADD", "lag:1", i + "-0", "data", "x");
      }
      c.call("XGROUP", "CREATE", "lag:1", "g1", "0");
      c.call("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "lag:1", ">");
      c.call("XTRIM", "lag:1", "MAXLEN", "1");
      assertThat(c.call("XINFO", "GROUPS", "lag:1")).contains("$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n");
      c.call("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "lag:1", ">");
      assertThat(c.call("XINFO", "GROUPS", "lag:1")).contains("$3\r\nlag\r\n:0\r\n");

      c.call("DEL", "lag:2");
      for (int i = 1; i <= 4; i++) {
        c.call("XADD", "lag:2", i + "-0", "data", "x");
      }
      c.call("XGROUP", "CREATE", "lag:2", "g1", "0");
      c.call("XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "lag:2", ">");
      c.call("XDEL", "lag:2", "3-0");
      assertThat(c.call("XINFO", "GROUPS", "lag:2")).contains("$3\r\nlag\r\n$-1\r\n");
      c.call("XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "lag:2", ">");
      // the group has read everything that is left: no phantom lag from the tombstone
      assertThat(c.call("XINFO", "GROUPS", "lag:2")).contains("$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n");
    }
  }

  @Test
  void flushAndRenameWakeStreamReadersAsNewerRedis() throws Exception {
    int port = Targets.freshetPort();
    try (RawClient r = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("SELECT", "3");
      r.call("SELECT", "3");
      w.call("XGROUP", "CREATE", "fl:1", "g", "$", "MKSTREAM");
      r.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "fl:1", ">"));
      w.awaitBlocked(1);
      w.call("FLUSHDB");
      assertThat(r.readReply()).startsWith("-NOGROUP No such key 'fl:1'");
      // a plain reader survives the flush and is served by the next XADD
      r.sendRaw(RawClient.encode("XREAD", "BLOCK", "5000", "STREAMS", "fl:2", "$"));
      w.awaitBlocked(1);
      w.call("FLUSHALL");
      Thread.sleep(50);
      assertThat(w.blockedClients()).isEqualTo(1);
      w.call("XADD", "fl:tmp", "1-1", "moved", "yes");
      w.call("RENAME", "fl:tmp", "fl:2");
      assertThat(r.readReply()).contains("moved");
    }
  }

  @Test
  void xreadPlusReturnsTheLastEntry() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("DEL", "bs:6");
      assertThat(c.call("XREAD", "STREAMS", "bs:6", "+")).isEqualTo("*-1\r\n");
      c.call("XADD", "bs:6", "1-1", "a", "1");
      c.call("XADD", "bs:6", "2-1", "b", "2");
      assertThat(c.call("XREAD", "STREAMS", "bs:6", "+"))
          .isEqualTo("*1\r\n*2\r\n$4\r\nbs:6\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
      assertThat(c.call("XREAD", "STREAMS", "bs:6"))
          .isEqualTo("-ERR wrong number of arguments for 'xread' command\r\n");
      assertThat(c.call("XREAD", "STREAMS", "bs:6", "x", "0")).isEqualTo(
          "-ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified.\r\n");
    }
  }

  @Test
  void xinfoConsumersReportsIdleAndInactiveAs72() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("DEL", "bs:7");
      c.call("XGROUP", "CREATE", "bs:7", "g", "0", "MKSTREAM");
      c.call("XGROUP", "CREATECONSUMER", "bs:7", "g", "idle-one");
      c.call("XADD", "bs:7", "1-1", "a", "1");
      c.call("XREADGROUP", "GROUP", "g", "reader", "STREAMS", "bs:7", ">");
      Thread.sleep(30);
      String info = c.call("XINFO", "CONSUMERS", "bs:7", "g");
      // idle-one never read: inactive -1; reader read 30+ ms ago
      assertThat(info).contains("$8\r\nidle-one\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n");
      assertThat(info).containsPattern("(?s)idle-one\\r\\n.*?\\$8\\r\\ninactive\\r\\n:-1\\r\\n");
      assertThat(info).containsPattern("reader\\r\\n\\$7\\r\\npending\\r\\n:1\\r\\n\\$4\\r\\nidle\\r\\n:\\d+\\r\\n\\$8\\r\\ninactive\\r\\n:\\d+");
    }
  }

  @Test
  void memoryUsageAndEncodingOfAStream() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("DEL", "bs:8");
      for (int i = 1; i <= 1000; i++) {
        c.call("XADD", "bs:8", i + "-0", "order_id", "1001", "user_id", "42", "product_id", "A", "qty", "2");
      }
      assertThat(c.call("TYPE", "bs:8")).isEqualTo("+stream\r\n");
      assertThat(c.call("OBJECT", "ENCODING", "bs:8")).isEqualTo("$6\r\nstream\r\n");
      long bytes = Long.parseLong(c.call("MEMORY", "USAGE", "bs:8").replaceAll("[:\r\n]", ""));
      // packed: well under Redis's ~20 bytes per entry for this shape (plus fixed overhead)
      assertThat(bytes).isBetween(10_000L, 20_000L);
    }
  }
}
