package io.freshet.server.testing;

import io.freshet.server.FreshetServer;
import java.nio.file.Files;

/**
 * A private redis-server and Freshet pair for one differential test class, so the test may
 * reconfigure and flush both without disturbing the shared {@link Targets}.
 */
public final class OraclePair implements AutoCloseable {
  public final RedisServerProcess redis;
  public final FreshetServer freshet;

  private OraclePair(RedisServerProcess redis, FreshetServer freshet) {
    this.redis = redis;
    this.freshet = freshet;
  }

  /** Starts both, or skips the calling test when redis-server is not installed. */
  public static OraclePair start() throws Exception {
    return start(java.util.Map.of());
  }

  /** As {@link #start()}, with configuration for Freshet. */
  public static OraclePair start(java.util.Map<String, String> freshetConfig) throws Exception {
    RedisServerProcess redis = RedisServerProcess.startOrSkip();
    try {
      return new OraclePair(redis, FreshetServer.builder().port(0).config(freshetConfig)
          .dataDir(Files.createTempDirectory("freshet-oracle-pair")).start());
    } catch (Exception | Error e) {
      redis.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    freshet.close();
    redis.close();
  }
}
