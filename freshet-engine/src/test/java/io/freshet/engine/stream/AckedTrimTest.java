package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.api.Test;

/**
 * Approximate trimming under ACKED goes node by node as Redis's streamTrim (8.2, with PR 14623):
 * a node exact trimming would remove whole is examined entry by entry and its unreferenced
 * entries go, referenced ones stay; the first node that would not go whole ends a {@code ~} trim;
 * LIMIT is checked per node. A node left with no live entry is freed (radix-tree-keys drops).
 * Engine at node size 2, so entries 1..6 sit in nodes [1,2] [3,4] [5,6].
 */
class AckedTrimTest {
  private final EngineHarness h = new EngineHarness();

  private String call(String... args) {
    return h.call(args);
  }

  private void sixEntriesAllDelivered(String group) {
    for (int i = 1; i <= 6; i++) {
      call("XADD", "s", i + "-0", "f", "v" + i);
    }
    call("XGROUP", "CREATE", "s", group, "0");
    call("XREADGROUP", "GROUP", group, "c", "STREAMS", "s", ">");
  }

  private String ids() {
    String range = call("XRANGE", "s", "-", "+");
    StringBuilder out = new StringBuilder();
    for (String line : range.split("\r\n")) {
      if (line.matches("\\d+-\\d+")) {
        out.append(out.length() == 0 ? "" : " ").append(line);
      }
    }
    return out.toString();
  }

  private String nodes() {
    String info = call("XINFO", "STREAM", "s");
    int at = info.indexOf("radix-tree-keys\r\n:") + "radix-tree-keys\r\n:".length();
    return info.substring(at, info.indexOf("\r\n", at));
  }

  @Test
  void approximateMinIdStopsAtTheFirstNodeThatCannotGoWhole() {
    sixEntriesAllDelivered("g");
    call("XACK", "s", "g", "1-0", "2-0", "4-0", "5-0", "6-0"); // 3-0 stays pending
    assertThat(nodes()).isEqualTo("3");
    // [1,2] goes; [3,4] loses 4 only; [5,6] holds 6-0 itself, so "~" stops there (5-0 stays)
    assertThat(call("XTRIM", "s", "MINID", "~", "6-0", "ACKED")).isEqualTo(":3\r\n");
    assertThat(ids()).isEqualTo("3-0 5-0 6-0");
    assertThat(nodes()).isEqualTo("2");
    // the exact trim goes into the last node as well
    assertThat(call("XTRIM", "s", "MINID", "6-0", "ACKED")).isEqualTo(":1\r\n");
    assertThat(ids()).isEqualTo("3-0 6-0");
    // once acknowledged, the node that only held 3-0 is freed
    call("XACK", "s", "g", "3-0");
    assertThat(call("XTRIM", "s", "MINID", "~", "6-0", "ACKED")).isEqualTo(":1\r\n");
    assertThat(ids()).isEqualTo("6-0");
    assertThat(nodes()).isEqualTo("1");
  }

  @Test
  void approximateMaxLenAndLimit() {
    sixEntriesAllDelivered("g");
    call("XACK", "s", "g", "1-0", "3-0", "4-0", "5-0", "6-0"); // 2-0 stays pending
    // [1,2]: 6 - 2 >= 2, examined: 1 goes; [3,4]: 5 - 2 >= 2: both go; [5,6]: 3 - 2 < 2: stop
    assertThat(call("XTRIM", "s", "MAXLEN", "~", "2", "ACKED")).isEqualTo(":3\r\n");
    assertThat(ids()).isEqualTo("2-0 5-0 6-0");
  }

  @Test
  void limitIsCheckedPerNode() {
    sixEntriesAllDelivered("g");
    call("XACK", "s", "g", "1-0", "2-0", "3-0", "4-0", "5-0", "6-0");
    // [1,2] fits in 3; [3,4] would take it to 4: the trim stops before it
    assertThat(call("XTRIM", "s", "MINID", "~", "9-0", "ACKED", "LIMIT", "3")).isEqualTo(":2\r\n");
    assertThat(ids()).isEqualTo("3-0 4-0 5-0 6-0");
    // the same trim with no entry referenced and no limit stops at nothing: every node goes whole
    assertThat(call("XTRIM", "s", "MINID", "~", "9-0", "ACKED")).isEqualTo(":4\r\n");
    assertThat(nodes()).isEqualTo("0");
  }

  @Test
  void aDestroyedGroupNoLongerHoldsEntries() {
    sixEntriesAllDelivered("done");
    call("XACK", "s", "done", "1-0", "2-0", "3-0", "4-0", "5-0", "6-0");
    call("XGROUP", "CREATE", "s", "busy", "0");
    call("XREADGROUP", "GROUP", "busy", "c", "COUNT", "2", "STREAMS", "s", ">");
    assertThat(call("XDELEX", "s", "ACKED", "IDS", "2", "1-0", "5-0")).isEqualTo("*2\r\n:2\r\n:2\r\n");
    assertThat(call("XGROUP", "DESTROY", "s", "busy")).isEqualTo(":1\r\n");
    // neither its pending 1-0 nor its unread 5-0 keeps them any more
    assertThat(call("XDELEX", "s", "ACKED", "IDS", "2", "1-0", "5-0")).isEqualTo("*2\r\n:1\r\n:1\r\n");
    assertThat(call("XTRIM", "s", "MINID", "~", "9-0", "ACKED")).isEqualTo(":4\r\n");
    assertThat(call("XLEN", "s")).isEqualTo(":0\r\n");
  }
}
