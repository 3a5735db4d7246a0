package io.freshet.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.stream.Consumer;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import io.freshet.storage.rdb.RdbWriter;
import org.junit.jupiter.api.Test;

/** A background snapshot encodes copies: changing the live values afterwards must not show. */
class SnapshotCopyTest {
  private static byte[][] b(String... s) {
    byte[][] out = new byte[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[i].getBytes();
    }
    return out;
  }

  @Test
  void copiesAreIndependentOfLaterChanges() {
    StreamValue s = new StreamValue();
    for (int i = 1; i <= 9; i++) {
      s.append(new StreamId(i, 0), b("f"), b("v" + i), 2, 0); // chunks of 2: the last one is open
    }
    ConsumerGroup g = new ConsumerGroup("g".getBytes(), new StreamId(4, 0), 4);
    s.groups.put(g.name, g);
    Consumer c = g.getOrCreateConsumer("c".getBytes(), 100, null);
    for (int i = 1; i <= 4; i++) {
      g.pel.put(new StreamId(i, 0), 100 + i, 1, c);
      c.pel.put(new StreamId(i, 0), 0, 0, null);
    }
    HashValue h = new HashValue();
    h.put("a".getBytes(), "1".getBytes(), 128, 64);
    SetValue set = new SetValue();
    set.add("x".getBytes(), 512, 128, 64);
    ListValue l = new ListValue();
    l.pushLast("p".getBytes());

    Object[] live = {s, h, set, l};
    Object[] copies = {s.copy(), h.copy(), set.copy(), l.copy()};
    byte[][] before = new byte[live.length][];
    for (int i = 0; i < live.length; i++) {
      before[i] = RdbWriter.dump(live[i], 11);
      assertThat(RdbWriter.dump(copies[i], 11)).isEqualTo(before[i]);
    }

    s.append(new StreamId(10, 0), b("f"), b("v10"), 2, 0); // into the open chunk
    s.delete(new StreamId(3, 0));
    s.trim(true, 3, null, false, 0);
    g.pel.remove(new StreamId(2, 0));
    c.pel.remove(new StreamId(2, 0));
    g.pel.put(new StreamId(9, 0), 999, 7, c);
    c.seenTimeMs = 12345;
    g.lastId = new StreamId(9, 0);
    h.put("a".getBytes(), "2".getBytes(), 128, 64);
    set.add("y".getBytes(), 512, 128, 64);
    l.pushFirst("q".getBytes());
    l.set(1, "r".getBytes());

    for (int i = 0; i < live.length; i++) {
      assertThat(RdbWriter.dump(live[i], 11)).isNotEqualTo(before[i]);
      assertThat(RdbWriter.dump(copies[i], 11)).as("copy %d", i).isEqualTo(before[i]);
    }
  }
}
