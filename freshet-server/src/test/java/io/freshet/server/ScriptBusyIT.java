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

  private static String busyExchange(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port); RawClient other = new RawClient(port)) {
      other.call("CONFIG", "SET", "busy-reply-threshold", "100");
      runner.sendRaw(RawClient.encode("EVAL", LOOP, "0"));
      Thread.sleep(400);
      transcript.append(other.call("PING"));
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

  private static String busyFunctionExchange(int port) throws Exception {
    StringBuilder transcript = new StringBuilder();
    try (RawClient runner = new RawClient(port); RawClient other = new RawClient(port)) {
      other.call("CONFIG", "SET", "busy-reply-threshold", "100");
      transcript.append(other.call("FUNCTION", "LOAD", "REPLACE",
          "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"));
      runner.sendRaw(RawClient.encode("FCALL", "spin", "0"));
      Thread.sleep(400);
      transcript.append(other.call("PING"));
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
      Thread.sleep(400);
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
    assertThat(expected).startsWith("-UNKILLABLE");
    FreshetServer freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("busy")).start();
    try {
      assertThat(unkillableThenShutdown(freshet.port())).isEqualTo(expected);
      long deadline = System.currentTimeMillis() + 10_000;
      boolean refused = false;
      while (!refused && System.currentTimeMillis() < deadline) {
        try (RawClient probe = new RawClient(freshet.port())) {
          Thread.sleep(50);
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
