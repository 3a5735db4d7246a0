package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Parked XREAD/XREADGROUP as Redis 7.2+ handles them (blocked.c, t_stream.c xreadCommand, db.c):
 * which key changes wake which reader, the order woken readers are served in, consumers made by
 * every attempt, and the INFO counters tools wait on. Manual clock; each reader its own client.
 */
class BlockedStreamReadTest {
  private final EngineHarness h = new EngineHarness();
  private final TestConnection readerOut = new TestConnection();
  private final Session reader = h.engine.connect(readerOut);
  private final TestConnection otherOut = new TestConnection();
  private final Session other = h.engine.connect(otherOut);

  private String call(String... args) {
    return h.call(args);
  }

  private String reader(String... args) {
    return h.call(reader, readerOut, args);
  }

  private String other(String... args) {
    return h.call(other, otherOut, args);
  }

  /** One INFO field, e.g. "blocked_clients". */
  private String info(String section, String field) {
    String text = call("INFO", section);
    for (String line : text.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  private static String entryReply(String key, String id, String value) {
    return "*1\r\n*2\r\n$" + key.length() + "\r\n" + key + "\r\n*1\r\n*2\r\n$" + id.length() + "\r\n" + id
        + "\r\n*2\r\n$1\r\nf\r\n$" + value.length() + "\r\n" + value + "\r\n";
  }

  @Test
  void plainReaderKeepsWaitingThroughDeleteTypeChangeAndFlush() {
    call("XADD", "s", "5-0", "f", "old");
    assertThat(reader("XREAD", "BLOCK", "0", "STREAMS", "s", "$")).isEmpty();
    call("DEL", "s");
    call("SET", "s", "text");
    call("MULTI");
    call("DEL", "s");
    call("LPUSH", "s", "item");
    call("EXEC");
    call("FLUSHDB");
    assertThat(readerOut.take()).isEmpty();
    assertThat(h.engine.blockedClients()).isEqualTo(1);
    // a new stream of that name whose entries are not after the "$" the reader saw: still waiting
    call("XADD", "s", "3-0", "f", "older");
    assertThat(readerOut.take()).isEmpty();
    call("XADD", "s", "6-0", "f", "new");
    assertThat(readerOut.take()).isEqualTo(entryReply("s", "6-0", "new"));
    assertThat(h.engine.blockedClients()).isZero();
  }

  @Test
  void plainReaderOfSeveralKeysGetsWrongTypeOnlyWhenWokenByAStream() {
    call("XADD", "a", "1-0", "f", "v");
    reader("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$");
    call("SET", "a", "text");
    assertThat(readerOut.take()).isEmpty();
    call("XADD", "b", "1-0", "f", "v");
    // re-run, it checks every key as Redis does and finds "a" a string
    assertThat(readerOut.take()).startsWith("-WRONGTYPE");
  }

  @Test
  void groupReaderIsWokenWithNogroupOrWrongtype() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    call("DEL", "s");
    assertThat(readerOut.take()).isEqualTo(
        "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n");

    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    call("SET", "s", "text");
    assertThat(readerOut.take()).startsWith("-WRONGTYPE");

    call("DEL", "s");
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    call("MULTI");
    call("DEL", "s");
    call("LPUSH", "s", "item");
    call("EXEC");
    assertThat(readerOut.take()).startsWith("-WRONGTYPE");

    call("DEL", "s");
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    call("FLUSHALL");
    assertThat(readerOut.take()).startsWith("-NOGROUP");
    assertThat(h.engine.blockedClients()).isZero();
  }

  @Test
  void renameWakesAGroupReaderWithDataOrNogroup() {
    call("XGROUP", "CREATE", "target", "g", "$", "MKSTREAM");
    call("XADD", "source", "1-0", "f", "moved");
    call("XGROUP", "CREATE", "source", "g", "0");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "target", ">");
    call("RENAME", "source", "target");
    assertThat(readerOut.take()).isEqualTo(entryReply("target", "1-0", "moved"));

    // the reader's key renamed away: NOGROUP
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "target", ">");
    call("RENAME", "target", "elsewhere");
    assertThat(readerOut.take()).startsWith("-NOGROUP No such key 'target'");

    // a stream without that group renamed onto the reader's key: NOGROUP
    call("XGROUP", "CREATE", "target", "g", "$", "MKSTREAM");
    call("XADD", "plain", "1-0", "f", "v");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "target", ">");
    call("RENAME", "plain", "target");
    assertThat(readerOut.take()).startsWith("-NOGROUP No such key 'target'");
  }

  @Test
  void aReaderWokenForNothingGoesBehindTheOthers() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    call("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM");
    call("XGROUP", "CREATE", "t", "other", "$");
    reader("XREADGROUP", "GROUP", "g", "first", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "t", ">", ">");
    other("XREADGROUP", "GROUP", "g", "second", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">");
    // destroying a group signals "t": the first reader is re-run, finds nothing and parks again,
    // now behind the second on "s" too
    call("XGROUP", "DESTROY", "t", "other");
    call("XADD", "s", "1-0", "f", "v");
    assertThat(readerOut.take()).isEmpty();
    assertThat(otherOut.take()).isEqualTo(entryReply("s", "1-0", "v"));
    call("XADD", "s", "2-0", "f", "v");
    assertThat(readerOut.take()).isEqualTo(entryReply("s", "2-0", "v"));
  }

  @Test
  void pipelinedCommandsOfAWokenClientRunAfterEveryWaiterWasServed() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREADGROUP", "GROUP", "g", "first", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">");
    reader("XREADGROUP", "GROUP", "g", "first", "COUNT", "1", "STREAMS", "s", ">");
    other("XREADGROUP", "GROUP", "g", "second", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">");
    call("MULTI");
    call("XADD", "s", "1-0", "f", "one");
    call("XADD", "s", "2-0", "f", "two");
    call("EXEC");
    assertThat(readerOut.take()).isEqualTo(entryReply("s", "1-0", "one") + "*-1\r\n");
    assertThat(otherOut.take()).isEqualTo(entryReply("s", "2-0", "two"));
  }

  @Test
  void xnackWakesClaimReadersInTheOrderTheyParked() {
    for (int i = 1; i <= 3; i++) {
      call("XADD", "s", i + "-0", "f", "v" + i);
    }
    call("XGROUP", "CREATE", "s", "g", "0");
    call("XREADGROUP", "GROUP", "g", "owner", "STREAMS", "s", ">");
    reader("XREADGROUP", "GROUP", "g", "r1", "COUNT", "1", "BLOCK", "0", "CLAIM", "100000", "STREAMS", "s", ">");
    other("XREADGROUP", "GROUP", "g", "r2", "COUNT", "1", "BLOCK", "0", "CLAIM", "100000", "STREAMS", "s", ">");
    TestConnection thirdOut = new TestConnection();
    Session third = h.engine.connect(thirdOut);
    h.call(third, thirdOut, "XREADGROUP", "GROUP", "g", "r3", "COUNT", "1", "BLOCK", "0", "CLAIM", "100000",
        "STREAMS", "s", ">");
    assertThat(info("clients", "blocked_clients")).isEqualTo("3");
    call("XNACK", "s", "g", "SILENT", "IDS", "2", "3-0", "1-0");
    // the NACK zone in XNACK order, to the readers in the order they parked
    assertThat(readerOut.take()).contains("3-0").doesNotContain("1-0");
    assertThat(otherOut.take()).contains("1-0").doesNotContain("3-0");
    assertThat(thirdOut.take()).isEmpty();
    assertThat(info("clients", "blocked_clients")).isEqualTo("1");
  }

  @Test
  void everyAttemptCreatesTheConsumerAndMarksItSeen() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    // created with nothing delivered: seen now, never active
    assertThat(consumer("c")).isEqualTo("idle=0 inactive=-1");
    h.nowMs += 100;
    assertThat(consumer("c")).isEqualTo("idle=100 inactive=-1");
    call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    assertThat(consumer("c")).isEqualTo("idle=0 inactive=-1");

    // BLOCK: made when it parks; a timeout is no new attempt
    reader("XREADGROUP", "GROUP", "g", "parked", "BLOCK", "50", "STREAMS", "s", ">");
    assertThat(consumer("parked")).isEqualTo("idle=0 inactive=-1");
    h.nowMs += 60;
    h.engine.expireWaiters();
    assertThat(readerOut.take()).isEqualTo("*-1\r\n");
    assertThat(consumer("parked")).isEqualTo("idle=60 inactive=-1");

    // woken by an entry: seen and active at the wake-up
    reader("XREADGROUP", "GROUP", "g", "parked", "BLOCK", "0", "STREAMS", "s", ">");
    h.nowMs += 30;
    call("XADD", "s", "1-0", "f", "v");
    assertThat(consumer("parked")).isEqualTo("idle=0 inactive=0");

    // NOACK delivers without making anything pending: seen, not active
    h.nowMs += 10;
    call("XADD", "s", "2-0", "f", "v");
    call("XREADGROUP", "GROUP", "g", "quiet", "NOACK", "STREAMS", "s", ">");
    assertThat(consumer("quiet")).isEqualTo("idle=0 inactive=-1");

    // the CLAIM form too, with nothing to claim or deliver
    call("XREADGROUP", "GROUP", "g", "claimer", "CLAIM", "1000", "STREAMS", "s", ">");
    assertThat(consumer("claimer")).isEqualTo("idle=0 inactive=-1");
  }

  /** A consumer's idle and inactive fields from XINFO CONSUMERS. */
  private String consumer(String name) {
    String[] parts = call("XINFO", "CONSUMERS", "s", "g").split("\r\n");
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].equals(name) && parts[i - 1].startsWith("$")) {
        // after the name: pending, idle, inactive, each a name ($len, text) and a value
        String idle = parts[i + 6].substring(1);
        String inactive = parts[i + 9].substring(1);
        return "idle=" + idle + " inactive=" + inactive;
      }
    }
    return "no consumer " + name;
  }

  @Test
  void infoClientsCountsParkedClientsAndKeysAsRedis() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    reader("XREAD", "BLOCK", "0", "STREAMS", "s", "missing", "$", "$");
    assertThat(info("clients", "blocked_clients")).isEqualTo("1");
    assertThat(info("clients", "total_blocking_keys")).isEqualTo("2");
    // only a group reader is woken by a deletion
    assertThat(info("clients", "total_blocking_keys_on_nokey")).isEqualTo("0");
    assertThat(info("clients", "clients_in_timeout_table")).isEqualTo("0");
    other("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">");
    TestConnection listOut = new TestConnection();
    Session lister = h.engine.connect(listOut);
    h.call(lister, listOut, "BLPOP", "missing", "0");
    assertThat(info("clients", "blocked_clients")).isEqualTo("3");
    assertThat(info("clients", "total_blocking_keys")).isEqualTo("2");
    assertThat(info("clients", "total_blocking_keys_on_nokey")).isEqualTo("1");
    assertThat(info("clients", "clients_in_timeout_table")).isEqualTo("1");
    call("LPUSH", "missing", "x");
    assertThat(listOut.take()).contains("missing");
    assertThat(info("clients", "blocked_clients")).isEqualTo("2");
    call("XGROUP", "DESTROY", "s", "g");
    assertThat(otherOut.take()).startsWith("-NOGROUP");
    assertThat(info("clients", "blocked_clients")).isEqualTo("1");
    assertThat(info("clients", "total_blocking_keys")).isEqualTo("2");
    assertThat(info("clients", "total_blocking_keys_on_nokey")).isEqualTo("0");
    assertThat(info("clients", "clients_in_timeout_table")).isEqualTo("0");
    h.engine.disconnect(reader);
    assertThat(info("clients", "blocked_clients")).isEqualTo("0");
    assertThat(info("clients", "total_blocking_keys")).isEqualTo("0");
  }

  @Test
  void commandAndErrorStatsCountABlockedCommandOnceWhenItAnswers() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    call("CONFIG", "RESETSTAT");
    reader("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    assertThat(commandStat("xreadgroup")).isNull();
    call("XGROUP", "DESTROY", "s", "g");
    assertThat(readerOut.take()).startsWith("-NOGROUP");
    assertThat(commandStat("xreadgroup")).contains("calls=1,").endsWith(",rejected_calls=0,failed_calls=1");
    assertThat(info("errorstats", "errorstat_NOGROUP")).isEqualTo("count=1");
    assertThat(info("stats", "total_error_replies")).isEqualTo("1");

    // re-run and parked again, then served: still one call
    reader("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    call("XGROUP", "CREATE", "s", "g2", "$");
    call("XGROUP", "DESTROY", "s", "g2");
    call("XADD", "s", "1-0", "f", "v");
    assertThat(readerOut.take()).isEqualTo(entryReply("s", "1-0", "v"));
    assertThat(commandStat("xread")).contains("calls=1,").endsWith(",failed_calls=0");

    // a timeout counts one call too
    reader("XREAD", "BLOCK", "10", "STREAMS", "s", "$");
    h.nowMs += 20;
    h.engine.expireWaiters();
    assertThat(commandStat("xread")).contains("calls=2,");

    // refused before running: rejected, with its error counted
    call("XREAD");
    assertThat(commandStat("xread")).contains("calls=2,").contains("rejected_calls=1,");
    assertThat(info("errorstats", "errorstat_ERR")).isEqualTo("count=1");
    call("XADD", "s", "1-0", "f", "v");
    assertThat(commandStat("xadd")).contains("calls=2,").endsWith("failed_calls=1");
    assertThat(info("errorstats", "errorstat_ERR")).isEqualTo("count=2");

    call("CONFIG", "RESETSTAT");
    assertThat(commandStat("xread")).isNull();
    assertThat(info("errorstats", "errorstat_NOGROUP")).isNull();
    assertThat(info("stats", "total_error_replies")).isEqualTo("0");
  }

  private String commandStat(String name) {
    return info("commandstats", "cmdstat_" + name);
  }

  @Test
  void plusIsReadAgainWhenAParkedReaderWakes() {
    reader("XREAD", "BLOCK", "0", "STREAMS", "s", "+");
    call("MULTI");
    call("XADD", "s", "1-0", "f", "one");
    call("XADD", "s", "2-0", "f", "two");
    call("EXEC");
    // "+" means the newest entry when the reader is served
    assertThat(readerOut.take()).isEqualTo(entryReply("s", "2-0", "two"));
    // an empty stream whose last ID is 0-0 has no entry before its last: Redis's error
    call("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM");
    assertThat(call("XREAD", "STREAMS", "empty", "+")).isEqualTo("-ERR the stream last element ID is 0-0\r\n");
  }
}
