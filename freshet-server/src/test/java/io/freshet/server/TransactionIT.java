package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** MULTI/EXEC/WATCH semantics, run on Freshet and on redis-server alike. */
class TransactionIT {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void queueingErrorAbortsWithExecAbort(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("DEL", "tx:k");
      assertThat(c.call("MULTI")).isEqualTo("+OK\r\n");
      assertThat(c.call("SET", "tx:k", "v")).isEqualTo("+QUEUED\r\n");
      assertThat(c.call("NOPE")).startsWith("-ERR unknown command 'NOPE'");
      assertThat(c.call("MULTI")).isEqualTo("-ERR MULTI calls can not be nested\r\n");
      assertThat(c.call("EXEC")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
      assertThat(c.call("EXISTS", "tx:k")).isEqualTo(":0\r\n");
      assertThat(c.call("EXEC")).isEqualTo("-ERR EXEC without MULTI\r\n");
      assertThat(c.call("DISCARD")).isEqualTo("-ERR DISCARD without MULTI\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void runtimeErrorsDoNotRollBack(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("DEL", "tx:s", "tx:n");
      c.call("SET", "tx:s", "text");
      c.call("MULTI");
      c.call("INCR", "tx:s");
      c.call("INCR", "tx:n");
      assertThat(c.call("EXEC")).isEqualTo("*2\r\n-ERR value is not an integer or out of range\r\n:1\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void watchAbortsOnAnyChangeIncludingExpiryAndFlush(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
      c.call("SET", "tx:w", "1");
      assertThat(c.call("WATCH", "tx:w")).isEqualTo("+OK\r\n");
      other.call("SET", "tx:w", "1"); // same value still counts as a change
      c.call("MULTI");
      c.call("GET", "tx:w");
      assertThat(c.call("EXEC")).isEqualTo("*-1\r\n");

      c.call("WATCH", "tx:w");
      c.call("MULTI");
      assertThat(c.call("WATCH", "tx:w")).isEqualTo("-ERR WATCH inside MULTI is not allowed\r\n");
      c.call("GET", "tx:w");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n$1\r\n1\r\n");

      c.call("SET", "tx:e", "v", "PX", "50");
      c.call("WATCH", "tx:e");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!c.call("PTTL", "tx:e").equals(":-2\r\n")) { // the watched key expires
        assertThat(System.nanoTime()).isLessThan(deadline);
      }
      c.call("MULTI");
      c.call("PING");
      assertThat(c.call("EXEC")).isEqualTo("*-1\r\n");

      c.call("SET", "tx:f", "v");
      c.call("WATCH", "tx:f");
      other.call("FLUSHDB");
      c.call("MULTI");
      c.call("PING");
      assertThat(c.call("EXEC")).isEqualTo("*-1\r\n");

      c.call("WATCH", "tx:none");
      c.call("UNWATCH");
      other.call("SET", "tx:none", "x");
      c.call("MULTI");
      c.call("PING");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n+PONG\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void discardDropsQueueAndWatches(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port); RawClient other = new RawClient(port)) {
      c.call("WATCH", "tx:d");
      c.call("MULTI");
      c.call("SET", "tx:d", "1");
      assertThat(c.call("DISCARD")).isEqualTo("+OK\r\n");
      other.call("SET", "tx:d", "2");
      c.call("MULTI");
      c.call("GET", "tx:d");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n$1\r\n2\r\n");
    }
  }
}
