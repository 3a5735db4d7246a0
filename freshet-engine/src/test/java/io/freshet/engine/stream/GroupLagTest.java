package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.api.Test;

/**
 * A group's lag is never negative: XGROUP CREATE/SETID ... ENTRIESREAD past the stream's
 * entries-added is brought down to it (Redis PR 14259, the fix of issue 14257), and so is every
 * group's counter when XSETID ... ENTRIESADDED lowers the stream's (PR 15489). Lag after trims
 * follows Redis 8.0 (PR 13473): a group behind the first entry lags by the stream's length.
 */
class GroupLagTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** The "entries-read ... lag ..." part of XINFO GROUPS for the stream's only group. */
  private String counters(String key) {
    String reply = call("XINFO", "GROUPS", key);
    return reply.substring(reply.indexOf("$12\r\nentries-read\r\n"));
  }

  private static String counters(String entriesRead, String lag) {
    return "$12\r\nentries-read\r\n" + entriesRead + "\r\n$3\r\nlag\r\n" + lag + "\r\n";
  }

  private void add(String key, int from, int to) {
    for (int i = from; i <= to; i++) {
      call("XADD", key, i + "-0", "f", "v" + i);
    }
  }

  @Test
  void createWithEntriesReadPastEntriesAddedLagsZeroAtTheEnd() {
    add("s", 1, 2);
    assertThat(call("XGROUP", "CREATE", "s", "g", "$", "ENTRIESREAD", "10000")).isEqualTo("+OK\r\n");
    assertThat(counters("s")).isEqualTo(counters(":2", ":0"));
    // reads on from there count normally
    add("s", 3, 3);
    assertThat(counters("s")).isEqualTo(counters(":2", ":1"));
    call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    assertThat(counters("s")).isEqualTo(counters(":3", ":0"));
  }

  @Test
  void createFromTheStartWithTooLargeACounter() {
    add("s", 1, 3);
    call("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "50");
    // brought down to 3; the group is behind the first entry, so its lag is the stream's length
    assertThat(counters("s")).isEqualTo(counters(":3", ":3"));
    call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
    assertThat(counters("s")).isEqualTo(counters(":1", ":2"));
  }

  @Test
  void mkstreamAndSetIdAreClampedToo() {
    call("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM", "ENTRIESREAD", "7");
    assertThat(counters("e")).isEqualTo(counters(":0", ":0"));
    add("s", 1, 4);
    call("XGROUP", "CREATE", "s", "g", "0");
    assertThat(call("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "99")).isEqualTo("+OK\r\n");
    assertThat(counters("s")).isEqualTo(counters(":4", ":0"));
    // an exact or smaller counter is kept, and -1 still means unknown (an ID inside the stream
    // gives no estimate either, so the lag is unknown too)
    call("XGROUP", "SETID", "s", "g", "2-0", "ENTRIESREAD", "2");
    assertThat(counters("s")).isEqualTo(counters(":2", ":2"));
    call("XGROUP", "SETID", "s", "g", "2-0", "ENTRIESREAD", "-1");
    assertThat(counters("s")).isEqualTo(counters("$-1", "$-1"));
    assertThat(call("XGROUP", "SETID", "s", "g", "2-0", "ENTRIESREAD", "-2"))
        .isEqualTo("-ERR value for ENTRIESREAD must be positive or -1\r\n");
  }

  @Test
  void xsetidLoweringEntriesAddedBringsGroupCountersDown() {
    add("s", 1, 8);
    call("XGROUP", "CREATE", "s", "all", "0");
    call("XGROUP", "CREATE", "s", "some", "0");
    call("XREADGROUP", "GROUP", "all", "c", "STREAMS", "s", ">");
    call("XREADGROUP", "GROUP", "some", "c", "COUNT", "2", "STREAMS", "s", ">");
    call("XTRIM", "s", "MAXLEN", "3");
    assertThat(call("XSETID", "s", "8-0", "ENTRIESADDED", "3")).isEqualTo("+OK\r\n");
    String groups = call("XINFO", "GROUPS", "s");
    // "all" had read 8: now 3, nothing left to read; "some" had read 2 (kept), behind the first entry
    assertThat(groups).contains("$3\r\nall\r\n").contains(counters(":3", ":0"))
        .contains("$4\r\nsome\r\n").contains(counters(":2", ":3"));
    assertThat(groups).doesNotContain("lag\r\n:-");
  }

  @Test
  void lagAfterTrims() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    add("s", 1, 6);
    call("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">");
    assertThat(counters("s")).isEqualTo(counters(":2", ":4"));
    // the trim leaves the group behind the first entry: everything left is still to be read
    call("XTRIM", "s", "MAXLEN", "3");
    assertThat(counters("s")).isEqualTo(counters(":2", ":3"));
    call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
    assertThat(counters("s")).isEqualTo(counters(":4", ":2"));
    // a trim that stays behind the group changes nothing
    call("XTRIM", "s", "MINID", "5-0");
    assertThat(counters("s")).isEqualTo(counters(":4", ":2"));
    call("XTRIM", "s", "MAXLEN", "0");
    assertThat(counters("s")).isEqualTo(counters(":4", ":0"));
  }
}
