package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A script running past busy-reply-threshold: other clients get BUSY, SCRIPT KILL stops a
 * script that has not written, one that has is UNKILLABLE, and SHUTDOWN NOSAVE still stops the
 * server. Each check runs on Debian's redis-server and on Freshet and expects the same bytes.
 */
class ScriptBusyIT {
  private static final String LOOP = "local i = 0 while true do i = i + 1 end";
  private static final String WRITE_THEN_LOOP = "redis.call('set', 'w', '1') local i = 0 while true do i = i + 1 end";

  /** PINGs until the server answers BUSY (the script has passed the threshold); returns that reply. */
  private static String awaitBusy(RawClient c) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      String reply = c.call("PING");
      if (reply.startsWith("-BUSY")) {
        return reply;
      }
      assertThat(System.nanoTime()).as("the server became busy in time").isLessThan(deadline);
    }
  }

  private static String busyExchange(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port); RawClient other = new RawClient(port)) {
      other.call("CONFIG", "SET", "busy-reply-threshold", "100");
      runner.sendRaw(RawClient.encode("EVAL", LOOP, "0"));
      transcript.append(awaitBusy(other));
      transcript.append(other.call("GET", "k"));
      transcript.append(other.call("SCRIPT", "KILL"));
      transcript.append(runner.readReply());
      transcript.append(other.call("PING"));
      transcript.append(runner.call("PING"));
      transcript.append(other.call("SCRIPT", "KILL"));
    }
    return transcript.toString();
  }

  @Test
  void otherClientsGetBusyAndScriptKillStopsTheScript() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip();
         FreshetServer freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("busy")).start()) {
      String expected = busyExchange(redis.port());
      assertThat(expected).startsWith("-BUSY Redis is busy running a script.");
      assertThat(busyExchange(freshet.port())).isEqualTo(expected);
    }
  }

  /** The runaway script: it calls the server in a loop and catches every error with pcall. */
  private static final String PCALL_LOOP =
      "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end";

  /** Connects until a fresh client's PING is answered BUSY (the script has passed the threshold). */
  private static RawClient connectWhenBusy(int port) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      RawClient c = new RawClient(port);
      String reply = c.call("PING");
      if (reply.startsWith("-BUSY")) {
        return c;
      }
      c.close();
      assertThat(System.nanoTime()).as("a new client got BUSY in time (last reply %s)", reply).isLessThan(deadline);
    }
  }

  private static String pcallKillExchange(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port)) {
      runner.call("CONFIG", "SET", "busy-reply-threshold", "100");
      runner.sendRaw(RawClient.encode("EVAL", PCALL_LOOP, "0"));
      try (RawClient late = connectWhenBusy(port)) { // connected after the script started
        transcript.append(late.call("GET", "k"));
        transcript.append(late.call("SCRIPT", "KILL"));
        transcript.append(runner.readReply());
        transcript.append(late.call("PING"));
        transcript.append(runner.call("PING"));
      }
    }
    return transcript.toString();
  }

  /**
   * Regression: a client that connected after the script started got no reply at all, and the
   * kill was swallowed by the script's pcall. As in Redis, new clients get BUSY and the kill
   * cannot be caught.
   */
  @Test
  void aScriptThatCatchesErrorsIsStillKilledAndLateClientsGetBusy() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip();
         FreshetServer freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("busy")).start()) {
      String expected = pcallKillExchange(redis.port());
      assertThat(expected).contains("Script killed by user with SCRIPT KILL").endsWith("+PONG\r\n+PONG\r\n");
      assertThat(pcallKillExchange(freshet.port())).isEqualTo(expected);
      // the next script runs normally: the hook is back on the instruction count
      try (RawClient c = new RawClient(freshet.port())) {
        assertThat(c.call("EVAL", "local n = 0 for i = 1, 300000 do n = n + 1 end return n", "0"))
            .isEqualTo(":300000\r\n");
      }
    }
  }

  private static String busyFunctionExchange(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port); RawClient other = new RawClient(port)) {
      other.call("CONFIG", "SET", "busy-reply-threshold", "100");
      transcript.append(other.call("FUNCTION", "LOAD", "REPLACE",
          "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"));
      runner.sendRaw(RawClient.encode("FCALL", "spin", "0"));
      transcript.append(awaitBusy(other));
      transcript.append(other.call("SCRIPT", "KILL"));
      transcript.append(other.call("FUNCTION", "KILL"));
      transcript.append(runner.readReply());
      transcript.append(other.call("PING"));
      transcript.append(other.call("FUNCTION", "KILL"));
    }
    return transcript.toString();
  }

  @Test
  void aBusyFunctionIsStoppedByFunctionKillNotScriptKill() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip();
         FreshetServer freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("busy")).start()) {
      String expected = busyFunctionExchange(redis.port());
      assertThat(expected).contains("FUNCTION KILL or SHUTDOWN NOSAVE");
      assertThat(busyFunctionExchange(freshet.port())).isEqualTo(expected);
    }
  }

  /** Returns the transcript; the server is gone afterwards. */
  private static String unkillableThenShutdown(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port); RawClient other = new RawClient(port)) {
      other.call("CONFIG", "SET", "busy-reply-threshold", "100");
      runner.sendRaw(RawClient.encode("EVAL", WRITE_THEN_LOOP, "0"));
      transcript.append(awaitBusy(other));
      transcript.append(other.call("SCRIPT", "KILL"));
      other.sendRaw(RawClient.encode("SHUTDOWN", "NOSAVE"));
      assertThat(other.isClosedByServer()).isTrue();
    }
    return transcript.toString();
  }

  @Test
  void aScriptThatWroteIsUnkillableButShutdownNosaveStopsTheServer() throws Exception {
    String expected;
    try (RedisServerProcess redis = RedisServerProcess.startOrSkip()) {
      expected = unkillableThenShutdown(redis.port());
    }
    assertThat(expected).startsWith("-BUSY").contains("-UNKILLABLE");
    FreshetServer freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("busy")).start();
    try {
      assertThat(unkillableThenShutdown(freshet.port())).isEqualTo(expected);
      long deadline = System.currentTimeMillis() + 10_000;
      boolean refused = false;
      while (!refused && System.currentTimeMillis() < deadline) {
        try (RawClient probe = new RawClient(freshet.port())) {
          Thread.onSpinWait();
        } catch (java.io.IOException e) {
          refused = true;
        }
      }
      assertThat(refused).as("the server stopped listening").isTrue();
    } finally {
      freshet.close();
    }
  }
}
