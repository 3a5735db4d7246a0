package io.freshet.server.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Debian's redis-server on a free port, the oracle for differential tests. */
public final class RedisServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServerProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  public static String binary() {
    for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (new File(p).canExecute()) {
        return p;
      }
    }
    return null;
  }

  /** Starts redis-server, or skips the calling test with a clear message if it is not installed. */
  public static RedisServerProcess startOrSkip() throws Exception {
    return startOrSkip(Files.createTempDirectory("redis-oracle"));
  }

  /** Starts redis-server on {@code dir}, loading its dump.rdb if there is one. */
  public static RedisServerProcess startOrSkip(Path dir) throws Exception {
    String bin = binary();
    Assumptions.assumeTrue(bin != null,
        "redis-server is not installed (apt-get install redis-server): differential test skipped");
    int port = freePort();
    Process p = new ProcessBuilder(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--enable-debug-command", "yes")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (RawClient c = new RawClient(port)) {
        if (c.call("PING").equals("+PONG\r\n")) {
          return new RedisServerProcess(p, port, dir);
        }
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
