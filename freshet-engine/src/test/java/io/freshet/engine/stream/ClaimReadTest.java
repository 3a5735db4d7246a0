package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import org.junit.jupiter.api.Test;

/**
 * XREADGROUP ... CLAIM min-idle-time (Redis 8.4, integers in the reply as 8.4.2), from Redis's
 * documentation and its test suite's cases, with a manual clock so idle times are exact.
 */
class ClaimReadTest {
  /** A fresh engine per test (JUnit makes a new instance for each). */
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** One entry of a CLAIM reply: ID, fields, idle ms, deliveries before this one. */
  private static String entry(String id, String value, long idle, long count) {
    return "*4\r\n$" + id.length() + "\r\n" + id + "\r\n*2\r\n$1\r\nf\r\n$" + value.length() + "\r\n" + value
        + "\r\n:" + idle + "\r\n:" + count + "\r\n";
  }

  private static String reply(String... entries) {
    return "*1\r\n*2\r\n$1\r\ns\r\n*" + entries.length + "\r\n" + String.join("", entries);
  }

  private void setup(int entries) {
    for (int i = 1; i <= entries; i++) {
      call("XADD", "s", i + "-0", "f", "v" + i);
    }
    call("XGROUP", "CREATE", "s", "g", "0");
  }

  @Test
  void claimsIdlePendingEntriesFirstThenNewOnes() {
    setup(3);
    call("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">");
    h.nowMs += 100;
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "50", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("1-0", "v1", 100, 1), entry("2-0", "v2", 100, 1), entry("3-0", "v3", 0, 0)));
    String pending = call("XPENDING", "s", "g", "-", "+", "10");
    assertThat(pending).isEqualTo("*3\r\n"
        + "*4\r\n$3\r\n1-0\r\n$2\r\nc2\r\n:0\r\n:2\r\n"
        + "*4\r\n$3\r\n2-0\r\n$2\r\nc2\r\n:0\r\n:2\r\n"
        + "*4\r\n$3\r\n3-0\r\n$2\r\nc2\r\n:0\r\n:1\r\n");
    h.nowMs += 60;
    // the same consumer claims its own entries again: deliveries go on counting
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "CLAIM", "50", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("1-0", "v1", 60, 2)));
  }

  @Test
  void thresholdCountAndNothingToServe() {
    setup(3);
    call("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "100", "STREAMS", "s", ">")).isEqualTo("*-1\r\n");
    h.nowMs += 100;
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "CLAIM", "50", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("1-0", "v1", 100, 1), entry("2-0", "v2", 100, 1)));
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "9223372036854775807", "STREAMS", "s", ">"))
        .isEqualTo("*-1\r\n");
    // CLAIM is ignored when reading a consumer's own history
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "0", "STREAMS", "s", "0"))
        .startsWith("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0");
    // entries trimmed away are not claimable
    call("XTRIM", "s", "MAXLEN", "0");
    h.nowMs += 100;
    assertThat(call("XREADGROUP", "GROUP", "g", "c3", "CLAIM", "50", "STREAMS", "s", ">")).isEqualTo("*-1\r\n");
  }

  @Test
  void newEntriesOnlyCarryZeroes() {
    setup(2);
    assertThat(call("XREADGROUP", "GROUP", "g", "c1", "CLAIM", "100", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("1-0", "v1", 0, 0), entry("2-0", "v2", 0, 0)));
  }

  @Test
  void noAckKeepsClaimedEntriesPendingAndAddsNoNewOnes() {
    setup(2);
    call("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">");
    h.nowMs += 100;
    assertThat(call("XREADGROUP", "GROUP", "g", "c1", "NOACK", "CLAIM", "50", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("1-0", "v1", 100, 1), entry("2-0", "v2", 0, 0)));
    assertThat(call("XPENDING", "s", "g")).startsWith("*4\r\n:1\r\n$3\r\n1-0");
  }

  @Test
  void longestIdleIsClaimedFirst() {
    setup(4);
    call("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
    call("XCLAIM", "s", "g", "c1", "0", "3-0", "TIME", Long.toString(h.nowMs - 50_000), "JUSTID");
    call("XCLAIM", "s", "g", "c1", "0", "1-0", "TIME", Long.toString(h.nowMs - 40_000), "JUSTID");
    call("XCLAIM", "s", "g", "c1", "0", "4-0", "TIME", Long.toString(h.nowMs - 30_000), "JUSTID");
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "10000", "STREAMS", "s", ">"))
        .isEqualTo(reply(entry("3-0", "v3", 50_000, 1), entry("1-0", "v1", 40_000, 1), entry("4-0", "v4", 30_000, 1)));
  }

  @Test
  void errors() {
    setup(1);
    assertThat(call("XREAD", "COUNT", "2", "CLAIM", "10", "STREAMS", "s", "0-0"))
        .isEqualTo("-ERR The CLAIM option is only supported by XREADGROUP. You called XREAD instead.\r\n");
    for (String bad : new String[] {"test", "5.5", "+10", "10e", "-0", "-5.5"}) {
      assertThat(call("XREADGROUP", "GROUP", "g", "c", "CLAIM", bad, "STREAMS", "s", ">"))
          .as(bad).isEqualTo("-ERR min-idle-time is not an integer\r\n");
    }
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "CLAIM", "-10", "STREAMS", "s", ">"))
        .isEqualTo("-ERR min-idle-time must be a positive integer\r\n");
    assertThat(call("XREADGROUP", "GROUP", "g", "c", "CLAIM", "STREAMS", "s", ">"))
        .isEqualTo("-ERR min-idle-time is not an integer\r\n");
    assertThat(call("XREADGROUP", "GROUP", "nogroup", "c", "CLAIM", "5", "STREAMS", "s", ">")).startsWith("-NOGROUP");
  }

  @Test
  void blockedClaimIsServedWhenEntriesBecomeClaimable() {
    setup(1);
    call("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "5000", "CLAIM", "1000", "STREAMS", "s", ">"))
        .isEmpty();
    assertThat(h.session.isBlocked()).isTrue();
    h.nowMs += 500;
    h.engine.cron();
    assertThat(h.conn.take()).isEmpty();
    h.nowMs += 600;
    h.engine.cron(); // idle 1100 >= 1000: the parked read claims it
    assertThat(h.conn.take()).isEqualTo(reply(entry("1-0", "v1", 1100, 1)));
    assertThat(h.session.isBlocked()).isFalse();
    // and a blocked CLAIM read still wakes on a new entry before anything is claimable
    call("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "CLAIM", "100000", "STREAMS", "s", ">");
    TestConnection other = new TestConnection();
    Session writer = h.engine.connect(other);
    h.engine.submit(writer, new byte[][] {"XADD".getBytes(), "s".getBytes(), "2-0".getBytes(), "f".getBytes(),
        "v2".getBytes()});
    assertThat(h.conn.take()).isEqualTo(reply(entry("2-0", "v2", 0, 0)));
  }

  @Test
  void resp3RepliesIntegers() {
    setup(1);
    call("HELLO", "3");
    call("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
    h.nowMs += 10;
    assertThat(call("XREADGROUP", "GROUP", "g", "c2", "CLAIM", "5", "STREAMS", "s", ">"))
        .isEqualTo("%1\r\n$1\r\ns\r\n*1\r\n" + entry("1-0", "v1", 10, 1));
  }
}
