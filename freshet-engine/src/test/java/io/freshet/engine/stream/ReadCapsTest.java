package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * MAXCOUNT and MAXSIZE on XREAD and XREADGROUP (Redis 8.10), written from the XREAD and
 * XREADGROUP command documentation: caps over all the streams read, served in the order they are
 * named; MAXSIZE lets the first entry through however large. A reporting job reads the EU and US
 * order streams; what MAXSIZE counts (field and value bytes) is Freshet's choice, see
 * docs/design.md.
 */
class ReadCapsTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** "stream/id" for every entry of a read reply, in order. */
  private static List<String> delivered(String reply) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\$\\d+\r\norders:(\\w+)\r\n|\\$\\d+\r\n(\\d+-\\d+)\r\n").matcher(reply);
    String stream = null;
    while (m.find()) {
      if (m.group(1) != null) {
        stream = m.group(1);
      } else {
        out.add(stream + "/" + m.group(2));
      }
    }
    return out;
  }

  /**
   * Two orders per region. Field and value bytes: eu/8100-0 11, eu/8200-0 13, us/8150-0 11,
   * us/8250-0 11.
   */
  private void ordersInBothRegions() {
    call("XADD", "orders:eu", "8100-0", "sku", "EU-1", "qty", "3");
    call("XADD", "orders:us", "8150-0", "sku", "US-1", "qty", "1");
    call("XADD", "orders:eu", "8200-0", "sku", "EU-22", "qty", "10");
    call("XADD", "orders:us", "8250-0", "sku", "US-2", "qty", "4");
  }

  private String readBoth(String... options) {
    List<String> argv = new ArrayList<>(List.of("XREAD"));
    argv.addAll(List.of(options));
    argv.addAll(List.of("STREAMS", "orders:eu", "orders:us", "0", "0"));
    return call(argv.toArray(new String[0]));
  }

  @Test
  void maxcountCapsTheWholeReplyInTheOrderTheStreamsAreNamed() {
    ordersInBothRegions();
    // COUNT alone caps each stream, not the total
    assertThat(delivered(readBoth("COUNT", "2"))).hasSize(4);
    assertThat(delivered(call("XREAD", "COUNT", "2", "MAXCOUNT", "3", "STREAMS", "orders:us", "orders:eu", "0", "0")))
        .containsExactly("us/8150-0", "us/8250-0", "eu/8100-0");
    // a stream reached after the cap is hit is not in the reply at all
    String euOnly = readBoth("MAXCOUNT", "2");
    assertThat(euOnly).startsWith("*1\r\n").doesNotContain("orders:us");
    assertThat(delivered(euOnly)).containsExactly("eu/8100-0", "eu/8200-0");
    call("HELLO", "3");
    assertThat(readBoth("MAXSIZE", "65536", "MAXCOUNT", "2")).startsWith("%1\r\n$9\r\norders:eu\r\n");
  }

  @Test
  void maxsizeIsSoftTheFirstEntryAlwaysGoes() {
    ordersInBothRegions();
    assertThat(delivered(readBoth("MAXSIZE", "1"))).containsExactly("eu/8100-0");
    // 11 + 13 = 24: a cap of 23 stops after the first, 24 takes both EU orders
    assertThat(delivered(readBoth("MAXSIZE", "23"))).containsExactly("eu/8100-0");
    assertThat(delivered(readBoth("MAXSIZE", "24"))).containsExactly("eu/8100-0", "eu/8200-0");
    // 24 + 11 = 35 for the first US order
    assertThat(delivered(readBoth("MAXSIZE", "34"))).containsExactly("eu/8100-0", "eu/8200-0");
    assertThat(delivered(readBoth("MAXSIZE", "35"))).containsExactly("eu/8100-0", "eu/8200-0", "us/8150-0");
    assertThat(delivered(readBoth("MAXSIZE", "65536"))).hasSize(4);
  }

  @Test
  void badCapsAreRefused() {
    ordersInBothRegions();
    // checked in the order given: the first bad option answers
    assertThat(call("XREAD", "MAXSIZE", "-1", "MAXCOUNT", "many", "STREAMS", "orders:eu", "0"))
        .isEqualTo("-ERR MAXSIZE must be a positive integer\r\n");
    assertThat(call("XREAD", "MAXCOUNT", "many", "COUNT", "few", "STREAMS", "orders:eu", "0"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    for (String option : new String[] {"MAXSIZE", "MAXCOUNT"}) {
      for (String bad : new String[] {"-1", "0"}) {
        assertThat(call("XREAD", option, bad, "STREAMS", "orders:eu", "0")).as(option + " " + bad)
            .isEqualTo("-ERR " + option + " must be a positive integer\r\n");
      }
      // not an integer at all: Redis's generic integer error, for both commands
      for (String bad : new String[] {"2.5", "lots", "18446744073709551616"}) {
        assertThat(call("XREAD", option, bad, "STREAMS", "orders:eu", "0")).as(option + " " + bad)
            .isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("XREADGROUP", "GROUP", "reporting", "report-1", option, bad, "STREAMS", "orders:eu", ">"))
            .as(option + " " + bad).isEqualTo("-ERR value is not an integer or out of range\r\n");
      }
    }
    assertThat(call("XREAD", "MAXCOUNT", "2", "COUNT", "3", "STREAMS", "orders:eu", "0"))
        .isEqualTo("-ERR MAXCOUNT must be greater than or equal to COUNT\r\n");
    // with nothing to read the caps change nothing: the null reply
    assertThat(call("XREAD", "MAXSIZE", "512", "MAXCOUNT", "5", "STREAMS", "orders:eu", "8200-0"))
        .isEqualTo("*-1\r\n");
  }

  @Test
  void xreadgroupCapsNewEntriesHistoryAndClaims() {
    ordersInBothRegions();
    call("XGROUP", "CREATE", "orders:eu", "reporting", "0");
    call("XGROUP", "CREATE", "orders:us", "reporting", "0");
    assertThat(delivered(call("XREADGROUP", "GROUP", "reporting", "report-1", "MAXCOUNT", "3", "STREAMS",
        "orders:eu", "orders:us", ">", ">"))).containsExactly("eu/8100-0", "eu/8200-0", "us/8150-0");
    // only what was delivered is pending: 8250-0 is still new
    assertThat(call("XPENDING", "orders:us", "reporting")).startsWith("*4\r\n:1\r\n$6\r\n8150-0\r\n");
    assertThat(delivered(call("XREADGROUP", "GROUP", "reporting", "report-1", "MAXSIZE", "1", "STREAMS",
        "orders:eu", "orders:us", "0", "0"))).containsExactly("eu/8100-0");
    h.nowMs += 100;
    // report-1 stalled; report-2 takes over: claimed entries count first, then new ones
    assertThat(delivered(call("XREADGROUP", "GROUP", "reporting", "report-2", "MAXCOUNT", "2", "CLAIM", "50",
        "STREAMS", "orders:us", "orders:eu", ">", ">"))).containsExactly("us/8150-0", "us/8250-0");
    assertThat(call("XPENDING", "orders:us", "reporting", "-", "+", "10", "report-2")).contains("8150-0", "8250-0");
    assertThat(call("XPENDING", "orders:eu", "reporting", "-", "+", "10", "report-2")).isEqualTo("*0\r\n");
  }

  @Test
  void aWaitingCappedReaderGetsOnlyItsShareOfABatch() {
    call("XADD", "orders:eu", "8100-0", "sku", "EU-1", "qty", "3");
    TestConnection dashboardConn = new TestConnection();
    Session dashboard = h.engine.connect(dashboardConn);
    assertThat(h.call(dashboard, dashboardConn, "XREAD", "MAXCOUNT", "1", "BLOCK", "0", "STREAMS", "orders:eu", "$"))
        .isEmpty();
    call("MULTI");
    call("XADD", "orders:eu", "8300-0", "sku", "EU-3", "qty", "1");
    call("XADD", "orders:eu", "8400-0", "sku", "EU-4", "qty", "2");
    call("EXEC");
    assertThat(delivered(dashboardConn.take())).containsExactly("eu/8300-0");
  }

  @Test
  void theOptionsAreInTheCommandDocs() {
    assertThat(call("COMMAND", "DOCS", "xread")).contains("MAXCOUNT", "MAXSIZE");
    assertThat(call("COMMAND", "DOCS", "xreadgroup")).contains("MAXCOUNT", "MAXSIZE", "CLAIM");
  }
}
