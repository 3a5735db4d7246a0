package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.CapturedLog;
import io.freshet.server.testing.RawClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** An embedded server logs through SLF4J to whichever backend the application has (here the tests'). */
class EmbeddedLogIT {
  @TempDir
  Path dir;

  private static List<CapturedLog.Event> since(int first) {
    List<CapturedLog.Event> all = CapturedLog.events();
    return all.subList(first, all.size());
  }

  @Test
  void serverLinesReachTheApplicationsBackendAtMappedLevels() throws Exception {
    int before = CapturedLog.events().size();
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start();
        RawClient c = new RawClient(server.port())) {
      assertThat(since(before)).contains(
          new CapturedLog.Event(FreshetServer.class.getName(), Level.INFO,
              "Running mode=standalone, port=" + server.port() + ".", null),
          new CapturedLog.Event(FreshetServer.class.getName(), Level.INFO, "Ready to accept connections tcp", null));
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      assertThat(c.call("EVAL", "redis.log(redis.LOG_DEBUG, 'd') redis.log(redis.LOG_VERBOSE, 'v') "
          + "redis.log(redis.LOG_NOTICE, 'n') redis.log(redis.LOG_WARNING, 'w')", "0")).isEqualTo("$-1\r\n");
      // SAVE and EVAL reply after logging, on the engine thread
      List<CapturedLog.Event> events = since(before);
      assertThat(events).contains(
          new CapturedLog.Event("io.freshet.storage.Store", Level.INFO, "DB saved on disk", null),
          new CapturedLog.Event("freshet.script", Level.TRACE, "d", null),
          new CapturedLog.Event("freshet.script", Level.DEBUG, "v", null),
          new CapturedLog.Event("freshet.script", Level.INFO, "n", null),
          new CapturedLog.Event("freshet.script", Level.WARN, "w", null));
      // Redis's verbose line for a new connection is DEBUG
      assertThat(events).anyMatch(e -> e.logger().equals(ClientConnection.class.getName())
          && e.level() == Level.DEBUG && e.message().startsWith("Accepted 127.0.0.1:"));
    }
  }
}
