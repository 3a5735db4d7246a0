package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Commands whose replies Redis leaves to chance or to its hash table (RANDOMKEY, SPOP,
 * SRANDMEMBER, the SCAN family), so the differential test cannot compare them byte for byte:
 * checked here by their contracts.
 */
@ExtendWith(FreshetExtension.class)
class UnorderedCommandsIT {
  @FreshetPort
  int port;
  private Jedis j;

  @BeforeEach
  void connect() {
    j = new Jedis("127.0.0.1", port);
    j.flushAll();
  }

  @Test
  void randomkeyPicksAnExistingKey() {
    assertThat(j.randomKey()).isNull();
    j.set("a", "1");
    j.set("b", "2");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(j.randomKey());
    }
    assertThat(seen).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void spopAndSrandmemberRespectTheirCounts() {
    j.sadd("s", "1", "2", "3", "4", "5");
    assertThat(j.srandmember("s", 3)).hasSize(3).doesNotHaveDuplicates().isSubsetOf("1", "2", "3", "4", "5");
    assertThat(j.srandmember("s", 10)).hasSize(5);
    List<String> withRepeats = j.srandmember("s", -20);
    assertThat(withRepeats).hasSize(20).isSubsetOf("1", "2", "3", "4", "5");
    Set<String> popped = j.spop("s", 2);
    assertThat(popped).hasSize(2);
    assertThat(j.scard("s")).isEqualTo(3);
    assertThat(j.smembers("s")).doesNotContainAnyElementsOf(popped);
    j.spop("s", 10);
    assertThat(j.exists("s")).isFalse();
    assertThat(j.spop("s")).isNull();
  }

  @Test
  void sscanVisitsSmallAndLargeSetsCompletely() {
    j.sadd("small", "x", "y");
    ScanResult<String> small = j.sscan("small", "0");
    assertThat(small.getCursor()).isEqualTo("0");
    assertThat(small.getResult()).containsExactlyInAnyOrder("x", "y");
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      j.sadd("big", "member:" + i);
      expected.add("member:" + i);
    }
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    int calls = 0;
    do {
      ScanResult<String> page = j.sscan("big", cursor, new ScanParams().count(50).match("member:*"));
      seen.addAll(page.getResult());
      cursor = page.getCursor();
      calls++;
    } while (!cursor.equals("0"));
    assertThat(seen).isEqualTo(expected);
    assertThat(calls).isGreaterThan(1);
  }

  @Test
  void scanTypeFilterAndHscanNovalues() {
    j.set("str", "v");
    j.hset("h", Map.of("f1", "v1", "f2", "v2"));
    j.sadd("set", "m");
    ScanResult<String> hashes = j.scan("0", new ScanParams().count(100), "hash");
    assertThat(hashes.getResult()).containsExactly("h");
    @SuppressWarnings("unchecked")
    List<Object> reply = (List<Object>) j.sendCommand(redis.clients.jedis.Protocol.Command.HSCAN, "h", "0", "NOVALUES");
    @SuppressWarnings("unchecked")
    List<byte[]> fields = (List<byte[]>) reply.get(1);
    // field names only, no values
    assertThat(fields.stream().map(String::new).toList()).containsExactlyInAnyOrder("f1", "f2");
  }
}
