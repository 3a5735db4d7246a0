package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * XNACK (Redis 8.8): modes, RETRYCOUNT, FORCE, the NACK zone's order, and how XPENDING, XCLAIM,
 * XAUTOCLAIM, XREADGROUP (CLAIM and history), XACK, XACKDEL, XGROUP and XINFO treat NACKed
 * entries. Written from the XNACK command documentation as a billing group whose chargers give
 * orders back (a failed card, a shutdown, a poison order) to a retry worker; node size 2 with
 * the harness's manual clock.
 */
class NackTest {
  private static final String MAX = "9223372036854775807";
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** Orders 9001-0, 9002-0, ... in a fresh stream with a billing group that has read none. */
  private void orders(int count) {
    call("DEL", "orders");
    for (int i = 1; i <= count; i++) {
      call("XADD", "orders", "900" + i + "-0", "order", "D-0" + i);
    }
    call("XGROUP", "CREATE", "orders", "billing", "0");
  }

  private String xnack(String args) {
    List<String> argv = new ArrayList<>(List.of("XNACK", "orders", "billing"));
    argv.addAll(List.of(args.split(" ")));
    return call(argv.toArray(new String[0]));
  }

  /**
   * Billing's pending orders as "id consumer idle deliveries" lines; a NACKed order shows as
   * owner {} with its idle time (-1), an owned one's idle time is masked as *.
   */
  private List<String> pending(String... consumer) {
    List<String> argv = new ArrayList<>(List.of("XPENDING", "orders", "billing", "-", "+", "50"));
    argv.addAll(List.of(consumer));
    Matcher m = Pattern.compile("\\*4\r\n\\$\\d+\r\n([^\r]+)\r\n\\$\\d+\r\n([^\r]*)\r\n:(-?\\d+)\r\n:(-?\\d+)\r\n")
        .matcher(call(argv.toArray(new String[0])));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      boolean nacked = m.group(2).isEmpty();
      out.add(m.group(1) + " " + (nacked ? "{}" : m.group(2)) + " " + (nacked ? m.group(3) : "*") + " " + m.group(4));
    }
    return out;
  }

  /** The IDs of the entries (with fields) in a read or claim reply. */
  private static List<String> ids(String reply) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\$\\d+\r\n(\\d+-\\d+)\r\n\\*2\r\n\\$5\r\norder\r\n").matcher(reply);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** An integer of billing's entry in XINFO STREAM FULL. */
  private long billing(String field) {
    Matcher m = Pattern.compile("\\$" + field.length() + "\r\n" + field + "\r\n:(\\d+)\r\n")
        .matcher(call("XINFO", "STREAM", "orders", "FULL"));
    assertThat(m.find()).as(field).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void malformedNacksAreRefusedAndChangeNothing() {
    for (String[] tooShort : new String[][] {{"XNACK"}, {"XNACK", "orders"}, {"XNACK", "orders", "billing"},
        {"XNACK", "orders", "billing", "FAIL"}, {"XNACK", "orders", "billing", "FAIL", "IDS"},
        {"XNACK", "orders", "billing", "FAIL", "IDS", "1"}, {"XNACK", "orders", "billing", "SILENT", "RETRYCOUNT"}}) {
      assertThat(call(tooShort)).as(String.join(" ", tooShort))
          .isEqualTo("-ERR wrong number of arguments for 'xnack' command\r\n");
    }
    assertThat(call("XNACK", "refunds", "billing", "FAIL", "IDS", "1", "9001-0"))
        .isEqualTo("-NOGROUP No such key 'refunds' or consumer group 'billing'\r\n");
    call("XADD", "orders", "9001-0", "order", "D-01");
    assertThat(call("XNACK", "orders", "billing", "FAIL", "IDS", "1", "9001-0")).startsWith("-NOGROUP");
    call("SET", "order:D-01", "paid");
    assertThat(call("XNACK", "order:D-01", "billing", "SILENT", "IDS", "1", "9001-0")).startsWith("-WRONGTYPE");

    call("XADD", "orders", "9002-0", "order", "D-02");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    for (String args : new String[] {"SILENT LATER IDS 1 9001-0", "FAIL IDS 1 9001-0 LATER",
        "FATAL FORCE LATER IDS 1 9001-0", "FAIL IDS 1 9001-0 RETRYCOUNT 3 LATER", "SILENT IDS 1 9001-0 FORCE LATER"}) {
      assertThat(xnack(args)).as(args).isEqualTo("-ERR Unrecognized XNACK option 'LATER'\r\n");
    }
    // a second mode, a misspelt IDS, RETRYCOUNT without its value, more IDs than numids
    for (String args : new String[] {"SILENT FAIL IDS 1 9001-0", "FAIL ID 1 9001-0", "FATAL IDS 1 9001-0 RETRYCOUNT",
        "FAIL IDS 1 9001-0 9002-0"}) {
      assertThat(xnack(args)).as(args).startsWith("-ERR Unrecognized XNACK option '");
    }
    assertThat(xnack("RETRY IDS 1 9001-0")).isEqualTo("-ERR mode must be SILENT, FAIL, or FATAL\r\n");
    assertThat(xnack("FAIL RETRYCOUNT 2 FORCE")).isEqualTo("-ERR syntax error, expected IDS keyword\r\n");
    for (String count : new String[] {"-3", "0", "two"}) {
      assertThat(xnack("FAIL IDS " + count + " 9001-0")).as(count)
          .isEqualTo("-ERR numids must be a positive integer\r\n");
    }
    assertThat(xnack("FAIL IDS 3 9001-0")).isEqualTo("-ERR number of IDs doesn't match numids\r\n");
    assertThat(xnack("FATAL IDS 1 D-01")).startsWith("-ERR Invalid stream ID");
    for (String count : new String[] {"lots", "99999999999999999999"}) {
      assertThat(xnack("FAIL IDS 1 9001-0 RETRYCOUNT " + count)).as(count)
          .isEqualTo("-ERR value is not an integer or out of range\r\n");
    }
    assertThat(xnack("SILENT RETRYCOUNT -2 IDS 1 9001-0")).isEqualTo("-ERR Invalid RETRYCOUNT value, must be >= 0\r\n");
    assertThat(pending()).containsExactly("9001-0 charger-1 * 1", "9002-0 charger-1 * 1");
  }

  @Test
  void eachModeSetsTheDeliveryCountItsOwnWay() {
    orders(1);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    // the card was declined: FAIL keeps the count
    assertThat(xnack("FAIL IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1");
    call("XCLAIM", "orders", "billing", "retry-worker", "0", "9001-0");
    assertThat(pending()).containsExactly("9001-0 retry-worker * 2");
    // the retry worker shuts down before charging: SILENT takes its delivery back
    assertThat(xnack("SILENT IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1");
    // SILENT does not go below zero
    call("XCLAIM", "orders", "billing", "charger-2", "0", "9001-0", "RETRYCOUNT", "0");
    assertThat(xnack("SILENT IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 0");
    // FAIL and FATAL also apply to an order already NACKed
    assertThat(xnack("FAIL IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 0");
    assertThat(xnack("FATAL IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 " + MAX);
    // taking a poison order over does not wrap its count around
    call("XCLAIM", "orders", "billing", "retry-worker", "0", "9001-0");
    assertThat(pending()).containsExactly("9001-0 retry-worker * " + MAX);
    // RETRYCOUNT, before or after the IDs, overrides every mode
    assertThat(xnack("FATAL IDS 1 9001-0 RETRYCOUNT 5")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 5");
    assertThat(xnack("SILENT RETRYCOUNT 12 IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 12");
  }

  @Test
  void aNackedOrderLeavesItsChargerButStaysPending() {
    orders(3);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "COUNT", "2", "STREAMS", "orders", ">");
    call("XREADGROUP", "GROUP", "billing", "charger-2", "STREAMS", "orders", ">");
    assertThat(xnack("FAIL IDS 1 9003-0")).isEqualTo(":1\r\n");
    assertThat(xnack("FAIL IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 charger-1 * 1", "9003-0 {} -1 1");
    assertThat(pending("charger-1")).containsExactly("9002-0 charger-1 * 1");
    assertThat(pending("charger-2")).isEmpty();
    // the summary counts every pending order; its consumer list only owned ones
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo(
        "*4\r\n:3\r\n$6\r\n9001-0\r\n$6\r\n9003-0\r\n*1\r\n*2\r\n$9\r\ncharger-1\r\n$1\r\n1\r\n");
    assertThat(call("XINFO", "GROUPS", "orders")).contains("$9\r\nconsumers\r\n:2\r\n", "$7\r\npending\r\n:3\r\n");
    assertThat(call("XINFO", "CONSUMERS", "orders", "billing")).contains("$9\r\ncharger-2\r\n$7\r\npending\r\n:0\r\n");
    // charger-1 reading its own history no longer gets 9001
    assertThat(ids(call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", "0")))
        .containsExactly("9002-0");
  }

  @Test
  void theReplyCountsTheOrdersReleased() {
    orders(3);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    assertThat(xnack("SILENT IDS 1 9007-0")).isEqualTo(":0\r\n");
    assertThat(xnack("FAIL IDS 3 9003-0 9001-0 9002-0")).isEqualTo(":3\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 {} -1 1", "9003-0 {} -1 1");
    call("XCLAIM", "orders", "billing", "charger-1", "0", "9001-0", "9002-0", "9003-0");
    // unknown IDs among known ones count nothing
    assertThat(xnack("SILENT IDS 5 9008-0 9002-0 9003-0 9009-0 9001-0")).isEqualTo(":3\r\n");
    call("XCLAIM", "orders", "billing", "charger-1", "0", "9002-0");
    // the same ID twice counts twice: owned the first time, already NACKed the second
    assertThat(xnack("FAIL IDS 2 9002-0 9002-0")).isEqualTo(":2\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 {} -1 2", "9003-0 {} -1 1");
    call("XACK", "orders", "billing", "9001-0", "9002-0", "9003-0");
    assertThat(xnack("FAIL IDS 1 9002-0")).isEqualTo(":0\r\n");
  }

  @Test
  void forceNacksAnOrderNobodyWasHanded() {
    orders(3);
    // the order cannot be charged at all: flag it for the retry worker without reading it
    assertThat(xnack("FAIL IDS 1 9002-0 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9002-0 {} -1 0");
    assertThat(ids(call("XCLAIM", "orders", "billing", "retry-worker", "0", "9002-0"))).containsExactly("9002-0");
    assertThat(xnack("FAIL IDS 1 9005-0 FORCE")).isEqualTo(":0\r\n"); // not in the stream
    call("XACK", "orders", "billing", "9002-0");
    assertThat(xnack("FATAL FORCE IDS 1 9002-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9002-0 {} -1 " + MAX);
    call("XACK", "orders", "billing", "9002-0");
    assertThat(xnack("SILENT IDS 2 9003-0 9001-0 FORCE")).isEqualTo(":2\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 0", "9003-0 {} -1 0");
    call("XACK", "orders", "billing", "9001-0", "9003-0");
    assertThat(xnack("FATAL IDS 1 9003-0 FORCE RETRYCOUNT 4")).isEqualTo(":1\r\n");
    assertThat(xnack("FAIL FORCE RETRYCOUNT 9 IDS 1 9001-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 9", "9003-0 {} -1 4");
    call("XACK", "orders", "billing", "9001-0", "9003-0");
    // on owned orders FORCE adds nothing; on NACKed ones it makes no second entry
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    assertThat(xnack("FAIL IDS 3 9001-0 9002-0 9003-0 FORCE")).isEqualTo(":3\r\n");
    assertThat(xnack("FAIL IDS 1 9003-0 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 {} -1 1", "9003-0 {} -1 1");
    // nothing to force in an empty stream
    call("DEL", "orders");
    call("XGROUP", "CREATE", "orders", "billing", "$", "MKSTREAM");
    assertThat(xnack("FAIL IDS 1 9001-0 FORCE")).isEqualTo(":0\r\n");
  }

  @Test
  void retriesTakeNackedOrdersFirstInTheOrderTheyWereNacked() {
    orders(4);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 1 9004-0");
    xnack("FAIL IDS 1 9002-0");
    assertThat(billing("nacked-count")).isEqualTo(2);
    assertThat(billing("pel-count")).isEqualTo(4);
    // XINFO STREAM FULL lists the PEL by ID: NACKed orders without owner and delivery time 0
    assertThat(call("XINFO", "STREAM", "orders", "FULL")).contains(
        "*4\r\n$6\r\n9002-0\r\n$0\r\n\r\n:0\r\n:1\r\n", "*4\r\n$6\r\n9004-0\r\n$0\r\n\r\n:0\r\n:1\r\n");
    h.nowMs += 20;
    // NACKed again, 9004 goes to the back: 9002 first, then 9004
    xnack("FAIL IDS 1 9004-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "billing", "retry-worker", "COUNT", "1", "CLAIM", "10", "STREAMS",
        "orders", ">"))).containsExactly("9002-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "billing", "retry-worker", "COUNT", "1", "CLAIM", "10", "STREAMS",
        "orders", ">"))).containsExactly("9004-0");
    // owned orders then wait their idle time; NACKed ones do not
    xnack("FAIL IDS 1 9003-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "billing", "charger-2", "CLAIM", "60000", "STREAMS", "orders", ">")))
        .containsExactly("9003-0");
    assertThat(billing("nacked-count")).isZero();
    assertThat(pending("charger-2")).containsExactly("9003-0 charger-2 * 2");
  }

  @Test
  void xclaimAndXautoclaimTakeNackedOrdersWhateverTheMinIdleTime() {
    orders(2);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 1 9002-0");
    assertThat(ids(call("XCLAIM", "orders", "billing", "charger-2", "600000", "9002-0", "9001-0")))
        .containsExactly("9002-0");
    assertThat(pending("charger-2")).containsExactly("9002-0 charger-2 * 2");
    xnack("FAIL IDS 1 9002-0");
    assertThat(ids(call("XAUTOCLAIM", "orders", "billing", "retry-worker", "600000", "0-0")))
        .containsExactly("9002-0");
    assertThat(pending("retry-worker")).containsExactly("9002-0 retry-worker * 3");
    assertThat(billing("nacked-count")).isZero();
  }

  @Test
  void deletedNackedOrdersStayPendingUntilClaimedOrAcknowledged() {
    orders(3);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 2 9003-0 9001-0");
    call("XDEL", "orders", "9001-0", "9003-0");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 charger-1 * 1", "9003-0 {} -1 1");
    // claiming a deleted order drops it
    assertThat(call("XCLAIM", "orders", "billing", "retry-worker", "0", "9003-0")).isEqualTo("*0\r\n");
    assertThat(pending()).containsExactly("9001-0 {} -1 1", "9002-0 charger-1 * 1");
    // XAUTOCLAIM takes 9002 and reports 9001 deleted
    assertThat(call("XAUTOCLAIM", "orders", "billing", "retry-worker", "0", "0-0")).isEqualTo(
        "*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$6\r\n9002-0\r\n*2\r\n$5\r\norder\r\n$4\r\nD-02\r\n*1\r\n$6\r\n9001-0\r\n");
    assertThat(pending()).containsExactly("9002-0 retry-worker * 2");
    assertThat(billing("nacked-count")).isZero();

    // trimming leaves NACKed references, as any other
    orders(3);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 1 9002-0");
    call("XTRIM", "orders", "MAXLEN", "1");
    assertThat(pending()).containsExactly("9001-0 charger-1 * 1", "9002-0 {} -1 1", "9003-0 charger-1 * 1");
    // DELREF drops them with the orders it removes
    orders(3);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 1 9002-0");
    call("XTRIM", "orders", "MINID", "9003-0", "DELREF");
    assertThat(billing("nacked-count")).isZero();
    assertThat(pending()).containsExactly("9003-0 charger-1 * 1");
  }

  @Test
  void acknowledgingRemovingAChargerOrTheGroupForgetNackedOrders() {
    orders(4);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    xnack("FAIL IDS 3 9002-0 9003-0 9004-0");
    assertThat(call("XACK", "orders", "billing", "9003-0")).isEqualTo(":1\r\n");
    assertThat(billing("nacked-count")).isEqualTo(2);
    assertThat(call("XACKDEL", "orders", "billing", "IDS", "1", "9004-0")).isEqualTo("*1\r\n:1\r\n");
    assertThat(billing("nacked-count")).isEqualTo(1);
    // removing charger-1 drops what it owns (9001), not what it gave back
    assertThat(call("XGROUP", "DELCONSUMER", "orders", "billing", "charger-1")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("9002-0 {} -1 1");
    assertThat(call("XCLAIM", "orders", "billing", "retry-worker", "0", "9002-0", "JUSTID"))
        .isEqualTo("*1\r\n$6\r\n9002-0\r\n");
    xnack("FAIL IDS 1 9002-0");
    assertThat(call("XGROUP", "DESTROY", "orders", "billing")).isEqualTo(":1\r\n");
    call("XGROUP", "CREATE", "orders", "billing", "0");
    assertThat(call("XPENDING", "orders", "billing")).isEqualTo("*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
  }

  @Test
  void aWaitingRetryWorkerWakesWhenOrdersAreNacked() {
    orders(2);
    call("XREADGROUP", "GROUP", "billing", "charger-1", "STREAMS", "orders", ">");
    TestConnection retryConn = new TestConnection();
    Session retry = h.engine.connect(retryConn);
    assertThat(h.call(retry, retryConn, "XREADGROUP", "GROUP", "billing", "retry-worker", "BLOCK", "5000", "CLAIM",
        "1000", "STREAMS", "orders", ">")).isEmpty();
    assertThat(xnack("FAIL IDS 2 9002-0 9001-0")).isEqualTo(":2\r\n");
    assertThat(ids(retryConn.take())).containsExactly("9002-0", "9001-0");
    assertThat(pending("retry-worker")).containsExactly("9001-0 retry-worker * 2", "9002-0 retry-worker * 2");
  }

  @Test
  void theCommandDescribesItself() {
    assertThat(call("COMMAND", "INFO", "xnack")).startsWith("*1\r\n*10\r\n$5\r\nxnack\r\n:-7\r\n");
    assertThat(call("COMMAND", "DOCS", "xnack")).contains("8.8.0", "SILENT", "FAIL", "FATAL", "RETRYCOUNT", "FORCE");
  }
}
