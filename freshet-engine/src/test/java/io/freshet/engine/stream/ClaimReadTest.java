package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import org.junit.jupiter.api.Test;

/**
 * XREADGROUP ... CLAIM min-idle-time (Redis 8.4, integers in the reply as 8.4.2), written from
 * the XREADGROUP command documentation as a shipping group whose packer stalls and whose other
 * packers take its orders over. Node size 2 and the harness's manual clock, so idle times are
 * exact.
 */
class ClaimReadTest {
  /** A fresh engine per test (JUnit makes a new instance for each). */
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  private static String bulk(String s) {
    return "$" + s.length() + "\r\n" + s + "\r\n";
  }

  /** The order entry's ID and fields, as any read replies it. */
  private static String fields(String id) {
    return bulk(id) + "*2\r\n" + bulk("order") + bulk(label(id));
  }

  /** An order's label, derived from its ID so replies can be built from IDs alone. */
  private static String label(String id) {
    return "C-" + id.substring(2, 4);
  }

  /** One entry of a CLAIM reply: ID, fields, idle ms, deliveries before this one. */
  private static String claimed(String id, long idleMs, long deliveries) {
    return "*4\r\n" + fields(id) + ":" + idleMs + "\r\n:" + deliveries + "\r\n";
  }

  /** A one-stream XREADGROUP reply on {@code orders} (RESP2). */
  private static String reply(String... entries) {
    return "*1\r\n*2\r\n" + bulk("orders") + "*" + entries.length + "\r\n" + String.join("", entries);
  }

  /** Orders 7001-0, 7002-0, ... and the shipping group, which has read none of them. */
  private void orders(int count) {
    for (int i = 1; i <= count; i++) {
      String id = "700" + i + "-0";
      call("XADD", "orders", id, "order", label(id));
    }
    call("XGROUP", "CREATE", "orders", "shipping", "0");
  }

  @Test
  void aRescuerTakesTheStalledPackersOrdersFirstThenNewOnes() {
    orders(3);
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "COUNT", "2", "STREAMS", "orders", ">");
    h.nowMs += 250; // packer-1 has stalled
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "200", "STREAMS", "orders", ">"))
        .isEqualTo(reply(claimed("7001-0", 250, 1), claimed("7002-0", 250, 1), claimed("7003-0", 0, 0)));
    assertThat(call("XPENDING", "orders", "shipping", "-", "+", "10")).isEqualTo("*3\r\n"
        + "*4\r\n" + bulk("7001-0") + bulk("packer-2") + ":0\r\n:2\r\n"
        + "*4\r\n" + bulk("7002-0") + bulk("packer-2") + ":0\r\n:2\r\n"
        + "*4\r\n" + bulk("7003-0") + bulk("packer-2") + ":0\r\n:1\r\n");
    h.nowMs += 90;
    // packer-2 stalls on them too and takes its own orders again: the count goes on
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "COUNT", "1", "CLAIM", "80", "STREAMS", "orders",
        ">")).isEqualTo(reply(claimed("7001-0", 90, 2)));
  }

  @Test
  void onlyOrdersIdleLongEnoughAreTakenAndCountCapsThem() {
    orders(3);
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "STREAMS", "orders", ">");
    // just delivered and nothing new: no reply
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "500", "STREAMS", "orders", ">"))
        .isEqualTo("*-1\r\n");
    h.nowMs += 500;
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "COUNT", "2", "CLAIM", "300", "STREAMS", "orders",
        ">")).isEqualTo(reply(claimed("7001-0", 500, 1), claimed("7002-0", 500, 1)));
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "9223372036854775807", "STREAMS",
        "orders", ">")).isEqualTo("*-1\r\n");
    // reading its own history, a packer gets plain entries: CLAIM does not apply
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "0", "STREAMS", "orders", "0"))
        .isEqualTo(reply("*2\r\n" + fields("7001-0"), "*2\r\n" + fields("7002-0")));
    // orders trimmed away cannot be taken over
    call("XTRIM", "orders", "MAXLEN", "0");
    h.nowMs += 500;
    assertThat(call("XREADGROUP", "GROUP", "shipping", "retry-worker", "CLAIM", "100", "STREAMS", "orders", ">"))
        .isEqualTo("*-1\r\n");
  }

  @Test
  void ordersNeverDeliveredCarryZeroIdleAndZeroDeliveries() {
    orders(2);
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-1", "CLAIM", "1000", "STREAMS", "orders", ">"))
        .isEqualTo(reply(claimed("7001-0", 0, 0), claimed("7002-0", 0, 0)));
  }

  @Test
  void noackKeepsTakenOrdersPendingAndLeavesNewOnesOut() {
    orders(2);
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "COUNT", "1", "STREAMS", "orders", ">");
    h.nowMs += 300;
    assertThat(call("XREADGROUP", "GROUP", "shipping", "retry-worker", "NOACK", "CLAIM", "100", "STREAMS", "orders",
        ">")).isEqualTo(reply(claimed("7001-0", 300, 1), claimed("7002-0", 0, 0)));
    // 7001 changed hands and is still pending; 7002 was read without acknowledgement tracking
    assertThat(call("XPENDING", "orders", "shipping")).isEqualTo(
        "*4\r\n:1\r\n" + bulk("7001-0") + bulk("7001-0") + "*1\r\n*2\r\n" + bulk("retry-worker") + bulk("1"));
  }

  @Test
  void theLongestIdleOrderIsTakenFirstWhateverItsId() {
    orders(4);
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "STREAMS", "orders", ">");
    // delivery times set by hand: 7002 the oldest, then 7004, then 7001; 7003 was just delivered
    call("XCLAIM", "orders", "shipping", "packer-1", "0", "7002-0", "TIME", Long.toString(h.nowMs - 80_000), "JUSTID");
    call("XCLAIM", "orders", "shipping", "packer-1", "0", "7004-0", "TIME", Long.toString(h.nowMs - 60_000), "JUSTID");
    call("XCLAIM", "orders", "shipping", "packer-1", "0", "7001-0", "TIME", Long.toString(h.nowMs - 20_000), "JUSTID");
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "15000", "STREAMS", "orders", ">"))
        .isEqualTo(reply(claimed("7002-0", 80_000, 1), claimed("7004-0", 60_000, 1), claimed("7001-0", 20_000, 1)));
  }

  @Test
  void malformedClaimsAreRefused() {
    orders(1);
    assertThat(call("XREAD", "CLAIM", "30", "COUNT", "5", "STREAMS", "orders", "0"))
        .isEqualTo("-ERR The CLAIM option is only supported by XREADGROUP. You called XREAD instead.\r\n");
    for (String bad : new String[] {"soon", "2.5", "+30", "30e", "-0", "-2.5", "STREAMS"}) {
      String[] argv = bad.equals("STREAMS")
          ? new String[] {"XREADGROUP", "GROUP", "shipping", "packer-1", "CLAIM", "STREAMS", "orders", ">"}
          : new String[] {"XREADGROUP", "GROUP", "shipping", "packer-1", "CLAIM", bad, "STREAMS", "orders", ">"};
      assertThat(call(argv)).as(bad).isEqualTo("-ERR min-idle-time is not an integer\r\n");
    }
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-1", "CLAIM", "-30", "STREAMS", "orders", ">"))
        .isEqualTo("-ERR min-idle-time must be a positive integer\r\n");
    assertThat(call("XREADGROUP", "GROUP", "returns", "packer-1", "CLAIM", "30", "STREAMS", "orders", ">"))
        .startsWith("-NOGROUP");
    // nothing was delivered by any of them
    assertThat(call("XPENDING", "orders", "shipping")).startsWith("*4\r\n:0\r\n");
  }

  @Test
  void aWaitingRescuerIsServedOnceAnOrderHasBeenIdleLongEnough() {
    orders(1);
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "STREAMS", "orders", ">");
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "BLOCK", "5000", "CLAIM", "2000", "STREAMS",
        "orders", ">")).isEmpty();
    assertThat(h.session.isBlocked()).isTrue();
    h.nowMs += 1200;
    h.engine.cron();
    assertThat(h.conn.take()).isEmpty();
    h.nowMs += 900;
    h.engine.cron(); // idle 2100 >= 2000: the parked read takes it
    assertThat(h.conn.take()).isEqualTo(reply(claimed("7001-0", 2100, 1)));
    assertThat(h.session.isBlocked()).isFalse();
    // before anything is idle enough, a new order wakes the waiting read too
    call("XREADGROUP", "GROUP", "shipping", "packer-2", "BLOCK", "0", "CLAIM", "100000", "STREAMS", "orders", ">");
    TestConnection checkoutConn = new TestConnection();
    Session checkout = h.engine.connect(checkoutConn);
    h.call(checkout, checkoutConn, "XADD", "orders", "7002-0", "order", label("7002-0"));
    assertThat(h.conn.take()).isEqualTo(reply(claimed("7002-0", 0, 0)));
  }

  @Test
  void resp3RepliesAMapWithIntegerIdleAndCount() {
    orders(1);
    call("HELLO", "3");
    call("XREADGROUP", "GROUP", "shipping", "packer-1", "STREAMS", "orders", ">");
    h.nowMs += 40;
    assertThat(call("XREADGROUP", "GROUP", "shipping", "packer-2", "CLAIM", "25", "STREAMS", "orders", ">"))
        .isEqualTo("%1\r\n" + bulk("orders") + "*1\r\n" + claimed("7001-0", 40, 1));
  }
}
