package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.protocol.Numbers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Set commands. Engine thread only. */
final class SetCommands {
  private SetCommands() {}

  static void register(CommandTable t) {
    t.register("sadd", SetCommands::sadd);
    t.register("srem", SetCommands::srem);
    t.register("sismember", c -> {
      SetValue s = c.getSet(c.arg(1), false);
      c.out.integer(s != null && s.members.containsKey(c.arg(2)) ? 1 : 0);
    });
    t.register("smismember", c -> {
      SetValue s = c.getSet(c.arg(1), false);
      c.out.arrayHeader(c.argc() - 2);
      for (int i = 2; i < c.argc(); i++) {
        c.out.integer(s != null && s.members.containsKey(c.arg(i)) ? 1 : 0);
      }
    });
    t.register("smembers", SetCommands::smembers);
    t.register("scard", c -> {
      SetValue s = c.getSet(c.arg(1), false);
      c.out.integer(s == null ? 0 : s.members.size());
    });
    t.register("spop", SetCommands::spop);
    t.register("srandmember", SetCommands::srandmember);
    t.register("sscan", SetCommands::sscan);
  }

  private static void sadd(Call c) {
    SetValue s = c.getSet(c.arg(1), true);
    if (s == null) {
      s = new SetValue();
      c.db().add(c.arg(1), s);
    }
    int added = 0;
    int intset = c.configInt("set-max-intset-entries");
    int lpEntries = c.configInt("set-max-listpack-entries");
    int lpValue = c.configInt("set-max-listpack-value");
    for (int i = 2; i < c.argc(); i++) {
      if (s.add(c.arg(i), intset, lpEntries, lpValue)) {
        added++;
      }
    }
    c.modified(c.arg(1));
    c.out.integer(added);
  }

  private static void srem(Call c) {
    SetValue s = c.getSet(c.arg(1), true);
    int removed = 0;
    if (s != null) {
      for (int i = 2; i < c.argc(); i++) {
        if (s.members.remove(c.arg(i)) != null) {
          removed++;
          if (s.members.isEmpty()) {
            c.deleteKey(c.arg(1));
            break;
          }
        }
      }
      if (removed > 0) {
        c.modified(c.arg(1));
      }
    }
    c.out.integer(removed);
  }

  /** Members in reply order: numeric for intsets, insertion order otherwise. */
  static List<byte[]> ordered(SetValue s) {
    List<byte[]> out = new ArrayList<>(s.members.size());
    for (Dict.Entry<Boolean> e = s.members.first(); e != null; e = e.after()) {
      out.add(e.key());
    }
    if (s.isIntset()) {
      out.sort(Comparator.comparingLong(b -> Numbers.parseLong(b)));
    }
    return out;
  }

  private static void smembers(Call c) {
    SetValue s = c.getSet(c.arg(1), false);
    if (s == null) {
      c.out.setHeader(0);
      return;
    }
    c.out.setHeader(s.members.size());
    if (s.isIntset()) {
      ordered(s).forEach(c.out::bulk);
    } else {
      for (Dict.Entry<Boolean> e = s.members.first(); e != null; e = e.after()) {
        c.out.bulk(e.key());
      }
    }
  }

  private static void spop(Call c) {
    if (c.argc() > 3) {
      throw new CommandError(Errors.SYNTAX);
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
    SetValue s = c.getSet(c.arg(1), true);
    if (s == null) {
      if (withCount) {
        c.out.setHeader(0);
      } else {
        c.out.nullBulk();
      }
      return;
    }
    if (withCount && count == 0) {
      c.out.setHeader(0);
      return;
    }
    int n = (int) Math.min(count, s.members.size());
    List<byte[]> popped = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] m = s.members.randomEntry(c.engine.random).key();
      s.members.remove(m);
      popped.add(m);
    }
    if (s.members.isEmpty()) {
      c.deleteKey(c.arg(1));
    }
    c.modified(c.arg(1));
    byte[][] srem = new byte[popped.size() + 2][];
    srem[0] = SREM;
    srem[1] = c.arg(1);
    for (int i = 0; i < popped.size(); i++) {
      srem[i + 2] = popped.get(i);
    }
    c.propagateAs(srem); // the members were picked at random
    if (withCount) {
      c.out.setHeader(popped.size());
      popped.forEach(c.out::bulk);
    } else {
      c.out.bulk(popped.get(0));
    }
  }

  private static final byte[] SREM = {'S', 'R', 'E', 'M'};

  private static void srandmember(Call c) {
    if (c.argc() > 3) {
      throw new CommandError(Errors.SYNTAX);
    }
    if (c.argc() == 2) {
      SetValue s = c.getSet(c.arg(1), false);
      c.out.bulk(s == null ? null : s.members.randomEntry(c.engine.random).key());
      return;
    }
    long count = c.longArg(2);
    if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
      throw new CommandError("ERR value is out of range, value must between -" + (Long.MAX_VALUE) + " and "
          + Long.MAX_VALUE);
    }
    SetValue s = c.getSet(c.arg(1), false);
    if (s == null || count == 0) {
      c.out.arrayHeader(0);
      return;
    }
    if (count < 0) {
      c.out.arrayHeader(-count);
      for (long i = 0; i < -count; i++) {
        c.out.bulk(s.members.randomEntry(c.engine.random).key());
      }
      return;
    }
    List<byte[]> all = ordered(s);
    if (count >= all.size()) {
      c.out.arrayHeader(all.size());
      all.forEach(c.out::bulk);
      return;
    }
    java.util.Collections.shuffle(all, c.engine.random);
    c.out.arrayHeader(count);
    for (int i = 0; i < count; i++) {
      c.out.bulk(all.get(i));
    }
  }

  private static void sscan(Call c) {
    long cursor = KeyCommands.parseCursor(c.arg(2));
    SetValue s = c.getSet(c.arg(1), false);
    if (s == null) {
      KeyCommands.emptyScan(c);
      return;
    }
    KeyCommands.ScanOptions opts = KeyCommands.ScanOptions.parse(c, 3, false, false);
    List<byte[]> out = new ArrayList<>();
    if (s.isCompact()) {
      for (byte[] m : ordered(s)) {
        if (opts.matches(m)) {
          out.add(m);
        }
      }
      cursor = 0;
    } else {
      long max = opts.count() * 10;
      do {
        cursor = s.members.scan(cursor, (k, v) -> {
          if (opts.matches(k)) {
            out.add(k);
          }
        });
      } while (cursor != 0 && max-- > 0 && out.size() < opts.count());
    }
    c.out.arrayHeader(2);
    c.out.bulk(Long.toUnsignedString(cursor));
    c.out.arrayHeader(out.size());
    out.forEach(c.out::bulk);
  }
}
