package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Config;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.engine.TestConnection;
import io.freshet.engine.keyspace.Database;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random stream command sequences against a simple reference model (a sorted map of entries),
 * at stream-node-max-entries 2 so chunk boundaries are crossed constantly. After every step the
 * packed stream must hold exactly the model's entries, and the group invariants must hold:
 * the group PEL is the union of the consumer PELs, every pending entry's consumer holds it, and
 * no consumer PEL holds an entry the group does not.
 */
class StreamModelPropertyTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Property(tries = 300)
  void packedStreamMatchesModelAndKeepsGroupInvariants(@ForAll long seed) {
    Random r = new Random(seed);
    Config config = new Config();
    config.set("stream-node-max-entries", "2", true);
    long[] now = {1_000};
    Engine engine = new Engine(config, () -> now[0]);
    TestConnection conn = new TestConnection();
    Session session = engine.connect(conn);
    TreeMap<StreamId, String> model = new TreeMap<>();
    long nextMs = 1;
    for (int step = 0; step < 150; step++) {
      now[0] += r.nextInt(3);
      String[] cmd;
      int kind = r.nextInt(12);
      if (kind < 4) {
        nextMs += r.nextInt(2);
        StreamId id = new StreamId(nextMs, r.nextInt(3));
        String value = "v" + r.nextInt(1000);
        cmd = r.nextInt(3) == 0
            ? new String[] {"XADD", "s", id.toString(), "order_id", value, "qty", "2"}
            : new String[] {"XADD", "s", id.toString(), "order_id", value};
        engine.submit(session, argv(cmd));
        String reply = conn.take();
        if (reply.startsWith("$")) {
          model.put(id, value);
        }
      } else if (kind == 4) {
        StreamId id = new StreamId(1 + r.nextInt((int) nextMs + 1), r.nextInt(3));
        engine.submit(session, argv("XDEL", "s", id.toString()));
        String reply = conn.take();
        assertThat(reply).isEqualTo(model.remove(id) != null ? ":1\r\n" : ":0\r\n");
      } else if (kind == 5) {
        int maxLen = r.nextInt(8);
        engine.submit(session, argv("XTRIM", "s", "MAXLEN", Integer.toString(maxLen)));
        conn.take();
        while (model.size() > maxLen) {
          model.pollFirstEntry();
        }
      } else if (kind == 6) {
        StreamId min = new StreamId(1 + r.nextInt((int) nextMs + 1), 0);
        engine.submit(session, argv("XTRIM", "s", "MINID", min.toString()));
        conn.take();
        model.headMap(min, false).clear();
      } else if (kind == 7) {
        engine.submit(session, argv("XGROUP", "CREATE", "s", "g" + r.nextInt(2), r.nextBoolean() ? "0" : "$", "MKSTREAM"));
        conn.take();
      } else if (kind == 8) {
        engine.submit(session, argv("XREADGROUP", "GROUP", "g" + r.nextInt(2), "c" + r.nextInt(3), "COUNT",
            Integer.toString(1 + r.nextInt(3)), "STREAMS", "s", r.nextInt(4) == 0 ? "0" : ">"));
        conn.take();
      } else if (kind == 9) {
        StreamId id = new StreamId(1 + r.nextInt((int) nextMs + 1), r.nextInt(3));
        engine.submit(session, argv("XACK", "s", "g" + r.nextInt(2), id.toString()));
        conn.take();
      } else if (kind == 10) {
        engine.submit(session, argv("XAUTOCLAIM", "s", "g" + r.nextInt(2), "c" + r.nextInt(3), "0", "0", "COUNT", "3"));
        conn.take();
      } else {
        engine.submit(session, argv("XGROUP", "DELCONSUMER", "s", "g" + r.nextInt(2), "c" + r.nextInt(3)));
        conn.take();
      }
      check(engine.db(0), model, seed, step);
    }
  }

  private static byte[][] argv(String... parts) {
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = b(parts[i]);
    }
    return out;
  }

  private static void check(Database db, TreeMap<StreamId, String> model, long seed, int step) {
    Object v = db.peek(b("s"));
    if (v == null) {
      assertThat(model).as("seed %d step %d: key gone but model has entries", seed, step).isEmpty();
      return;
    }
    StreamValue s = (StreamValue) v;
    List<StreamId> ids = new ArrayList<>();
    List<String> values = new ArrayList<>();
    s.forward(StreamId.MIN, StreamId.MAX, e -> {
      ids.add(e.id());
      byte[][] fv = e.copyFieldsAndValues();
      values.add(new String(fv[1], StandardCharsets.UTF_8));
      return true;
    });
    assertThat(ids).as("seed %d step %d: entry IDs", seed, step).containsExactlyElementsOf(model.keySet());
    assertThat(values).as("seed %d step %d: entry values", seed, step).containsExactlyElementsOf(model.values());
    assertThat(s.length()).as("seed %d step %d: length", seed, step).isEqualTo(model.size());
    List<StreamId> backwards = new ArrayList<>();
    s.backward(StreamId.MIN, StreamId.MAX, e -> backwards.add(e.id()));
    assertThat(backwards).containsExactlyElementsOf(model.descendingKeySet());
    if (!model.isEmpty()) {
      assertThat(s.lastId().compareTo(model.lastKey())).isGreaterThanOrEqualTo(0);
      assertThat(s.firstId()).isEqualTo(model.firstKey());
    }
    assertThat(s.entriesAdded()).isGreaterThanOrEqualTo(s.length());
    for (ConsumerGroup g : s.groups.values()) {
      Set<StreamId> union = new HashSet<>();
      for (Consumer c : g.consumers.values()) {
        StreamId previous = null;
        for (PendingList.Cursor p = c.pel.first(); p.valid(); p.next()) {
          StreamId id = p.id();
          if (previous != null) {
            assertThat(id.compareTo(previous)).as("consumer PEL order").isPositive();
          }
          previous = id;
          PendingList.Cursor inGroup = g.pel.find(id);
          assertThat(inGroup).as("seed %d step %d: group PEL has %s", seed, step, id).isNotNull();
          assertThat(inGroup.owner()).as("seed %d step %d: owner of %s", seed, step, id).isSameAs(c);
          assertThat(union.add(id)).as("pending in two consumers").isTrue();
        }
      }
      Set<StreamId> groupIds = new HashSet<>();
      StreamId previous = null;
      for (PendingList.Cursor p = g.pel.first(); p.valid(); p.next()) {
        if (previous != null) {
          assertThat(p.id().compareTo(previous)).as("group PEL order").isPositive();
        }
        previous = p.id();
        groupIds.add(p.id());
      }
      assertThat(groupIds).hasSize(g.pel.size());
      assertThat(union).as("seed %d step %d: group PEL = union of consumer PELs", seed, step).isEqualTo(groupIds);
      assertThat(g.lastId.compareTo(s.lastId())).isLessThanOrEqualTo(0);
    }
  }
}
