package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Glob;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.protocol.Numbers;
import java.util.ArrayList;
import java.util.List;

/** Keyspace commands: DEL ... SCAN, expiry, OBJECT, FLUSH*, SWAPDB. Engine thread only. */
final class KeyCommands {
  private KeyCommands() {}

  static void register(CommandTable t) {
    t.register("del", KeyCommands::del);
    t.register("unlink", KeyCommands::del);
    t.register("exists", KeyCommands::exists);
    t.register("touch", KeyCommands::exists);
    t.register("type", c -> {
      Object v = c.lookupRead(c.arg(1));
      c.out.simple(Database.typeName(v));
    });
    t.register("rename", c -> rename(c, false));
    t.register("renamenx", c -> rename(c, true));
    t.register("keys", KeyCommands::keys);
    t.register("scan", KeyCommands::scan);
    t.register("randomkey", KeyCommands::randomKey);
    t.register("dbsize", c -> c.out.integer(c.db().size()));
    t.register("flushdb", KeyCommands::flushDb);
    t.register("flushall", KeyCommands::flushAll);
    t.register("swapdb", KeyCommands::swapDb);
    t.register("expire", c -> expire(c, c.nowMs, 1000));
    t.register("pexpire", c -> expire(c, c.nowMs, 1));
    t.register("expireat", c -> expire(c, 0, 1000));
    t.register("pexpireat", c -> expire(c, 0, 1));
    t.register("ttl", c -> ttl(c, false));
    t.register("pttl", c -> ttl(c, true));
    t.register("expiretime", c -> expireTime(c, false));
    t.register("pexpiretime", c -> expireTime(c, true));
    t.register("persist", KeyCommands::persist);
    t.register("object|encoding", KeyCommands::objectEncoding);
    t.register("object|idletime", c -> objectStat(c, false));
    t.register("object|freq", c -> objectStat(c, true));
    t.register("object|refcount", c -> {
      if (c.lookupRead(c.arg(2)) == null) {
        c.out.nullBulk();
      } else {
        c.out.integer(1);
      }
    });
  }

  private static void del(Call c) {
    int deleted = 0;
    for (int i = 1; i < c.argc(); i++) {
      if (c.lookupWrite(c.arg(i)) != null) {
        c.db().delete(c.arg(i));
        c.modified(c.arg(i));
        deleted++;
      }
    }
    c.out.integer(deleted);
  }

  private static void exists(Call c) {
    int n = 0;
    for (int i = 1; i < c.argc(); i++) {
      if (c.lookupRead(c.arg(i)) != null) {
        n++;
      }
    }
    c.out.integer(n);
  }

  private static void rename(Call c, boolean nx) {
    byte[] src = c.arg(1);
    byte[] dst = c.arg(2);
    Object value = c.lookupWrite(src);
    if (value == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    if (java.util.Arrays.equals(src, dst)) {
      if (nx) {
        c.out.integer(0);
      } else {
        c.out.ok();
      }
      return;
    }
    Database db = c.db();
    long expireAt = db.expireAt(src);
    if (c.lookupWrite(dst) != null) {
      if (nx) {
        c.out.integer(0);
        return;
      }
      db.delete(dst);
    }
    // Redis adds the new name before deleting the old: parked commands are woken in that order
    db.add(dst, value);
    if (expireAt >= 0) {
      db.setExpire(dst, expireAt);
    }
    db.delete(src);
    c.modified(src);
    c.modified(dst);
    if (nx) {
      c.out.integer(1);
    } else {
      c.out.ok();
    }
  }

  private static void keys(Call c) {
    byte[] pattern = c.arg(1);
    boolean all = pattern.length == 1 && pattern[0] == '*';
    Database db = c.db();
    List<byte[]> out = new ArrayList<>();
    for (Dict.Entry<Object> e = db.data.keys.first(); e != null; e = e.after()) {
      if ((all || Glob.matches(pattern, e.key(), false)) && !db.isExpired(e.key(), c.nowMs)) {
        out.add(e.key());
      }
    }
    c.out.arrayHeader(out.size());
    out.forEach(c.out::bulk);
  }

  /** Parses an unsigned 64-bit SCAN cursor as Redis's strtoull-based parser does. */
  static long parseCursor(byte[] b) {
    if (b.length == 0 || b.length > 20) {
      throw new CommandError(Errors.INVALID_CURSOR);
    }
    for (byte x : b) {
      if (x < '0' || x > '9') {
        throw new CommandError(Errors.INVALID_CURSOR);
      }
    }
    try {
      return Long.parseUnsignedLong(new String(b));
    } catch (NumberFormatException e) {
      throw new CommandError(Errors.INVALID_CURSOR);
    }
  }

  /** Options shared by SCAN, HSCAN and SSCAN. */
  record ScanOptions(byte[] pattern, long count, String type, boolean noValues) {
    static ScanOptions parse(Call c, int from, boolean allowType, boolean allowNoValues) {
      byte[] pattern = null;
      long count = 10;
      String type = null;
      boolean noValues = false;
      for (int i = from; i < c.argc(); i++) {
        int more = c.argc() - i - 1;
        if (c.argIs(i, "COUNT") && more >= 1) {
          count = c.longArg(i + 1);
          if (count < 1) {
            throw new CommandError(Errors.SYNTAX);
          }
          i++;
        } else if (c.argIs(i, "MATCH") && more >= 1) {
          pattern = c.arg(i + 1);
          if (pattern.length == 1 && pattern[0] == '*') {
            pattern = null;
          }
          i++;
        } else if (allowType && c.argIs(i, "TYPE") && more >= 1) {
          type = c.argString(i + 1);
          i++;
        } else if (allowNoValues && c.argIs(i, "NOVALUES")) {
          noValues = true;
        } else {
          throw new CommandError(Errors.SYNTAX);
        }
      }
      return new ScanOptions(pattern, count, type, noValues);
    }

    boolean matches(byte[] item) {
      return pattern == null || Glob.matches(pattern, item, false);
    }
  }

  /** Redis's shared "emptyscan" reply: cursor 0, no elements. */
  static void emptyScan(Call c) {
    c.out.arrayHeader(2);
    c.out.bulk(ZERO);
    c.out.arrayHeader(0);
  }

  private static final byte[] ZERO = {'0'};

  private static void scan(Call c) {
    long cursor = parseCursor(c.arg(1));
    ScanOptions opts = ScanOptions.parse(c, 2, true, false);
    Database db = c.db();
    List<byte[]> found = new ArrayList<>();
    long maxIterations = opts.count() * 10;
    do {
      cursor = db.data.keys.scan(cursor, (k, v) -> found.add(k));
    } while (cursor != 0 && maxIterations-- > 0 && found.size() < opts.count());
    List<byte[]> out = new ArrayList<>(found.size());
    for (byte[] k : found) {
      Object v = db.peek(k);
      if (!opts.matches(k) || v == null || db.isExpired(k, c.nowMs)) {
        continue;
      }
      if (opts.type() != null && !opts.type().equalsIgnoreCase(Database.typeName(v))) {
        continue;
      }
      out.add(k);
    }
    // expired keys met by SCAN are deleted, as Redis does
    for (byte[] k : found) {
      c.lookupWrite(k);
    }
    c.out.arrayHeader(2);
    c.out.bulk(Long.toUnsignedString(cursor));
    c.out.arrayHeader(out.size());
    out.forEach(c.out::bulk);
  }

  private static void randomKey(Call c) {
    Database db = c.db();
    for (int tries = 0; tries < 100 && db.size() > 0; tries++) {
      Dict.Entry<Object> e = db.data.keys.randomEntry(c.engine.random);
      if (!db.isExpired(e.key(), c.nowMs)) {
        c.out.bulk(e.key());
        return;
      }
      c.lookupWrite(e.key());
    }
    c.out.nullBulk();
  }

  private static void checkFlushArgs(Call c) {
    if (c.argc() > 2 || (c.argc() == 2 && !c.argIs(1, "ASYNC") && !c.argIs(1, "SYNC"))) {
      throw new CommandError(Errors.SYNTAX);
    }
  }

  static void flush(Call c, Database db) {
    c.engine.touchAllWatched(db, null);
    c.engine.stats.dirty += db.size();
    // an XREADGROUP parked on a key that goes is woken (NOGROUP); a plain reader keeps waiting
    c.engine.signalFlushedDb(db);
    db.clear();
  }

  private static void flushDb(Call c) {
    checkFlushArgs(c);
    flush(c, c.db());
    c.out.ok();
  }

  private static void flushAll(Call c) {
    checkFlushArgs(c);
    for (int i = 0; i < c.engine.dbCount(); i++) {
      flush(c, c.engine.db(i));
    }
    c.engine.stats.dirty++;
    c.out.ok();
  }

  private static void swapDb(Call c) {
    Long a = Numbers.parseLong(c.arg(1));
    if (a == null || a > Integer.MAX_VALUE || a < Integer.MIN_VALUE) {
      throw new CommandError("ERR invalid first DB index");
    }
    Long b = Numbers.parseLong(c.arg(2));
    if (b == null || b > Integer.MAX_VALUE || b < Integer.MIN_VALUE) {
      throw new CommandError("ERR invalid second DB index");
    }
    int n = c.engine.dbCount();
    if (a < 0 || a >= n || b < 0 || b >= n) {
      throw new CommandError(Errors.DB_INDEX_RANGE);
    }
    Database x = c.engine.db(a.intValue());
    Database y = c.engine.db(b.intValue());
    if (x != y) {
      c.engine.touchAllWatched(x, y);
      c.engine.touchAllWatched(y, x);
      c.engine.signalSwapBefore(x, y);
      Database.Data d = x.data;
      x.data = y.data;
      y.data = d;
      c.engine.signalSwapAfter(x, y);
      c.engine.stats.dirty++;
    }
    c.out.ok();
  }

  /** EXPIRE family; {@code base} is now for relative forms, 0 for absolute; unit in ms. */
  private static void expire(Call c, long base, long unitMs) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int i = 3; i < c.argc(); i++) {
      if (c.argIs(i, "NX")) {
        nx = true;
      } else if (c.argIs(i, "XX")) {
        xx = true;
      } else if (c.argIs(i, "GT")) {
        gt = true;
      } else if (c.argIs(i, "LT")) {
        lt = true;
      } else {
        throw new CommandError("ERR Unsupported option " + c.argString(i));
      }
    }
    if (nx && (xx || gt || lt)) {
      throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (gt && lt) {
      throw new CommandError("ERR GT and LT options at the same time are not compatible");
    }
    long when = c.longArg(2);
    if (unitMs == 1000) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        throw Errors.invalidExpire(c.spec.fullName);
      }
      when *= 1000;
    }
    if (when > Long.MAX_VALUE - base) {
      throw Errors.invalidExpire(c.spec.fullName);
    }
    when += base;
    byte[] key = c.arg(1);
    if (c.lookupWrite(key) == null) {
      c.out.integer(0);
      return;
    }
    Database db = c.db();
    long current = db.expireAt(key);
    if ((nx && current != -1) || (xx && current == -1) || (gt && (current == -1 || when <= current))
        || (lt && current != -1 && when >= current)) {
      c.out.integer(0);
      return;
    }
    if (when <= c.nowMs) {
      db.delete(key);
    } else {
      db.setExpire(key, when);
    }
    c.modified(key);
    c.out.integer(1);
  }

  private static void ttl(Call c, boolean ms) {
    byte[] key = c.arg(1);
    if (c.lookupRead(key) == null) {
      c.out.integer(-2);
      return;
    }
    long at = c.db().expireAt(key);
    if (at < 0) {
      c.out.integer(-1);
      return;
    }
    long left = Math.max(0, at - c.nowMs);
    c.out.integer(ms ? left : (left + 500) / 1000);
  }

  private static void expireTime(Call c, boolean ms) {
    byte[] key = c.arg(1);
    if (c.lookupRead(key) == null) {
      c.out.integer(-2);
      return;
    }
    long at = c.db().expireAt(key);
    c.out.integer(at < 0 ? -1 : ms ? at : (at + 500) / 1000);
  }

  private static void persist(Call c) {
    byte[] key = c.arg(1);
    if (c.lookupWrite(key) != null && c.db().removeExpire(key)) {
      c.modified(key);
      c.out.integer(1);
    } else {
      c.out.integer(0);
    }
  }

  static String encoding(Object v) {
    if (v instanceof byte[] b) {
      Long asLong = b.length <= 20 ? Numbers.parseLong(b) : null;
      if (asLong != null) {
        return "int";
      }
      return b.length <= 44 ? "embstr" : "raw";
    } else if (v instanceof HashValue h) {
      return h.encoding();
    } else if (v instanceof SetValue s) {
      return s.encoding();
    } else if (v instanceof ListValue l) {
      return l.size() <= 128 ? "listpack" : "quicklist";
    } else if (v instanceof io.freshet.engine.stream.StreamValue) {
      return "stream";
    }
    return "unknown";
  }

  private static void objectEncoding(Call c) {
    Object v = c.lookupRead(c.arg(2));
    if (v == null) {
      c.out.nullBulk();
    } else {
      c.out.bulk(encoding(v));
    }
  }

  private static void objectStat(Call c, boolean freq) {
    Object v = c.lookupRead(c.arg(2));
    if (v == null) {
      c.out.nullBulk();
      return;
    }
    boolean lfu = c.engine.config.get("maxmemory-policy").contains("lfu");
    if (freq && !lfu) {
      throw new CommandError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    if (!freq && lfu) {
      throw new CommandError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    c.out.integer(0);
  }
}
