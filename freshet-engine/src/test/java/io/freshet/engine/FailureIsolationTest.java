package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.command.CommandSpec;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an unexpected exception inside a command does (issue 17): the client that ran it gets an
 * ERR and the others carry on; a write that failed half-way is not journaled and writes are
 * refused from then on; a woken command that fails does not keep the other parked clients of the
 * same ready key from being served; a replayed record that fails returns its error. The failing
 * handlers are swapped in for real commands' names, so they keep those commands' flags.
 */
class FailureIsolationTest {
  private final EngineHarness h = new EngineHarness();

  /** What the engine journaled, as space-joined argv; the journal commits nothing. */
  private final List<String> journaled = new ArrayList<>();

  /** A journal that records {@code command} calls and answers every other method with nothing. */
  private Journal recordingJournal() {
    return (Journal) Proxy.newProxyInstance(Journal.class.getClassLoader(), new Class<?>[] {Journal.class},
        (proxy, method, args) -> {
          if (method.getName().equals("command")) {
            StringBuilder sb = new StringBuilder();
            for (byte[] a : (byte[][]) args[2]) {
              sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.UTF_8));
            }
            journaled.add(sb.toString());
          }
          return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
        });
  }

  FailureIsolationTest() {
    h.engine.setJournal(recordingJournal());
    // a write that changes its key, then fails as a bug would
    h.engine.commands().register("setrange", c -> {
      c.db().set(c.argv[1], "half".getBytes(StandardCharsets.UTF_8), false);
      c.modified(c.argv[1]);
      throw new IllegalStateException("boom");
    });
    // a read that fails before touching anything
    h.engine.commands().register("strlen", c -> {
      throw new IllegalArgumentException("read boom");
    });
  }

  @Test
  void aReadThatThrowsAnswersErrAndWritesGoOn() {
    assertThat(h.call("STRLEN", "k")).isEqualTo(
        "-ERR internal error executing 'strlen': java.lang.IllegalArgumentException: read boom\r\n");
    assertThat(h.call("SET", "k", "v")).isEqualTo("+OK\r\n");
    assertThat(h.engine.writesRefused()).isNull();
    assertThat(h.call("INFO", "errorstats")).contains("errorstat_ERR:count=1");
  }

  @Test
  void aWriteThatFailsHalfWayIsNotJournaledAndStopsWrites() {
    assertThat(h.call("SET", "before", "1")).isEqualTo("+OK\r\n");
    assertThat(h.call("SETRANGE", "k", "0", "x")).isEqualTo(
        "-ERR internal error executing 'setrange': java.lang.IllegalStateException: boom\r\n");
    assertThat(journaled).containsExactly("SET before 1");

    String refused = "-" + h.engine.writesRefused() + "\r\n";
    assertThat(refused).startsWith("-ERR write commands are refused: 'setrange' failed half-way");
    assertThat(h.call("SET", "after", "2")).isEqualTo(refused);
    assertThat(h.call("DEL", "before")).isEqualTo(refused);
    assertThat(journaled).containsExactly("SET before 1");
    // reads and other clients' connections go on
    assertThat(h.call("GET", "before")).isEqualTo("$1\r\n1\r\n");
    TestConnection otherOut = new TestConnection();
    Session other = h.engine.connect(otherOut);
    assertThat(h.call(other, otherOut, "PING")).isEqualTo("+PONG\r\n");
    assertThat(h.call(other, otherOut, "EXISTS", "before")).isEqualTo(":1\r\n");
  }

  @Test
  void aRefusedWriteInsideMultiAbortsTheTransaction() {
    h.call("SETRANGE", "k", "0", "x");
    assertThat(h.call("MULTI")).isEqualTo("+OK\r\n");
    assertThat(h.call("SET", "a", "1")).startsWith("-ERR write commands are refused");
    assertThat(h.call("EXEC")).isEqualTo(
        "-EXECABORT Transaction discarded because of previous errors.\r\n");
  }

  @Test
  void aWokenCommandThatThrowsLeavesTheOtherWaitersServed() {
    // XREAD (read-only, so its failure does not stop writes) parks, and fails when re-run
    h.engine.commands().register("xread", c -> {
      if (c.isReprocessing()) {
        throw new IllegalStateException("woken boom");
      }
      c.blockOnStreams(new byte[][] {c.argv[c.argv.length - 2]}, 0, false, false);
    });
    h.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    TestConnection failingOut = new TestConnection();
    Session failing = h.engine.connect(failingOut);
    TestConnection groupOut = new TestConnection();
    Session group = h.engine.connect(groupOut);
    assertThat(h.call(failing, failingOut, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")).isEmpty();
    assertThat(h.call(group, groupOut, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
        .isEmpty();
    assertThat(h.engine.blockedClients()).isEqualTo(2);

    assertThat(h.call("XADD", "s", "5-1", "f", "v")).isEqualTo("$3\r\n5-1\r\n");

    assertThat(failingOut.take()).isEqualTo(
        "-ERR internal error executing 'xread': java.lang.IllegalStateException: woken boom\r\n");
    assertThat(groupOut.take()).isEqualTo("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    assertThat(h.engine.blockedClients()).isZero();
    // the failed client's connection is still usable
    assertThat(h.call(failing, failingOut, "PING")).isEqualTo("+PONG\r\n");
    assertThat(h.engine.writesRefused()).isNull();
  }

  @Test
  void aReplayedRecordThatThrowsReturnsItsError() {
    String error = h.engine.replay(0, h.nowMs, new byte[][] {
        "SETRANGE".getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8),
        "0".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8)});
    assertThat(error).isEqualTo("ERR internal error executing 'setrange': java.lang.IllegalStateException: boom");
    assertThat(journaled).isEmpty();
    // replay of the rest goes on; what recovery does next is the store's choice
    assertThat(h.engine.replay(0, h.nowMs, new byte[][] {
        "GET".getBytes(StandardCharsets.UTF_8), "k".getBytes(StandardCharsets.UTF_8)})).isNull();
    assertThat(h.engine.commands().get("setrange").has(CommandSpec.WRITE)).isTrue();
  }
}
