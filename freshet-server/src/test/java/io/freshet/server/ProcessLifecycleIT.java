package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Fatal;
import io.freshet.server.testing.FreshetProcess;
import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server that cannot go on ends its process with a non-zero status, so that a supervisor
 * restarts it, instead of lingering on its port answering nobody.
 */
class ProcessLifecycleIT {
  private static final String VALUE = "v".repeat(10 * 1024);

  /**
   * Regression: an OutOfMemoryError on the engine thread left the process listening and silent.
   * Now it exits at once with one line, and the data it acknowledged is there after a restart.
   * {@code bench/crash.sh} runs more rounds ({@code -Dfreshet.oom.rounds}) on one data directory.
   */
  @Test
  void outOfMemoryEndsTheProcessAndEveryAcknowledgedWriteSurvives() throws Exception {
    Path dir = Files.createTempDirectory("freshet-oom");
    Path log = dir.resolve("server.log");
    int port = RedisServerProcess.freePort();
    int rounds = Integer.getInteger("freshet.oom.rounds", 1);
    for (int round = 0; round < rounds; round++) {
      String key = "big:" + round;
      List<String> acknowledged = writeUntilTheServerDies(dir, port, key, log);
      // a roomy heap loads what the small one could not hold, checks it, and compacts it away
      // so that the next round's small heap can start
      Process restarted = FreshetProcess.start(List.of(),
          List.of("--port", Integer.toString(port), "--dir", dir.toString()), log);
      try (RawClient c = FreshetProcess.connect(port)) {
        long length = Long.parseLong(c.call("XLEN", key).substring(1).trim());
        assertThat(length).as("round %d", round).isGreaterThanOrEqualTo(acknowledged.size());
        for (int i = 0; i < acknowledged.size(); i += Math.max(1, acknowledged.size() / 50)) {
          assertThat(c.call("XRANGE", key, acknowledged.get(i), acknowledged.get(i))).contains(acknowledged.get(i));
        }
        String last = acknowledged.get(acknowledged.size() - 1);
        assertThat(c.call("XRANGE", key, last, last)).contains(last);
        assertThat(c.call("DEL", key)).isEqualTo(":1\r\n");
        assertThat(c.call("BGREWRITEAOF")).startsWith("+Background append only file rewriting");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.call("INFO", "persistence").contains("aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0")) {
          assertThat(System.nanoTime()).as("the rewrite ended").isLessThan(deadline);
          Thread.onSpinWait();
        }
      } finally {
        restarted.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Pipelines 10 KB entries into a server with a 64 MB heap until it dies; returns the acknowledged IDs. */
  private static List<String> writeUntilTheServerDies(Path dir, int port, String key, Path log) throws Exception {
    Process server = FreshetProcess.start(List.of("-Xmx64m", "-XX:+UseSerialGC"),
        List.of("--port", Integer.toString(port), "--dir", dir.toString(), "--appendfsync", "everysec"), log);
    List<String> acknowledged = new ArrayList<>();
    byte[] batch = batchOfXadds(key, 20);
    try (RawClient c = FreshetProcess.connect(port)) {
      while (acknowledged.size() < 100_000) {
        c.sendRaw(batch);
        for (int i = 0; i < 20; i++) {
          String reply = c.readReply();
          assertThat(reply).as("reply to XADD").startsWith("$");
          acknowledged.add(reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2));
        }
      }
    } catch (IOException expected) {
      // the server died while we wrote or read
    }
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the process ended").isTrue();
    assertThat(server.exitValue()).isEqualTo(Fatal.EXIT_STATUS);
    assertThat(Files.readString(log)).contains("freshet: fatal java.lang.OutOfMemoryError");
    assertThat(acknowledged).isNotEmpty();
    return acknowledged;
  }

  private static byte[] batchOfXadds(String key, int n) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      out.writeBytes(RawClient.encode("XADD", key, "*", "payload", VALUE));
    }
    return out.toByteArray();
  }

  @Test
  void aPortInUseEndsStartUpWithAnError() throws Exception {
    Path dir = Files.createTempDirectory("freshet-bind");
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      long start = System.nanoTime();
      Process server = FreshetProcess.start(List.of(),
          List.of("--port", Integer.toString(taken.getLocalPort()), "--dir", dir.toString()), dir.resolve("server.log"));
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
      System.out.printf("bind failure: exit %d after %d ms%n", server.exitValue(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      assertThat(server.exitValue()).isNotZero();
      assertThat(Files.readString(dir.resolve("server.log"))).contains("Could not create server TCP listening socket");
    }
  }

  @Test
  void aDataDirectoryThatCannotBeUsedEndsStartUpWithAnError() throws Exception {
    Path dir = Files.createTempDirectory("freshet-baddir");
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    long start = System.nanoTime();
    Process server = FreshetProcess.start(List.of(), List.of("--port", Integer.toString(RedisServerProcess.freePort()),
        "--dir", notADirectory.toString()), dir.resolve("server.log"));
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
    System.out.printf("bad data directory: exit %d after %d ms%n", server.exitValue(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    assertThat(server.exitValue()).isNotZero();
    assertThat(Files.readString(dir.resolve("server.log"))).contains(notADirectory.toString());
  }
}
