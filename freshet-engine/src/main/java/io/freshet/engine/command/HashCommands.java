package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.protocol.Numbers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hash commands. Engine thread only. */
final class HashCommands {
  private HashCommands() {}

  static void register(CommandTable t) {
    t.register("hset", c -> hset(c, false));
    t.register("hmset", c -> hset(c, true));
    t.register("hsetnx", HashCommands::hsetnx);
    t.register("hget", c -> {
      HashValue h = c.getHash(c.arg(1), false);
      c.out.bulk(h == null ? null : h.fields.get(c.arg(2)));
    });
    t.register("hmget", c -> {
      HashValue h = c.getHash(c.arg(1), false);
      c.out.arrayHeader(c.argc() - 2);
      for (int i = 2; i < c.argc(); i++) {
        c.out.bulk(h == null ? null : h.fields.get(c.arg(i)));
      }
    });
    t.register("hdel", HashCommands::hdel);
    t.register("hexists", c -> {
      HashValue h = c.getHash(c.arg(1), false);
      c.out.integer(h != null && h.fields.containsKey(c.arg(2)) ? 1 : 0);
    });
    t.register("hgetall", c -> all(c, true, true));
    t.register("hkeys", c -> all(c, true, false));
    t.register("hvals", c -> all(c, false, true));
    t.register("hlen", c -> {
      HashValue h = c.getHash(c.arg(1), false);
      c.out.integer(h == null ? 0 : h.fields.size());
    });
    t.register("hstrlen", c -> {
      HashValue h = c.getHash(c.arg(1), false);
      byte[] v = h == null ? null : h.fields.get(c.arg(2));
      c.out.integer(v == null ? 0 : v.length);
    });
    t.register("hincrby", HashCommands::hincrby);
    t.register("hincrbyfloat", HashCommands::hincrbyfloat);
    t.register("hscan", HashCommands::hscan);
  }

  private static HashValue getOrCreate(Call c) {
    HashValue h = c.getHash(c.arg(1), true);
    if (h == null) {
      h = new HashValue();
      c.db().add(c.arg(1), h);
    }
    return h;
  }

  static void put(Call c, HashValue h, byte[] field, byte[] value) {
    h.put(field, value, c.configInt("hash-max-listpack-entries"), c.configInt("hash-max-listpack-value"));
  }

  private static void hset(Call c, boolean legacy) {
    if (c.argc() % 2 != 0) {
      throw Errors.wrongArity(c.spec.fullName);
    }
    HashValue h = getOrCreate(c);
    int created = 0;
    for (int i = 2; i < c.argc(); i += 2) {
      if (!h.fields.containsKey(c.arg(i))) {
        created++;
      }
      put(c, h, c.arg(i), c.arg(i + 1));
    }
    c.modified(c.arg(1));
    if (legacy) {
      c.out.ok();
    } else {
      c.out.integer(created);
    }
  }

  private static void hsetnx(Call c) {
    HashValue h = c.getHash(c.arg(1), true);
    if (h != null && h.fields.containsKey(c.arg(2))) {
      c.out.integer(0);
      return;
    }
    h = getOrCreate(c);
    put(c, h, c.arg(2), c.arg(3));
    c.modified(c.arg(1));
    c.out.integer(1);
  }

  private static void hdel(Call c) {
    HashValue h = c.getHash(c.arg(1), true);
    int deleted = 0;
    if (h != null) {
      for (int i = 2; i < c.argc(); i++) {
        if (h.fields.remove(c.arg(i)) != null) {
          deleted++;
          if (h.fields.isEmpty()) {
            c.deleteKey(c.arg(1));
            break;
          }
        }
      }
      if (deleted > 0) {
        c.modified(c.arg(1));
      }
    }
    c.out.integer(deleted);
  }

  private static void all(Call c, boolean keys, boolean values) {
    HashValue h = c.getHash(c.arg(1), false);
    int n = h == null ? 0 : h.fields.size();
    if (keys && values) {
      c.out.mapHeader(n);
    } else {
      c.out.arrayHeader(n);
    }
    if (h == null) {
      return;
    }
    for (Dict.Entry<byte[]> e = h.fields.first(); e != null; e = e.after()) {
      if (keys) {
        c.out.bulk(e.key());
      }
      if (values) {
        c.out.bulk(e.value());
      }
    }
  }

  private static void hincrby(Call c) {
    long by = c.longArg(3);
    HashValue h = c.getHash(c.arg(1), true);
    long current = 0;
    byte[] v = h == null ? null : h.fields.get(c.arg(2));
    if (v != null) {
      Long parsed = Numbers.parseLong(v);
      if (parsed == null) {
        throw new CommandError("ERR hash value is not an integer");
      }
      current = parsed;
    }
    if ((by < 0 && current < 0 && by < Long.MIN_VALUE - current)
        || (by > 0 && current > 0 && by > Long.MAX_VALUE - current)) {
      throw new CommandError(Errors.OVERFLOW);
    }
    long next = current + by;
    h = getOrCreate(c);
    put(c, h, c.arg(2), Long.toString(next).getBytes(StandardCharsets.US_ASCII));
    c.modified(c.arg(1));
    c.out.integer(next);
  }

  private static void hincrbyfloat(Call c) {
    BigDecimal by = Numbers.parseLongDouble(c.arg(3));
    if (by == null) {
      throw new CommandError(Errors.NOT_FLOAT);
    }
    if (Numbers.isInfinite(by)) {
      throw new CommandError("ERR value is NaN or Infinity");
    }
    HashValue h = c.getHash(c.arg(1), true);
    BigDecimal current = BigDecimal.ZERO;
    byte[] v = h == null ? null : h.fields.get(c.arg(2));
    if (v != null) {
      current = Numbers.parseLongDouble(v);
      if (current == null) {
        throw new CommandError("ERR hash value is not a float");
      }
    }
    BigDecimal sum = Numbers.isInfinite(current) || Numbers.isInfinite(by) ? null
        : Numbers.roundLongDouble(current.add(by));
    if (sum == null) {
      throw new CommandError("ERR increment would produce NaN or Infinity");
    }
    byte[] text = Numbers.formatLongDoubleHuman(sum).getBytes(StandardCharsets.US_ASCII);
    h = getOrCreate(c);
    put(c, h, c.arg(2), text);
    c.modified(c.arg(1));
    c.out.bulk(text);
  }

  private static void hscan(Call c) {
    long cursor = KeyCommands.parseCursor(c.arg(2));
    HashValue h = c.getHash(c.arg(1), false);
    if (h == null) {
      KeyCommands.emptyScan(c);
      return;
    }
    KeyCommands.ScanOptions opts = KeyCommands.ScanOptions.parse(c, 3, false, true);
    List<byte[]> out = new ArrayList<>();
    {
      if (h.isListpack()) {
        for (Dict.Entry<byte[]> e = h.fields.first(); e != null; e = e.after()) {
          add(out, opts, e.key(), e.value());
        }
        cursor = 0;
      } else {
        long max = opts.count() * 10;
        do {
          cursor = h.fields.scan(cursor, (k, v) -> add(out, opts, k, v));
        } while (cursor != 0 && max-- > 0 && out.size() / (opts.noValues() ? 1 : 2) < opts.count());
      }
    }
    c.out.arrayHeader(2);
    c.out.bulk(Long.toUnsignedString(cursor));
    c.out.arrayHeader(out.size());
    out.forEach(c.out::bulk);
  }

  private static void add(List<byte[]> out, KeyCommands.ScanOptions opts, byte[] k, byte[] v) {
    if (opts.matches(k)) {
      out.add(k);
      if (!opts.noValues()) {
        out.add(v);
      }
    }
  }
}
