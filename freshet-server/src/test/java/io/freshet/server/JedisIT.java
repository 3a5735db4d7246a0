package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** Jedis against Freshet over TCP. */
@ExtendWith(FreshetExtension.class)
class JedisIT {
  @Test
  void commonCommandsThroughAPool(@FreshetPort int port) {
    try (JedisPool pool = new JedisPool("127.0.0.1", port); Jedis j = pool.getResource()) {
      j.flushAll();
      assertThat(j.set("k", "v", SetParams.setParams().ex(100))).isEqualTo("OK");
      assertThat(j.ttl("k")).isBetween(99L, 100L);
      assertThat(j.get("k")).isEqualTo("v");
      assertThat(j.mset("a", "1", "b", "2")).isEqualTo("OK");
      assertThat(j.mget("a", "b", "nope")).containsExactly("1", "2", null);
      assertThat(j.incrBy("a", 41)).isEqualTo(42);
      assertThat(j.append("b", "xyz")).isEqualTo(4);
      assertThat(j.getrange("b", 1, -1)).isEqualTo("xyz");
      assertThat(j.hset("h", Map.of("f1", "v1", "f2", "v2"))).isEqualTo(2);
      assertThat(j.hmget("h", "f1", "zz")).containsExactly("v1", null);
      assertThat(j.hdel("h", "f1", "f2")).isEqualTo(2);
      assertThat(j.exists("h")).isFalse();
      assertThat(j.lpush("l", "x", "y")).isEqualTo(2);
      assertThat(j.lindex("l", 0)).isEqualTo("y");
      assertThat(j.rename("l", "l2")).isEqualTo("OK");
      assertThat(j.keys("l*")).containsExactly("l2");
      assertThatThrownBy(() -> j.rename("missing", "x")).isInstanceOf(JedisDataException.class)
          .hasMessage("ERR no such key");
    }
  }

  @Test
  void pipelineTransactionAndHscan(@FreshetPort int port) {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      j.flushDB();
      Pipeline p = j.pipelined();
      for (int i = 0; i < 500; i++) {
        p.hset("big", "field" + i, "value" + i);
      }
      List<Object> replies = p.syncAndReturnAll();
      assertThat(replies).hasSize(500).allMatch(r -> r.equals(1L));

      String cursor = ScanParams.SCAN_POINTER_START;
      int seen = 0;
      do {
        ScanResult<Map.Entry<String, String>> page = j.hscan("big", cursor, new ScanParams().count(100));
        seen += page.getResult().size();
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      assertThat(seen).isGreaterThanOrEqualTo(500);

      Transaction t = j.multi();
      t.incr("n");
      t.incr("n");
      t.lpush("n", "oops");
      List<Object> results = t.exec();
      assertThat(results.get(0)).isEqualTo(1L);
      assertThat(results.get(1)).isEqualTo(2L);
      assertThat(results.get(2)).isInstanceOf(JedisDataException.class);
    }
  }

  @Test
  void selectKeepsDatabasesApartAndSwapdbSwapsThem(@FreshetPort int port) {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      j.flushAll();
      j.select(3);
      j.set("only-in-3", "x");
      j.select(0);
      assertThat(j.exists("only-in-3")).isFalse();
      j.swapDB(0, 3);
      assertThat(j.get("only-in-3")).isEqualTo("x");
      assertThatThrownBy(() -> j.select(16)).hasMessage("ERR DB index is out of range");
    }
  }
}
