package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * XDELEX, XACKDEL and the KEEPREF/DELREF/ACKED policies of XADD and XTRIM (Redis 8.2), written
 * from the command documentation (redis.io XDELEX, XACKDEL, XADD, XTRIM) as an order pipeline:
 * the {@code orders} stream is read by a {@code billing} and a {@code shipping} group. Node
 * size 2, so three orders already span two nodes.
 */
class DeletePolicyTest {
  /** A fresh engine per test (JUnit makes a new instance for each). */
  private final EngineHarness h = new EngineHarness();

  private static final String NO_PENDING = "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n";

  private String call(String... args) {
    return h.call(args);
  }

  /** The per-ID array reply of XDELEX and XACKDEL. */
  private static String codes(long... codes) {
    StringBuilder sb = new StringBuilder("*" + codes.length + "\r\n");
    for (long c : codes) {
      sb.append(':').append(c).append("\r\n");
    }
    return sb.toString();
  }

  /** XPENDING's summary for a group whose pending entries all belong to one consumer. */
  private static String pendingSummary(long count, String first, String last, String consumer) {
    return "*4\r\n:" + count + "\r\n$" + first.length() + "\r\n" + first + "\r\n$" + last.length() + "\r\n" + last
        + "\r\n*1\r\n*2\r\n$" + consumer.length() + "\r\n" + consumer + "\r\n$" + Long.toString(count).length()
        + "\r\n" + count + "\r\n";
  }

  /** The entry IDs of an XRANGE reply, in order. */
  private List<String> orderIds(String key) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\*2\r\n\\$\\d+\r\n(\\d+-\\d+)\r\n").matcher(call("XRANGE", key, "-", "+"));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Three orders (two nodes) delivered to both the billing and the shipping group. */
  private void threeOrdersSeenByBillingAndShipping() {
    call("XADD", "orders", "5000-1", "order", "A-17", "total", "12.50");
    call("XADD", "orders", "5000-2", "order", "A-18", "total", "7.00");
    call("XADD", "orders", "5001-0", "order", "A-19", "total", "31.99");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    call("XGROUP", "CREATE", "orders", "shipping", "0");
    call("XREADGROUP", "GROUP", "billing", "invoicer", "STREAMS", "orders", ">");
    call("XREADGROUP", "GROUP", "shipping", "packer", "STREAMS", "orders", ">");
  }

  @Test
  void malformedDeletionsAreRefusedWithRedisErrors() {
    call("XADD", "orders", "5000-1", "order", "A-17");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    assertThat(call("XDELEX", "orders", "IDS", "1")).startsWith("-ERR wrong number of arguments for 'xdelex' command");
    assertThat(call("XACKDEL", "orders")).startsWith("-ERR wrong number of arguments for 'xackdel' command");
    for (String[] head : new String[][] {{"XACKDEL", "orders", "billing"}, {"XDELEX", "orders"}}) {
      // the count must cover exactly the IDs that follow it
      assertThat(call(with(head, "IDS", "2", "5000-1")))
          .isEqualTo("-ERR The `numids` parameter must match the number of arguments\r\n");
      assertThat(call(with(head, "IDS", "1", "5000-1", "5000-2"))).isEqualTo("-ERR syntax error\r\n");
      for (String count : new String[] {"-2", "0", "one"}) {
        assertThat(call(with(head, "IDS", count, "5000-1"))).as(count)
            .isEqualTo("-ERR Number of IDs must be a positive integer\r\n");
      }
      // one policy at most
      assertThat(call(with(head, "ACKED", "DELREF", "IDS", "1", "5000-1"))).isEqualTo("-ERR syntax error\r\n");
      assertThat(call(with(head, "DELREF", "KEEPREF", "IDS", "1", "5000-1"))).isEqualTo("-ERR syntax error\r\n");
      assertThat(call(with(head, "IDS", "1", "A-17")))
          .isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
      // the policy may also follow the IDS block; billing has nothing pending and 5000-1 is unread
      assertThat(call(with(head, "IDS", "1", "5000-1", "ACKED"))).isEqualTo(codes(head.length == 3 ? -1 : 2));
    }
    assertThat(orderIds("orders")).containsExactly("5000-1");
    call("SET", "order:A-17", "paid");
    assertThat(call("XDELEX", "order:A-17", "IDS", "1", "5000-1")).startsWith("-WRONGTYPE");
  }

  private static String[] with(String[] head, String... tail) {
    String[] out = new String[head.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  @Test
  void anUnknownStreamOrGroupAnswersMinusOneForEveryId() {
    assertThat(call("XDELEX", "returns", "IDS", "3", "5000-1", "5000-2", "5001-0")).isEqualTo(codes(-1, -1, -1));
    assertThat(call("XACKDEL", "returns", "billing", "IDS", "1", "5000-1")).isEqualTo(codes(-1));
    call("XADD", "orders", "5000-1", "order", "A-17");
    // the stream is there, the audit group is not
    assertThat(call("XACKDEL", "orders", "audit", "IDS", "2", "5000-1", "5000-2")).isEqualTo(codes(-1, -1));
    assertThat(orderIds("orders")).containsExactly("5000-1");
  }

  @Test
  void delrefDeletesTheOrderAndEveryGroupsReferenceToIt() {
    threeOrdersSeenByBillingAndShipping();
    // billing settles; shipping must not be left holding them
    assertThat(call("XACKDEL", "orders", "billing", "DELREF", "IDS", "2", "5001-0", "5000-1")).isEqualTo(codes(1, 1));
    assertThat(orderIds("orders")).containsExactly("5000-2");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(pendingSummary(1, "5000-2", "5000-2", "invoicer"));
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(pendingSummary(1, "5000-2", "5000-2", "packer"));
    // shipping no longer has them pending: nothing to acknowledge
    assertThat(call("XACKDEL", "orders", "shipping", "DELREF", "IDS", "2", "5000-1", "5001-0")).isEqualTo(codes(-1, -1));
    assertThat(call("XACKDEL", "orders", "billing", "DELREF", "IDS", "1", "5000-2")).isEqualTo(codes(1));
    assertThat(call("XLEN", "orders")).isEqualTo(":0\r\n");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(NO_PENDING);
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(NO_PENDING);
  }

  @Test
  void ackedDeletesAnOrderOnlyOnceEveryGroupIsDoneWithIt() {
    threeOrdersSeenByBillingAndShipping();
    // billing is done with all three, shipping still needs them: acknowledged, not deleted (2)
    assertThat(call("XACKDEL", "orders", "billing", "ACKED", "IDS", "3", "5000-1", "5000-2", "5001-0"))
        .isEqualTo(codes(2, 2, 2));
    assertThat(call("XLEN", "orders")).isEqualTo(":3\r\n");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(NO_PENDING);
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(pendingSummary(3, "5000-1", "5001-0", "packer"));
    // shipping ships: now nobody needs them
    assertThat(call("XACKDEL", "orders", "shipping", "ACKED", "IDS", "2", "5001-0", "5000-1")).isEqualTo(codes(1, 1));
    assertThat(orderIds("orders")).containsExactly("5000-2");
    assertThat(call("XACKDEL", "orders", "shipping", "ACKED", "IDS", "1", "5000-2")).isEqualTo(codes(1));
    assertThat(call("XLEN", "orders")).isEqualTo(":0\r\n");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(NO_PENDING);
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(NO_PENDING);
  }

  @Test
  void keeprefDeletesTheOrderButLeavesShippingsReferences() {
    threeOrdersSeenByBillingAndShipping();
    assertThat(call("XACKDEL", "orders", "billing", "KEEPREF", "IDS", "3", "5000-2", "5000-1", "5001-0"))
        .isEqualTo(codes(1, 1, 1));
    assertThat(call("XLEN", "orders")).isEqualTo(":0\r\n");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(NO_PENDING);
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(pendingSummary(3, "5000-1", "5001-0", "packer"));
    // shipping acknowledges what it still had pending, though the orders are gone: still 1
    assertThat(call("XACKDEL", "orders", "shipping", "IDS", "2", "5001-0", "5000-1")).isEqualTo(codes(1, 1));
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(pendingSummary(1, "5000-2", "5000-2", "packer"));
  }

  @Test
  void anOrderTheGroupNeverReadIsNeitherAcknowledgedNorDeleted() {
    call("XADD", "orders", "5000-1", "order", "A-17");
    call("XADD", "orders", "5000-2", "order", "A-18");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    call("XREADGROUP", "GROUP", "billing", "invoicer", "COUNT", "1", "STREAMS", "orders", ">");
    // A-18 exists but billing has not been handed it: the acknowledgement is what allows the deletion
    assertThat(call("XACKDEL", "orders", "billing", "KEEPREF", "IDS", "2", "5000-2", "5000-1")).isEqualTo(codes(-1, 1));
    assertThat(orderIds("orders")).containsExactly("5000-2");
  }

  @Test
  void xdelexDeletesByPolicyWithoutAcknowledging() {
    // an audit log nobody consumes: under ACKED nothing counts as done with it
    call("XADD", "audit", "4000-0", "event", "login");
    assertThat(call("XDELEX", "audit", "ACKED", "IDS", "1", "4000-0")).isEqualTo(codes(2));
    // a group created later (at 0) may still deliver it
    call("XGROUP", "CREATE", "audit", "archiver", "0");
    assertThat(call("XDELEX", "audit", "ACKED", "IDS", "1", "4000-0")).isEqualTo(codes(2));
    assertThat(call("XLEN", "audit")).isEqualTo(":1\r\n");

    call("XADD", "orders", "5000-1", "order", "A-17");
    call("XADD", "orders", "5000-2", "order", "A-18");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    call("XGROUP", "CREATE", "orders", "shipping", "0");
    call("XREADGROUP", "GROUP", "billing", "invoicer", "STREAMS", "orders", ">");
    call("XREADGROUP", "GROUP", "shipping", "packer", "STREAMS", "orders", ">");
    call("XADD", "orders", "5001-0", "order", "A-19"); // nobody has read it yet
    assertThat(call("XDELEX", "orders", "ACKED", "IDS", "1", "5000-1")).isEqualTo(codes(2));
    assertThat(call("XACK", "orders", "shipping", "5000-1")).isEqualTo(":1\r\n");
    assertThat(call("XDELEX", "orders", "ACKED", "IDS", "1", "5000-1")).isEqualTo(codes(2)); // billing still has it
    assertThat(call("XACK", "orders", "billing", "5000-1")).isEqualTo(":1\r\n");
    assertThat(call("XDELEX", "orders", "ACKED", "IDS", "2", "5001-0", "5000-1")).isEqualTo(codes(2, 1));
    // KEEPREF by default: A-18 goes, both groups keep a reference to it; an unknown ID answers -1
    assertThat(call("XDELEX", "orders", "IDS", "2", "5009-9", "5000-2")).isEqualTo(codes(-1, 1));
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(pendingSummary(1, "5000-2", "5000-2", "invoicer"));
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(pendingSummary(1, "5000-2", "5000-2", "packer"));
    // DELREF of an order already gone: -1, but the dangling references are cleaned up
    assertThat(call("XDELEX", "orders", "DELREF", "IDS", "1", "5000-2")).isEqualTo(codes(-1));
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(NO_PENDING);
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(NO_PENDING);
    assertThat(orderIds("orders")).containsExactly("5001-0");
    assertThat(call("XINFO", "STREAM", "orders")).contains("$20\r\nmax-deleted-entry-id\r\n$6\r\n5000-2\r\n");
  }

  @Test
  void trimmingPoliciesOnXtrimAndXadd() {
    for (int i = 1; i <= 6; i++) {
      call("XADD", "orders", "600" + i + "-0", "order", "B-" + i);
    }
    call("XGROUP", "CREATE", "orders", "billing", "0");
    // 6001..6004 handed to billing, 6005 and 6006 not yet read; billing settles 6002
    call("XREADGROUP", "GROUP", "billing", "invoicer", "COUNT", "4", "STREAMS", "orders", ">");
    call("XACK", "orders", "billing", "6002-0");
    // ACKED: of the oldest, only 6002 is unreferenced; the trim looks past the pending 6001
    assertThat(call("XTRIM", "orders", "MAXLEN", "0", "ACKED")).isEqualTo(":1\r\n");
    assertThat(orderIds("orders")).containsExactly("6001-0", "6003-0", "6004-0", "6005-0", "6006-0");
    // DELREF: trims as KEEPREF would and drops billing's references to what went
    assertThat(call("XTRIM", "orders", "MINID", "6004-0", "DELREF")).isEqualTo(":2\r\n");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(pendingSummary(1, "6004-0", "6004-0", "invoicer"));
    // KEEPREF on XADD: 6004 is trimmed away and billing keeps a reference to it
    assertThat(call("XADD", "orders", "KEEPREF", "MAXLEN", "1", "6007-0", "order", "B-7")).isEqualTo("$6\r\n6007-0\r\n");
    assertThat(orderIds("orders")).containsExactly("6007-0");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(pendingSummary(1, "6004-0", "6004-0", "invoicer"));
    // one policy per command
    assertThat(call("XADD", "orders", "DELREF", "ACKED", "6008-0", "order", "B-8")).isEqualTo("-ERR syntax error\r\n");
    assertThat(call("XTRIM", "orders", "MAXLEN", "0", "ACKED", "KEEPREF")).isEqualTo("-ERR syntax error\r\n");
    assertThat(orderIds("orders")).containsExactly("6007-0");
  }
}
