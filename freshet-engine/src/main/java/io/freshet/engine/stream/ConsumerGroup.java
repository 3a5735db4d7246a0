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
  public final TreeMap<StreamId, PendingEntry> pel = new TreeMap<>();
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
    for (StreamId id : c.pel.keySet()) {
      pel.remove(id);
    }
    return c.pel.size();
  }

  long memoryBytes() {
    long m = 64 + name.length;
    m += pel.size() * (40L + 32 + 32);
    for (Consumer c : consumers.values()) {
      m += 64 + c.name.length + c.pel.size() * 40L;
    }
    return m;
  }
}
