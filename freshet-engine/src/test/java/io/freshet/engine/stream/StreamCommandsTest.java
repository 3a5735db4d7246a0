package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * One test per stream command, driven straight into the engine at stream-node-max-entries 2
 * (every other entry starts a chunk) with a manual clock, so idle times and block timeouts are
 * exact and nothing sleeps.
 */
class StreamCommandsTest {
  /** A fresh engine per test (JUnit makes a new instance for each). */
  private final EngineHarness h = new EngineHarness();

  private String call(Session s, TestConnection c, String... args) {
    return h.call(s, c, args);
  }

  private String call(String... args) {
    return call(h.session, h.conn, args);
  }

  private void add(String key, String... ids) {
    for (String id : ids) {
      assertThat(call("XADD", key, id, "f", "v" + id)).startsWith("$");
    }
  }

  private static String entry(String id) {
    return "*2\r\n$" + id.length() + "\r\n" + id + "\r\n*2\r\n$1\r\nf\r\n$" + (id.length() + 1) + "\r\nv" + id + "\r\n";
  }

  @Test
  void xadd() {
    assertThat(call("XADD", "s", "5-*", "a", "1")).isEqualTo("$3\r\n5-0\r\n");
    assertThat(call("XADD", "s", "5-*", "a", "1")).isEqualTo("$3\r\n5-1\r\n");
    assertThat(call("XADD", "s", "5-1", "a", "1"))
        .isEqualTo("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    assertThat(call("XADD", "t", "0-0", "a", "1")).isEqualTo("-ERR The ID specified in XADD must be greater than 0-0\r\n");
    assertThat(call("XADD", "s", "6-0", "a")).isEqualTo("-ERR wrong number of arguments for 'xadd' command\r\n");
    assertThat(call("XADD", "none", "NOMKSTREAM", "*", "a", "1")).isEqualTo("$-1\r\n");
    assertThat(call("XADD", "s", "*", "a", "1")).isEqualTo("$9\r\n1000000-0\r\n");
    h.nowMs -= 500; // the clock goes back: IDs do not
    assertThat(call("XADD", "s", "*", "a", "1")).isEqualTo("$9\r\n1000000-1\r\n");
    call("XADD", "max", "18446744073709551615-18446744073709551615", "a", "1");
    assertThat(call("XADD", "max", "*", "a", "1"))
        .isEqualTo("-ERR The stream has exhausted the last possible ID, unable to add more items\r\n");
    assertThat(call("XADD", "s", "MAXLEN", "2", "LIMIT", "5", "*", "a", "1"))
        .isEqualTo("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n");
    assertThat(call("XLEN", "s")).isEqualTo(":4\r\n");
  }

  @Test
  void xrangeAndXrevrangeAcrossChunks() {
    add("s", "1-1", "1-2", "2-1", "3-1", "3-2");
    assertThat(call("XRANGE", "s", "(1-2", "3")).isEqualTo("*3\r\n" + entry("2-1") + entry("3-1") + entry("3-2"));
    assertThat(call("XRANGE", "s", "-", "+", "COUNT", "2")).isEqualTo("*2\r\n" + entry("1-1") + entry("1-2"));
    assertThat(call("XREVRANGE", "s", "+", "(2-1", "COUNT", "2")).isEqualTo("*2\r\n" + entry("3-2") + entry("3-1"));
    assertThat(call("XRANGE", "s", "-", "+", "COUNT", "0")).isEqualTo("*-1\r\n");
    assertThat(call("XRANGE", "nokey", "-", "+")).isEqualTo("*0\r\n");
    assertThat(call("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"))
        .isEqualTo("-ERR invalid start ID for the interval\r\n");
  }

  @Test
  void xdelDropsEmptiedChunks() {
    add("s", "1-1", "1-2", "2-1");
    StreamValue s = (StreamValue) h.engine.db(0).peek("s".getBytes(StandardCharsets.UTF_8));
    assertThat(s.chunkCount()).isEqualTo(2);
    assertThat(call("XDEL", "s", "1-1", "1-2", "9-9")).isEqualTo(":2\r\n");
    assertThat(s.chunkCount()).isEqualTo(1);
    assertThat(call("XRANGE", "s", "-", "+")).isEqualTo("*1\r\n" + entry("2-1"));
    assertThat(s.maxDeletedId()).isEqualTo(new StreamId(1, 2));
  }

  @Test
  void xtrimExactApproxAndMinid() {
    add("s", "1-1", "1-2", "2-1", "2-2", "3-1");
    // ~ removes whole chunks only: chunks are [1-1 1-2] [2-1 2-2] [3-1]
    assertThat(call("XTRIM", "s", "MAXLEN", "~", "2")).isEqualTo(":2\r\n");
    assertThat(call("XTRIM", "s", "MAXLEN", "2")).isEqualTo(":1\r\n");
    assertThat(call("XRANGE", "s", "-", "+")).isEqualTo("*2\r\n" + entry("2-2") + entry("3-1"));
    assertThat(call("XTRIM", "s", "MINID", "3")).isEqualTo(":1\r\n");
    assertThat(call("XLEN", "s")).isEqualTo(":1\r\n");
  }

  @Test
  void xreadAndBlockingWithAManualClock() {
    add("a", "1-1");
    assertThat(call("XREAD", "STREAMS", "a", "+")).isEqualTo("*1\r\n*2\r\n$1\r\na\r\n*1\r\n" + entry("1-1"));
    TestConnection otherConn = new TestConnection();
    Session other = h.engine.connect(otherConn);
    assertThat(call(other, otherConn, "XREAD", "BLOCK", "100", "STREAMS", "a", "$")).isEmpty();
    assertThat(h.engine.blockedClients()).isEqualTo(1);
    add("a", "2-1");
    assertThat(otherConn.take()).isEqualTo("*1\r\n*2\r\n$1\r\na\r\n*1\r\n" + entry("2-1"));
    assertThat(call(other, otherConn, "XREAD", "BLOCK", "100", "STREAMS", "a", "$")).isEmpty();
    h.nowMs += 99;
    h.engine.expireWaiters();
    assertThat(otherConn.take()).isEmpty();
    h.nowMs += 1;
    h.engine.expireWaiters();
    assertThat(otherConn.take()).isEqualTo("*-1\r\n");
    assertThat(h.engine.blockedClients()).isZero();
  }

  @Test
  void xgroupSubcommands() {
    assertThat(call("XGROUP", "CREATE", "s", "g", "$")).startsWith("-ERR The XGROUP subcommand requires the key to exist");
    assertThat(call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")).isEqualTo("+OK\r\n");
    assertThat(call("XGROUP", "CREATE", "s", "g", "$")).isEqualTo("-BUSYGROUP Consumer Group name already exists\r\n");
    assertThat(call("XGROUP", "CREATECONSUMER", "s", "g", "c")).isEqualTo(":1\r\n");
    assertThat(call("XGROUP", "CREATECONSUMER", "s", "g", "c")).isEqualTo(":0\r\n");
    assertThat(call("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "3")).isEqualTo("+OK\r\n");
    assertThat(call("XGROUP", "DELCONSUMER", "s", "g", "c")).isEqualTo(":0\r\n");
    assertThat(call("XGROUP", "SETID", "s", "nog", "0")).isEqualTo("-NOGROUP No such consumer group 'nog' for key name 's'\r\n");
    assertThat(call("XGROUP", "DESTROY", "s", "g")).isEqualTo(":1\r\n");
    assertThat(call("XGROUP", "DESTROY", "s", "g")).isEqualTo(":0\r\n");
  }

  @Test
  void xreadgroupNewHistoryAndNoack() {
    add("s", "1-1", "1-2", "2-1");
    call("XGROUP", "CREATE", "s", "g", "0");
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"))
        .isEqualTo("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n" + entry("1-1") + entry("1-2"));
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"))
        .isEqualTo("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n" + entry("1-1") + entry("1-2"));
    call("XDEL", "s", "1-1");
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "0"))
        .isEqualTo("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n");
    assertThat(call("XREADGROUP", "GROUP", "g", "d", "NOACK", "STREAMS", "s", ">"))
        .isEqualTo("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("2-1"));
    assertThat(call("XPENDING", "s", "g")).startsWith("*4\r\n:2\r\n");
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"))
        .startsWith("-ERR The $ ID is meaningless in the context of XREADGROUP");
  }

  @Test
  void xackXpendingXclaimXautoclaim() {
    add("s", "1-1", "1-2", "2-1");
    call("XGROUP", "CREATE", "s", "g", "0");
    call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
    h.nowMs += 5000;
    assertThat(call("XPENDING", "s", "g", "IDLE", "4000", "-", "+", "10", "alice"))
        .isEqualTo("*3\r\n*4\r\n$3\r\n1-1\r\n$5\r\nalice\r\n:5000\r\n:1\r\n"
            + "*4\r\n$3\r\n1-2\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$5\r\nalice\r\n:5000\r\n:1\r\n");
    assertThat(call("XACK", "s", "g", "1-1", "9-9")).isEqualTo(":1\r\n");
    assertThat(call("XCLAIM", "s", "g", "bob", "6000", "1-2")).isEqualTo("*0\r\n");
    assertThat(call("XCLAIM", "s", "g", "bob", "4000", "1-2", "JUSTID")).isEqualTo("*1\r\n$3\r\n1-2\r\n");
    call("XDEL", "s", "2-1");
    h.nowMs += 10;
    assertThat(call("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1"))
        .isEqualTo("*3\r\n$3\r\n2-1\r\n*1\r\n" + entry("1-2") + "*0\r\n");
    assertThat(call("XAUTOCLAIM", "s", "g", "carol", "0", "2-1"))
        .isEqualTo("*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n2-1\r\n");
    assertThat(call("XPENDING", "s", "g"))
        .isEqualTo("*4\r\n:1\r\n$3\r\n1-2\r\n$3\r\n1-2\r\n*1\r\n*2\r\n$5\r\ncarol\r\n$1\r\n1\r\n");
  }

  @Test
  void xinfoAndXsetid() {
    add("s", "1-1", "1-2");
    call("XGROUP", "CREATE", "s", "g", "0");
    call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
    h.nowMs += 250;
    assertThat(call("XINFO", "GROUPS", "s")).isEqualTo("*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n"
        + "$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n");
    assertThat(call("XINFO", "CONSUMERS", "s", "g")).isEqualTo("*1\r\n*8\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:1\r\n"
        + "$4\r\nidle\r\n:250\r\n$8\r\ninactive\r\n:250\r\n");
    assertThat(call("XINFO", "STREAM", "s")).contains("$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n");
    assertThat(call("XSETID", "s", "1-1")).isEqualTo("-ERR The ID specified in XSETID is smaller than the target stream top item\r\n");
    assertThat(call("XSETID", "s", "5-0", "ENTRIESADDED", "7")).isEqualTo("+OK\r\n");
    assertThat(call("XADD", "s", "*", "f", "v")).isEqualTo("$9\r\n1000250-0\r\n");
    assertThat(call("XINFO", "STREAM", "s")).contains("$13\r\nentries-added\r\n:8\r\n");
    assertThat(call("TYPE", "s")).isEqualTo("+stream\r\n");
    assertThat(call("OBJECT", "ENCODING", "s")).isEqualTo("$6\r\nstream\r\n");
  }
}
