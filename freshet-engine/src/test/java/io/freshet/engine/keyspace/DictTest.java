package io.freshet.engine.keyspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DictTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putGetRemoveKeepInsertionOrder() {
    Dict<String> d = new Dict<>();
    assertThat(d.put(b("a"), "1")).isNull();
    assertThat(d.put(b("b"), "2")).isNull();
    assertThat(d.put(b("a"), "3")).isEqualTo("1");
    d.put(b("c"), "4");
    assertThat(d.remove(b("b"))).isEqualTo("2");
    assertThat(d.remove(b("b"))).isNull();
    List<String> order = new ArrayList<>();
    for (Dict.Entry<String> e = d.first(); e != null; e = e.after()) {
      order.add(new String(e.key(), StandardCharsets.UTF_8) + "=" + e.value());
    }
    assertThat(order).containsExactly("a=3", "c=4");
    assertThat(d.size()).isEqualTo(2);
  }

  /**
   * Redis's SCAN guarantee: every element present for the whole scan is returned, even when the
   * table grows or shrinks between calls.
   */
  @Property(tries = 200)
  void scanReturnsEveryStableElementAcrossResizes(@ForAll @IntRange(min = 0, max = 300) int stable,
      @ForAll @IntRange(min = 0, max = 2000) int churn, @ForAll long seed) {
    Random r = new Random(seed);
    Dict<Boolean> d = new Dict<>();
    Set<String> stableKeys = new HashSet<>();
    for (int i = 0; i < stable; i++) {
      d.put(b("s" + i), true);
      stableKeys.add("s" + i);
    }
    Set<String> seen = new HashSet<>();
    long cursor = 0;
    int step = 0;
    do {
      cursor = d.scan(cursor, (k, v) -> seen.add(new String(k, StandardCharsets.UTF_8)));
      // churn: add or remove temporary keys so the table resizes mid-scan
      int n = churn == 0 ? 0 : r.nextInt(churn / 10 + 1);
      for (int i = 0; i < n; i++) {
        String k = "t" + r.nextInt(churn + 1);
        if (r.nextBoolean()) {
          d.put(b(k), true);
        } else {
          d.remove(b(k));
        }
      }
      step++;
    } while (cursor != 0 && step < 1_000_000);
    assertThat(seen).containsAll(stableKeys);
  }

  @Test
  void randomEntryReturnsMembersOnly() {
    Dict<Integer> d = new Dict<>();
    for (int i = 0; i < 100; i++) {
      d.put(b("k" + i), i);
    }
    Random r = new Random(1);
    for (int i = 0; i < 1000; i++) {
      Dict.Entry<Integer> e = d.randomEntry(r);
      assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo("k" + e.value());
    }
    assertThat(new Dict<Integer>().randomEntry(r)).isNull();
  }
}
