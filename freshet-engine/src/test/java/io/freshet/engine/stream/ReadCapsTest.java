package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * MAXCOUNT and MAXSIZE on XREAD and XREADGROUP (Redis 8.10): caps over all the streams read,
 * served in the order they are named; MAXSIZE lets the first entry through however large.
 * Written from Redis's command pages and a client's tests run against Redis 8.10.
 */
class ReadCapsTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  /** "stream:id" for every entry of a read reply, in order. */
  private static List<String> read(String reply) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\$\\d+\r\n(stream\\d|s\\d)\r\n|\\$\\d+\r\n(\\d+-\\d+)\r\n").matcher(reply);
    String stream = null;
    while (m.find()) {
      if (m.group(1) != null) {
        stream = m.group(1);
      } else {
        out.add(stream + ":" + m.group(2));
      }
    }
    return out;
  }

  private void twoStreams() {
    call("XADD", "stream1", "1-0", "field", "value1");
    call("XADD", "stream1", "2-0", "field", "value2");
    call("XADD", "stream2", "1-0", "field", "value3");
    call("XADD", "stream2", "2-0", "field", "value4");
  }

  @Test
  void maxcountCapsTheTotalInTheOrderStreamsAreNamed() {
    twoStreams();
    assertThat(read(call("XREAD", "COUNT", "2", "STREAMS", "stream1", "stream2", "0-0", "0-0"))).hasSize(4);
    assertThat(read(call("XREAD", "COUNT", "2", "MAXCOUNT", "3", "STREAMS", "stream1", "stream2", "0-0", "0-0")))
        .containsExactly("stream1:1-0", "stream1:2-0", "stream2:1-0");
    // streams past the cap are left out of the reply altogether
    String reply = call("XREAD", "MAXCOUNT", "2", "STREAMS", "stream1", "stream2", "0-0", "0-0");
    assertThat(reply).startsWith("*1\r\n").doesNotContain("stream2");
    assertThat(read(reply)).containsExactly("stream1:1-0", "stream1:2-0");
    // RESP3: a map with one key
    call("HELLO", "3");
    assertThat(call("XREAD", "MAXCOUNT", "2", "MAXSIZE", "1048576", "STREAMS", "stream1", "stream2", "0-0", "0-0"))
        .startsWith("%1\r\n");
  }

  @Test
  void maxsizeIsSoftTheFirstEntryAlwaysGoes() {
    twoStreams();
    assertThat(read(call("XREAD", "MAXSIZE", "1", "STREAMS", "stream1", "stream2", "0-0", "0-0")))
        .containsExactly("stream1:1-0");
    assertThat(read(call("XREAD", "MAXSIZE", "1048576", "STREAMS", "stream1", "stream2", "0-0", "0-0"))).hasSize(4);
    // "field"+"valueN" is 11 bytes: 22 fits two entries, 32 still two, 33 three
    assertThat(read(call("XREAD", "MAXSIZE", "22", "STREAMS", "stream1", "stream2", "0-0", "0-0"))).hasSize(2);
    assertThat(read(call("XREAD", "MAXSIZE", "32", "STREAMS", "stream1", "stream2", "0-0", "0-0"))).hasSize(2);
    assertThat(read(call("XREAD", "MAXSIZE", "33", "STREAMS", "stream1", "stream2", "0-0", "0-0")))
        .containsExactly("stream1:1-0", "stream1:2-0", "stream2:1-0");
  }

  @Test
  void errors() {
    call("XADD", "stream1", "1-0", "field", "value1");
    assertThat(call("XREAD", "COUNT", "2", "MAXCOUNT", "1", "STREAMS", "stream1", "0-0"))
        .isEqualTo("-ERR MAXCOUNT must be greater than or equal to COUNT\r\n");
    for (String bad : new String[] {"0", "-1"}) {
      assertThat(call("XREAD", "MAXCOUNT", bad, "STREAMS", "stream1", "0-0"))
          .isEqualTo("-ERR MAXCOUNT must be a positive integer\r\n");
      assertThat(call("XREAD", "MAXSIZE", bad, "STREAMS", "stream1", "0-0"))
          .isEqualTo("-ERR MAXSIZE must be a positive integer\r\n");
    }
    // not a number at all: parsed as an integer first, so Redis's generic integer error
    for (String bad : new String[] {"x", "1.5", "99999999999999999999"}) {
      for (String option : new String[] {"MAXCOUNT", "MAXSIZE"}) {
        assertThat(call("XREAD", option, bad, "STREAMS", "stream1", "0-0"))
            .isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("XREADGROUP", "GROUP", "g", "c", option, bad, "STREAMS", "stream1", ">"))
            .isEqualTo("-ERR value is not an integer or out of range\r\n");
      }
    }
    // options are checked in the order given: the first bad one answers
    assertThat(call("XREAD", "MAXCOUNT", "x", "COUNT", "y", "STREAMS", "stream1", "0-0"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(call("XREAD", "MAXSIZE", "0", "MAXCOUNT", "x", "STREAMS", "stream1", "0-0"))
        .isEqualTo("-ERR MAXSIZE must be a positive integer\r\n");
    // nothing to read: the usual null reply
    call("XDEL", "stream1", "1-0");
    assertThat(call("XREAD", "MAXCOUNT", "2", "MAXSIZE", "1024", "STREAMS", "stream1", "0-0")).isEqualTo("*-1\r\n");
  }

  @Test
  void xreadgroupCapsNewEntriesClaimsAndHistory() {
    twoStreams();
    call("XGROUP", "CREATE", "stream1", "g", "0");
    call("XGROUP", "CREATE", "stream2", "g", "0");
    assertThat(read(call("XREADGROUP", "GROUP", "g", "c1", "MAXCOUNT", "3", "STREAMS", "stream1", "stream2", ">", ">")))
        .containsExactly("stream1:1-0", "stream1:2-0", "stream2:1-0");
    // only what was delivered became pending
    assertThat(call("XPENDING", "stream2", "g")).startsWith("*4\r\n:1\r\n");
    assertThat(read(call("XREADGROUP", "GROUP", "g", "c1", "MAXSIZE", "1", "STREAMS", "stream1", "stream2", "0", "0")))
        .containsExactly("stream1:1-0");
    h.nowMs += 100;
    // CLAIM: claimed entries count first, then new ones
    assertThat(read(call("XREADGROUP", "GROUP", "g", "c2", "MAXCOUNT", "2", "CLAIM", "50", "STREAMS", "stream2",
        "stream1", ">", ">"))).containsExactly("stream2:1-0", "stream2:2-0");
    assertThat(call("XPENDING", "stream2", "g", "-", "+", "10", "c2")).contains("1-0", "2-0");
    assertThat(call("XPENDING", "stream1", "g", "-", "+", "10", "c2")).isEqualTo("*0\r\n");
  }

  @Test
  void aBlockedCappedReaderGetsTheCappedShare() {
    call("XADD", "stream1", "1-0", "f", "v");
    io.freshet.engine.TestConnection otherConn = new io.freshet.engine.TestConnection();
    io.freshet.engine.Session other = h.engine.connect(otherConn);
    assertThat(h.call(other, otherConn, "XREAD", "BLOCK", "0", "MAXCOUNT", "1", "STREAMS", "stream1", "$")).isEmpty();
    call("MULTI");
    call("XADD", "stream1", "2-0", "f", "v");
    call("XADD", "stream1", "3-0", "f", "v");
    call("EXEC");
    assertThat(read(otherConn.take())).containsExactly("stream1:2-0");
  }

  @Test
  void documented() {
    assertThat(call("COMMAND", "DOCS", "xread")).contains("MAXCOUNT", "MAXSIZE");
    assertThat(call("COMMAND", "DOCS", "xreadgroup")).contains("MAXCOUNT", "MAXSIZE", "CLAIM");
  }
}
