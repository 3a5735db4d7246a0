package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** BLPOP/BRPOP semantics, run on Freshet and on redis-server alike. */
class BlockingIT {


  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void timeoutAnswersNullInBothProtocols(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("DEL", "bq:empty");
      long start = System.nanoTime();
      assertThat(c.call("BLPOP", "bq:empty", "0.1")).isEqualTo("*-1\r\n");
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(90_000_000L);
      c.call("HELLO", "3");
      assertThat(c.call("BRPOP", "bq:empty", "0.05")).isEqualTo("_\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void waitersAreServedInArrivalOrder(String name, int port) throws Exception {
    try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
         RawClient producer = new RawClient(port)) {
      producer.call("DEL", "bq:fifo");
      a.sendRaw(RawClient.encode("BLPOP", "bq:fifo", "5"));
      producer.awaitBlocked(1);
      b.sendRaw(RawClient.encode("BLPOP", "bq:fifo", "5"));
      producer.awaitBlocked(2);
      c.sendRaw(RawClient.encode("BLPOP", "bq:fifo", "5"));
      producer.awaitBlocked(3);
      assertThat(producer.call("RPUSH", "bq:fifo", "one", "two")).isEqualTo(":2\r\n");
      assertThat(a.readReply()).isEqualTo("*2\r\n$7\r\nbq:fifo\r\n$3\r\none\r\n");
      assertThat(b.readReply()).isEqualTo("*2\r\n$7\r\nbq:fifo\r\n$3\r\ntwo\r\n");
      producer.awaitBlocked(1);
      producer.call("LPUSH", "bq:fifo", "three");
      assertThat(c.readReply()).isEqualTo("*2\r\n$7\r\nbq:fifo\r\n$5\r\nthree\r\n");
      assertThat(producer.call("EXISTS", "bq:fifo")).isEqualTo(":0\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void firstNonEmptyKeyWinsAndPipelinedCommandsWaitTheirTurn(String name, int port) throws Exception {
    try (RawClient waiter = new RawClient(port); RawClient producer = new RawClient(port)) {
      producer.call("DEL", "bq:a", "bq:b");
      producer.call("RPUSH", "bq:b", "from-b");
      assertThat(waiter.call("BLPOP", "bq:a", "bq:b", "1")).isEqualTo("*2\r\n$4\r\nbq:b\r\n$6\r\nfrom-b\r\n");
      // a blocked client's next pipelined command runs only after it is served
      waiter.sendRaw(RawClient.encode("BRPOP", "bq:a", "bq:b", "5"));
      waiter.sendRaw(RawClient.encode("ECHO", "after"));
      producer.awaitBlocked(1);
      long start = System.nanoTime();
      producer.call("RPUSH", "bq:a", "x");
      assertThat(waiter.readReply()).isEqualTo("*2\r\n$4\r\nbq:a\r\n$1\r\nx\r\n");
      assertThat(System.nanoTime() - start).as("wake-up latency").isLessThan(50_000_000L);
      assertThat(waiter.readReply()).isEqualTo("$5\r\nafter\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void insideMultiBlockingPopDoesNotBlock(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("DEL", "bq:tx");
      c.call("MULTI");
      assertThat(c.call("BLPOP", "bq:tx", "0")).isEqualTo("+QUEUED\r\n");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n*-1\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void pushInsideExecWakesAfterExecAndWrongTypeStaysBlocked(String name, int port) throws Exception {
    try (RawClient waiter = new RawClient(port); RawClient producer = new RawClient(port)) {
      producer.call("DEL", "bq:x");
      waiter.sendRaw(RawClient.encode("BLPOP", "bq:x", "5"));
      producer.awaitBlocked(1);
      producer.call("SET", "bq:x", "string");
      Thread.sleep(50);
      assertThat(producer.blockedClients()).isEqualTo(1);
      producer.call("DEL", "bq:x");
      producer.call("MULTI");
      producer.call("RPUSH", "bq:x", "1");
      producer.call("RPUSH", "bq:x", "2");
      assertThat(producer.call("EXEC")).isEqualTo("*2\r\n:1\r\n:2\r\n");
      assertThat(waiter.readReply()).isEqualTo("*2\r\n$4\r\nbq:x\r\n$1\r\n1\r\n");
      assertThat(producer.call("LRANGE", "bq:x", "0", "-1")).isEqualTo("*1\r\n$1\r\n2\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void disconnectingWaiterLeavesNothingBehind(String name, int port) throws Exception {
    try (RawClient observer = new RawClient(port)) {
      observer.call("DEL", "bq:gone");
      try (RawClient waiter = new RawClient(port)) {
        waiter.sendRaw(RawClient.encode("BLPOP", "bq:gone", "0"));
        observer.awaitBlocked(1);
      }
      observer.awaitBlocked(0);
      observer.call("RPUSH", "bq:gone", "kept");
      assertThat(observer.call("LLEN", "bq:gone")).isEqualTo(":1\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void timeoutErrors(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      assertThat(c.call("BLPOP", "k", "abc")).isEqualTo("-ERR timeout is not a float or out of range\r\n");
      assertThat(c.call("BLPOP", "k", "-1")).isEqualTo("-ERR timeout is negative\r\n");
    }
  }

  /**
   * commandstats count a parked command once, when it answers (served or timed out), and
   * CONFIG RESETSTAT clears them and the error counters. Redis 7.2+ (updateStatsOnUnblock);
   * 7.0.15 counts the call when the command parks, so this runs on Freshet only.
   */
  @org.junit.jupiter.api.Test
  void aParkedCommandCountsOneCallWhenItAnswers() throws Exception {
    int port = Targets.freshetPort();
    try (RawClient r = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("DEL", "bq:stats");
      w.call("CONFIG", "RESETSTAT");
      r.sendRaw(RawClient.encode("XREAD", "BLOCK", "0", "STREAMS", "bq:stats", "$"));
      w.awaitBlocked(1);
      assertThat(w.call("INFO", "commandstats")).doesNotContain("cmdstat_xread:");
      w.call("XADD", "bq:stats", "1-0", "f", "v");
      assertThat(r.readReply()).startsWith("*1\r\n");
      assertThat(w.call("INFO", "commandstats")).containsPattern("cmdstat_xread:calls=1,usec=\\d+,usec_per_call="
          + "\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0\r\n");
      assertThat(r.call("XREAD", "BLOCK", "10", "STREAMS", "bq:stats", "$")).isEqualTo("*-1\r\n");
      assertThat(w.call("INFO", "commandstats")).contains("cmdstat_xread:calls=2,");
      w.call("XADD", "bq:stats", "1-0", "f", "v");
      assertThat(w.call("INFO", "commandstats")).containsPattern("cmdstat_xadd:calls=2,.*,failed_calls=1\r\n");
      assertThat(w.call("INFO", "errorstats")).contains("errorstat_ERR:count=1\r\n");
      w.call("CONFIG", "RESETSTAT");
      assertThat(w.call("INFO", "commandstats")).doesNotContain("cmdstat_xread:").doesNotContain("cmdstat_xadd:");
      assertThat(w.call("INFO", "errorstats")).doesNotContain("errorstat_");
    }
  }

  /**
   * INFO clients while list and stream readers wait on one key: only an XREADGROUP counts in
   * total_blocking_keys_on_nokey (Redis 7.2+, so Freshet only).
   */
  @org.junit.jupiter.api.Test
  void listAndStreamWaitersOnOneKeyAreCountedAsRedis72() throws Exception {
    int port = Targets.freshetPort();
    try (RawClient list = new RawClient(port); RawClient plain = new RawClient(port);
         RawClient group = new RawClient(port); RawClient w = new RawClient(port)) {
      w.call("DEL", "bq:shared", "bq:group");
      w.call("XGROUP", "CREATE", "bq:group", "g", "$", "MKSTREAM");
      list.sendRaw(RawClient.encode("BLPOP", "bq:shared", "0"));
      plain.sendRaw(RawClient.encode("XREAD", "BLOCK", "0", "STREAMS", "bq:shared", "$"));
      w.awaitBlocked(2);
      assertThat(w.call("INFO", "clients")).contains("total_blocking_keys:1\r\n")
          .contains("total_blocking_keys_on_nokey:0\r\n").contains("clients_in_timeout_table:0\r\n");
      group.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "9000", "STREAMS", "bq:group", ">"));
      w.awaitBlocked(3);
      assertThat(w.call("INFO", "clients")).contains("total_blocking_keys:2\r\n")
          .contains("total_blocking_keys_on_nokey:1\r\n").contains("clients_in_timeout_table:1\r\n");
      w.call("RPUSH", "bq:shared", "x");
      assertThat(list.readReply()).isEqualTo("*2\r\n$9\r\nbq:shared\r\n$1\r\nx\r\n");
      w.awaitBlocked(2);
      w.call("XGROUP", "DESTROY", "bq:group", "g");
      assertThat(group.readReply()).startsWith("-NOGROUP");
      w.awaitBlocked(1);
      assertThat(w.call("INFO", "clients")).contains("total_blocking_keys:1\r\n")
          .contains("total_blocking_keys_on_nokey:0\r\n");
      w.call("XADD", "bq:shared", "1-0", "f", "v");
      assertThat(plain.readReply()).startsWith("*1\r\n");
      w.awaitBlocked(0);
    }
  }
}
