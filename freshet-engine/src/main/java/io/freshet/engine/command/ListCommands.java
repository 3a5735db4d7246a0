package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.protocol.Numbers;
import java.math.BigDecimal;
import java.util.Arrays;

/** List commands, including the blocking pops. Engine thread only. */
final class ListCommands {
  private ListCommands() {}

  static void register(CommandTable t) {
    t.register("lpush", c -> push(c, true, false));
    t.register("rpush", c -> push(c, false, false));
    t.register("lpushx", c -> push(c, true, true));
    t.register("rpushx", c -> push(c, false, true));
    t.register("lpop", c -> pop(c, true));
    t.register("rpop", c -> pop(c, false));
    t.register("llen", c -> {
      ListValue l = c.getList(c.arg(1), false);
      c.out.integer(l == null ? 0 : l.size());
    });
    t.register("lrange", ListCommands::lrange);
    t.register("lindex", ListCommands::lindex);
    t.register("lset", ListCommands::lset);
    t.register("lrem", ListCommands::lrem);
    t.register("ltrim", ListCommands::ltrim);
    t.register("blpop", c -> blockingPop(c, true));
    t.register("brpop", c -> blockingPop(c, false));
  }

  private static void push(Call c, boolean left, boolean onlyIfExists) {
    ListValue l = c.getList(c.arg(1), true);
    if (l == null) {
      if (onlyIfExists) {
        c.out.integer(0);
        return;
      }
      l = new ListValue();
      c.db().add(c.arg(1), l);
    }
    for (int i = 2; i < c.argc(); i++) {
      if (left) {
        l.pushFirst(c.arg(i));
      } else {
        l.pushLast(c.arg(i));
      }
    }
    c.modified(c.arg(1));
    c.out.integer(l.size());
  }

  private static void pop(Call c, boolean left) {
    if (c.argc() > 3) {
      throw Errors.wrongArity(c.spec.fullName);
    }
    boolean withCount = c.argc() == 3;
    long count = 1;
    if (withCount) {
      Long v = Numbers.parseLong(c.arg(2));
      if (v == null || v < 0) {
        throw new CommandError(Errors.MUST_BE_POSITIVE);
      }
      count = v;
    }
    ListValue l = c.getList(c.arg(1), true);
    if (l == null) {
      if (withCount) {
        c.out.nullArray();
      } else {
        c.out.nullBulk();
      }
      return;
    }
    if (withCount && count == 0) {
      c.out.arrayHeader(0);
      return;
    }
    int n = (int) Math.min(count, l.size());
    if (withCount) {
      c.out.arrayHeader(n);
    }
    for (int i = 0; i < n; i++) {
      c.out.bulk(left ? l.popFirst() : l.popLast());
    }
    if (l.size() == 0) {
      c.deleteKey(c.arg(1));
    }
    c.modified(c.arg(1));
  }

  private static void lrange(Call c) {
    long start = c.longArg(2);
    long end = c.longArg(3);
    ListValue l = c.getList(c.arg(1), false);
    if (l == null) {
      c.out.arrayHeader(0);
      return;
    }
    int len = l.size();
    if (start < 0) {
      start = len + start;
    }
    if (end < 0) {
      end = len + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= len) {
      c.out.arrayHeader(0);
      return;
    }
    if (end >= len) {
      end = len - 1;
    }
    c.out.arrayHeader(end - start + 1);
    for (long i = start; i <= end; i++) {
      c.out.bulk(l.get((int) i));
    }
  }

  private static void lindex(Call c) {
    ListValue l = c.getList(c.arg(1), false);
    if (l == null) {
      c.out.nullBulk();
      return;
    }
    long index = c.longArg(2);
    if (index < 0) {
      index = l.size() + index;
    }
    c.out.bulk(index < 0 || index >= l.size() ? null : l.get((int) index));
  }

  private static void lset(Call c) {
    ListValue l = c.getList(c.arg(1), true);
    if (l == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    long index = c.longArg(2);
    if (index < 0) {
      index = l.size() + index;
    }
    if (index < 0 || index >= l.size()) {
      throw new CommandError(Errors.INDEX_OUT_OF_RANGE);
    }
    l.set((int) index, c.arg(3));
    c.modified(c.arg(1));
    c.out.ok();
  }

  private static void lrem(Call c) {
    long count = c.longArg(2);
    byte[] element = c.arg(3);
    ListValue l = c.getList(c.arg(1), true);
    if (l == null) {
      c.out.integer(0);
      return;
    }
    int removed = 0;
    if (count >= 0) {
      for (int i = 0; i < l.size() && (count == 0 || removed < count); ) {
        if (Arrays.equals(l.get(i), element)) {
          l.removeAt(i);
          removed++;
        } else {
          i++;
        }
      }
    } else {
      // Redis negates the count in place: -LONG_MIN stays negative, never reached, so all go
      boolean all = count == Long.MIN_VALUE;
      for (int i = l.size() - 1; i >= 0 && (all || removed < -count); i--) {
        if (Arrays.equals(l.get(i), element)) {
          l.removeAt(i);
          removed++;
        }
      }
    }
    if (removed > 0) {
      if (l.size() == 0) {
        c.deleteKey(c.arg(1));
      }
      c.modified(c.arg(1));
    }
    c.out.integer(removed);
  }

  private static void ltrim(Call c) {
    long start = c.longArg(2);
    long end = c.longArg(3);
    ListValue l = c.getList(c.arg(1), true);
    if (l == null) {
      c.out.ok();
      return;
    }
    long len = l.size();
    if (start < 0) {
      start = len + start;
    }
    if (end < 0) {
      end = len + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= len) {
      c.deleteKey(c.arg(1));
    } else {
      if (end >= len) {
        end = len - 1;
      }
      l.trim((int) start, (int) end);
    }
    c.modified(c.arg(1));
    c.out.ok();
  }

  /** Parses a blocking timeout in seconds (float) into an absolute deadline; 0 = forever. */
  static long deadline(Call c, int arg) {
    BigDecimal seconds = Numbers.parseLongDouble(c.arg(arg));
    if (seconds == null || Numbers.isInfinite(seconds)) {
      throw new CommandError("ERR timeout is not a float or out of range");
    }
    if (seconds.signum() < 0) {
      throw new CommandError("ERR timeout is negative");
    }
    BigDecimal ms = seconds.multiply(BigDecimal.valueOf(1000));
    if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE - c.nowMs)) > 0) {
      throw new CommandError("ERR timeout is out of range");
    }
    long millis = ms.longValue();
    if (millis == 0) {
      return 0;
    }
    return c.nowMs + millis;
  }

  private static void blockingPop(Call c, boolean left) {
    long deadline = c.isReprocessing() ? 0 : deadline(c, c.argc() - 1);
    for (int i = 1; i < c.argc() - 1; i++) {
      byte[] key = c.arg(i);
      Object v = c.lookupWrite(key);
      if (v == null) {
        continue;
      }
      if (!(v instanceof ListValue l)) {
        if (c.isReprocessing()) {
          continue;
        }
        throw new CommandError(Errors.WRONGTYPE);
      }
      c.out.arrayHeader(2);
      c.out.bulk(key);
      c.out.bulk(left ? l.popFirst() : l.popLast());
      if (l.size() == 0) {
        c.deleteKey(key);
      }
      c.modified(key);
      return;
    }
    if (c.cannotBlock()) {
      c.out.nullArray();
      return;
    }
    byte[][] keys = Arrays.copyOfRange(c.argv, 1, c.argc() - 1);
    c.block(keys, deadline);
  }
}
