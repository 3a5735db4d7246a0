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
 * XAUTOCLAIM, XREADGROUP (CLAIM and history), XACK, XGROUP and XINFO treat NACKed entries.
 * Written from Redis's command page and the cases of its consumer-group test suite, at node
 * size 2 with the harness's manual clock.
 */
class NackTest {
  private static final String MAX = "9223372036854775807";
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** XPENDING's extended form as "id consumer idle count" lines, idle of owned entries masked. */
  private List<String> pending(String... extra) {
    List<String> argv = new ArrayList<>(List.of("XPENDING", "s", "grp", "-", "+", "100"));
    argv.addAll(List.of(extra));
    String reply = call(argv.toArray(new String[0]));
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\*4\r\n\\$\\d+\r\n([^\r]+)\r\n\\$\\d+\r\n([^\r]*)\r\n:(-?\\d+)\r\n:(-?\\d+)\r\n")
        .matcher(reply);
    while (m.find()) {
      String idle = m.group(2).isEmpty() ? m.group(3) : "*";
      out.add(m.group(1) + " " + (m.group(2).isEmpty() ? "{}" : m.group(2)) + " " + idle + " " + m.group(4));
    }
    return out;
  }

  private void streamWithEntries(int n) {
    call("DEL", "s");
    for (int i = 1; i <= n; i++) {
      call("XADD", "s", i + "-0", "f", "v" + i);
    }
    call("XGROUP", "CREATE", "s", "grp", "0");
  }

  /** The IDs an XREADGROUP ... CLAIM reply delivered. */
  private static List<String> ids(String reply) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\*4\r\n\\$\\d+\r\n(\\d+-\\d+)\r\n").matcher(reply);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private long groupField(String field) {
    Matcher m = Pattern.compile("\\$" + field.length() + "\r\n" + field + "\r\n:(\\d+)\r\n")
        .matcher(call("XINFO", "STREAM", "s", "FULL"));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void argumentErrors() {
    for (String[] few : new String[][] {{"XNACK"}, {"XNACK", "key"}, {"XNACK", "key", "group"},
        {"XNACK", "key", "group", "SILENT"}, {"XNACK", "key", "group", "SILENT", "IDS"},
        {"XNACK", "key", "group", "SILENT", "IDS", "1"}, {"XNACK", "s", "grp", "FAIL", "RETRYCOUNT"}}) {
      assertThat(call(few)).isEqualTo("-ERR wrong number of arguments for 'xnack' command\r\n");
    }
    assertThat(call("XNACK", "nosuchkey", "grp", "SILENT", "IDS", "1", "1-0"))
        .isEqualTo("-NOGROUP No such key 'nosuchkey' or consumer group 'grp'\r\n");
    call("XADD", "s", "1-0", "f", "v1");
    assertThat(call("XNACK", "s", "nogroup", "SILENT", "IDS", "1", "1-0")).startsWith("-NOGROUP");
    call("SET", "str", "x");
    assertThat(call("XNACK", "str", "grp", "FAIL", "IDS", "1", "1-0")).startsWith("-WRONGTYPE");

    call("XADD", "s", "2-0", "f", "v2");
    call("XGROUP", "CREATE", "s", "grp", "0");
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    for (String args : new String[] {"FAIL BADOPT IDS 1 1-0", "FAIL IDS 1 1-0 BADOPT", "SILENT BADOPT IDS 1 1-0 FORCE",
        "FAIL RETRYCOUNT 5 BADOPT IDS 1 1-0", "FAIL FORCE IDS 1 1-0 BADOPT RETRYCOUNT 5"}) {
      assertThat(xnack(args)).as(args).isEqualTo("-ERR Unrecognized XNACK option 'BADOPT'\r\n");
    }
    for (String args : new String[] {"FAIL FATAL IDS 1 1-0", "SILENT NOTIDS 1 1-0", "FAIL IDS 1 1-0 RETRYCOUNT",
        "FAIL IDS 1 1-0 2-0"}) {
      assertThat(xnack(args)).as(args).startsWith("-ERR Unrecognized XNACK option '");
    }
    assertThat(xnack("BADMODE IDS 1 1-0")).isEqualTo("-ERR mode must be SILENT, FAIL, or FATAL\r\n");
    assertThat(xnack("SILENT FORCE RETRYCOUNT 5")).isEqualTo("-ERR syntax error, expected IDS keyword\r\n");
    for (String n : new String[] {"abc", "0", "-1"}) {
      assertThat(xnack("SILENT IDS " + n + " 1-0")).isEqualTo("-ERR numids must be a positive integer\r\n");
    }
    assertThat(xnack("SILENT IDS 2 1-0")).isEqualTo("-ERR number of IDs doesn't match numids\r\n");
    assertThat(xnack("FAIL IDS 1 not-a-valid-id")).startsWith("-ERR Invalid stream ID");
    assertThat(xnack("FAIL IDS 1 1-0 RETRYCOUNT abc")).isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(xnack("FAIL IDS 1 1-0 RETRYCOUNT 99999999999999999999"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(xnack("FAIL IDS 1 1-0 RETRYCOUNT -1")).isEqualTo("-ERR Invalid RETRYCOUNT value, must be >= 0\r\n");
    // nothing changed
    assertThat(pending()).allMatch(line -> line.contains(" c1 "));
  }

  private String xnack(String args) {
    List<String> argv = new ArrayList<>(List.of("XNACK", "s", "grp"));
    argv.addAll(List.of(args.split(" ")));
    return call(argv.toArray(new String[0]));
  }

  @Test
  void modesSetTheDeliveryCount() {
    streamWithEntries(1);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    assertThat(xnack("SILENT IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 0");
    // SILENT stops at 0
    call("XCLAIM", "s", "grp", "c2", "0", "1-0", "RETRYCOUNT", "0");
    xnack("SILENT IDS 1 1-0");
    assertThat(pending()).containsExactly("1-0 {} -1 0");
    call("XCLAIM", "s", "grp", "c1", "0", "1-0");
    call("XCLAIM", "s", "grp", "c1", "0", "1-0");
    call("XCLAIM", "s", "grp", "c1", "0", "1-0");
    assertThat(pending()).containsExactly("1-0 c1 * 3");
    xnack("SILENT IDS 1 1-0");
    assertThat(pending()).containsExactly("1-0 {} -1 2");
    // FAIL keeps it, FATAL maxes it, and both work on an entry already NACKed
    assertThat(xnack("FAIL IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 2");
    assertThat(xnack("FATAL IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 " + MAX);
    // claiming a poison entry does not wrap the count around
    call("XCLAIM", "s", "grp", "c1", "0", "1-0");
    assertThat(pending()).containsExactly("1-0 c1 * " + MAX);
    // RETRYCOUNT wins over every mode
    assertThat(xnack("FATAL IDS 1 1-0 RETRYCOUNT 42")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 42");
    assertThat(xnack("SILENT RETRYCOUNT 10 IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 10");
  }

  @Test
  void releasedEntriesLeaveTheirConsumerButStayPending() {
    streamWithEntries(3);
    call("XREADGROUP", "GROUP", "grp", "c1", "COUNT", "2", "STREAMS", "s", ">");
    call("XREADGROUP", "GROUP", "grp", "c2", "COUNT", "1", "STREAMS", "s", ">");
    assertThat(xnack("FAIL IDS 1 3-0")).isEqualTo(":1\r\n");
    assertThat(xnack("FAIL IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 1", "2-0 c1 * 1", "3-0 {} -1 1");
    assertThat(pending("c1")).containsExactly("2-0 c1 * 1");
    assertThat(pending("c2")).isEmpty();
    // the summary counts every pending entry, its consumer list only owned ones
    assertThat(call("XPENDING", "s", "grp")).isEqualTo(
        "*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n");
    assertThat(call("XINFO", "GROUPS", "s")).contains("$9\r\nconsumers\r\n:2\r\n", "$7\r\npending\r\n:3\r\n");
    assertThat(call("XINFO", "CONSUMERS", "s", "grp")).contains("$2\r\nc2\r\n$7\r\npending\r\n:0\r\n");
    // a consumer reading its own history no longer sees them
    assertThat(ids(call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", "0-0").replace("*2\r\n$3", "*4\r\n$3")))
        .containsExactly("2-0");
  }

  @Test
  void theReplyCountsWhatWasReleased() {
    streamWithEntries(3);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    assertThat(xnack("FAIL IDS 1 9-9")).isEqualTo(":0\r\n");
    assertThat(xnack("SILENT IDS 3 1-0 2-0 3-0")).isEqualTo(":3\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 0", "2-0 {} -1 0", "3-0 {} -1 0");
    call("XCLAIM", "s", "grp", "c1", "0", "1-0", "2-0", "3-0");
    assertThat(xnack("FAIL IDS 5 1-0 9-9 2-0 8-8 3-0")).isEqualTo(":3\r\n");
    call("XCLAIM", "s", "grp", "c1", "0", "1-0");
    // a duplicate counts twice: owned the first time, already NACKed the second
    assertThat(xnack("FAIL IDS 2 1-0 1-0")).isEqualTo(":2\r\n");
    assertThat(pending()).startsWith("1-0 {} -1 2");
    call("XACK", "s", "grp", "1-0", "2-0", "3-0");
    assertThat(xnack("FAIL IDS 1 1-0")).isEqualTo(":0\r\n");
  }

  @Test
  void forceCreatesUnownedEntriesForExistingStreamEntries() {
    streamWithEntries(3);
    assertThat(xnack("FAIL IDS 1 1-0 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 0");
    assertThat(ids(call("XCLAIM", "s", "grp", "c1", "0", "1-0").replace("*2\r\n$3", "*4\r\n$3"))).containsExactly("1-0");
    assertThat(xnack("FAIL IDS 1 9-9 FORCE")).isEqualTo(":0\r\n");
    call("XACK", "s", "grp", "1-0");
    assertThat(xnack("FATAL IDS 1 1-0 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 " + MAX);
    call("XACK", "s", "grp", "1-0");
    assertThat(xnack("SILENT IDS 2 1-0 2-0 FORCE")).isEqualTo(":2\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 0", "2-0 {} -1 0");
    call("XACK", "s", "grp", "1-0", "2-0");
    assertThat(xnack("FAIL RETRYCOUNT 7 FORCE IDS 1 1-0")).isEqualTo(":1\r\n");
    assertThat(xnack("FATAL IDS 1 2-0 RETRYCOUNT 99 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 7", "2-0 {} -1 99");
    call("XACK", "s", "grp", "1-0", "2-0");
    // on owned entries FORCE changes nothing; on NACKed ones no duplicate appears
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    assertThat(xnack("FAIL IDS 3 1-0 2-0 3-0 FORCE")).isEqualTo(":3\r\n");
    assertThat(xnack("FAIL IDS 1 1-0 FORCE")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 1", "2-0 {} -1 1", "3-0 {} -1 1");
    // an empty stream has nothing to force
    call("DEL", "s");
    call("XGROUP", "CREATE", "s", "grp", "$", "MKSTREAM");
    assertThat(xnack("FAIL IDS 1 1-0 FORCE")).isEqualTo(":0\r\n");
  }

  @Test
  void claimsTakeTheNackZoneFirstInNackOrder() {
    streamWithEntries(4);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 1 3-0");
    xnack("FAIL IDS 1 1-0");
    assertThat(groupField("nacked-count")).isEqualTo(2);
    assertThat(groupField("pel-count")).isEqualTo(4);
    // XINFO STREAM FULL lists the PEL in ID order: NACKed entries with no owner and time 0
    assertThat(call("XINFO", "STREAM", "s", "FULL"))
        .contains("*4\r\n$3\r\n1-0\r\n$0\r\n\r\n:0\r\n:1\r\n", "*4\r\n$3\r\n3-0\r\n$0\r\n\r\n:0\r\n:1\r\n");
    h.nowMs += 10;
    // re-NACKing moves an entry to the end of the zone: 3-0, then 1-0
    xnack("FAIL IDS 1 3-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "grp", "c2", "COUNT", "1", "CLAIM", "5", "STREAMS", "s", ">")))
        .containsExactly("1-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "grp", "c2", "COUNT", "1", "CLAIM", "5", "STREAMS", "s", ">")))
        .containsExactly("3-0");
    // then owned entries by idle time; a huge min idle time only lets NACKed ones through
    xnack("FAIL IDS 1 4-0");
    assertThat(ids(call("XREADGROUP", "GROUP", "grp", "c3", "CLAIM", "99999", "STREAMS", "s", ">")))
        .containsExactly("4-0");
    assertThat(groupField("nacked-count")).isZero();
    assertThat(pending("c3")).containsExactly("4-0 c3 * 2");
  }

  @Test
  void everyClaimPathTakesNackedEntriesWhateverTheMinIdleTime() {
    streamWithEntries(2);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 1 1-0");
    assertThat(call("XCLAIM", "s", "grp", "c2", "99999", "1-0")).startsWith("*1\r\n*2\r\n$3\r\n1-0");
    assertThat(pending("c2")).containsExactly("1-0 c2 * 2");
    xnack("FAIL IDS 1 1-0");
    assertThat(call("XAUTOCLAIM", "s", "grp", "c3", "99999", "0-0")).contains("$3\r\n1-0\r\n*2")
        .doesNotContain("2-0\r\n*2");
    assertThat(pending("c3")).containsExactly("1-0 c3 * 3");
    assertThat(groupField("nacked-count")).isZero();
  }

  @Test
  void deletedNackedEntriesAreGhostsUntilClaimedOrAcked() {
    streamWithEntries(3);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 2 1-0 3-0");
    call("XDEL", "s", "1-0");
    call("XDEL", "s", "3-0");
    assertThat(pending()).containsExactly("1-0 {} -1 1", "2-0 c1 * 1", "3-0 {} -1 1");
    assertThat(call("XCLAIM", "s", "grp", "c2", "0", "1-0")).isEqualTo("*0\r\n");
    assertThat(pending()).containsExactly("2-0 c1 * 1", "3-0 {} -1 1");
    // XAUTOCLAIM claims 2-0 and reports 3-0 deleted
    assertThat(call("XAUTOCLAIM", "s", "grp", "c2", "0", "0-0"))
        .isEqualTo("*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$2\r\nv2\r\n*1\r\n$3\r\n3-0\r\n");
    assertThat(pending()).containsExactly("2-0 c2 * 2");
    assertThat(groupField("nacked-count")).isZero();
    // trimming leaves NACKed references too
    streamWithEntries(3);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 1 1-0");
    call("XTRIM", "s", "MAXLEN", "1");
    assertThat(pending()).hasSize(3).startsWith("1-0 {} -1 1");
    // DELREF removes them like any reference, when it removes their entry
    streamWithEntries(3);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 1 1-0");
    call("XTRIM", "s", "MAXLEN", "0", "DELREF");
    assertThat(groupField("nacked-count")).isZero();
    assertThat(pending()).isEmpty();
  }

  @Test
  void ackDelconsumerAndDestroy() {
    streamWithEntries(4);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    xnack("FAIL IDS 3 1-0 2-0 3-0");
    assertThat(call("XACK", "s", "grp", "2-0")).isEqualTo(":1\r\n");
    assertThat(groupField("nacked-count")).isEqualTo(2);
    assertThat(call("XACKDEL", "s", "grp", "IDS", "1", "3-0")).isEqualTo("*1\r\n:1\r\n");
    assertThat(groupField("nacked-count")).isEqualTo(1);
    // DELCONSUMER drops only what the consumer owns
    assertThat(call("XGROUP", "DELCONSUMER", "s", "grp", "c1")).isEqualTo(":1\r\n");
    assertThat(pending()).containsExactly("1-0 {} -1 1");
    assertThat(call("XCLAIM", "s", "grp", "c2", "0", "1-0", "JUSTID")).isEqualTo("*1\r\n$3\r\n1-0\r\n");
    xnack("FAIL IDS 1 1-0");
    assertThat(call("XGROUP", "DESTROY", "s", "grp")).isEqualTo(":1\r\n");
    call("XGROUP", "CREATE", "s", "grp", "0");
    assertThat(call("XPENDING", "s", "grp")).startsWith("*4\r\n:0\r\n");
  }

  @Test
  void aBlockedClaimReaderWakesWhenEntriesAreNacked() {
    streamWithEntries(2);
    call("XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "s", ">");
    TestConnection otherConn = new TestConnection();
    Session other = h.engine.connect(otherConn);
    assertThat(h.call(other, otherConn, "XREADGROUP", "GROUP", "grp", "c2", "BLOCK", "5000", "CLAIM", "1000",
        "STREAMS", "s", ">")).isEmpty();
    assertThat(xnack("FAIL IDS 2 1-0 2-0")).isEqualTo(":2\r\n");
    assertThat(ids(otherConn.take())).containsExactly("1-0", "2-0");
    assertThat(pending("c2")).containsExactly("1-0 c2 * 2", "2-0 c2 * 2");
  }

  @Test
  void commandMetadata() {
    assertThat(call("COMMAND", "INFO", "xnack")).startsWith("*1\r\n*10\r\n$5\r\nxnack\r\n:-7\r\n");
    assertThat(call("COMMAND", "DOCS", "xnack")).contains("8.8.0", "SILENT", "FATAL", "RETRYCOUNT", "FORCE");
  }
}
