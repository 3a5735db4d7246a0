package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.ClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lettuce (RESP3 by default, and RESP2) against Freshet over TCP. */
@ExtendWith(FreshetExtension.class)
class LettuceIT {
  @FreshetPort
  int port;
  private RedisClient client;

  @BeforeEach
  void connect() {
    client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushall();
    }
  }

  @AfterEach
  void close() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  private StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
    client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
    return client.connect();
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void stringsHashesSetsListsWorkInBothProtocols(ProtocolVersion protocol) {
    try (StatefulRedisConnection<String, String> c = connect(protocol)) {
      RedisCommands<String, String> r = c.sync();
      assertThat(r.ping()).isEqualTo("PONG");
      assertThat(r.set("stock:100", "100")).isEqualTo("OK");
      assertThat(r.decr("stock:100")).isEqualTo(99);
      assertThat(r.set("lock", "me", SetArgs.Builder.nx().px(30_000))).isEqualTo("OK");
      assertThat(r.set("lock", "you", SetArgs.Builder.nx().px(30_000))).isNull();
      assertThat(r.pttl("lock")).isBetween(1L, 30_000L);
      assertThat(r.incrbyfloat("f", 0.1)).isEqualTo(0.1);

      assertThat(r.hset("order:1", Map.of("status", "paid", "qty", "2"))).isEqualTo(2);
      assertThat(r.hgetall("order:1")).containsEntry("status", "paid").containsEntry("qty", "2");
      assertThat(r.hincrby("order:1", "qty", 3)).isEqualTo(5);

      assertThat(r.sadd("processed", "1001", "1002", "1001")).isEqualTo(2);
      assertThat(r.sismember("processed", "1002")).isTrue();
      assertThat(r.smembers("processed")).containsExactlyInAnyOrder("1001", "1002");

      assertThat(r.rpush("queue", "a", "b", "c")).isEqualTo(3);
      assertThat(r.lrange("queue", 0, -1)).containsExactly("a", "b", "c");
      assertThat(r.lpop("queue", 2)).containsExactly("a", "b");

      assertThat(r.type("queue")).isEqualTo("list");
      assertThat(r.exists("queue", "nope")).isEqualTo(1);
      assertThat(r.dbsize()).isEqualTo(6);
      assertThatThrownBy(() -> r.incr("order:1")).isInstanceOf(RedisCommandExecutionException.class)
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
    }
  }

  @Test
  void scanVisitsEveryKeyOnce() {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        r.set("key:" + i, "v");
        expected.add("key:" + i);
      }
      r.hset("other", "f", "v");
      Set<String> seen = new HashSet<>();
      KeyScanCursor<String> cursor = r.scan(ScanArgs.Builder.matches("key:*").limit(50));
      seen.addAll(cursor.getKeys());
      while (!cursor.isFinished()) {
        cursor = r.scan(cursor, ScanArgs.Builder.matches("key:*").limit(50));
        seen.addAll(cursor.getKeys());
      }
      assertThat(seen).isEqualTo(expected);
    }
  }

  @Test
  void transactionsAndWatch() {
    try (StatefulRedisConnection<String, String> c = client.connect();
         StatefulRedisConnection<String, String> other = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      r.set("balance", "10");
      r.watch("balance");
      r.multi();
      r.decrby("balance", 3);
      r.get("balance");
      TransactionResult ok = r.exec();
      assertThat(ok.wasDiscarded()).isFalse();
      assertThat(ok.<Long>get(0)).isEqualTo(7);
      assertThat(ok.<String>get(1)).isEqualTo("7");

      r.watch("balance");
      other.sync().set("balance", "100");
      r.multi();
      r.decrby("balance", 3);
      assertThat(r.exec().wasDiscarded()).isTrue();
      assertThat(r.get("balance")).isEqualTo("100");
    }
  }

  @Test
  void pipelinedAsyncCommandsAreAnsweredInOrder() throws Exception {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisAsyncCommands<String, String> a = c.async();
      c.setAutoFlushCommands(false);
      List<io.lettuce.core.RedisFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        futures.add(a.incr("counter"));
      }
      c.flushCommands();
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
      }
    }
  }

  @Test
  void blockingPopIsWokenByAPush() throws Exception {
    try (StatefulRedisConnection<String, String> waiter = client.connect();
         StatefulRedisConnection<String, String> pusher = client.connect()) {
      var pending = waiter.async().blpop(5, "jobs");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!pusher.sync().info("clients").contains("blocked_clients:1")) {
        assertThat(System.nanoTime()).as("the BLPOP blocked in time").isLessThan(deadline);
      }
      pusher.sync().rpush("jobs", "job-1");
      var kv = pending.get(5, TimeUnit.SECONDS);
      assertThat(kv.getKey()).isEqualTo("jobs");
      assertThat(kv.getValue()).isEqualTo("job-1");
    }
  }

  @Test
  void clientInfoCarriesLettuceLibraryName() {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      String info = c.sync().clientInfo();
      assertThat(info).contains("lib-name=Lettuce");
      assertThat(c.sync().clientSetname("worker-1")).isEqualTo("OK");
      assertThat(c.sync().clientGetname()).isEqualTo("worker-1");
      assertThat(c.sync().clientList()).contains("name=worker-1");
    }
  }
}
