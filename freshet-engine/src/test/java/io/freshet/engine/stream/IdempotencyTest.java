package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Idempotent production (Redis 8.6): XADD IDMP/IDMPAUTO, XCFGSET, the IDMP fields of XINFO
 * STREAM, the stream-idmp-* configs, and XIDMPRECORD (8.8). Written from Redis's command pages
 * and the cases of its stream test suite, with the harness's manual clock for expiry.
 */
class IdempotencyTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  private static String bulk(String s) {
    return "$" + s.length() + "\r\n" + s + "\r\n";
  }

  private static boolean isId(String reply) {
    return reply.matches("\\$\\d+\r\n\\d+-\\d+\r\n");
  }

  private long xlen(String key) {
    return Long.parseLong(call("XLEN", key).substring(1).trim());
  }

  /** One integer field of XINFO STREAM. */
  private long info(String key, String field) {
    Matcher m = Pattern.compile(Pattern.quote(bulk(field)) + ":(-?\\d+)\r\n").matcher(call("XINFO", "STREAM", key));
    assertThat(m.find()).as(field).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void syntaxErrors() {
    assertThat(call("XADD", "s", "IDMP", "p1", "*", "f", "v"))
        .isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
    assertThat(call("XADD", "s", "IDMP", "p1", "iid1", "1-1", "f", "v"))
        .isEqualTo("-ERR IDMP/IDMPAUTO can be used only with auto-generated IDs\r\n");
    assertThat(call("XADD", "s", "IDMPAUTO", "p1", "1-*", "f", "v"))
        .isEqualTo("-ERR IDMP/IDMPAUTO can be used only with auto-generated IDs\r\n");
    for (String[] twice : new String[][] {{"IDMP", "p1", "i1", "IDMP", "p2", "i2"}, {"IDMPAUTO", "p1", "IDMP", "p2", "i2"},
        {"IDMPAUTO", "p1", "IDMPAUTO", "p2"}, {"IDMP", "p1", "i1", "IDMPAUTO", "p2"}}) {
      List<String> argv = new ArrayList<>(List.of("XADD", "s"));
      argv.addAll(List.of(twice));
      argv.addAll(List.of("*", "f", "v"));
      assertThat(call(argv.toArray(new String[0]))).isEqualTo("-ERR IDMP/IDMPAUTO specified multiple times\r\n");
    }
    assertThat(call("XADD", "s", "IDMP", "", "iid1", "*", "f", "v"))
        .isEqualTo("-ERR IDMP requires a non-empty producer ID\r\n");
    assertThat(call("XADD", "s", "IDMP", "p1", "", "*", "f", "v"))
        .isEqualTo("-ERR IDMP requires a non-empty idempotent ID\r\n");
    assertThat(call("XADD", "s", "IDMPAUTO", "", "*", "f", "v"))
        .isEqualTo("-ERR IDMPAUTO requires a non-empty producer ID\r\n");
    assertThat(call("EXISTS", "s")).isEqualTo(":0\r\n");
  }

  @Test
  void aRetriedAddReturnsTheOriginalEntryAndAddsNothing() {
    String id1 = call("XADD", "s", "IDMP", "p1", "payment-abc", "*", "amount", "100", "currency", "USD");
    h.nowMs += 5;
    String id2 = call("XADD", "s", "IDMP", "p1", "payment-abc", "*", "amount", "200", "currency", "EUR");
    assertThat(isId(id1)).isTrue();
    assertThat(id2).isEqualTo(id1);
    assertThat(xlen("s")).isEqualTo(1);
    assertThat(call("XRANGE", "s", "-", "+")).contains("100", "USD").doesNotContain("EUR");
    // any byte string is an idempotent ID, including words the parser knows
    for (String iid : new String[] {"*", "-", "+", "$", ">", "IDMP", "MAXLEN", "123-456", "\u0000\u0001\u00ff",
        "x".repeat(65_536)}) {
      String first = call("XADD", "t", "IDMP", "p1", iid, "*", "f", "v");
      assertThat(isId(first)).as(iid).isTrue();
      assertThat(call("XADD", "t", "IDMP", "p1", iid, "*", "f", "dup")).isEqualTo(first);
    }
    assertThat(xlen("t")).isEqualTo(10);
  }

  @Test
  void combinesWithTheOtherOptionsInAnyOrder() {
    String a = call("XADD", "s", "IDMP", "p1", "req-1", "MAXLEN", "~", "100", "*", "f", "1");
    String b = call("XADD", "s", "MAXLEN", "~", "100", "IDMP", "p1", "req-2", "*", "f", "2");
    String c = call("XADD", "s", "NOMKSTREAM", "IDMP", "p1", "req-3", "KEEPREF", "MINID", "~", "0-1", "*", "f", "3");
    String d = call("XADD", "s", "KEEPREF", "IDMPAUTO", "p1", "MAXLEN", "~", "1000", "LIMIT", "10", "*", "f", "4");
    assertThat(List.of(a, b, c, d)).allMatch(IdempotencyTest::isId).doesNotHaveDuplicates();
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "KEEPREF", "MAXLEN", "~", "1000", "LIMIT", "10", "*", "g", "x"))
        .isEqualTo(a);
    assertThat(call("XADD", "s", "IDMPAUTO", "p1", "*", "f", "4")).isEqualTo(d);
    assertThat(xlen("s")).isEqualTo(4);
    // NOMKSTREAM on a missing key: nil and nothing remembered
    assertThat(call("XADD", "n", "NOMKSTREAM", "IDMP", "p1", "r", "*", "f", "v")).isEqualTo("$-1\r\n");
    assertThat(call("EXISTS", "n")).isEqualTo(":0\r\n");
  }

  @Test
  void insideMultiDuplicatesOfEarlierCommandsAreRecognised() {
    call("MULTI");
    call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "1");
    call("XADD", "s", "IDMP", "p1", "req-2", "*", "f", "2");
    call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "3");
    String exec = call("EXEC");
    String[] lines = exec.split("\r\n");
    // *3, $len, id1, $len, id2, $len, id3
    assertThat(lines[6]).isEqualTo(lines[2]).isNotEqualTo(lines[4]);
    assertThat(xlen("s")).isEqualTo(2);
  }

  @Test
  void producersHaveSeparateNamespacesAndLimits() {
    String p1 = call("XADD", "s", "IDMP", "producer1", "req-123", "*", "f", "from-p1");
    String p2 = call("XADD", "s", "IDMP", "producer2", "req-123", "*", "f", "from-p2");
    String bin = call("XADD", "s", "IDMP", "\u0000\u0001\u0002", "req-123", "*", "f", "bin");
    assertThat(List.of(p1, p2, bin)).doesNotHaveDuplicates();
    assertThat(call("XADD", "s", "IDMP", "producer1", "req-123", "*", "f", "dup")).isEqualTo(p1);
    assertThat(call("XADD", "s", "IDMP", "producer2", "req-123", "*", "f", "dup")).isEqualTo(p2);
    assertThat(info("s", "pids-tracked")).isEqualTo(3);
    assertThat(info("s", "iids-tracked")).isEqualTo(3);
    assertThat(info("s", "iids-duplicates")).isEqualTo(2);

    call("XCFGSET", "s", "IDMP-MAXSIZE", "3", "IDMP-DURATION", "60");
    List<String> ids = new ArrayList<>();
    for (String p : new String[] {"p1", "p2"}) {
      for (int i = 1; i <= 3; i++) {
        ids.add(call("XADD", "s", "IDMP", p, "req-" + i, "*", "f", p + i));
      }
    }
    int k = 0;
    for (String p : new String[] {"p1", "p2"}) {
      for (int i = 1; i <= 3; i++) {
        assertThat(call("XADD", "s", "IDMP", p, "req-" + i, "*", "f", "dup")).isEqualTo(ids.get(k++));
      }
    }
    assertThat(info("s", "pids-tracked")).isEqualTo(2);
  }

  @Test
  void theOldestIdsAreForgottenPastMaxsize() {
    call("XADD", "s", "IDMP", "p1", "init", "*", "f", "init");
    call("XCFGSET", "s", "IDMP-MAXSIZE", "3", "IDMP-DURATION", "60");
    String id1 = call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v1");
    call("XADD", "s", "IDMP", "p1", "req-2", "*", "f", "v2");
    String id3 = call("XADD", "s", "IDMP", "p1", "req-3", "*", "f", "v3");
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "dup")).isEqualTo(id1);
    call("XADD", "s", "IDMP", "p1", "req-4", "*", "f", "v4"); // forgets req-1
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "new")).isNotEqualTo(id1); // forgets req-2
    assertThat(call("XADD", "s", "IDMP", "p1", "req-3", "*", "f", "dup2")).isEqualTo(id3);
    assertThat(xlen("s")).isEqualTo(6);
    assertThat(info("s", "iids-tracked")).isEqualTo(3);
    assertThat(info("s", "iids-added")).isEqualTo(6);

    // wraparound: of 100 IDs only the last 8 are remembered
    call("DEL", "w");
    call("XADD", "w", "IDMP", "p1", "init", "*", "f", "init");
    call("XCFGSET", "w", "IDMP-MAXSIZE", "8", "IDMP-DURATION", "60");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      ids.add(call("XADD", "w", "IDMP", "p1", "req-" + i, "*", "f", "v" + i));
    }
    for (int i = 93; i <= 100; i++) {
      assertThat(call("XADD", "w", "IDMP", "p1", "req-" + i, "*", "f", "dup")).isEqualTo(ids.get(i - 1));
    }
    for (int i = 1; i <= 92; i++) {
      assertThat(call("XADD", "w", "IDMP", "p1", "req-" + i, "*", "f", "new")).isNotEqualTo(ids.get(i - 1));
    }
    assertThat(xlen("w")).isEqualTo(193);
  }

  @Test
  void idsExpireAfterTheDuration() {
    call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v");
    assertThat(call("XCFGSET", "s", "IDMP-DURATION", "1")).isEqualTo("+OK\r\n");
    String id1 = call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v1");
    h.nowMs += 999;
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v2")).isEqualTo(id1);
    assertThat(info("s", "iids-tracked")).isEqualTo(1);
    h.nowMs += 1;
    assertThat(info("s", "iids-tracked")).isZero();
    assertThat(info("s", "pids-tracked")).isZero();
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v3")).isNotEqualTo(id1);
    assertThat(xlen("s")).isEqualTo(3);
  }

  @Test
  void idmpautoDerivesTheIdFromTheFieldsInAnyOrder() {
    String id1 = call("XADD", "s", "IDMPAUTO", "p1", "*", "field1", "a", "field2", "b", "field3", "c");
    assertThat(call("XADD", "s", "IDMPAUTO", "p1", "*", "field2", "b", "field3", "c", "field1", "a")).isEqualTo(id1);
    assertThat(call("XADD", "s", "IDMPAUTO", "p1", "*", "field3", "c", "field1", "x", "field2", "b")).isNotEqualTo(id1);
    // field names count, and so does where a field ends and its value starts
    String f1 = call("XADD", "t", "IDMPAUTO", "p1", "*", "field1", "value");
    assertThat(call("XADD", "t", "IDMPAUTO", "p1", "*", "field2", "value")).isNotEqualTo(f1);
    assertThat(call("XADD", "t", "IDMPAUTO", "p1", "*", "field1v", "alue")).isNotEqualTo(f1);
    String empty = call("XADD", "t", "IDMPAUTO", "p1", "*", "field", "");
    assertThat(call("XADD", "t", "IDMPAUTO", "p1", "*", "field", "")).isEqualTo(empty);
    // other producers with the same content are other messages
    assertThat(call("XADD", "s", "IDMPAUTO", "p2", "*", "field1", "a", "field2", "b", "field3", "c")).isNotEqualTo(id1);
    assertThat(xlen("s")).isEqualTo(3);
    assertThat(xlen("t")).isEqualTo(4);
  }

  @Test
  void xcfgsetValidatesEverythingBeforeChangingAnything() {
    assertThat(call("XCFGSET", "s", "IDMP-DURATION", "5")).isEqualTo("-ERR no such key\r\n");
    call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "v");
    assertThat(call("XCFGSET", "s")).isEqualTo("-ERR At least one parameter must be specified\r\n");
    assertThat(call("XCFGSET", "s", "IDMP-DURATION")).isEqualTo("-ERR syntax error\r\n");
    assertThat(call("XCFGSET", "s", "IDMP-MAXSIZE")).isEqualTo("-ERR syntax error\r\n");
    assertThat(call("XCFGSET", "s", "INVALID")).isEqualTo("-ERR syntax error\r\n");
    for (String bad : new String[] {"A", "*", "-", "+", "120-5", "3.14", "000000000", "IDMP-DURATION"}) {
      assertThat(call("XCFGSET", "s", "IDMP-DURATION", bad)).as(bad)
          .isEqualTo("-ERR value is not an integer or out of range\r\n");
      assertThat(call("XCFGSET", "s", "IDMP-MAXSIZE", bad)).as(bad)
          .isEqualTo("-ERR value is not an integer or out of range\r\n");
    }
    assertThat(call("XCFGSET", "s", "IDMP-DURATION", "INVALID", "IDMP-MAXSIZE"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    for (String bad : new String[] {"0", "-100", "86401"}) {
      assertThat(call("XCFGSET", "s", "IDMP-DURATION", bad))
          .isEqualTo("-ERR IDMP-DURATION must be between 1 and 86400 seconds\r\n");
    }
    for (String bad : new String[] {"0", "-50", "10001"}) {
      assertThat(call("XCFGSET", "s", "IDMP-MAXSIZE", bad))
          .isEqualTo("-ERR IDMP-MAXSIZE must be between 1 and 10000 entries\r\n");
    }
    // a bad second value leaves the first unapplied
    assertThat(call("XCFGSET", "s", "IDMP-DURATION", "7", "IDMP-MAXSIZE", "0")).startsWith("-ERR IDMP-MAXSIZE");
    assertThat(info("s", "idmp-duration")).isEqualTo(100);
    assertThat(info("s", "iids-tracked")).isEqualTo(1);
    assertThat(call("XCFGSET", "s", "IDMP-DURATION", "86400", "IDMP-MAXSIZE", "1")).isEqualTo("+OK\r\n");
    assertThat(info("s", "idmp-duration")).isEqualTo(86400);
    assertThat(info("s", "idmp-maxsize")).isEqualTo(1);
    call("SET", "str", "x");
    assertThat(call("XCFGSET", "str", "IDMP-DURATION", "5")).startsWith("-WRONGTYPE");
  }

  @Test
  void changingASettingClearsHistoryButSettingTheSameValueDoesNot() {
    String id1 = call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "1");
    String id2 = call("XADD", "s", "IDMP", "p2", "req-2", "*", "f", "2");
    call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "dup");
    call("XCFGSET", "s", "IDMP-DURATION", "100", "IDMP-MAXSIZE", "100");
    call("XCFGSET", "s", "IDMP-DURATION", "100");
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "dup")).isEqualTo(id1);
    assertThat(call("XADD", "s", "IDMP", "p2", "req-2", "*", "f", "dup")).isEqualTo(id2);
    assertThat(info("s", "iids-tracked")).isEqualTo(2);

    call("XCFGSET", "s", "IDMP-DURATION", "50");
    assertThat(info("s", "pids-tracked")).isZero();
    assertThat(info("s", "iids-tracked")).isZero();
    assertThat(info("s", "iids-added")).isEqualTo(2); // lifetime counters stay
    assertThat(info("s", "iids-duplicates")).isEqualTo(3);
    String again = call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "new");
    assertThat(again).isNotEqualTo(id1);
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "dup")).isEqualTo(again);
    assertThat(call("XRANGE", "s", "-", "+")).contains(bulk("1"), bulk("2"), bulk("new"));
    assertThat(xlen("s")).isEqualTo(3);
    call("XCFGSET", "s", "IDMP-MAXSIZE", "5000");
    assertThat(call("XADD", "s", "IDMP", "p1", "req-1", "*", "f", "newer")).isNotEqualTo(again);
  }

  @Test
  void xinfoReportsSettingsAndCountersInBothForms() {
    call("XADD", "s", "*", "f", "v");
    String plain = call("XINFO", "STREAM", "s");
    assertThat(plain).startsWith("*32\r\n").contains(bulk("recorded-first-entry-id"))
        .contains(bulk("idmp-duration") + ":100\r\n" + bulk("idmp-maxsize") + ":100\r\n" + bulk("pids-tracked")
            + ":0\r\n" + bulk("iids-tracked") + ":0\r\n" + bulk("iids-added") + ":0\r\n" + bulk("iids-duplicates")
            + ":0\r\n" + bulk("groups"));
    assertThat(call("XINFO", "STREAM", "s", "FULL")).startsWith("*30\r\n").contains(bulk("iids-duplicates"));
    // a stream that never used IDMP reports the server's current defaults
    assertThat(call("CONFIG", "SET", "stream-idmp-duration", "300")).isEqualTo("+OK\r\n");
    assertThat(info("s", "idmp-duration")).isEqualTo(300);
    call("XCFGSET", "s", "IDMP-DURATION", "300", "IDMP-MAXSIZE", "50");
    assertThat(call("CONFIG", "SET", "stream-idmp-duration", "100")).isEqualTo("+OK\r\n");
    assertThat(info("s", "idmp-duration")).isEqualTo(300);
    assertThat(info("s", "idmp-maxsize")).isEqualTo(50);
  }

  @Test
  void theDefaultsAreConfigsWithRedisRanges() {
    assertThat(call("CONFIG", "GET", "stream-idmp-*"))
        .isEqualTo("*4\r\n" + bulk("stream-idmp-duration") + bulk("100") + bulk("stream-idmp-maxsize") + bulk("100"));
    for (String[] bad : new String[][] {{"stream-idmp-duration", "86401"}, {"stream-idmp-duration", "0"},
        {"stream-idmp-maxsize", "10001"}, {"stream-idmp-maxsize", "-1"}}) {
      assertThat(call("CONFIG", "SET", bad[0], bad[1])).contains("must be between");
    }
    call("CONFIG", "SET", "stream-idmp-maxsize", "2");
    call("XADD", "s", "IDMP", "p", "a", "*", "f", "v");
    call("XADD", "s", "IDMP", "p", "b", "*", "f", "v");
    call("XADD", "s", "IDMP", "p", "c", "*", "f", "v");
    assertThat(info("s", "idmp-maxsize")).isEqualTo(2);
    assertThat(info("s", "iids-tracked")).isEqualTo(2);
  }

  @Test
  void xidmprecordRestoresAMappingToAnExistingEntry() {
    assertThat(call("XIDMPRECORD", "s", "p", "i", "999000-0")).isEqualTo("-ERR no such key\r\n");
    call("XADD", "s", "999000-0", "f", "v");
    call("XADD", "s", "999000-1", "f", "v");
    call("XDEL", "s", "999000-1");
    assertThat(call("XIDMPRECORD", "s", "p", "i")).startsWith("-ERR wrong number of arguments");
    assertThat(call("XIDMPRECORD", "s", "", "i", "999000-0")).isEqualTo("-ERR XIDMPRECORD requires a non-empty producer ID\r\n");
    assertThat(call("XIDMPRECORD", "s", "p", "", "999000-0")).isEqualTo("-ERR XIDMPRECORD requires a non-empty idempotent ID\r\n");
    assertThat(call("XIDMPRECORD", "s", "p", "i", "x")).isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
    assertThat(call("XIDMPRECORD", "s", "p", "i", "999000-1")).isEqualTo("-ERR The stream ID does not refer to an existing entry\r\n");
    assertThat(call("XIDMPRECORD", "s", "p", "i", "999000-0")).isEqualTo("+OK\r\n");
    assertThat(call("XIDMPRECORD", "s", "p", "i", "999000-0")).isEqualTo("+OK\r\n");
    call("XADD", "s", "999000-2", "f", "v");
    assertThat(call("XIDMPRECORD", "s", "p", "i", "999000-2")).startsWith("-ERR The producer ID and idempotent ID are already");
    assertThat(info("s", "iids-tracked")).isEqualTo(1);
    assertThat(info("s", "iids-added")).isZero();
    // the record's age is its entry's time: one older than the duration is forgotten
    call("XADD", "t", "900000-0", "f", "v");
    call("XADD", "t", "990000-0", "f", "v");
    call("XIDMPRECORD", "t", "p", "old", "900000-0");
    call("XIDMPRECORD", "t", "p", "new", "990000-0");
    assertThat(call("XADD", "t", "IDMP", "p", "new", "*", "f", "retry")).isEqualTo(bulk("990000-0"));
    assertThat(call("XADD", "t", "IDMP", "p", "old", "*", "f", "retry")).isNotEqualTo(bulk("900000-0"));
    call("SET", "str", "x");
    assertThat(call("XIDMPRECORD", "str", "p", "i", "999000-0")).startsWith("-WRONGTYPE");
  }

  @Test
  void commandMetadata() {
    assertThat(call("COMMAND", "INFO", "xcfgset")).startsWith("*1\r\n*10\r\n" + bulk("xcfgset") + ":-2\r\n");
    assertThat(call("COMMAND", "INFO", "xidmprecord")).startsWith("*1\r\n*10\r\n" + bulk("xidmprecord") + ":5\r\n");
    assertThat(call("COMMAND", "DOCS", "xcfgset")).contains("8.6.0", "IDMP-DURATION", "IDMP-MAXSIZE");
    assertThat(call("COMMAND", "DOCS", "xadd")).contains("IDMPAUTO", bulk("IDMP"), "iid");
    assertThat(call("COMMAND", "GETKEYS", "XCFGSET", "s", "IDMP-DURATION", "5")).isEqualTo("*1\r\n" + bulk("s"));
  }
}
