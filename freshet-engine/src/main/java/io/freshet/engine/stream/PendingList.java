package io.freshet.engine.stream;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * A pending entries list packed in sorted nodes of primitive arrays: no object per pending
 * entry. The group PEL keeps, per ID, the delivery time, the delivery count and the owning
 * consumer; a consumer PEL keeps IDs only ({@code withPayload} false) and reads the rest from its
 * group's list. Owned by the engine thread.
 *
 * <p>Nodes hold up to {@link #NODE_CAPACITY} entries. Appending past the end (the common case:
 * new deliveries have the highest IDs) fills nodes completely; inserting in the middle splits a
 * full node; removals merge a node into its neighbour once both fit in one.
 */
public final class PendingList {
  static final int NODE_CAPACITY = 64;

  private static final class Node {
    long[] ms;
    long[] seq;
    long[] time;
    long[] count;
    Consumer[] owner;
    int size;

    Node(boolean payload, int capacity) {
      ms = new long[capacity];
      seq = new long[capacity];
      if (payload) {
        time = new long[capacity];
        count = new long[capacity];
        owner = new Consumer[capacity];
      }
    }

    int compareAt(int i, long ms2, long seq2) {
      int c = Long.compareUnsigned(ms[i], ms2);
      return c != 0 ? c : Long.compareUnsigned(seq[i], seq2);
    }

    /** Index of the ID, or -(insertion point) - 1. */
    int search(long ms2, long seq2) {
      int lo = 0;
      int hi = size - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = compareAt(mid, ms2, seq2);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -(lo + 1);
    }

    void ensureCapacity(int n) {
      if (ms.length >= n) {
        return;
      }
      int cap = Math.min(NODE_CAPACITY, Math.max(n, ms.length * 2));
      ms = Arrays.copyOf(ms, cap);
      seq = Arrays.copyOf(seq, cap);
      if (time != null) {
        time = Arrays.copyOf(time, cap);
        count = Arrays.copyOf(count, cap);
        owner = Arrays.copyOf(owner, cap);
      }
    }

    void shift(int from, int to, int length) {
      System.arraycopy(ms, from, ms, to, length);
      System.arraycopy(seq, from, seq, to, length);
      if (time != null) {
        System.arraycopy(time, from, time, to, length);
        System.arraycopy(count, from, count, to, length);
        System.arraycopy(owner, from, owner, to, length);
      }
    }
  }

  private final boolean withPayload;
  private final ArrayList<Node> nodes = new ArrayList<>();
  private int size;

  public PendingList(boolean withPayload) {
    this.withPayload = withPayload;
  }

  /**
   * Makes this list an independent copy of {@code from} (same kind), for snapshots. Owners still point at the live consumers: a snapshot
   * reads delivery times and counts from a group's list and IDs from each consumer's.
   */
  public void copyFrom(PendingList from) {
    PendingList p = this;
    p.nodes.clear();
    for (Node n : from.nodes) {
      Node c = new Node(from.withPayload, Math.max(1, n.size));
      System.arraycopy(n.ms, 0, c.ms, 0, n.size);
      System.arraycopy(n.seq, 0, c.seq, 0, n.size);
      if (from.withPayload) {
        System.arraycopy(n.time, 0, c.time, 0, n.size);
        System.arraycopy(n.count, 0, c.count, 0, n.size);
        System.arraycopy(n.owner, 0, c.owner, 0, n.size);
      }
      c.size = n.size;
      p.nodes.add(c);
    }
    p.size = from.size;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Index of the last node whose first ID is <= the given ID (0 if before all). */
  private int nodeFor(long ms, long seq) {
    int lo = 0;
    int hi = nodes.size() - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (nodes.get(mid).compareAt(0, ms, seq) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** A position in the list; valid until the list is changed other than through it. */
  public final class Cursor {
    private int node;
    private int pos;

    Cursor(int node, int pos) {
      this.node = node;
      this.pos = pos;
      normalize();
    }

    private void normalize() {
      while (node < nodes.size() && pos >= nodes.get(node).size) {
        node++;
        pos = 0;
      }
    }

    public boolean valid() {
      return node < nodes.size();
    }

    private Node n() {
      return nodes.get(node);
    }

    public StreamId id() {
      return new StreamId(n().ms[pos], n().seq[pos]);
    }

    public int compareTo(StreamId id) {
      return n().compareAt(pos, id.ms(), id.seq());
    }

    public long deliveryTimeMs() {
      return n().time[pos];
    }

    public long deliveryCount() {
      return n().count[pos];
    }

    public Consumer owner() {
      return n().owner[pos];
    }

    public void setDeliveryTimeMs(long v) {
      n().time[pos] = v;
    }

    public void setDeliveryCount(long v) {
      n().count[pos] = v;
    }

    public void setOwner(Consumer c) {
      n().owner[pos] = c;
    }

    public void next() {
      pos++;
      normalize();
    }

    /** Removes the current entry; the cursor then stands on the following one. */
    public void remove() {
      removeAt(node, pos, this);
      normalize();
    }

    void moveTo(int node, int pos) {
      this.node = node;
      this.pos = pos;
    }
  }

  /** Cursor on the first entry >= id. */
  public Cursor seek(StreamId id) {
    if (nodes.isEmpty()) {
      return new Cursor(0, 0);
    }
    int ni = nodeFor(id.ms(), id.seq());
    int i = nodes.get(ni).search(id.ms(), id.seq());
    return new Cursor(ni, i >= 0 ? i : -i - 1);
  }

  public Cursor first() {
    return new Cursor(0, 0);
  }

  /** Cursor on exactly this ID, or null. */
  public Cursor find(StreamId id) {
    if (nodes.isEmpty()) {
      return null;
    }
    int ni = nodeFor(id.ms(), id.seq());
    int i = nodes.get(ni).search(id.ms(), id.seq());
    return i >= 0 ? new Cursor(ni, i) : null;
  }

  public boolean contains(StreamId id) {
    return find(id) != null;
  }

  public StreamId firstId() {
    Node n = nodes.get(0);
    return new StreamId(n.ms[0], n.seq[0]);
  }

  public StreamId lastId() {
    Node n = nodes.get(nodes.size() - 1);
    return new StreamId(n.ms[n.size - 1], n.seq[n.size - 1]);
  }

  /** True if {@code id} sorts after every entry (new deliveries almost always do). */
  public boolean isAfterLast(StreamId id) {
    if (nodes.isEmpty()) {
      return true;
    }
    Node n = nodes.get(nodes.size() - 1);
    return n.compareAt(n.size - 1, id.ms(), id.seq()) < 0;
  }

  /** Inserts, or overwrites the payload of an existing ID. */
  public void put(StreamId id, long deliveryTimeMs, long deliveryCount, Consumer owner) {
    long ms = id.ms();
    long seq = id.seq();
    if (nodes.isEmpty()) {
      nodes.add(new Node(withPayload, 4));
    }
    Node tail = nodes.get(nodes.size() - 1);
    if (tail.size > 0 && tail.size < NODE_CAPACITY && tail.compareAt(tail.size - 1, ms, seq) < 0) {
      // appending past the last entry: no search, no shift
      tail.ensureCapacity(tail.size + 1);
      tail.ms[tail.size] = ms;
      tail.seq[tail.size] = seq;
      setPayload(tail, tail.size, deliveryTimeMs, deliveryCount, owner);
      tail.size++;
      size++;
      return;
    }
    int ni = nodeFor(ms, seq);
    Node n = nodes.get(ni);
    int i = n.search(ms, seq);
    if (i >= 0) {
      setPayload(n, i, deliveryTimeMs, deliveryCount, owner);
      return;
    }
    i = -i - 1;
    if (n.size == NODE_CAPACITY) {
      if (i == n.size && ni == nodes.size() - 1) {
        // appending past the last full node: start a new one, keeping nodes full
        Node fresh = new Node(withPayload, 4);
        nodes.add(fresh);
        n = fresh;
        i = 0;
      } else {
        Node right = new Node(withPayload, NODE_CAPACITY);
        int half = n.size / 2;
        int moved = n.size - half;
        copy(n, half, right, 0, moved);
        right.size = moved;
        n.size = half;
        nodes.add(ni + 1, right);
        if (i > half) {
          n = right;
          i -= half;
        }
      }
    }
    n.ensureCapacity(n.size + 1);
    n.shift(i, i + 1, n.size - i);
    n.ms[i] = ms;
    n.seq[i] = seq;
    setPayload(n, i, deliveryTimeMs, deliveryCount, owner);
    n.size++;
    size++;
  }

  private void setPayload(Node n, int i, long time, long count, Consumer owner) {
    if (n.time != null) {
      n.time[i] = time;
      n.count[i] = count;
      n.owner[i] = owner;
    }
  }

  private static void copy(Node from, int fromPos, Node to, int toPos, int length) {
    System.arraycopy(from.ms, fromPos, to.ms, toPos, length);
    System.arraycopy(from.seq, fromPos, to.seq, toPos, length);
    if (from.time != null) {
      System.arraycopy(from.time, fromPos, to.time, toPos, length);
      System.arraycopy(from.count, fromPos, to.count, toPos, length);
      System.arraycopy(from.owner, fromPos, to.owner, toPos, length);
      Arrays.fill(from.owner, fromPos, fromPos + length, null);
    }
  }

  /** Removes the ID; returns its owner (or a non-null marker for ID-only lists), null if absent. */
  public Consumer remove(StreamId id) {
    Cursor c = find(id);
    if (c == null) {
      return null;
    }
    Consumer owner = withPayload ? c.owner() : NO_OWNER;
    removeAt(c.node, c.pos, null);
    return owner;
  }

  /** Returned by {@link #remove} on ID-only lists, whose entries have no owner. */
  public static final Consumer NO_OWNER = new Consumer(new byte[0], 0);

  private void removeAt(int ni, int pos, Cursor cursor) {
    Node n = nodes.get(ni);
    n.shift(pos + 1, pos, n.size - pos - 1);
    n.size--;
    if (n.owner != null) {
      n.owner[n.size] = null;
    }
    size--;
    if (n.size == 0) {
      nodes.remove(ni);
      if (cursor != null) {
        cursor.moveTo(ni, 0);
      }
      return;
    }
    // merge with the next node when both fit in one, so sparse nodes do not accumulate
    if (ni + 1 < nodes.size()) {
      Node next = nodes.get(ni + 1);
      if (n.size + next.size <= NODE_CAPACITY / 2) {
        n.ensureCapacity(n.size + next.size);
        copy(next, 0, n, n.size, next.size);
        n.size += next.size;
        nodes.remove(ni + 1);
      }
    }
    if (cursor != null) {
      cursor.moveTo(ni, pos);
    }
  }

  /** Heap bytes, for MEMORY USAGE. */
  public long memoryBytes() {
    long m = 40;
    for (Node n : nodes) {
      m += 48 + 16L * 2 + 16L * n.ms.length;
      if (n.time != null) {
        m += 16L * 3 + 20L * n.ms.length;
      }
    }
    return m;
  }
}
