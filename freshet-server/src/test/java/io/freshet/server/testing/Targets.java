package io.freshet.server.testing;

import io.freshet.server.FreshetServer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One behaviour test, two servers: every test written against {@link #all()} runs on Freshet and,
 * when it is installed, on Debian's redis-server, so each behaviour test is also a differential
 * test. Servers start on first use and stop when the JVM exits.
 */
public final class Targets {
  private static FreshetServer freshet;
  private static RedisServerProcess redis;
  private static boolean redisTried;

  private Targets() {}

  public static synchronized int freshetPort() throws Exception {
    if (freshet == null) {
      freshet = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("freshet-targets")).start();
      Runtime.getRuntime().addShutdownHook(new Thread(freshet::close));
    }
    return freshet.port();
  }

  /** redis-server's port, or -1 when it is not installed. */
  public static synchronized int redisPort() throws Exception {
    if (!redisTried) {
      redisTried = true;
      if (RedisServerProcess.binary() != null) {
        redis = RedisServerProcess.startOrSkip();
        RedisServerProcess r = redis;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            r.close();
          } catch (Exception ignored) {
            // exiting anyway
          }
        }));
      }
    }
    return redis == null ? -1 : redis.port();
  }

  /** Arguments (name, port) for a parameterized test. */
  public static List<Arguments> all() throws Exception {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("freshet", freshetPort()));
    int r = redisPort();
    if (r > 0) {
      out.add(Arguments.of("redis", r));
    }
    return out;
  }
}
