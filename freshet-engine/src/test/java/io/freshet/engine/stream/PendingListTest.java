package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The packed PEL behaves as a sorted map, across node splits and merges. */
class PendingListTest {
  @Property(tries = 200)
  void behavesAsASortedMap(@ForAll long seed) {
    Random r = new Random(seed);
    PendingList list = new PendingList(true);
    TreeMap<StreamId, Long> model = new TreeMap<>();
    Consumer owner = new Consumer(new byte[] {'c'}, 0);
    int span = 50 + r.nextInt(500);
    for (int step = 0; step < 2000; step++) {
      StreamId id = new StreamId(r.nextInt(span), r.nextInt(3));
      int op = r.nextInt(10);
      if (op < 5) {
        long t = r.nextInt(1000);
        list.put(id, t, 1, owner);
        model.put(id, t);
      } else if (op < 8) {
        boolean had = model.remove(id) != null;
        assertThat(list.remove(id) != null).isEqualTo(had);
      } else if (op < 9) {
        // remove a run through a cursor, as XAUTOCLAIM does with deleted entries
        PendingList.Cursor c = list.seek(id);
        for (int k = 0; k < 3 && c.valid(); k++) {
          model.remove(c.id());
          c.remove();
        }
      } else {
        PendingList.Cursor c = list.find(id);
        assertThat(c != null).isEqualTo(model.containsKey(id));
        if (c != null) {
          assertThat(c.deliveryTimeMs()).isEqualTo(model.get(id));
        }
      }
      assertThat(list.size()).isEqualTo(model.size());
    }
    List<StreamId> ids = new ArrayList<>();
    for (PendingList.Cursor c = list.first(); c.valid(); c.next()) {
      ids.add(c.id());
    }
    assertThat(ids).containsExactlyElementsOf(model.keySet());
    StreamId from = new StreamId(span / 2, 0);
    List<StreamId> tail = new ArrayList<>();
    for (PendingList.Cursor c = list.seek(from); c.valid(); c.next()) {
      tail.add(c.id());
    }
    assertThat(tail).containsExactlyElementsOf(model.tailMap(from, true).keySet());
  }
}
