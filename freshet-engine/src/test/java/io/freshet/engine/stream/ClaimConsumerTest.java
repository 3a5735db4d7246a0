package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.api.Test;

/**
 * XCLAIM and XAUTOCLAIM create the consumer they claim for even when they claim nothing (Redis
 * 7.2+, where both look the consumer up or create it before the first ID); every call refreshes
 * its seen-time, only a successful claim its active-time. Manual clock, so idle times are exact.
 */
class ClaimConsumerTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  private static String consumer(String name, long pending, long idle, long inactive) {
    return "*8\r\n$4\r\nname\r\n$" + name.length() + "\r\n" + name + "\r\n$7\r\npending\r\n:" + pending
        + "\r\n$4\r\nidle\r\n:" + idle + "\r\n$8\r\ninactive\r\n:" + inactive + "\r\n";
  }

  private void setup() {
    call("XADD", "s", "1-0", "f", "v1");
    call("XADD", "s", "2-0", "f", "v2");
    call("XGROUP", "CREATE", "s", "g", "0");
    call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
  }

  @Test
  void xclaimThatClaimsNothingStillCreatesTheConsumer() {
    setup();
    long dirty = h.engine.stats.dirty;
    // min-idle-time not met: nothing is claimed
    assertThat(call("XCLAIM", "s", "g", "bob", "60000", "1-0")).isEqualTo("*0\r\n");
    assertThat(h.engine.stats.dirty).isEqualTo(dirty + 1);
    h.nowMs += 70;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 2, 70, 70) + consumer("bob", 0, 70, -1));
    // a second attempt that claims nothing moves seen-time only, and changes nothing
    dirty = h.engine.stats.dirty;
    assertThat(call("XCLAIM", "s", "g", "bob", "60000", "1-0", "9-9")).isEqualTo("*0\r\n");
    assertThat(h.engine.stats.dirty).isEqualTo(dirty);
    h.nowMs += 30;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 2, 100, 100) + consumer("bob", 0, 30, -1));
    // a successful claim moves both
    assertThat(call("XCLAIM", "s", "g", "bob", "0", "1-0", "JUSTID")).isEqualTo("*1\r\n$3\r\n1-0\r\n");
    h.nowMs += 5;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 1, 105, 105) + consumer("bob", 1, 5, 5));
  }

  @Test
  void xclaimWithNoIdsCreatesTheConsumer() {
    setup();
    assertThat(call("XCLAIM", "s", "g", "carol", "0", "JUSTID")).isEqualTo("*0\r\n");
    assertThat(call("XINFO", "CONSUMERS", "s", "g")).contains("$5\r\ncarol\r\n$7\r\npending\r\n:0\r\n");
  }

  @Test
  void xclaimErrorsCreateNothing() {
    setup();
    assertThat(call("XCLAIM", "s", "g", "dave", "0", "1-0", "BOGUS")).startsWith("-ERR Unrecognized XCLAIM option");
    assertThat(call("XCLAIM", "s", "nogroup", "dave", "0", "1-0")).startsWith("-NOGROUP");
    assertThat(call("XINFO", "CONSUMERS", "s", "g")).doesNotContain("dave");
  }

  @Test
  void xautoclaimThatClaimsNothingStillCreatesTheConsumer() {
    setup();
    long dirty = h.engine.stats.dirty;
    assertThat(call("XAUTOCLAIM", "s", "g", "bob", "60000", "0")).isEqualTo("*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    assertThat(h.engine.stats.dirty).isEqualTo(dirty + 1);
    h.nowMs += 40;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 2, 40, 40) + consumer("bob", 0, 40, -1));
    assertThat(call("XAUTOCLAIM", "s", "g", "bob", "60000", "0")).isEqualTo("*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    h.nowMs += 10;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 2, 50, 50) + consumer("bob", 0, 10, -1));
    assertThat(call("XAUTOCLAIM", "s", "g", "bob", "50", "0", "COUNT", "1", "JUSTID"))
        .isEqualTo("*3\r\n$3\r\n2-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n");
    h.nowMs += 3;
    assertThat(call("XINFO", "CONSUMERS", "s", "g"))
        .isEqualTo("*2\r\n" + consumer("alice", 1, 53, 53) + consumer("bob", 1, 3, 3));
  }

  @Test
  void xautoclaimOnAnEmptyPelCreatesTheConsumer() {
    call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    assertThat(call("XAUTOCLAIM", "s", "g", "erin", "0", "0")).isEqualTo("*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    assertThat(call("XINFO", "GROUPS", "s")).contains("$9\r\nconsumers\r\n:1\r\n");
    // syntax errors come before the consumer
    assertThat(call("XAUTOCLAIM", "s", "g", "frank", "0", "0", "COUNT", "0")).isEqualTo("-ERR COUNT must be > 0\r\n");
    assertThat(call("XINFO", "GROUPS", "s")).contains("$9\r\nconsumers\r\n:1\r\n");
  }
}
