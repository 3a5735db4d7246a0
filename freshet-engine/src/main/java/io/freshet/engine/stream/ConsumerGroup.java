package io.freshet.engine.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;

/**
 * A consumer group: last delivered ID, entries-read counter, the group PEL (every pending entry)
 * and the consumers, each with its own PEL. Invariant: the group PEL is the union of the
 * consumer PELs plus the NACK zone: entries given back with XNACK (Redis 8.8), which stay in the
 * group PEL without an owner, with delivery time 0, in the order they were given back. Owned by
 * the engine thread.
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
  /**
   * The NACK zone in XNACK order (oldest first): claims take these before any owned entry. An ID
   * here whose PEL entry is gone or owned again is stale and skipped (the usual paths remove it).
   */
  private final LinkedHashSet<StreamId> nacked = new LinkedHashSet<>();

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

  /**
   * XNACK: the entry leaves its owner (if it has one) and goes to the tail of the NACK zone with
   * delivery time 0 (so any min-idle-time is met) and {@code deliveryCount}.
   */
  public void nack(PendingList.Cursor entry, long deliveryCount) {
    StreamId id = entry.id();
    Consumer owner = entry.owner();
    if (owner != null) {
      owner.pel.remove(id);
      entry.setOwner(null);
    }
    entry.setDeliveryTimeMs(0);
    entry.setDeliveryCount(deliveryCount);
    nacked.remove(id);
    nacked.add(id);
  }

  /** XNACK FORCE (and snapshot loading): a new ownerless entry at the tail of the NACK zone. */
  public void addNacked(StreamId id, long deliveryCount) {
    pel.put(id, 0, deliveryCount, null);
    nacked.remove(id);
    nacked.add(id);
  }

  /** The NACK zone's IDs, oldest first; drops stale ones on the way. */
  public List<StreamId> nackedIds() {
    List<StreamId> out = new ArrayList<>(nacked.size());
    for (Iterator<StreamId> it = nacked.iterator(); it.hasNext(); ) {
      StreamId id = it.next();
      PendingList.Cursor p = pel.find(id);
      if (p == null || p.owner() != null) {
        it.remove();
      } else {
        out.add(id);
      }
    }
    return out;
  }

  public int nackedCount() {
    return nackedIds().size();
  }

  /** Whether this ID is in the NACK zone. */
  public boolean isNacked(StreamId id) {
    return nacked.contains(id);
  }

  /**
   * Removes a pending entry from the group PEL, its owner's PEL and the NACK zone; false if it
   * was not pending (XACK, XACKDEL, DELREF).
   */
  public boolean removePending(StreamId id) {
    PendingList.Cursor p = pel.find(id);
    if (p == null) {
      return false;
    }
    removePending(p);
    return true;
  }

  /** As {@link #removePending} for the entry under a cursor, which moves on to the next one. */
  public void removePending(PendingList.Cursor p) {
    StreamId id = p.id();
    Consumer owner = p.owner();
    p.remove();
    if (owner != null) {
      owner.pel.remove(id);
    } else {
      nacked.remove(id);
    }
  }

  /** A copy of the NACK zone for a group copy (the PEL copied separately). */
  public void copyNackedFrom(ConsumerGroup from) {
    nacked.clear();
    nacked.addAll(from.nacked);
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
    } else {
      nacked.remove(id);
    }
    entry.setOwner(to);
    to.pel.put(id, 0, 0, null);
  }
}
