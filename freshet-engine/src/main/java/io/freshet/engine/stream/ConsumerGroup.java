package io.freshet.engine.stream;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * A consumer group: last delivered ID, entries-read counter, the group PEL (every pending entry)
 * and the consumers, each with its own PEL. Invariant: the group PEL is the union of the
 * consumer PELs. Owned by the engine thread.
 */
public final class ConsumerGroup {
  /** Redis's SCG_INVALID_ENTRIES_READ. */
  public static final long INVALID_ENTRIES_READ = -1;

  public final byte[] name;
  public StreamId lastId;
  public long entriesRead;
  /** Every pending entry: delivery time, delivery count, owning consumer. */
  public final PendingList pel = new PendingList(true);
  public final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

  public ConsumerGroup(byte[] name, StreamId lastId, long entriesRead) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  public Consumer consumer(byte[] name) {
    return consumers.get(name);
  }

  /** The consumer, created if missing; {@code created[0]} tells whether it was. */
  public Consumer getOrCreateConsumer(byte[] name, long nowMs, boolean[] created) {
    Consumer c = consumers.get(name);
    if (c == null) {
      c = new Consumer(name, nowMs);
      consumers.put(name, c);
      if (created != null) {
        created[0] = true;
      }
    }
    return c;
  }

  /** Removes a consumer and its pending entries; returns how many were pending. */
  public long deleteConsumer(byte[] name) {
    Consumer c = consumers.remove(name);
    if (c == null) {
      return 0;
    }
    for (PendingList.Cursor p = c.pel.first(); p.valid(); p.next()) {
      pel.remove(p.id());
    }
    return c.pel.size();
  }

  long memoryBytes() {
    long m = 64 + name.length + pel.memoryBytes();
    for (Consumer c : consumers.values()) {
      m += 64 + c.name.length + c.pel.memoryBytes();
    }
    return m;
  }

  /** Moves a pending entry to {@code to} (Redis's NACK reassignment). */
  public void reassign(PendingList.Cursor entry, Consumer to) {
    Consumer from = entry.owner();
    if (from == to) {
      return;
    }
    StreamId id = entry.id();
    if (from != null) {
      from.pel.remove(id);
    }
    entry.setOwner(to);
    to.pel.put(id, 0, 0, null);
  }
}
