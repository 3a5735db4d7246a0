package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.protocol.Numbers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** String commands. Engine thread only. */
final class StringCommands {
  private StringCommands() {}

  static void register(CommandTable t) {
    t.register("get", c -> c.out.bulk(c.getString(c.arg(1), false)));
    t.register("set", StringCommands::set);
    t.register("setnx", c -> {
      boolean absent = c.lookupWrite(c.arg(1)) == null;
      if (absent) {
        c.db().set(c.arg(1), c.arg(2), false);
        c.modified(c.arg(1));
      }
      c.out.integer(absent ? 1 : 0);
    });
    t.register("setex", c -> setWithExpire(c, 1000));
    t.register("psetex", c -> setWithExpire(c, 1));
    t.register("getdel", StringCommands::getDel);
    t.register("getex", StringCommands::getEx);
    t.register("getset", c -> {
      byte[] old = c.getString(c.arg(1), true);
      c.db().set(c.arg(1), c.arg(2), false);
      c.modified(c.arg(1));
      c.out.bulk(old);
    });
    t.register("mget", StringCommands::mget);
    t.register("mset", c -> mset(c, false));
    t.register("msetnx", c -> mset(c, true));
    t.register("incr", c -> incrBy(c, 1));
    t.register("decr", c -> incrBy(c, -1));
    t.register("incrby", c -> incrBy(c, c.longArg(2)));
    t.register("decrby", c -> {
      long by = c.longArg(2);
      if (by == Long.MIN_VALUE) {
        throw new CommandError("ERR decrement would overflow");
      }
      incrBy(c, -by);
    });
    t.register("incrbyfloat", StringCommands::incrByFloat);
    t.register("append", StringCommands::append);
    t.register("strlen", c -> {
      byte[] v = c.getString(c.arg(1), false);
      c.out.integer(v == null ? 0 : v.length);
    });
    t.register("getrange", StringCommands::getRange);
    t.register("substr", StringCommands::getRange);
    t.register("setrange", StringCommands::setRange);
  }

  /** Expiry options of SET and GETEX. */
  private static final int NX = 1;
  private static final int XX = 2;
  private static final int GET = 4;
  private static final int KEEPTTL = 8;
  private static final int PERSIST = 16;

  /** SET/GETEX options as Redis's parseExtendedStringArgumentsOrReply accepts them. */
  private static final class StringOptions {
    int flags;
    /** The expiry keyword last given (EX, PX, EXAT, PXAT; each may repeat), or null. */
    String expireKind;
    int expireArg = -1;

    static StringOptions parse(Call c, int from, boolean forSet) {
      StringOptions o = new StringOptions();
      for (int i = from; i < c.argc(); i++) {
        boolean hasNext = i + 1 < c.argc();
        String kind = c.argIs(i, "EX") ? "EX" : c.argIs(i, "PX") ? "PX" : c.argIs(i, "EXAT") ? "EXAT"
            : c.argIs(i, "PXAT") ? "PXAT" : null;
        if (forSet && c.argIs(i, "NX") && (o.flags & XX) == 0) {
          o.flags |= NX;
        } else if (forSet && c.argIs(i, "XX") && (o.flags & NX) == 0) {
          o.flags |= XX;
        } else if (forSet && c.argIs(i, "GET")) {
          o.flags |= GET;
        } else if (forSet && c.argIs(i, "KEEPTTL") && o.expireKind == null) {
          o.flags |= KEEPTTL;
        } else if (!forSet && c.argIs(i, "PERSIST") && o.expireKind == null) {
          o.flags |= PERSIST;
        } else if (kind != null && hasNext && (o.flags & (KEEPTTL | PERSIST)) == 0
            && (o.expireKind == null || o.expireKind.equals(kind))) {
          o.expireKind = kind;
          o.expireArg = ++i;
        } else {
          throw new CommandError(Errors.SYNTAX);
        }
      }
      return o;
    }

    long expireAt(Call c) {
      if (expireKind == null) {
        return -1;
      }
      long unitMs = expireKind.startsWith("E") ? 1000 : 1;
      return expireTime(c, expireArg, unitMs, expireKind.endsWith("AT"));
    }
  }

  private static void set(Call c) {
    if (c.argc() == 3) {
      // the common form, without options: no parsing, no option object
      byte[] key = c.arg(1);
      c.lookupWrite(key); // deletes an expired key first, as Redis counts it
      c.db().set(key, c.arg(2), false);
      c.modified(key);
      c.out.ok();
      return;
    }
    StringOptions opts = StringOptions.parse(c, 3, true);
    int flags = opts.flags;
    long expireAt = opts.expireAt(c);
    byte[] key = c.arg(1);
    Object current = c.lookupWrite(key);
    if ((flags & GET) != 0) {
      if (current != null && !(current instanceof byte[])) {
        throw new CommandError(Errors.WRONGTYPE);
      }
      c.out.bulk((byte[]) current);
    }
    if (((flags & NX) != 0 && current != null) || ((flags & XX) != 0 && current == null)) {
      if ((flags & GET) == 0) {
        c.out.nullBulk();
      }
      return;
    }
    Database db = c.db();
    db.set(key, c.arg(2), (flags & KEEPTTL) != 0);
    if (expireAt >= 0) {
      db.setExpire(key, expireAt);
    }
    c.modified(key);
    if ((flags & GET) == 0) {
      c.out.ok();
    }
  }

  /** Absolute expiry from an EX/PX/EXAT/PXAT argument, with Redis's validation. */
  private static long expireTime(Call c, int arg, long unitMs, boolean absolute) {
    long v = c.longArg(arg);
    if (v <= 0 || (unitMs == 1000 && v > Long.MAX_VALUE / 1000)) {
      throw Errors.invalidExpire(c.spec.fullName);
    }
    v *= unitMs;
    if (!absolute) {
      if (v > Long.MAX_VALUE - c.nowMs) {
        throw Errors.invalidExpire(c.spec.fullName);
      }
      v += c.nowMs;
    }
    return v;
  }

  private static void setWithExpire(Call c, long unitMs) {
    long at = expireTime(c, 2, unitMs, false);
    c.db().set(c.arg(1), c.arg(3), false);
    c.db().setExpire(c.arg(1), at);
    c.modified(c.arg(1));
    c.out.ok();
  }

  private static void getDel(Call c) {
    byte[] v = c.getString(c.arg(1), true);
    if (v != null) {
      c.db().delete(c.arg(1));
      c.modified(c.arg(1));
    }
    c.out.bulk(v);
  }

  private static void getEx(Call c) {
    StringOptions opts = StringOptions.parse(c, 2, false);
    int flags = opts.flags;
    byte[] key = c.arg(1);
    byte[] v = c.getString(key, true);
    if (v == null) {
      c.out.nullBulk();
      return;
    }
    // Redis parses GETEX's expiry only once the key is known to hold a string
    long expireAt = opts.expireAt(c);
    Database db = c.db();
    if (expireAt >= 0) {
      if (expireAt <= c.nowMs) {
        db.delete(key);
      } else {
        db.setExpire(key, expireAt);
      }
      c.modified(key);
    } else if ((flags & PERSIST) != 0 && db.removeExpire(key)) {
      c.modified(key);
    }
    c.out.bulk(v);
  }

  private static void mget(Call c) {
    c.out.arrayHeader(c.argc() - 1);
    for (int i = 1; i < c.argc(); i++) {
      Object v = c.lookupRead(c.arg(i));
      c.out.bulk(v instanceof byte[] b ? b : null);
    }
  }

  private static void mset(Call c, boolean nx) {
    if (c.argc() % 2 == 0) {
      throw Errors.wrongArity(c.spec.fullName);
    }
    if (nx) {
      for (int i = 1; i < c.argc(); i += 2) {
        if (c.lookupWrite(c.arg(i)) != null) {
          c.out.integer(0);
          return;
        }
      }
    }
    for (int i = 1; i < c.argc(); i += 2) {
      c.db().set(c.arg(i), c.arg(i + 1), false);
      c.modified(c.arg(i));
    }
    if (nx) {
      c.out.integer(1);
    } else {
      c.out.ok();
    }
  }

  private static final byte[][] SMALL = new byte[10000][];

  static byte[] decimal(long v) {
    if (v >= 0 && v < SMALL.length) {
      byte[] b = SMALL[(int) v];
      if (b == null) {
        b = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        SMALL[(int) v] = b;
      }
      return b;
    }
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  private static void incrBy(Call c, long by) {
    byte[] key = c.arg(1);
    byte[] v = c.getString(key, true);
    long current = 0;
    if (v != null) {
      Long parsed = Numbers.parseLong(v);
      if (parsed == null) {
        throw new CommandError(Errors.NOT_INTEGER);
      }
      current = parsed;
    }
    if ((by < 0 && current < 0 && by < Long.MIN_VALUE - current)
        || (by > 0 && current > 0 && by > Long.MAX_VALUE - current)) {
      throw new CommandError(Errors.OVERFLOW);
    }
    long next = current + by;
    c.db().set(key, decimal(next), true);
    c.modified(key);
    c.out.integer(next);
  }

  private static void incrByFloat(Call c) {
    byte[] key = c.arg(1);
    byte[] v = c.getString(key, true);
    BigDecimal current = BigDecimal.ZERO;
    if (v != null) {
      current = Numbers.parseLongDouble(v);
      if (current == null) {
        throw new CommandError(Errors.NOT_FLOAT);
      }
    }
    BigDecimal by = Numbers.parseLongDouble(c.arg(2));
    if (by == null) {
      throw new CommandError(Errors.NOT_FLOAT);
    }
    BigDecimal sum = Numbers.isInfinite(current) || Numbers.isInfinite(by) ? null
        : Numbers.roundLongDouble(current.add(by));
    if (sum == null) {
      throw new CommandError("ERR increment would produce NaN or Infinity");
    }
    byte[] text = Numbers.formatLongDoubleHuman(sum).getBytes(StandardCharsets.US_ASCII);
    c.db().set(key, text, true);
    c.modified(key);
    c.out.bulk(text);
  }

  private static void append(Call c) {
    byte[] key = c.arg(1);
    byte[] v = c.getString(key, true);
    byte[] add = c.arg(2);
    byte[] next;
    if (v == null) {
      next = add;
    } else {
      checkSize(c, (long) v.length + add.length);
      next = Arrays.copyOf(v, v.length + add.length);
      System.arraycopy(add, 0, next, v.length, add.length);
    }
    c.db().set(key, next, true);
    c.modified(key);
    c.out.integer(next.length);
  }

  private static void checkSize(Call c, long size) {
    if (size > c.engine.config.getLong("proto-max-bulk-len")) {
      throw new CommandError(Errors.STRING_TOO_LONG);
    }
  }

  /** checkSize for {@code offset + length} without overflowing: an offset near LONG_MAX is too long. */
  private static void checkEnd(Call c, long offset, int length) {
    if (offset > c.engine.config.getLong("proto-max-bulk-len") - length) {
      throw new CommandError(Errors.STRING_TOO_LONG);
    }
  }

  private static void getRange(Call c) {
    long start = c.longArg(2);
    long end = c.longArg(3);
    byte[] v = c.getString(c.arg(1), false);
    if (v == null) {
      c.out.bulk(new byte[0]);
      return;
    }
    long len = v.length;
    if (start < 0 && end < 0 && start > end) {
      c.out.bulk(new byte[0]);
      return;
    }
    if (start < 0) {
      start = len + start;
    }
    if (end < 0) {
      end = len + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (end < 0) {
      end = 0;
    }
    if (end >= len) {
      end = len - 1;
    }
    if (start > end || len == 0) {
      c.out.bulk(new byte[0]);
      return;
    }
    c.out.bulk(v, (int) start, (int) (end - start + 1));
  }

  private static void setRange(Call c) {
    byte[] key = c.arg(1);
    long offset = c.longArg(2);
    byte[] value = c.arg(3);
    if (offset < 0) {
      throw new CommandError("ERR offset is out of range");
    }
    byte[] v = c.getString(key, true);
    if (v == null) {
      if (value.length == 0) {
        c.out.integer(0);
        return;
      }
      checkEnd(c, offset, value.length);
      v = new byte[0];
    } else {
      if (value.length == 0) {
        c.out.integer(v.length);
        return;
      }
      checkEnd(c, offset, value.length);
    }
    int needed = (int) Math.max(v.length, offset + value.length);
    byte[] next = Arrays.copyOf(v, needed);
    System.arraycopy(value, 0, next, (int) offset, value.length);
    c.db().set(key, next, true);
    c.modified(key);
    c.out.integer(next.length);
  }
}
