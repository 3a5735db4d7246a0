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
 * STREAM, the stream-idmp-* configs, and XIDMPRECORD (8.8). Written from the XADD, XCFGSET and
 * XIDMPRECORD command documentation as checkout services that resend an order whenever they did
 * not see the reply; node size 2 and the harness's manual clock for expiry.
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

  /** XADD orders [options...] * order ref. */
  private String addOrder(String ref, String... options) {
    List<String> argv = new ArrayList<>(List.of("XADD", "orders"));
    argv.addAll(List.of(options));
    argv.addAll(List.of("*", "order", ref));
    return call(argv.toArray(new String[0]));
  }

  @Test
  void malformedIdempotentAddsAreRefusedAndCreateNothing() {
    assertThat(call("XADD", "orders", "IDMPAUTO", "", "*", "order", "A-1"))
        .isEqualTo("-ERR IDMPAUTO requires a non-empty producer ID\r\n");
    assertThat(call("XADD", "orders", "IDMP", "checkout-eu", "", "*", "order", "A-1"))
        .isEqualTo("-ERR IDMP requires a non-empty idempotent ID\r\n");
    assertThat(call("XADD", "orders", "IDMP", "", "order-1001", "*", "order", "A-1"))
        .isEqualTo("-ERR IDMP requires a non-empty producer ID\r\n");
    // only for IDs the server generates
    assertThat(call("XADD", "orders", "IDMPAUTO", "checkout-eu", "5-*", "order", "A-1"))
        .isEqualTo("-ERR IDMP/IDMPAUTO can be used only with auto-generated IDs\r\n");
    assertThat(call("XADD", "orders", "IDMP", "checkout-eu", "order-1001", "5-1", "order", "A-1"))
        .isEqualTo("-ERR IDMP/IDMPAUTO can be used only with auto-generated IDs\r\n");
    // the idempotent ID forgotten: "*" is taken as the iid and "order" as the entry ID
    assertThat(call("XADD", "orders", "IDMP", "checkout-eu", "*", "order", "A-1"))
        .isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
    for (String[] twice : new String[][] {{"IDMPAUTO", "checkout-eu", "IDMPAUTO", "checkout-us"},
        {"IDMP", "checkout-eu", "order-1001", "IDMPAUTO", "checkout-us"},
        {"IDMPAUTO", "checkout-eu", "IDMP", "checkout-us", "order-1001"},
        {"IDMP", "checkout-eu", "order-1001", "IDMP", "checkout-us", "order-1002"}}) {
      assertThat(addOrder("A-1", twice)).as(String.join(" ", twice))
          .isEqualTo("-ERR IDMP/IDMPAUTO specified multiple times\r\n");
    }
    assertThat(call("EXISTS", "orders")).isEqualTo(":0\r\n");
  }

  @Test
  void aResentOrderGetsTheFirstEntrysIdAndAddsNothing() {
    String first = call("XADD", "orders", "IDMP", "checkout-eu", "order-1001", "*", "sku", "EU-7", "qty", "2");
    h.nowMs += 20;
    // the resend carries other content: the first one stays
    String resent = call("XADD", "orders", "IDMP", "checkout-eu", "order-1001", "*", "sku", "EU-7", "qty", "3");
    assertThat(isId(first)).isTrue();
    assertThat(resent).isEqualTo(first);
    assertThat(xlen("orders")).isEqualTo(1);
    assertThat(call("XRANGE", "orders", "-", "+")).contains(bulk("qty") + bulk("2")).doesNotContain(bulk("3"));
    // an idempotent ID is any byte string, keywords and ID-like strings included
    List<String> iids = List.of("$", "+", ">", "-", "*", "MAXLEN", "IDMPAUTO", "77-12", "\u0000\u00fe\u0007",
        "k".repeat(70_000));
    for (String iid : iids) {
      String added = call("XADD", "returns", "IDMP", "checkout-eu", iid, "*", "order", "R");
      assertThat(isId(added)).as(iid).isTrue();
      assertThat(call("XADD", "returns", "IDMP", "checkout-eu", iid, "*", "order", "R-again")).as(iid)
          .isEqualTo(added);
    }
    assertThat(xlen("returns")).isEqualTo(iids.size());
  }

  @Test
  void idempotencyMixesWithTrimmingAndNomkstreamInAnyOrder() {
    String a = addOrder("A-1", "MAXLEN", "~", "50", "IDMP", "checkout-eu", "order-1");
    String b = addOrder("A-2", "IDMP", "checkout-eu", "order-2", "MAXLEN", "~", "50");
    String c = addOrder("A-3", "KEEPREF", "IDMPAUTO", "checkout-eu", "MINID", "~", "1-0", "LIMIT", "20");
    String d = addOrder("A-4", "IDMP", "checkout-eu", "order-4", "NOMKSTREAM", "MAXLEN", "~", "500", "KEEPREF");
    assertThat(List.of(a, b, c, d)).allMatch(IdempotencyTest::isId).doesNotHaveDuplicates();
    // resends with other trimming options still find the first entries
    assertThat(addOrder("A-4b", "MINID", "~", "1-0", "IDMP", "checkout-eu", "order-4")).isEqualTo(d);
    assertThat(addOrder("A-3", "IDMPAUTO", "checkout-eu")).isEqualTo(c);
    assertThat(addOrder("A-1b", "KEEPREF", "IDMP", "checkout-eu", "order-1", "MAXLEN", "~", "50", "LIMIT", "5"))
        .isEqualTo(a);
    assertThat(xlen("orders")).isEqualTo(4);
    // NOMKSTREAM on a stream that does not exist: nil, and nothing is remembered
    assertThat(call("XADD", "refunds", "IDMP", "checkout-eu", "order-1", "NOMKSTREAM", "*", "order", "A-1"))
        .isEqualTo("$-1\r\n");
    assertThat(call("EXISTS", "refunds")).isEqualTo(":0\r\n");
  }

  @Test
  void aResendQueuedInTheSameTransactionFindsTheEarlierAdd() {
    call("MULTI");
    addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    addOrder("A-2", "IDMP", "checkout-eu", "order-2");
    String[] lines = call("EXEC").split("\r\n");
    // *3, $len, first, $len, resend, $len, second order
    assertThat(lines[4]).isEqualTo(lines[2]);
    assertThat(lines[6]).isNotEqualTo(lines[2]);
    assertThat(xlen("orders")).isEqualTo(2);
  }

  @Test
  void eachProducerHasItsOwnIdsAndItsOwnLimit() {
    String eu = addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    String us = addOrder("A-1", "IDMP", "checkout-us", "order-1");
    String binary = addOrder("A-1", "IDMP", "\u0001\u0000checkout", "order-1");
    assertThat(List.of(eu, us, binary)).doesNotHaveDuplicates();
    assertThat(addOrder("A-1", "IDMP", "checkout-us", "order-1")).isEqualTo(us);
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(eu);
    assertThat(info("orders", "pids-tracked")).isEqualTo(3);
    assertThat(info("orders", "iids-tracked")).isEqualTo(3);
    assertThat(info("orders", "iids-duplicates")).isEqualTo(2);

    // a maximum of 2 IDs applies to each producer, not to the stream
    call("XCFGSET", "orders", "IDMP-DURATION", "600", "IDMP-MAXSIZE", "2");
    List<String> firstIds = new ArrayList<>();
    for (String producer : new String[] {"checkout-us", "checkout-eu"}) {
      for (String iid : new String[] {"order-7", "order-8"}) {
        firstIds.add(addOrder(iid, "IDMP", producer, iid));
      }
    }
    int k = 0;
    for (String producer : new String[] {"checkout-us", "checkout-eu"}) {
      for (String iid : new String[] {"order-7", "order-8"}) {
        assertThat(addOrder(iid, "IDMP", producer, iid)).as(producer + " " + iid).isEqualTo(firstIds.get(k++));
      }
    }
    assertThat(info("orders", "pids-tracked")).isEqualTo(2);
    assertThat(info("orders", "iids-tracked")).isEqualTo(4);
  }

  @Test
  void pastTheMaximumTheOldestIdsAreForgotten() {
    addOrder("A-0", "IDMP", "checkout-eu", "warm-up");
    call("XCFGSET", "orders", "IDMP-MAXSIZE", "2");
    String first = addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    String second = addOrder("A-2", "IDMP", "checkout-eu", "order-2");
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(first);
    addOrder("A-3", "IDMP", "checkout-eu", "order-3"); // order-1 is forgotten
    assertThat(addOrder("A-2", "IDMP", "checkout-eu", "order-2")).isEqualTo(second);
    String again = addOrder("A-1", "IDMP", "checkout-eu", "order-1"); // added anew; order-2 is forgotten
    assertThat(again).isNotEqualTo(first);
    assertThat(addOrder("A-2", "IDMP", "checkout-eu", "order-2")).isNotEqualTo(second);
    assertThat(xlen("orders")).isEqualTo(6);
    assertThat(info("orders", "iids-tracked")).isEqualTo(2);
    assertThat(info("orders", "iids-added")).isEqualTo(6);

    // a long run: of 60 orders only the last 5 are remembered
    addOrder("B-0", "IDMP", "checkout-us", "warm-up");
    call("XCFGSET", "orders", "IDMP-MAXSIZE", "5");
    List<String> run = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      run.add(addOrder("B-" + i, "IDMP", "checkout-us", "order-" + i));
    }
    for (int i = 60; i >= 56; i--) {
      assertThat(addOrder("B-" + i, "IDMP", "checkout-us", "order-" + i)).as("order-" + i).isEqualTo(run.get(i - 1));
    }
    for (int i = 55; i >= 1; i--) {
      assertThat(addOrder("B-" + i, "IDMP", "checkout-us", "order-" + i)).as("order-" + i)
          .isNotEqualTo(run.get(i - 1));
    }
    assertThat(xlen("orders")).isEqualTo(6 + 1 + 60 + 55);
  }

  @Test
  void idsAreForgottenOnceTheDurationHasPassed() {
    addOrder("A-0", "IDMP", "checkout-eu", "warm-up");
    assertThat(call("XCFGSET", "orders", "IDMP-DURATION", "2")).isEqualTo("+OK\r\n");
    String first = addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    h.nowMs += 1999;
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(first);
    assertThat(info("orders", "iids-tracked")).isEqualTo(1);
    h.nowMs += 1;
    assertThat(info("orders", "iids-tracked")).isZero();
    assertThat(info("orders", "pids-tracked")).isZero();
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isNotEqualTo(first);
    assertThat(xlen("orders")).isEqualTo(3);
  }

  @Test
  void idmpautoTakesTheIdFromTheContentWhateverTheFieldOrder() {
    String first = call("XADD", "orders", "IDMPAUTO", "checkout-eu", "*", "sku", "EU-7", "qty", "2", "note", "gift");
    assertThat(call("XADD", "orders", "IDMPAUTO", "checkout-eu", "*", "note", "gift", "sku", "EU-7", "qty", "2"))
        .isEqualTo(first);
    assertThat(call("XADD", "orders", "IDMPAUTO", "checkout-eu", "*", "qty", "3", "note", "gift", "sku", "EU-7"))
        .isNotEqualTo(first);
    // the same content from another producer is another order
    assertThat(call("XADD", "orders", "IDMPAUTO", "checkout-us", "*", "sku", "EU-7", "qty", "2", "note", "gift"))
        .isNotEqualTo(first);
    assertThat(xlen("orders")).isEqualTo(3);
    // field names count, and so does where a field ends and its value begins
    String sku = call("XADD", "returns", "IDMPAUTO", "checkout-eu", "*", "sku", "EU7");
    assertThat(call("XADD", "returns", "IDMPAUTO", "checkout-eu", "*", "ref", "EU7")).isNotEqualTo(sku);
    assertThat(call("XADD", "returns", "IDMPAUTO", "checkout-eu", "*", "skuE", "U7")).isNotEqualTo(sku);
    String blank = call("XADD", "returns", "IDMPAUTO", "checkout-eu", "*", "note", "");
    assertThat(call("XADD", "returns", "IDMPAUTO", "checkout-eu", "*", "note", "")).isEqualTo(blank);
    assertThat(xlen("returns")).isEqualTo(4);
  }

  @Test
  void xcfgsetChecksEveryValueBeforeApplyingAny() {
    assertThat(call("XCFGSET", "orders", "IDMP-MAXSIZE", "10")).isEqualTo("-ERR no such key\r\n");
    addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    assertThat(call("XCFGSET", "orders")).isEqualTo("-ERR At least one parameter must be specified\r\n");
    for (String[] bad : new String[][] {{"IDMP-MAXSIZE"}, {"IDMP-DURATION"}, {"IDMP-RETENTION", "10"}}) {
      List<String> argv = new ArrayList<>(List.of("XCFGSET", "orders"));
      argv.addAll(List.of(bad));
      assertThat(call(argv.toArray(new String[0]))).as(String.join(" ", bad)).isEqualTo("-ERR syntax error\r\n");
    }
    for (String bad : new String[] {"ten", "+", "-", "*", "60-1", "1.5", "0000", "IDMP-MAXSIZE"}) {
      for (String option : new String[] {"IDMP-MAXSIZE", "IDMP-DURATION"}) {
        assertThat(call("XCFGSET", "orders", option, bad)).as(option + " " + bad)
            .isEqualTo("-ERR value is not an integer or out of range\r\n");
      }
    }
    assertThat(call("XCFGSET", "orders", "IDMP-MAXSIZE", "many", "IDMP-DURATION"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    for (String bad : new String[] {"86401", "0", "-30"}) {
      assertThat(call("XCFGSET", "orders", "IDMP-DURATION", bad)).as(bad)
          .isEqualTo("-ERR IDMP-DURATION must be between 1 and 86400 seconds\r\n");
    }
    for (String bad : new String[] {"10001", "0", "-7"}) {
      assertThat(call("XCFGSET", "orders", "IDMP-MAXSIZE", bad)).as(bad)
          .isEqualTo("-ERR IDMP-MAXSIZE must be between 1 and 10000 entries\r\n");
    }
    // the good maximum is not applied when the duration that follows is bad
    assertThat(call("XCFGSET", "orders", "IDMP-MAXSIZE", "9", "IDMP-DURATION", "86401"))
        .startsWith("-ERR IDMP-DURATION must be between");
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(100);
    assertThat(info("orders", "iids-tracked")).isEqualTo(1);
    // the bounds themselves are accepted
    assertThat(call("XCFGSET", "orders", "IDMP-MAXSIZE", "10000", "IDMP-DURATION", "1")).isEqualTo("+OK\r\n");
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(10000);
    assertThat(info("orders", "idmp-duration")).isEqualTo(1);
    assertThat(call("XCFGSET", "orders", "IDMP-DURATION", "86400", "IDMP-MAXSIZE", "1")).isEqualTo("+OK\r\n");
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(1);
    assertThat(info("orders", "idmp-duration")).isEqualTo(86400);
    call("SET", "order:A-1", "paid");
    assertThat(call("XCFGSET", "order:A-1", "IDMP-MAXSIZE", "10")).startsWith("-WRONGTYPE");
  }

  @Test
  void aChangedSettingForgetsEveryProducersIdsTheSameSettingDoesNot() {
    // the stream's IDMP state starts from the server's defaults of the moment
    call("CONFIG", "SET", "stream-idmp-maxsize", "40");
    String eu = addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    String us = addOrder("B-1", "IDMP", "checkout-us", "order-1");
    addOrder("B-1", "IDMP", "checkout-us", "order-1");
    // setting what is already set keeps the history
    call("XCFGSET", "orders", "IDMP-MAXSIZE", "40", "IDMP-DURATION", "100");
    call("XCFGSET", "orders", "IDMP-MAXSIZE", "40");
    assertThat(addOrder("B-1", "IDMP", "checkout-us", "order-1")).isEqualTo(us);
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(eu);
    assertThat(info("orders", "iids-tracked")).isEqualTo(2);

    call("XCFGSET", "orders", "IDMP-MAXSIZE", "41");
    assertThat(info("orders", "pids-tracked")).isZero();
    assertThat(info("orders", "iids-tracked")).isZero();
    // the lifetime counters are not history
    assertThat(info("orders", "iids-added")).isEqualTo(2);
    assertThat(info("orders", "iids-duplicates")).isEqualTo(3);
    String fresh = addOrder("A-1", "IDMP", "checkout-eu", "order-1");
    assertThat(fresh).isNotEqualTo(eu);
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(fresh);
    assertThat(xlen("orders")).isEqualTo(3);
    call("XCFGSET", "orders", "IDMP-DURATION", "301");
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isNotEqualTo(fresh);
    assertThat(xlen("orders")).isEqualTo(4);
  }

  @Test
  void xinfoStreamShowsTheSettingsAndCounters() {
    call("XADD", "orders", "*", "order", "A-1");
    assertThat(call("XINFO", "STREAM", "orders")).startsWith("*32\r\n").contains(bulk("recorded-first-entry-id"))
        .contains(bulk("idmp-duration") + ":100\r\n" + bulk("idmp-maxsize") + ":100\r\n" + bulk("pids-tracked")
            + ":0\r\n" + bulk("iids-tracked") + ":0\r\n" + bulk("iids-added") + ":0\r\n" + bulk("iids-duplicates")
            + ":0\r\n" + bulk("groups"));
    assertThat(call("XINFO", "STREAM", "orders", "FULL")).startsWith("*30\r\n").contains(bulk("iids-duplicates"));
    // without IDMP state of its own a stream shows the server's current defaults
    assertThat(call("CONFIG", "SET", "stream-idmp-maxsize", "25")).isEqualTo("+OK\r\n");
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(25);
    call("XCFGSET", "orders", "IDMP-MAXSIZE", "25", "IDMP-DURATION", "900");
    assertThat(call("CONFIG", "SET", "stream-idmp-maxsize", "100")).isEqualTo("+OK\r\n");
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(25);
    assertThat(info("orders", "idmp-duration")).isEqualTo(900);
  }

  @Test
  void theServerDefaultsAreConfigParametersWithTheirRanges() {
    assertThat(call("CONFIG", "GET", "stream-idmp-*"))
        .isEqualTo("*4\r\n" + bulk("stream-idmp-duration") + bulk("100") + bulk("stream-idmp-maxsize") + bulk("100"));
    for (String[] bad : new String[][] {{"stream-idmp-maxsize", "0"}, {"stream-idmp-maxsize", "10001"},
        {"stream-idmp-duration", "-5"}, {"stream-idmp-duration", "86401"}}) {
      assertThat(call("CONFIG", "SET", bad[0], bad[1])).as(bad[0] + " " + bad[1]).contains("must be between");
    }
    call("CONFIG", "SET", "stream-idmp-maxsize", "3");
    for (String iid : new String[] {"order-1", "order-2", "order-3", "order-4"}) {
      addOrder(iid, "IDMP", "checkout-eu", iid);
    }
    assertThat(info("orders", "idmp-maxsize")).isEqualTo(3);
    assertThat(info("orders", "iids-tracked")).isEqualTo(3);
  }

  @Test
  void xidmprecordRestoresAnIdForAnEntryThatExists() {
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1", "990500-0")).isEqualTo("-ERR no such key\r\n");
    call("XADD", "orders", "990500-0", "order", "A-1");
    call("XADD", "orders", "990500-1", "order", "A-2");
    call("XDEL", "orders", "990500-1");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1")).startsWith("-ERR wrong number of arguments");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1", "A-1"))
        .isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "", "990500-0"))
        .isEqualTo("-ERR XIDMPRECORD requires a non-empty idempotent ID\r\n");
    assertThat(call("XIDMPRECORD", "orders", "", "order-1", "990500-0"))
        .isEqualTo("-ERR XIDMPRECORD requires a non-empty producer ID\r\n");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-2", "990500-1"))
        .isEqualTo("-ERR The stream ID does not refer to an existing entry\r\n");
    // recording the same mapping twice is fine; pointing the ID elsewhere is not
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1", "990500-0")).isEqualTo("+OK\r\n");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1", "990500-0")).isEqualTo("+OK\r\n");
    call("XADD", "orders", "990600-0", "order", "A-3");
    assertThat(call("XIDMPRECORD", "orders", "checkout-eu", "order-1", "990600-0"))
        .startsWith("-ERR The producer ID and idempotent ID are already");
    assertThat(info("orders", "iids-tracked")).isEqualTo(1);
    assertThat(info("orders", "iids-added")).isZero();
    assertThat(addOrder("A-1", "IDMP", "checkout-eu", "order-1")).isEqualTo(bulk("990500-0"));
    // a record is as old as its entry: one exactly the duration (100 s) old is already forgotten
    call("XADD", "archive", "900000-0", "order", "Z-1");
    call("XADD", "archive", "960000-0", "order", "Z-2");
    call("XIDMPRECORD", "archive", "checkout-eu", "order-old", "900000-0");
    call("XIDMPRECORD", "archive", "checkout-eu", "order-recent", "960000-0");
    assertThat(call("XADD", "archive", "IDMP", "checkout-eu", "order-recent", "*", "order", "Z-2"))
        .isEqualTo(bulk("960000-0"));
    assertThat(call("XADD", "archive", "IDMP", "checkout-eu", "order-old", "*", "order", "Z-1"))
        .isNotEqualTo(bulk("900000-0"));
    call("SET", "order:A-1", "paid");
    assertThat(call("XIDMPRECORD", "order:A-1", "checkout-eu", "order-1", "990500-0")).startsWith("-WRONGTYPE");
  }

  @Test
  void theCommandsDescribeThemselves() {
    assertThat(call("COMMAND", "INFO", "xidmprecord")).startsWith("*1\r\n*10\r\n" + bulk("xidmprecord") + ":5\r\n");
    assertThat(call("COMMAND", "INFO", "xcfgset")).startsWith("*1\r\n*10\r\n" + bulk("xcfgset") + ":-2\r\n");
    assertThat(call("COMMAND", "DOCS", "xcfgset")).contains("8.6.0", "IDMP-MAXSIZE", "IDMP-DURATION");
    assertThat(call("COMMAND", "DOCS", "xadd")).contains(bulk("IDMP"), "IDMPAUTO", "iid");
    assertThat(call("COMMAND", "GETKEYS", "XCFGSET", "orders", "IDMP-MAXSIZE", "10")).isEqualTo("*1\r\n" + bulk("orders"));
  }
}
