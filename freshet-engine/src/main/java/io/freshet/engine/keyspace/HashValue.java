package io.freshet.engine.keyspace;

/**
 * A hash: field to value. Reports Redis's encoding: {@code listpack} while small, then
 * {@code hashtable} for good (as Redis never converts back). Owned by the engine thread.
 */
public final class HashValue {
  public final Dict<byte[]> fields = new Dict<>();
  private boolean hashtable;

  public void put(byte[] field, byte[] value, int maxListpackEntries, int maxListpackValue) {
    fields.put(field, value);
    if (!hashtable && (fields.size() > maxListpackEntries || field.length > maxListpackValue
        || value.length > maxListpackValue)) {
      hashtable = true;
    }
  }

  /** An independent copy (values are immutable arrays and are shared), for snapshots. */
  public HashValue copy() {
    HashValue h = new HashValue();
    for (Dict.Entry<byte[]> e = fields.first(); e != null; e = e.after()) {
      h.fields.put(e.key(), e.value());
    }
    h.hashtable = hashtable;
    return h;
  }

  public boolean isListpack() {
    return !hashtable;
  }

  public String encoding() {
    return hashtable ? "hashtable" : "listpack";
  }

  public long memoryBytes() {
    long total = 48 + (long) fields.capacity() * 4;
    for (Dict.Entry<byte[]> e = fields.first(); e != null; e = e.after()) {
      total += 40 + 16 + e.key().length + 16 + e.value().length;
    }
    return total;
  }
}
