package io.freshet.engine.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.api.Test;

/**
 * Commands the command-layer fuzz target (freshet-server's CommandFuzzTest) found answering an
 * internal error, each named after the bug. Expected replies are redis-server 7.0.15's.
 */
class CommandFuzzRegressionTest {
  private final EngineHarness h = new EngineHarness();

  @Test
  void setrangeAtAnOffsetNearLongMaxIsStringTooLongNotAnOverflow() {
    String tooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    assertThat(h.call("SETRANGE", "k", "9223372036854775807", "abc")).isEqualTo(tooLong);
    assertThat(h.call("SETRANGE", "k", "9223372036854775807", "")).isEqualTo(":0\r\n");
    assertThat(h.call("SET", "s", "hello")).isEqualTo("+OK\r\n");
    assertThat(h.call("SETRANGE", "s", "9223372036854775807", "x")).isEqualTo(tooLong);
    assertThat(h.call("SETRANGE", "s", "9223372036854775807", "")).isEqualTo(":5\r\n");
    assertThat(h.call("SETRANGE", "s", "536870912", "x")).isEqualTo(tooLong);
    assertThat(h.call("GET", "s")).isEqualTo("$5\r\nhello\r\n");
  }
}
