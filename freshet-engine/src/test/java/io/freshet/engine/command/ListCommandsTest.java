package io.freshet.engine.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.api.Test;

/** LREM's count, as Redis reads it, including the edge that a differential run found. */
class ListCommandsTest {
  private final EngineHarness h = new EngineHarness();

  @Test
  void lremCountPicksDirectionAndLimit() {
    h.call("RPUSH", "l", "a", "b", "a", "c", "a");
    assertThat(h.call("LREM", "l", "1", "a")).isEqualTo(":1\r\n");
    assertThat(h.call("LRANGE", "l", "0", "-1")).isEqualTo("*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\na\r\n");
    assertThat(h.call("LREM", "l", "-1", "a")).isEqualTo(":1\r\n");
    assertThat(h.call("LRANGE", "l", "0", "-1")).isEqualTo("*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n");
    assertThat(h.call("LREM", "l", "0", "b")).isEqualTo(":1\r\n");
  }

  @Test
  void lremWithTheSmallestCountRemovesEveryMatchFromTheTail() {
    // Redis negates the count in place; -LONG_MIN is still LONG_MIN, a limit never reached
    h.call("RPUSH", "l", "x", "y", "x", "x");
    assertThat(h.call("LREM", "l", "-9223372036854775808", "x")).isEqualTo(":3\r\n");
    assertThat(h.call("LRANGE", "l", "0", "-1")).isEqualTo("*1\r\n$1\r\ny\r\n");
    assertThat(h.call("LREM", "l", "-9223372036854775808", "y")).isEqualTo(":1\r\n");
    assertThat(h.call("EXISTS", "l")).isEqualTo(":0\r\n");
  }
}
