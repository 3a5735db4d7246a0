package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.Targets;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * redis-cli sessions, as the seeds' tutorials type them, give the same output on Freshet as on
 * redis-server (both the human-readable and the RESP3 forms).
 */
class RedisCliIT {
  private static final String SESSION = String.join("\n",
      "FLUSHALL",
      "SET order:1001 pending",
      "GET order:1001",
      "SET stock:A 100",
      "DECRBY stock:A 3",
      "INCRBYFLOAT price 19.99",
      "HSET user:42 name kim tier gold",
      "HGETALL user:42",
      "HINCRBY user:42 points 10",
      "SADD processed:orders 1001 1002 1003",
      "SISMEMBER processed:orders 1002",
      "SCARD processed:orders",
      "LPUSH queue a b c",
      "LRANGE queue 0 -1",
      "RPOP queue 2",
      "SET lock:order:1001 worker-1 NX PX 30000",
      "SET lock:order:1001 worker-2 NX PX 30000",
      "EXPIRE order:1001 3600",
      "TTL order:1001",
      "PERSIST order:1001",
      "TYPE user:42",
      "EXISTS order:1001 nope",
      "KEYS processed:*",
      "MGET order:1001 nope stock:A",
      "DEL queue",
      "LLEN queue",
      "INCR user:42",
      "NOSUCH command",
      "GET",
      "SELECT 99",
      "ECHO \"hello world\"",
      "OBJECT ENCODING stock:A",
      "DBSIZE");

  @BeforeAll
  static void needsRedisCli() {
    Assumptions.assumeTrue(new File("/usr/bin/redis-cli").canExecute(),
        "redis-cli is not installed (apt-get install redis-tools): redis-cli tests skipped");
  }

  private static String run(int port, String input, String... flags) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/redis-cli", "-p", Integer.toString(port)));
    cmd.addAll(List.of(flags));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void sessionOutputMatchesRedis() throws Exception {
    int freshet = Targets.freshetPort();
    String fresh = run(freshet, SESSION);
    assertThat(fresh).contains("pending").contains("97").contains("hello world");
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server is not installed: comparison skipped");
    // KEYS order is the hash table's: compare that line set-wise by sorting the whole output
    assertThat(sorted(fresh)).isEqualTo(sorted(run(redis, SESSION)));
    assertThat(sorted(run(freshet, SESSION, "-3"))).isEqualTo(sorted(run(redis, SESSION, "-3")));
  }

  @Test
  void oneShotCommandsAndRawMode() throws Exception {
    int port = Targets.freshetPort();
    Process p = new ProcessBuilder("/usr/bin/redis-cli", "-p", Integer.toString(port), "PING").start();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("PONG\n");
    p = new ProcessBuilder("/usr/bin/redis-cli", "-p", Integer.toString(port), "--raw", "INFO", "server").start();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("redis_version:");
  }

  private static List<String> sorted(String s) {
    List<String> lines = new ArrayList<>(List.of(s.split("\n")));
    lines.sort(null);
    return lines;
  }
}
