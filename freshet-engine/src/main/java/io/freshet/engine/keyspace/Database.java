package io.freshet.engine.keyspace;

import java.util.ArrayList;
import java.util.List;

/**
 * One numbered database: keys to values and keys to absolute expiry times (ms). Who is blocked
 * on its keys and who watches them is the engine's (Blocking, Watches). Owned by the engine
 * thread.
 *
 * <p>Values are {@code byte[]} (string), {@link ListValue}, {@link HashValue}, {@link SetValue}.
 * SWAPDB exchanges {@link #data} between two databases; waiters stay with the index, as in
 * Redis.
 */
public final class Database {
  /** Keys and expiries move together on SWAPDB. */
  public static final class Data {
    public final Dict<Object> keys = new Dict<>();
    public final Dict<Long> expires = new Dict<>();
  }

  public final int index;
  public Data data = new Data();
  /**
   * Told when a key is added, replaced or removed, so parked commands can be woken as Redis
   * wakes them (dbAdd signals the new value's type; an overwrite or a deletion signals the old
   * one as deleted). Set by the engine's blocking part only while a client is parked on one of
   * this database's keys, so a change costs one null check otherwise; null in tools that use a
   * database on its own.
   */
  public KeyEvents keyEvents;

  /** What the blocking machinery needs to hear about keys coming and going. */
  public interface KeyEvents {
    void added(Database db, byte[] key, Object value);

    void removed(Database db, byte[] key, Object oldValue);
  }

  public Database(int index) {
    this.index = index;
  }

  public int size() {
    return data.keys.size();
  }

  public int expiresSize() {
    return data.expires.size();
  }

  /** The value if present, ignoring expiry; for callers that already checked it. */
  public Object peek(byte[] key) {
    return data.keys.get(key);
  }

  /** Absolute expiry in ms, or -1. */
  public long expireAt(byte[] key) {
    if (data.expires.isEmpty()) {
      return -1;
    }
    Long at = data.expires.get(key);
    return at == null ? -1 : at;
  }

  public boolean isExpired(byte[] key, long nowMs) {
    long at = expireAt(key);
    return at >= 0 && at <= nowMs;
  }

  public void add(byte[] key, Object value) {
    data.keys.put(key, value);
    if (keyEvents != null) {
      keyEvents.added(this, key, value);
    }
  }

  /** Sets the value; drops any expiry unless {@code keepTtl}. */
  public void set(byte[] key, Object value, boolean keepTtl) {
    Dict.Entry<Object> e = data.keys.find(key);
    if (e != null) {
      Object old = e.value();
      e.setValue(value);
      if (keyEvents != null && old != value) {
        keyEvents.removed(this, key, old);
      }
    } else {
      data.keys.put(key, value);
      if (keyEvents != null) {
        keyEvents.added(this, key, value);
      }
    }
    if (!keepTtl && !data.expires.isEmpty()) {
      data.expires.remove(key);
    }
  }

  public boolean delete(byte[] key) {
    Object old = data.keys.remove(key);
    if (old == null) {
      return false;
    }
    if (keyEvents != null) {
      keyEvents.removed(this, key, old);
    }
    if (!data.expires.isEmpty()) {
      data.expires.remove(key);
    }
    return true;
  }

  public void setExpire(byte[] key, long atMs) {
    Dict.Entry<Object> e = data.keys.find(key);
    // share the key array with the main dict: one copy per key
    data.expires.put(e != null ? e.key() : key, atMs);
  }

  public boolean removeExpire(byte[] key) {
    return !data.expires.isEmpty() && data.expires.remove(key) != null;
  }

  public List<byte[]> keysSnapshot() {
    List<byte[]> out = new ArrayList<>(data.keys.size());
    for (Dict.Entry<Object> e = data.keys.first(); e != null; e = e.after()) {
      out.add(e.key());
    }
    return out;
  }

  public void clear() {
    data = new Data();
  }

  public static String typeName(Object value) {
    if (value instanceof byte[]) {
      return "string";
    } else if (value instanceof ListValue) {
      return "list";
    } else if (value instanceof HashValue) {
      return "hash";
    } else if (value instanceof SetValue) {
      return "set";
    } else if (value instanceof io.freshet.engine.stream.StreamValue) {
      return "stream";
    }
    return "none";
  }
}
