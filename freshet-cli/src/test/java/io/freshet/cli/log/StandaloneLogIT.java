package io.freshet.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.FreshetProcess;
import io.freshet.server.testing.RawClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ServerMain in a child JVM with this module's classpath: the standalone launcher's log. */
class StandaloneLogIT {
  /** pid:role dd Mon yyyy HH:mm:ss.SSS level message, as Redis's serverLog writes a line. */
  private static final Pattern REDIS_LINE =
      Pattern.compile("(\\d+):M \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [.\\-*#] .*");

  @TempDir
  Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Reads {@code file} until its lines satisfy {@code done}. Between reads it PINGs the server:
   * the engine thread writes log lines in order, so once a PING is answered everything logged
   * before it has been handed to the file (or stdout), and the round trip paces the loop.
   */
  private static List<String> waitForLines(RawClient server, Path file, Predicate<List<String>> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      if (done.test(lines)) {
        return lines;
      }
      assertThat(System.nanoTime()).as("waiting for the log in %s: %s", file, lines).isLessThan(deadline);
      assertThat(server.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  private static long count(List<String> lines, String text) {
    return lines.stream().filter(l -> l.endsWith(" " + text)).count();
  }

  @Test
  void aLogfileGetsRedisLinesAndFollowsConfigSetLoglevel() throws Exception {
    int port = freePort();
    Path logfile = dir.resolve("freshet.log");
    Path output = dir.resolve("stdout.txt");
    Process server = FreshetProcess.start(List.of(), List.of("--port", Integer.toString(port), "--dir",
        dir.resolve("data").toString(), "--logfile", logfile.toString(), "--loglevel", "verbose"), output);
    try (RawClient c = FreshetProcess.connect(port)) {
      waitForLines(c, logfile, lines -> count(lines, "Ready to accept connections tcp") == 1);
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      assertThat(c.call("EVAL", "redis.log(redis.LOG_VERBOSE, 'verbose from a script') "
          + "redis.log(redis.LOG_DEBUG, 'debug from a script') redis.log(redis.LOG_WARNING, 'checkpoint 1')", "0"))
          .isEqualTo("$-1\r\n");
      List<String> lines = waitForLines(c, logfile, l -> count(l, "checkpoint 1") == 1);
      assertThat(count(lines, "DB saved on disk")).isEqualTo(1);
      assertThat(lines).anyMatch(l -> l.endsWith(" - verbose from a script"));
      assertThat(lines).anyMatch(l -> l.matches(".* - Accepted 127\\.0\\.0\\.1:\\d+"));
      assertThat(lines).noneMatch(l -> l.contains("debug from a script"));

      assertThat(c.call("CONFIG", "SET", "loglevel", "warning")).isEqualTo("+OK\r\n");
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      assertThat(c.call("EVAL", "redis.log(redis.LOG_NOTICE, 'notice dropped') "
          + "redis.log(redis.LOG_WARNING, 'checkpoint 2')", "0")).isEqualTo("$-1\r\n");
      // lines are written in order on the engine thread: once the checkpoint is there, a notice
      // line logged before it would be too
      lines = waitForLines(c, logfile, l -> count(l, "checkpoint 2") == 1);
      assertThat(count(lines, "DB saved on disk")).isEqualTo(1);
      assertThat(lines).noneMatch(l -> l.contains("notice dropped"));
      assertThat(lines).anyMatch(l -> l.endsWith(" # checkpoint 2"));

      assertThat(lines).isNotEmpty().allSatisfy(line -> {
        assertThat(line).matches(REDIS_LINE);
        assertThat(line).startsWith(server.pid() + ":M ");
      });
      // with a logfile, nothing is logged on stdout, and SLF4J found its provider without a word
      assertThat(Files.readString(output)).doesNotContain("DB saved").doesNotContain("SLF4J");
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutALogfileLinesGoToStdout() throws Exception {
    int port = freePort();
    Path output = dir.resolve("stdout.txt");
    Process server = FreshetProcess.start(List.of(),
        List.of("--port", Integer.toString(port), "--dir", dir.resolve("data").toString()), output);
    try (RawClient c = FreshetProcess.connect(port)) {
      assertThat(c.call("SAVE")).isEqualTo("+OK\r\n");
      List<String> lines = waitForLines(c, output, l -> count(l, "DB saved on disk") == 1);
      assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).matches(REDIS_LINE));
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aLogfileThatCannotBeOpenedStopsStartUpAsRedisDoes() throws Exception {
    Path output = dir.resolve("stdout.txt");
    Process server = FreshetProcess.start(List.of(), List.of("--port", Integer.toString(freePort()), "--dir",
        dir.resolve("data").toString(), "--logfile", dir.resolve("missing").resolve("x.log").toString()), output);
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isEqualTo(1);
    assertThat(Files.readString(output)).contains("*** FATAL CONFIG FILE ERROR (Redis ")
        .contains("Can't open the log file: No such file or directory");
  }
}
