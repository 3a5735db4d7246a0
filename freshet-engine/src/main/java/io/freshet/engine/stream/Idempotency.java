package io.freshet.engine.stream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stream's IDMP state (Redis 8.6 idempotent production): per producer ID, the most recent
 * idempotent IDs and the entry each one added, with the stream's retention settings and its
 * lifetime counters. Engine thread only.
 *
 * <p>A record's age is its entry ID's millisecond part: IDMP only works with auto-generated IDs,
 * so that is the time it was added, and XIDMPRECORD (which carries no time) restores the same
 * age. Keys are byte strings held as ISO-8859-1 strings, one char per byte, so binary IDs are safe.
 */
public final class Idempotency {
  public static final int DURATION_MIN_S = 1;
  public static final int DURATION_MAX_S = 86_400;
  public static final int MAXSIZE_MIN = 1;
  public static final int MAXSIZE_MAX = 10_000;

  /** Seconds an idempotent ID is kept; entries a producer holds at most. */
  int durationS;
  int maxSize;
  /** Lifetime counters: idempotent IDs recorded by XADD, and duplicates it refused. */
  long iidsAdded;
  long iidsDuplicates;
  /** Producers in the order they were first seen. */
  final LinkedHashMap<String, Producer> producers = new LinkedHashMap<>();

  /** One producer's idempotent IDs, oldest first, and an index by ID. */
  static final class Producer {
    final ArrayDeque<String> order = new ArrayDeque<>();
    final HashMap<String, StreamId> ids = new HashMap<>();

    Producer copy() {
      Producer p = new Producer();
      p.order.addAll(order);
      p.ids.putAll(ids);
      return p;
    }
  }

  public Idempotency(int durationS, int maxSize) {
    this.durationS = durationS;
    this.maxSize = maxSize;
  }

  public Idempotency copy() {
    Idempotency c = new Idempotency(durationS, maxSize);
    c.iidsAdded = iidsAdded;
    c.iidsDuplicates = iidsDuplicates;
    for (Map.Entry<String, Producer> e : producers.entrySet()) {
      c.producers.put(e.getKey(), e.getValue().copy());
    }
    return c;
  }

  public int durationS() {
    return durationS;
  }

  public int maxSize() {
    return maxSize;
  }

  public long iidsAdded() {
    return iidsAdded;
  }

  public long iidsDuplicates() {
    return iidsDuplicates;
  }

  public void setCounters(long added, long duplicates) {
    iidsAdded = added;
    iidsDuplicates = duplicates;
  }

  /** Producers that still hold an idempotent ID not yet expired at {@code nowMs}. */
  public int producersTracked(long nowMs) {
    int n = 0;
    for (Producer p : producers.values()) {
      if (live(p, nowMs) > 0) {
        n++;
      }
    }
    return n;
  }

  /** Idempotent IDs not yet expired at {@code nowMs}, over all producers. */
  public long idsTracked(long nowMs) {
    long n = 0;
    for (Producer p : producers.values()) {
      n += live(p, nowMs);
    }
    return n;
  }

  private int live(Producer p, long nowMs) {
    int n = 0;
    for (String iid : p.order) {
      if (!expired(p.ids.get(iid), nowMs)) {
        n++;
      }
    }
    return n;
  }

  private boolean expired(StreamId id, long nowMs) {
    return nowMs - id.ms() >= durationS * 1000L;
  }

  /**
   * XCFGSET: new settings. A change of either clears every producer's history (the IDs were
   * kept under the old rules); setting the values already in force keeps it.
   */
  public void configure(int newDurationS, int newMaxSize) {
    if (newDurationS != durationS || newMaxSize != maxSize) {
      producers.clear();
    }
    durationS = newDurationS;
    maxSize = newMaxSize;
  }

  /**
   * The entry {@code pid}'s {@code iid} added, if it is still remembered at {@code nowMs}, or
   * null. The producer's expired IDs are dropped first.
   */
  public StreamId find(byte[] pid, byte[] iid, long nowMs) {
    String p = key(pid);
    Producer producer = producers.get(p);
    if (producer == null) {
      return null;
    }
    dropExpired(p, producer, nowMs);
    return producer.ids.get(key(iid));
  }

  /** XADD added {@code id} for {@code pid}'s {@code iid}: remember it, forgetting the oldest past MAXSIZE. */
  public void record(byte[] pid, byte[] iid, StreamId id) {
    put(key(pid), key(iid), id);
    iidsAdded++;
  }

  public void countDuplicate() {
    iidsDuplicates++;
  }

  /** XIDMPRECORD and snapshot loading: remember without counting. False if the ID is taken by another entry. */
  public boolean restore(byte[] pid, byte[] iid, StreamId id) {
    String p = key(pid);
    String i = key(iid);
    Producer producer = producers.get(p);
    StreamId known = producer == null ? null : producer.ids.get(i);
    if (known != null) {
      return known.equals(id);
    }
    put(p, i, id);
    return true;
  }

  private void put(String p, String i, StreamId id) {
    Producer producer = producers.computeIfAbsent(p, k -> new Producer());
    producer.order.addLast(i);
    producer.ids.put(i, id);
    while (producer.order.size() > maxSize) {
      producer.ids.remove(producer.order.removeFirst());
    }
  }

  private void dropExpired(String p, Producer producer, long nowMs) {
    while (!producer.order.isEmpty() && expired(producer.ids.get(producer.order.peekFirst()), nowMs)) {
      producer.ids.remove(producer.order.removeFirst());
    }
    if (producer.order.isEmpty()) {
      producers.remove(p);
    }
  }

  /** Visits every remembered (producer, idempotent ID, entry ID), producers in first-seen order, IDs oldest first. */
  public void forEach(RecordVisitor visitor) {
    for (Map.Entry<String, Producer> e : producers.entrySet()) {
      byte[] pid = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
      Producer producer = e.getValue();
      for (Iterator<String> it = producer.order.iterator(); it.hasNext(); ) {
        String iid = it.next();
        visitor.visit(pid, iid.getBytes(StandardCharsets.ISO_8859_1), producer.ids.get(iid));
      }
    }
  }

  public interface RecordVisitor {
    void visit(byte[] pid, byte[] iid, StreamId id);
  }

  private static String key(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * IDMPAUTO's idempotent ID: 16 bytes that depend on the field-value pairs but not on their
   * order (the XOR of each pair's digest), as Redis derives it. Each pair is digested with its
   * field's length first, so "ab"+"c" and "a"+"bc" differ.
   */
  public static byte[] autoId(byte[][] fields, byte[][] values) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] out = new byte[16];
    for (int i = 0; i < fields.length; i++) {
      int n = fields[i].length;
      md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      md.update(fields[i]);
      md.update(values[i]);
      byte[] d = md.digest();
      for (int j = 0; j < 16; j++) {
        out[j] ^= d[j];
      }
    }
    return out;
  }
}
