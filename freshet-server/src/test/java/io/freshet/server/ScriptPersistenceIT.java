package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.FreshetProcess;
import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Scripts and persistence: the log holds a script's effects (not the script), function
 * libraries survive restarts, log rewrites and DEBUG RELOAD, and the seeds' Black-Friday stock
 * script never oversells, also across a kill -9 under appendfsync always.
 */
class ScriptPersistenceIT {
  /** The stock-decrement script from the seeds (Black-Friday scenario), unchanged. */
  static final String STOCK_SCRIPT = """
      local stock = redis.call('GET', 'stock:A')
      if tonumber(stock) >= 1 then
          redis.call('DECRBY', 'stock:A', 1)
          return 1
      else
          return 0
      end""";

  private static final String LIBRARY = "#!lua name=shop\n"
      + "redis.register_function('buy', function(keys, args) return redis.call('DECRBY', keys[1], args[1]) end)";

  private static String logText(Path dir) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().contains("appendonlydir")).toList()) {
        all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  @Test
  void theLogHoldsEffectsAndFunctionsSurviveRestartRewriteAndReload() throws Exception {
    Path dir = Files.createTempDirectory("script-persist");
    String randomValue;
    String spopped;
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("appendfsync", "always").start();
         RawClient c = new RawClient(server.port())) {
      assertThat(c.call("SADD", "pool", "a", "b", "c", "d", "e")).isEqualTo(":5\r\n");
      // math.random and SPOP differ from run to run; the log must hold what they did
      assertThat(c.call("EVAL", "-- marker-of-the-script-body\n"
          + "redis.call('SET', 'r', tostring(math.random())) redis.call('SET', 'p', redis.call('SPOP', 'pool')) "
          + "return redis.call('GET', 'r')", "0")).startsWith("$");
      randomValue = c.call("GET", "r");
      spopped = c.call("GET", "p");
      assertThat(c.call("FUNCTION", "LOAD", LIBRARY)).isEqualTo("$4\r\nshop\r\n");
      assertThat(c.call("SET", "stock", "10")).isEqualTo("+OK\r\n");
      assertThat(c.call("FCALL", "buy", "1", "stock", "3")).isEqualTo(":7\r\n");
    }
    String log = logText(dir);
    assertThat(log).doesNotContain("marker-of-the-script-body").contains("SREM")
        .contains("DECRBY").doesNotContain("FCALL").contains("FUNCTION");

    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).config("appendfsync", "always").start();
         RawClient c = new RawClient(server.port())) {
      assertThat(c.call("GET", "r")).isEqualTo(randomValue);
      assertThat(c.call("GET", "p")).isEqualTo(spopped);
      assertThat(c.call("SCARD", "pool")).isEqualTo(":4\r\n");
      assertThat(c.call("GET", "stock")).isEqualTo("$1\r\n7\r\n");
      assertThat(c.call("FCALL", "buy", "1", "stock", "1")).isEqualTo(":6\r\n");
      // the rewrite's base snapshot carries the library (RDB FUNCTION2 record)
      assertThat(c.call("BGREWRITEAOF")).startsWith("+");
      long deadline = System.currentTimeMillis() + 10_000;
      while (c.call("INFO", "persistence").contains("aof_rewrite_in_progress:1") && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(c.call("DEBUG", "RELOAD")).isEqualTo("+OK\r\n");
      assertThat(c.call("FCALL", "buy", "1", "stock", "1")).isEqualTo(":5\r\n");
    }
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start();
         RawClient c = new RawClient(server.port())) {
      assertThat(c.call("FUNCTION", "LIST", "LIBRARYNAME", "shop")).contains("buy");
      assertThat(c.call("FCALL", "buy", "1", "stock", "1")).isEqualTo(":4\r\n");
      assertThat(c.call("GET", "r")).isEqualTo(randomValue);
    }
  }

  /** The seeds' race: 150 buyers, 100 in stock; exactly 100 succeed. */
  @Test
  void blackFridayStockNeverOversells() throws Exception {
    try (FreshetServer server = FreshetServer.builder().port(0).dataDir(Files.createTempDirectory("bf"))
        .config("appendfsync", "always").start(); RawClient c = new RawClient(server.port())) {
      c.call("SET", "stock:A", "100");
      String sha = c.call("SCRIPT", "LOAD", STOCK_SCRIPT).split("\r\n")[1];
      AtomicInteger sold = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> buyers = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        Thread t = new Thread(() -> {
          try (RawClient buyer = new RawClient(server.port())) {
            start.await();
            String reply = buyer.call("EVALSHA", sha, "0");
            (reply.equals(":1\r\n") ? sold : refused).incrementAndGet();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        t.start();
        buyers.add(t);
      }
      start.countDown();
      for (Thread t : buyers) {
        t.join();
      }
      assertThat(sold.get()).isEqualTo(100);
      assertThat(refused.get()).isEqualTo(50);
      assertThat(c.call("GET", "stock:A")).isEqualTo("$1\r\n0\r\n");
    }
  }

  /**
   * The same race with the server killed (SIGKILL) while buyers are buying (once ten sales are
   * acknowledged, not after a fixed time: a loaded machine starts the buyer threads slowly),
   * under appendfsync always. Buyers whose reply was lost retry on the restarted server, as a client would. In
   * the end the stock is 0, never negative, and every acknowledged sale is in it: acknowledged
   * sales plus sales whose reply was lost account for all 100 items.
   */
  @Test
  void blackFridayStockNeverOversellsAcrossKillNine() throws Exception {
    Path dir = Files.createTempDirectory("bf-crash");
    int port = RedisServerProcess.freePort();
    Process p = FreshetProcess.start(dir, port);
    String sha;
    try (RawClient c = FreshetProcess.connect(port)) {
      c.call("SET", "stock:A", "100");
      sha = c.call("SCRIPT", "LOAD", STOCK_SCRIPT).split("\r\n")[1];
    }
    AtomicInteger sold = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger lostReplies = new AtomicInteger();
    // The first 75 buyers race before the kill; the other 75 wait for the restart. With 75
    // buyers for 100 items, some stock is always left for the second wave to buy after it.
    java.util.concurrent.CountDownLatch restarted = new java.util.concurrent.CountDownLatch(1);
    List<Thread> buyers = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      int delayMs = (i * 7) % 400;
      boolean secondWave = i >= 75;
      Thread t = new Thread(() -> {
        try {
          if (secondWave) {
            restarted.await();
          }
          Thread.sleep(delayMs);
          while (true) {
            try (RawClient buyer = FreshetProcess.connect(port)) {
              String reply = buyer.call("EVALSHA", sha, "0");
              if (reply.startsWith("-NOSCRIPT")) {
                reply = buyer.call("EVAL", STOCK_SCRIPT, "0"); // the script cache does not survive a restart
              }
              (reply.equals(":1\r\n") ? sold : refused).incrementAndGet();
              return;
            } catch (IOException e) {
              lostReplies.incrementAndGet(); // killed mid-call: the sale may or may not have happened
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      buyers.add(t);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sold.get() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(1); // kill once the race is under way, however slowly the buyers started
    }
    int soldBeforeKill = sold.get();
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
    p = FreshetProcess.start(dir, port);
    restarted.countDown();
    try {
      for (Thread t : buyers) {
        t.join(60_000);
      }
      try (RawClient c = FreshetProcess.connect(port)) {
        assertThat(c.call("GET", "stock:A")).isEqualTo("$1\r\n0\r\n");
      }
      assertThat(sold.get() + refused.get()).isEqualTo(150);
      assertThat(soldBeforeKill).as("sales before the kill").isPositive();
      assertThat(sold.get()).as("sales after the restart").isGreaterThan(soldBeforeKill);
      assertThat(sold.get()).isBetween(100 - lostReplies.get(), 100);
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

}
