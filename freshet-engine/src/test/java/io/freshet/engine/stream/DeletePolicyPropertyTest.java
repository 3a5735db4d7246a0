package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Engine;
import io.freshet.engine.EngineHarness;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random interleavings of XADD, XREADGROUP (with and without CLAIM), XACK, XACKDEL, XDELEX, XNACK and XTRIM with every policy
 * across several groups. After every step: under ACKED no group lost an entry it could still
 * deliver (unread by it, or pending in it); under DELREF no PEL still references an entry the
 * step removed; always, a group's PEL is exactly the union of its consumers' PELs and its NACK
 * zone (ownerless entries, each once).
 */
class DeletePolicyPropertyTest {
  private static final String[] POLICIES = {"KEEPREF", "DELREF", "ACKED"};

  @Property(tries = 100)
  void policiesKeepTheirPromises(@ForAll long seed) {
    Random r = new Random(seed);
    EngineHarness h = new EngineHarness();
    Engine engine = h.engine;
    h.call("XGROUP", "CREATE", "s", "g0", "$", "MKSTREAM");
    long nextMs = 1;
    for (int step = 0; step < 200; step++) {
      h.nowMs += r.nextInt(3);
      String policy = POLICIES[r.nextInt(3)];
      String[] cmd = switch (r.nextInt(11)) {
        case 0, 1 -> r.nextBoolean()
            ? new String[] {"XADD", "s", (nextMs++) + "-0", "f", "v"}
            : new String[] {"XADD", "s", policy, "MAXLEN", r.nextBoolean() ? "~" : "=", "" + r.nextInt(6),
                (nextMs++) + "-0", "f", "v"};
        case 2, 3 -> new String[] {"XREADGROUP", "GROUP", "g" + r.nextInt(3), "c" + r.nextInt(2), "COUNT",
            "" + (1 + r.nextInt(3)), "STREAMS", "s", ">"};
        case 4 -> new String[] {"XACK", "s", "g" + r.nextInt(3), id(r, nextMs), id(r, nextMs)};
        case 5 -> new String[] {"XACKDEL", "s", "g" + r.nextInt(3), policy, "IDS", "2", id(r, nextMs), id(r, nextMs)};
        case 6 -> new String[] {"XDELEX", "s", policy, "IDS", "1", id(r, nextMs)};
        case 7 -> r.nextBoolean()
            ? new String[] {"XTRIM", "s", "MAXLEN", r.nextBoolean() ? "~" : "=", "" + r.nextInt(5), policy}
            : new String[] {"XTRIM", "s", "MINID", id(r, nextMs), policy};
        case 9 -> r.nextBoolean()
            ? new String[] {"XNACK", "s", "g" + r.nextInt(3), MODES[r.nextInt(3)], "IDS", "2", id(r, nextMs), id(r, nextMs)}
            : new String[] {"XNACK", "s", "g" + r.nextInt(3), MODES[r.nextInt(3)], "FORCE", "IDS", "1", id(r, nextMs)};
        case 10 -> new String[] {"XREADGROUP", "GROUP", "g" + r.nextInt(3), "c" + r.nextInt(2), "COUNT", "2", "CLAIM",
            "" + r.nextInt(3), "STREAMS", "s", ">"};
        default -> new String[] {"XGROUP", "CREATE", "s", "g" + r.nextInt(3), r.nextBoolean() ? "0" : "$"};
      };
      StreamValue before = (StreamValue) engine.db(0).peek(b("s"));
      // XACKDEL first acknowledges its IDs in its group: those no longer need that group
      boolean ackdel = cmd[0].equals("XACKDEL");
      Set<StreamId> needed = needed(before, ackdel ? cmd[2] : null,
          ackdel ? new HashSet<>(List.of(StreamId.parse(b(cmd[6]), 0), StreamId.parse(b(cmd[7]), 0))) : Set.of());
      Set<StreamId> present = entries(before);
      String reply = h.call(cmd);
      assertThat(reply).as("%s", String.join(" ", cmd)).doesNotStartWith("-ERR");
      if (reply.startsWith("-NOGROUP")) {
        continue; // XNACK or a read before that group exists
      }
      StreamValue after = (StreamValue) engine.db(0).peek(b("s"));
      Set<StreamId> now2 = entries(after);
      Set<StreamId> removed = new HashSet<>(present);
      removed.removeAll(now2);
      String command = String.join(" ", cmd);
      if (command.contains("ACKED")) {
        Set<StreamId> lost = new HashSet<>(needed);
        lost.retainAll(removed);
        assertThat(lost).as("ACKED removed entries a group still needs: %s", command).isEmpty();
      }
      if (command.contains("DELREF")) {
        for (ConsumerGroup g : after.groups.values()) {
          for (StreamId id : removed) {
            assertThat(g.pel.contains(id)).as("%s left %s in %s", command, id, new String(g.name)).isFalse();
          }
        }
      }
      for (ConsumerGroup g : after.groups.values()) {
        Set<StreamId> union = new HashSet<>();
        for (Consumer c : g.consumers.values()) {
          for (PendingList.Cursor p = c.pel.first(); p.valid(); p.next()) {
            assertThat(union.add(p.id())).isTrue();
            assertThat(g.pel.find(p.id()).owner()).isSameAs(c);
          }
        }
        // the rest of the group PEL is the NACK zone: ownerless entries, each listed once
        Set<StreamId> nacked = new HashSet<>(g.nackedIds());
        assertThat(nacked).hasSize(g.nackedIds().size());
        for (StreamId id : nacked) {
          assertThat(union).doesNotContain(id);
          assertThat(g.pel.find(id).owner()).isNull();
        }
        assertThat(union.size() + nacked.size()).isEqualTo(g.pel.size());
      }
    }
  }

  private static final String[] MODES = {"SILENT", "FAIL", "FATAL"};

  private static String id(Random r, long nextMs) {
    return (1 + r.nextInt((int) Math.max(1, nextMs))) + "-0";
  }

  /** Entries some group could still deliver: unread by it, or pending in it (less what XACKDEL acks). */
  private static Set<StreamId> needed(StreamValue s, String ackGroup, Set<StreamId> acked) {
    Set<StreamId> out = new HashSet<>();
    if (s == null) {
      return out;
    }
    s.forward(StreamId.MIN, StreamId.MAX, e -> {
      for (ConsumerGroup g : s.groups.values()) {
        boolean ackedHere = new String(g.name, StandardCharsets.UTF_8).equals(ackGroup) && acked.contains(e.id());
        if (e.compareTo(g.lastId) > 0 || (g.pel.contains(e.id()) && !ackedHere)) {
          out.add(e.id());
        }
      }
      return true;
    });
    return out;
  }

  private static Set<StreamId> entries(StreamValue s) {
    Set<StreamId> out = new HashSet<>();
    if (s != null) {
      s.forward(StreamId.MIN, StreamId.MAX, e -> out.add(e.id()));
    }
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

}
