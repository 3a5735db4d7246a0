package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import io.freshet.server.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis 8.x stream commands over TCP with raw RESP (the Lettuce and Jedis versions in the
 * build predate them). Exact edge cases are unit-tested in the engine with a manual clock; this
 * checks the wire, the metadata clients ask for, and real-time CLAIM wake-ups.
 */
@ExtendWith(FreshetExtension.class)
class Redis8StreamIT {
  @Test
  void ackAndDeleteOverTheWire(@FreshetPort int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("XADD", "orders", "1-0", "order_id", "1001");
      c.call("XADD", "orders", "2-0", "order_id", "1002");
      c.call("XGROUP", "CREATE", "orders", "billing", "0");
      c.call("XGROUP", "CREATE", "orders", "shipping", "0");
      c.call("XREADGROUP", "GROUP", "billing", "b1", "STREAMS", "orders", ">");
      c.call("XREADGROUP", "GROUP", "shipping", "s1", "STREAMS", "orders", ">");
      assertThat(c.call("XACKDEL", "orders", "billing", "ACKED", "IDS", "2", "1-0", "2-0"))
          .isEqualTo("*2\r\n:2\r\n:2\r\n");
      assertThat(c.call("XACKDEL", "orders", "shipping", "ACKED", "IDS", "1", "1-0")).isEqualTo("*1\r\n:1\r\n");
      assertThat(c.call("XDELEX", "orders", "DELREF", "IDS", "1", "2-0")).isEqualTo("*1\r\n:1\r\n");
      assertThat(c.call("XPENDING", "orders", "shipping")).startsWith("*4\r\n:0\r\n");
      assertThat(c.call("XLEN", "orders")).isEqualTo(":0\r\n");
      assertThat(c.call("COMMAND", "INFO", "xackdel")).startsWith("*1\r\n*10\r\n$7\r\nxackdel\r\n:-6\r\n");
      assertThat(c.call("COMMAND", "DOCS", "xdelex")).contains("8.2.0", "KEEPREF", "DELREF", "ACKED", "IDS");
      assertThat(c.call("COMMAND", "GETKEYS", "XDELEX", "orders", "IDS", "1", "1-0")).isEqualTo("*1\r\n$6\r\norders\r\n");
      // the 7.0 docs of XADD, XTRIM and XREADGROUP gain the 8.x options Freshet implements
      assertThat(c.call("COMMAND", "DOCS", "xadd")).contains("NOMKSTREAM", "KEEPREF", "DELREF", "ACKED");
      assertThat(c.call("COMMAND", "DOCS", "xtrim")).contains("ACKED");
      assertThat(c.call("COMMAND", "DOCS", "xreadgroup")).contains("$5\r\nCLAIM\r\n", "min-idle-time");
    }
  }

  @Test
  void blockedClaimWakesWhenAnEntryBecomesClaimable(@FreshetPort int port) throws Exception {
    try (RawClient c = new RawClient(port); RawClient reader = new RawClient(port)) {
      c.call("XADD", "jobs", "1-0", "f", "v");
      c.call("XGROUP", "CREATE", "jobs", "workers", "0");
      c.call("XREADGROUP", "GROUP", "workers", "crashed", "STREAMS", "jobs", ">");
      long started = System.nanoTime();
      reader.sendRaw(RawClient.encode("XREADGROUP", "GROUP", "workers", "rescuer", "BLOCK", "5000", "CLAIM", "300",
          "STREAMS", "jobs", ">"));
      String reply = reader.readReply();
      long waitedMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(reply).startsWith("*1\r\n*2\r\n$4\r\njobs\r\n*1\r\n*4\r\n$3\r\n1-0\r\n").endsWith(":1\r\n");
      assertThat(waitedMs).isBetween(250L, 3000L);
      assertThat(c.call("XPENDING", "jobs", "workers", "-", "+", "1")).contains("rescuer", ":2\r\n");
    }
  }
}
