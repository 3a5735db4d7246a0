package io.freshet.engine.keyspace;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * Hash table keyed by {@code byte[]}, with Redis's SCAN contract and insertion-order iteration.
 *
 * <p>Owned by the engine thread. Buckets are chained; the table is a power of two and is rehashed
 * in one go when it grows or shrinks. {@link #scan} walks buckets in reverse-binary cursor order
 * (as Redis's dictScan does), so every element present for the whole scan is returned at least
 * once even if the table is resized between calls. Entries are also linked in insertion order so
 * small hashes and sets reply in the order Redis's listpack encoding would.
 */
public final class Dict<V> {
  /** One key/value pair. Public so callers can iterate without allocating. */
  public static final class Entry<V> {
    final byte[] key;
    final int hash;
    V value;
    Entry<V> next;
    Entry<V> before;
    Entry<V> after;

    Entry(byte[] key, int hash, V value) {
      this.key = key;
      this.hash = hash;
      this.value = value;
    }

    public byte[] key() {
      return key;
    }

    public V value() {
      return value;
    }

    public void setValue(V value) {
      this.value = value;
    }

    public Entry<V> after() {
      return after;
    }
  }

  private static final int MIN_CAPACITY = 4;
  private static final int SEED = new Random().nextInt();

  @SuppressWarnings("unchecked")
  private Entry<V>[] table = new Entry[MIN_CAPACITY];
  private int size;
  private Entry<V> head;
  private Entry<V> tail;

  public static int hash(byte[] key) {
    int h = SEED;
    int i = 0;
    int n = key.length;
    for (; i + 4 <= n; i += 4) {
      int k = (key[i] & 0xff) | (key[i + 1] & 0xff) << 8 | (key[i + 2] & 0xff) << 16 | key[i + 3] << 24;
      k *= 0xcc9e2d51;
      k = Integer.rotateLeft(k, 15);
      k *= 0x1b873593;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    for (int shift = 0; i < n; i++, shift += 8) {
      k |= (key[i] & 0xff) << shift;
    }
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h ^= n;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int capacity() {
    return table.length;
  }

  public V get(byte[] key) {
    Entry<V> e = find(key);
    return e == null ? null : e.value;
  }

  public Entry<V> find(byte[] key) {
    int h = hash(key);
    for (Entry<V> e = table[h & (table.length - 1)]; e != null; e = e.next) {
      if (e.hash == h && Arrays.equals(e.key, key)) {
        return e;
      }
    }
    return null;
  }

  public boolean containsKey(byte[] key) {
    return find(key) != null;
  }

  /** Puts the value; returns the previous one or null. The key array is kept, not copied. */
  public V put(byte[] key, V value) {
    int h = hash(key);
    int idx = h & (table.length - 1);
    for (Entry<V> e = table[idx]; e != null; e = e.next) {
      if (e.hash == h && Arrays.equals(e.key, key)) {
        V old = e.value;
        e.value = value;
        return old;
      }
    }
    Entry<V> e = new Entry<>(key, h, value);
    e.next = table[idx];
    table[idx] = e;
    if (tail == null) {
      head = e;
    } else {
      tail.after = e;
      e.before = tail;
    }
    tail = e;
    size++;
    if (size > table.length) {
      resize(table.length * 2);
    }
    return null;
  }

  public V remove(byte[] key) {
    int h = hash(key);
    int idx = h & (table.length - 1);
    Entry<V> prev = null;
    for (Entry<V> e = table[idx]; e != null; prev = e, e = e.next) {
      if (e.hash == h && Arrays.equals(e.key, key)) {
        if (prev == null) {
          table[idx] = e.next;
        } else {
          prev.next = e.next;
        }
        unlinkOrder(e);
        size--;
        if (table.length > MIN_CAPACITY && size < table.length / 8) {
          resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(size, 1)) * 2));
        }
        return e.value;
      }
    }
    return null;
  }

  private void unlinkOrder(Entry<V> e) {
    if (e.before == null) {
      head = e.after;
    } else {
      e.before.after = e.after;
    }
    if (e.after == null) {
      tail = e.before;
    } else {
      e.after.before = e.before;
    }
    e.before = null;
    e.after = null;
  }

  @SuppressWarnings("unchecked")
  public void clear() {
    table = new Entry[MIN_CAPACITY];
    size = 0;
    head = null;
    tail = null;
  }

  @SuppressWarnings("unchecked")
  private void resize(int capacity) {
    Entry<V>[] next = new Entry[capacity];
    int mask = capacity - 1;
    for (Entry<V> bucket : table) {
      for (Entry<V> e = bucket; e != null; ) {
        Entry<V> following = e.next;
        int idx = e.hash & mask;
        e.next = next[idx];
        next[idx] = e;
        e = following;
      }
    }
    table = next;
  }

  /** First entry in insertion order, or null; continue with {@link Entry#after()}. */
  public Entry<V> first() {
    return head;
  }

  /**
   * Visits one bucket for the given cursor and returns the next cursor (0 when done). Cursor
   * values are unsigned 64-bit, as Redis's are.
   */
  public long scan(long cursor, BiConsumer<byte[], V> visitor) {
    if (size == 0) {
      return 0;
    }
    long mask = table.length - 1;
    for (Entry<V> e = table[(int) (cursor & mask)]; e != null; e = e.next) {
      visitor.accept(e.key, e.value);
    }
    cursor |= ~mask;
    cursor = Long.reverse(cursor);
    cursor++;
    return Long.reverse(cursor);
  }

  /** A uniformly chosen bucket's random element, as Redis's dictGetFairRandomKey approximates. */
  public Entry<V> randomEntry(Random random) {
    if (size == 0) {
      return null;
    }
    Entry<V> bucket;
    do {
      bucket = table[random.nextInt(table.length)];
    } while (bucket == null);
    int len = 0;
    for (Entry<V> e = bucket; e != null; e = e.next) {
      len++;
    }
    int pick = random.nextInt(len);
    Entry<V> e = bucket;
    while (pick-- > 0) {
      e = e.next;
    }
    return e;
  }
}
