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
   */
  @Test
  void outOfMemoryEndsTheProcessAndEveryAcknowledgedWriteSurvives() throws Exception {
    Path dir = Files.createTempDirectory("freshet-oom");
    Path log = dir.resolve("server.log");
    int port = RedisServerProcess.freePort();
    Process server = FreshetProcess.start(List.of("-Xmx64m", "-XX:+UseSerialGC"),
        List.of("--port", Integer.toString(port), "--dir", dir.toString(), "--appendfsync", "everysec"), log);
    List<String> acknowledged = new ArrayList<>();
    try (RawClient c = FreshetProcess.connect(port)) {
      // pipelined batches of 10 KB entries until the server goes away
      while (acknowledged.size() < 100_000) {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 20; i++) {
          batch.append(new String(RawClient.encode("XADD", "big", "*", "payload", VALUE), java.nio.charset.StandardCharsets.US_ASCII));
        }
        c.sendRaw(batch.toString());
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
    String output = Files.readString(log);
    assertThat(output).contains("freshet: fatal java.lang.OutOfMemoryError");
    assertThat(acknowledged).isNotEmpty();

    Process restarted = FreshetProcess.start(List.of(),
        List.of("--port", Integer.toString(port), "--dir", dir.toString()), log);
    try (RawClient c = FreshetProcess.connect(port)) {
      long length = Long.parseLong(c.call("XLEN", "big").substring(1).trim());
      assertThat(length).isGreaterThanOrEqualTo(acknowledged.size());
      for (int i = 0; i < acknowledged.size(); i += Math.max(1, acknowledged.size() / 50)) {
        assertThat(c.call("XRANGE", "big", acknowledged.get(i), acknowledged.get(i))).contains(acknowledged.get(i));
      }
      String last = acknowledged.get(acknowledged.size() - 1);
      assertThat(c.call("XRANGE", "big", last, last)).contains(last);
    } finally {
      restarted.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
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
