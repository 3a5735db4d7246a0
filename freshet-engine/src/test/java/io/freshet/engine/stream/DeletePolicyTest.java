package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import org.junit.jupiter.api.Test;

/**
 * XDELEX, XACKDEL and the KEEPREF/DELREF/ACKED policy of XADD and XTRIM (Redis 8.2), written
 * from Redis's command documentation and its test suite's cases, at node size 2.
 */
class DeletePolicyTest {
  /** A fresh engine per test (JUnit makes a new instance for each). */
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  private static String ints(long... codes) {
    StringBuilder sb = new StringBuilder("*" + codes.length + "\r\n");
    for (long c : codes) {
      sb.append(':').append(c).append("\r\n");
    }
    return sb.toString();
  }

  /** Two entries, two groups, each group has read both. */
  private void twoGroupsReadBoth() {
    call("DEL", "s");
    call("XADD", "s", "1-0", "f", "v");
    call("XADD", "s", "2-0", "f", "v");
    call("XGROUP", "CREATE", "s", "group1", "0");
    call("XGROUP", "CREATE", "s", "group2", "0");
    call("XREADGROUP", "GROUP", "group1", "consumer1", "STREAMS", "s", ">");
    call("XREADGROUP", "GROUP", "group2", "consumer2", "STREAMS", "s", ">");
  }

  @Test
  void argumentErrors() {
    assertThat(call("XACKDEL", "s")).startsWith("-ERR wrong number of arguments for 'xackdel' command");
    assertThat(call("XDELEX", "s", "IDS", "1")).startsWith("-ERR wrong number of arguments for 'xdelex' command");
    for (String cmd : new String[] {"XDELEX s", "XACKDEL s g"}) {
      String[] head = cmd.split(" ");
      assertThat(call(concat(head, "IDS", "abc", "1-1"))).isEqualTo("-ERR Number of IDs must be a positive integer\r\n");
      assertThat(call(concat(head, "IDS", "0", "1-1"))).isEqualTo("-ERR Number of IDs must be a positive integer\r\n");
      assertThat(call(concat(head, "IDS", "-5", "1-1"))).isEqualTo("-ERR Number of IDs must be a positive integer\r\n");
      assertThat(call(concat(head, "IDS", "3", "1-1", "2-2")))
          .isEqualTo("-ERR The `numids` parameter must match the number of arguments\r\n");
      assertThat(call(concat(head, "IDS", "1", "1-1", "2-2"))).isEqualTo("-ERR syntax error\r\n");
      assertThat(call(concat(head, "KEEPREF", "DELREF", "IDS", "1", "1-1"))).isEqualTo("-ERR syntax error\r\n");
      assertThat(call(concat(head, "DELREF", "ACKED", "IDS", "1", "1-1"))).isEqualTo("-ERR syntax error\r\n");
      assertThat(call(concat(head, "IDS", "1", "bad"))).isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
      // the IDS block may come before the policy
      assertThat(call(concat(head, "IDS", "1", "1-1", "ACKED"))).isEqualTo(ints(-1));
    }
    call("SET", "str", "x");
    assertThat(call("XDELEX", "str", "IDS", "1", "1-1")).startsWith("-WRONGTYPE");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] out = new String[head.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  @Test
  void missingKeyOrGroupAnswersMinusOnePerId() {
    assertThat(call("XACKDEL", "s", "g", "IDS", "2", "1-1", "2-2")).isEqualTo(ints(-1, -1));
    call("XADD", "s", "1-0", "f", "v");
    assertThat(call("XACKDEL", "s", "g", "IDS", "2", "1-1", "2-2")).isEqualTo(ints(-1, -1));
    assertThat(call("XDELEX", "nokey", "IDS", "2", "1-1", "2-2")).isEqualTo(ints(-1, -1));
  }

  @Test
  void xackdelDelrefRemovesEveryReference() {
    twoGroupsReadBoth();
    assertThat(call("XACKDEL", "s", "group1", "DELREF", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(1, 1));
    assertThat(call("XLEN", "s")).isEqualTo(":0\r\n");
    assertThat(call("XPENDING", "s", "group1")).isEqualTo("*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    assertThat(call("XPENDING", "s", "group2")).isEqualTo("*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    assertThat(call("XACKDEL", "s", "group2", "DELREF", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(-1, -1));
  }

  @Test
  void xackdelAckedDeletesOnlyWhatEveryGroupAcknowledged() {
    twoGroupsReadBoth();
    assertThat(call("XACKDEL", "s", "group1", "ACKED", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(2, 2));
    assertThat(call("XLEN", "s")).isEqualTo(":2\r\n");
    assertThat(call("XPENDING", "s", "group1")).startsWith("*4\r\n:0\r\n");
    assertThat(call("XPENDING", "s", "group2")).startsWith("*4\r\n:2\r\n");
    assertThat(call("XACKDEL", "s", "group2", "ACKED", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(1, 1));
    assertThat(call("XLEN", "s")).isEqualTo(":0\r\n");
  }

  @Test
  void xackdelKeeprefLeavesOtherGroupsReferences() {
    twoGroupsReadBoth();
    assertThat(call("XACKDEL", "s", "group1", "KEEPREF", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(1, 1));
    assertThat(call("XLEN", "s")).isEqualTo(":0\r\n");
    assertThat(call("XPENDING", "s", "group2")).startsWith("*4\r\n:2\r\n");
    // acknowledged in group2 although the entries are gone: still 1
    assertThat(call("XACKDEL", "s", "group2", "IDS", "2", "1-0", "2-0")).isEqualTo(ints(1, 1));
    assertThat(call("XPENDING", "s", "group2")).startsWith("*4\r\n:0\r\n");
  }

  @Test
  void xackdelOfAnEntryTheGroupNeverReadDeletesNothing() {
    call("XADD", "s", "1-0", "f", "v");
    call("XGROUP", "CREATE", "s", "g", "0");
    // in the stream but not pending in g: nothing acknowledged, so nothing deleted
    assertThat(call("XACKDEL", "s", "g", "KEEPREF", "IDS", "1", "1-0")).isEqualTo(ints(-1));
    assertThat(call("XLEN", "s")).isEqualTo(":1\r\n");
  }

  @Test
  void xdelexPolicies() {
    twoGroupsReadBoth();
    call("XADD", "s", "3-0", "f", "v");
    assertThat(call("XDELEX", "s", "ACKED", "IDS", "1", "1-0")).isEqualTo(ints(2)); // pending in both groups
    call("XACK", "s", "group1", "1-0");
    call("XACK", "s", "group2", "1-0");
    assertThat(call("XDELEX", "s", "ACKED", "IDS", "2", "1-0", "3-0")).isEqualTo(ints(1, 2)); // 3-0 not yet read
    assertThat(call("XDELEX", "s", "IDS", "2", "2-0", "9-0")).isEqualTo(ints(1, -1)); // KEEPREF by default
    assertThat(call("XPENDING", "s", "group1")).startsWith("*4\r\n:1\r\n$3\r\n2-0");
    // DELREF cleans dangling references even when the entry is already gone
    assertThat(call("XDELEX", "s", "DELREF", "IDS", "1", "2-0")).isEqualTo(ints(-1));
    assertThat(call("XPENDING", "s", "group1")).startsWith("*4\r\n:0\r\n");
    assertThat(call("XPENDING", "s", "group2")).startsWith("*4\r\n:0\r\n");
    assertThat(call("XINFO", "STREAM", "s")).contains("max-deleted-entry-id\r\n$3\r\n2-0");
    // with no consumer group at all, nothing is acknowledged: ACKED keeps everything
    call("XADD", "plain", "1-0", "f", "v");
    assertThat(call("XDELEX", "plain", "ACKED", "IDS", "1", "1-0")).isEqualTo(ints(2));
    // a group created after the acknowledgements can still deliver the entry
    call("XGROUP", "CREATE", "plain", "late", "0");
    assertThat(call("XDELEX", "plain", "ACKED", "IDS", "1", "1-0")).isEqualTo(ints(2));
  }

  @Test
  void trimmingPolicies() {
    for (int i = 1; i <= 6; i++) {
      call("XADD", "t", i + "-0", "f", "v");
    }
    call("XGROUP", "CREATE", "t", "g", "0");
    call("XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "t", ">"); // 1..4 pending, 5..6 unread
    call("XACK", "t", "g", "2-0");
    // ACKED: only 2-0 is unreferenced among the oldest; the scan goes on past 1-0
    assertThat(call("XTRIM", "t", "MAXLEN", "0", "ACKED")).isEqualTo(":1\r\n");
    assertThat(call("XRANGE", "t", "-", "+")).doesNotContain("2-0").contains("1-0", "3-0");
    // DELREF: trims like KEEPREF and drops the references of what it trimmed
    assertThat(call("XTRIM", "t", "MINID", "4-0", "DELREF")).isEqualTo(":2\r\n");
    assertThat(call("XPENDING", "t", "g")).startsWith("*4\r\n:1\r\n$3\r\n4-0");
    // KEEPREF (default) leaves the reference to 4-0 dangling
    assertThat(call("XADD", "t", "KEEPREF", "MAXLEN", "1", "7-0", "f", "v")).isEqualTo("$3\r\n7-0\r\n");
    assertThat(call("XPENDING", "t", "g")).startsWith("*4\r\n:1\r\n$3\r\n4-0");
    assertThat(call("XADD", "t", "ACKED", "DELREF", "8-0", "f", "v")).isEqualTo("-ERR syntax error\r\n");
    assertThat(call("XTRIM", "t", "MAXLEN", "0", "KEEPREF", "ACKED")).isEqualTo("-ERR syntax error\r\n");
  }
}
