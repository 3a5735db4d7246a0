package io.freshet.engine.keyspace;

/**
 * A list as a ring buffer of byte arrays: O(1) push/pop at both ends, O(1) index.
 * Owned by the engine thread.
 */
public final class ListValue {
  private byte[][] items = new byte[8][];
  private int head;
  private int size;

  /** An independent copy (items are immutable arrays and are shared), for snapshots. */
  public ListValue copy() {
    ListValue l = new ListValue();
    l.items = items.clone();
    l.head = head;
    l.size = size;
    return l;
  }

  public int size() {
    return size;
  }

  public byte[] get(int index) {
    return items[(head + index) & (items.length - 1)];
  }

  public void set(int index, byte[] value) {
    items[(head + index) & (items.length - 1)] = value;
  }

  public void pushFirst(byte[] value) {
    grow();
    head = (head - 1) & (items.length - 1);
    items[head] = value;
    size++;
  }

  public void pushLast(byte[] value) {
    grow();
    items[(head + size) & (items.length - 1)] = value;
    size++;
  }

  public byte[] popFirst() {
    byte[] v = items[head];
    items[head] = null;
    head = (head + 1) & (items.length - 1);
    size--;
    return v;
  }

  public byte[] popLast() {
    int idx = (head + size - 1) & (items.length - 1);
    byte[] v = items[idx];
    items[idx] = null;
    size--;
    return v;
  }

  /** Keeps elements [start, end] inclusive (already clamped, start <= end). */
  public void trim(int start, int end) {
    byte[][] next = new byte[capacityFor(end - start + 1)][];
    for (int i = start; i <= end; i++) {
      next[i - start] = get(i);
    }
    items = next;
    head = 0;
    size = end - start + 1;
  }

  /** Removes the element at index, shifting the rest. */
  public void removeAt(int index) {
    for (int i = index; i < size - 1; i++) {
      set(i, get(i + 1));
    }
    set(size - 1, null);
    size--;
  }

  /** Approximate heap bytes, for MEMORY USAGE. */
  public long memoryBytes() {
    long total = 16 + 16 + (long) items.length * 4;
    for (int i = 0; i < size; i++) {
      total += 16 + get(i).length;
    }
    return total;
  }

  private static int capacityFor(int n) {
    return Math.max(8, Integer.highestOneBit(Math.max(n, 1) - 1) << 1);
  }

  private void grow() {
    if (size < items.length) {
      return;
    }
    byte[][] next = new byte[items.length * 2][];
    for (int i = 0; i < size; i++) {
      next[i] = get(i);
    }
    items = next;
    head = 0;
  }
}
