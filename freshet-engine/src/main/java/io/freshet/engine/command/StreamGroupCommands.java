package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.stream.Consumer;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.PendingList;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM. Engine thread only. */
final class StreamGroupCommands {
  private StreamGroupCommands() {}

  static void register(CommandTable t) {
    t.register("xgroup|create", StreamGroupCommands::create);
    t.register("xgroup|setid", StreamGroupCommands::setId);
    t.register("xgroup|destroy", StreamGroupCommands::destroy);
    t.register("xgroup|createconsumer", StreamGroupCommands::createConsumer);
    t.register("xgroup|delconsumer", StreamGroupCommands::delConsumer);
    t.register("xgroup|help", StreamGroupCommands::help);
    t.register("xack", StreamGroupCommands::xack);
    t.register("xpending", StreamGroupCommands::xpending);
    t.register("xclaim", StreamGroupCommands::xclaim);
    t.register("xautoclaim", StreamGroupCommands::xautoclaim);
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static CommandError subcommandSyntax(Call c) {
    return new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.argString(1)
        + "'. Try XGROUP HELP.");
  }

  private static CommandError noGroupForKey(Call c) {
    return new CommandError("NOGROUP No such consumer group '" + c.argString(3) + "' for key name '"
        + c.argString(2) + "'");
  }

  /** Parses an ENTRIESREAD value. */
  private static long entriesRead(Call c, int i) {
    long v = c.longArg(i);
    if (v < 0 && v != ConsumerGroup.INVALID_ENTRIES_READ) {
      throw new CommandError("ERR value for ENTRIESREAD must be positive or -1");
    }
    return v;
  }

  private static final String KEY_MUST_EXIST = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

  /** The stream for an XGROUP subcommand, checking the type (null if missing). */
  private static StreamValue stream(Call c) {
    return c.getStream(c.arg(2), true);
  }

  /** The stream, which XGROUP's subcommands other than CREATE ... MKSTREAM require. */
  private static StreamValue existing(Call c) {
    StreamValue s = stream(c);
    if (s == null) {
      throw new CommandError(KEY_MUST_EXIST);
    }
    return s;
  }

  private static ConsumerGroup requireGroup(Call c, StreamValue s) {
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(3));
    if (g == null) {
      throw noGroupForKey(c);
    }
    return g;
  }

  /** CREATE's and SETID's options, parsed before the key is looked at, as Redis does. */
  private record GroupOptions(boolean mkstream, long entriesRead) {
    static GroupOptions parse(Call c, boolean create) {
      boolean mkstream = false;
      long entriesRead = ConsumerGroup.INVALID_ENTRIES_READ;
      for (int i = 5; i < c.argc(); ) {
        if (create && c.argIs(i, "MKSTREAM")) {
          mkstream = true;
          i++;
        } else if (c.argIs(i, "ENTRIESREAD") && i + 1 < c.argc()) {
          entriesRead = StreamGroupCommands.entriesRead(c, i + 1);
          i += 2;
        } else {
          throw subcommandSyntax(c);
        }
      }
      return new GroupOptions(mkstream, entriesRead);
    }
  }

  private static void create(Call c) {
    GroupOptions opts = GroupOptions.parse(c, true);
    StreamValue s = stream(c);
    if (s == null && !opts.mkstream()) {
      throw new CommandError(KEY_MUST_EXIST);
    }
    if (c.argc() > 8) {
      throw subcommandSyntax(c);
    }
    StreamId id;
    if (c.arg(4).length == 1 && c.arg(4)[0] == '$') {
      id = s == null ? StreamId.MIN : s.lastId();
    } else {
      id = StreamCommands.strictId(c, 4, 0);
    }
    if (s != null && s.groups.containsKey(c.arg(3))) {
      throw new CommandError("BUSYGROUP Consumer Group name already exists");
    }
    if (s == null) {
      s = new StreamValue();
      c.db().add(c.arg(2), s);
    }
    s.groups.put(c.arg(3), new ConsumerGroup(c.arg(3), id, s.clampEntriesRead(opts.entriesRead())));
    c.modified(c.arg(2));
    c.out.ok();
  }

  private static void setId(Call c) {
    GroupOptions opts = GroupOptions.parse(c, false);
    StreamValue s = existing(c);
    ConsumerGroup g = requireGroup(c, s);
    if (c.argc() != 5 && c.argc() != 7) {
      throw subcommandSyntax(c);
    }
    StreamId id = c.arg(4).length == 1 && c.arg(4)[0] == '$' ? s.lastId() : StreamCommands.id(c, 4, 0);
    g.lastId = id;
    g.entriesRead = s.clampEntriesRead(opts.entriesRead());
    c.modified(c.arg(2));
    c.out.ok();
  }

  private static void destroy(Call c) {
    StreamValue s = existing(c);
    if (s.groups.remove(c.arg(3)) != null) {
      // wakes readers blocked on this group: they are re-run and get NOGROUP
      c.modified(c.arg(2));
      c.signalReady(c.arg(2));
      c.out.integer(1);
    } else {
      c.out.integer(0);
    }
  }

  private static void createConsumer(Call c) {
    StreamValue s = existing(c);
    ConsumerGroup g = requireGroup(c, s);
    boolean[] created = {false};
    g.getOrCreateConsumer(c.arg(4), c.nowMs, created);
    if (created[0]) {
      c.engine.stats.dirty++;
    }
    c.out.integer(created[0] ? 1 : 0);
  }

  private static void delConsumer(Call c) {
    StreamValue s = existing(c);
    ConsumerGroup g = requireGroup(c, s);
    Consumer consumer = g.consumer(c.arg(4));
    long pending = 0;
    if (consumer != null) {
      pending = g.deleteConsumer(c.arg(4));
      c.engine.stats.dirty++;
    }
    c.out.integer(pending);
  }

  private static void help(Call c) {
    String[] lines = {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]", "    Create a new consumer group. Options are:",
        "    * MKSTREAM", "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).", "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.", "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.", "DESTROY <key> <groupname>", "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.", "HELP", "    Prints this help."};
    c.out.statusLines(lines);
  }

  private static void xack(Call c) {
    StreamValue s = c.getStream(c.arg(1), true);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      c.out.integer(0);
      return;
    }
    List<StreamId> ids = new ArrayList<>();
    for (int i = 3; i < c.argc(); i++) {
      ids.add(StreamCommands.strictId(c, i, 0));
    }
    long acked = 0;
    for (StreamId id : ids) {
      if (g.removePending(id)) {
        acked++;
      }
    }
    if (acked > 0) {
      c.engine.stats.dirty += acked;
    }
    c.out.integer(acked);
  }

  static CommandError noGroup(Call c) {
    return new CommandError("NOGROUP No such key '" + c.argString(1) + "' or consumer group '" + c.argString(2) + "'");
  }

  private static void xpending(Call c) {
    boolean summary = c.argc() == 3;
    if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) {
      throw new CommandError(Errors.SYNTAX);
    }
    StreamId start = null;
    StreamId end = null;
    long count = 0;
    long minIdle = 0;
    byte[] consumerName = null;
    if (c.argc() >= 6) {
      int from = 3;
      if (c.argIs(3, "IDLE")) {
        minIdle = c.longArg(4);
        if (c.argc() < 8) {
          throw new CommandError(Errors.SYNTAX);
        }
        from += 2;
      }
      count = c.longArg(from + 2);
      if (count < 0) {
        count = 0;
      }
      start = StreamCommands.rangeStart(c, from, false);
      end = StreamCommands.rangeStart(c, from + 1, true);
      if (from + 3 < c.argc()) {
        consumerName = c.arg(from + 3);
      }
    }
    StreamValue s = c.getStream(c.arg(1), false);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      throw noGroup(c);
    }
    if (summary) {
      c.out.arrayHeader(4);
      c.out.integer(g.pel.size());
      if (g.pel.isEmpty()) {
        c.out.nullBulk();
        c.out.nullBulk();
        c.out.nullArray();
        return;
      }
      c.out.bulk(g.pel.firstId().toBytes());
      c.out.bulk(g.pel.lastId().toBytes());
      List<Consumer> withPending = new ArrayList<>();
      for (Consumer consumer : g.consumers.values()) {
        if (!consumer.pel.isEmpty()) {
          withPending.add(consumer);
        }
      }
      c.out.arrayHeader(withPending.size());
      for (Consumer consumer : withPending) {
        c.out.arrayHeader(2);
        c.out.bulk(consumer.name);
        c.out.bulkDecimal(consumer.pel.size());
      }
      return;
    }
    PendingList pel = g.pel;
    if (consumerName != null) {
      Consumer consumer = g.consumer(consumerName);
      if (consumer == null) {
        c.out.arrayHeader(0);
        return;
      }
      pel = consumer.pel;
    }
    List<PendingList.Cursor> out = new ArrayList<>();
    if (start.compareTo(end) <= 0) {
      for (PendingList.Cursor p = pel.seek(start); p.valid() && p.compareTo(end) <= 0; p.next()) {
        if (count == 0) {
          break;
        }
        PendingList.Cursor entry = pel == g.pel ? p : g.pel.find(p.id());
        if (minIdle != 0 && c.nowMs - entry.deliveryTimeMs() < minIdle) {
          continue;
        }
        out.add(pel == g.pel ? g.pel.find(p.id()) : entry);
        count--;
      }
    }
    c.out.arrayHeader(out.size());
    for (PendingList.Cursor e : out) {
      c.out.arrayHeader(4);
      c.out.bulk(e.id().toBytes());
      // an XNACKed entry has no owner and no delivery time: Redis shows "" and idle -1
      c.out.bulk(e.owner() == null ? EMPTY : e.owner().name);
      c.out.integer(e.owner() == null ? -1 : Math.max(0, c.nowMs - e.deliveryTimeMs()));
      c.out.integer(e.deliveryCount());
    }
  }

  static final byte[] EMPTY = new byte[0];

  /** One more delivery; an XNACK FATAL entry (Long.MAX_VALUE) stays at the maximum instead of wrapping. */
  static long nextDeliveryCount(long count) {
    return count == Long.MAX_VALUE ? count : count + 1;
  }

  private static long longArgOr(Call c, int i, String error) {
    return c.longArg(i, "ERR " + error);
  }

  private static void xclaim(Call c) {
    StreamValue s = c.getStream(c.arg(1), true);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      throw noGroup(c);
    }
    long minIdle = Math.max(0, longArgOr(c, 4, "Invalid min-idle-time argument for XCLAIM"));
    int j = 5;
    List<StreamId> ids = new ArrayList<>();
    for (; j < c.argc(); j++) {
      byte[] b = c.arg(j);
      if (b.length == 1 && (b[0] == '-' || b[0] == '+')) {
        break;
      }
      StreamId id = StreamId.parse(b, 0);
      if (id == null) {
        break;
      }
      ids.add(id);
    }
    long retryCount = -1;
    long deliveryTime = -1;
    boolean force = false;
    boolean justId = false;
    StreamId lastId = StreamId.MIN;
    for (; j < c.argc(); j++) {
      boolean more = j + 1 < c.argc();
      if (c.argIs(j, "FORCE")) {
        force = true;
      } else if (c.argIs(j, "JUSTID")) {
        justId = true;
      } else if (c.argIs(j, "IDLE") && more) {
        j++;
        deliveryTime = c.nowMs - longArgOr(c, j, "Invalid IDLE option argument for XCLAIM");
      } else if (c.argIs(j, "TIME") && more) {
        j++;
        deliveryTime = longArgOr(c, j, "Invalid TIME option argument for XCLAIM");
      } else if (c.argIs(j, "RETRYCOUNT") && more) {
        j++;
        retryCount = longArgOr(c, j, "Invalid RETRYCOUNT option argument for XCLAIM");
      } else if (c.argIs(j, "LASTID") && more) {
        j++;
        lastId = StreamCommands.strictId(c, j, 0);
      } else {
        throw new CommandError("ERR Unrecognized XCLAIM option '" + c.argString(j) + "'");
      }
    }
    if (lastId.compareTo(g.lastId) > 0) {
      g.lastId = lastId;
      c.engine.stats.dirty++;
    }
    if (deliveryTime != -1) {
      if (deliveryTime < 0 || deliveryTime > c.nowMs) {
        deliveryTime = c.nowMs;
      }
    } else {
      deliveryTime = c.nowMs;
    }
    Consumer consumer = claimingConsumer(c, g);
    EntryCursor cursor = new EntryCursor();
    List<StreamId> claimed = new ArrayList<>();
    for (StreamId id : ids) {
      PendingList.Cursor p = g.pel.find(id);
      if (!s.find(id, cursor)) {
        if (p != null) {
          g.removePending(p);
          c.engine.stats.dirty++;
        }
        continue;
      }
      if (force && p == null) {
        g.pel.put(id, c.nowMs, 1, null);
        p = g.pel.find(id);
      }
      if (p == null) {
        continue;
      }
      if (p.owner() != null && minIdle != 0 && c.nowMs - p.deliveryTimeMs() < minIdle) {
        continue;
      }
      claim(c, g, p, consumer, deliveryTime, retryCount, justId);
      claimed.add(id);
    }
    writeClaimed(c, s, claimed, justId, cursor);
  }

  /**
   * The consumer XCLAIM and XAUTOCLAIM claim for: created even when nothing is claimed (Redis
   * 7.2+, a change of its own that moves the dirty counter), and seen now whatever happens next.
   * Its active time moves only with a successful claim.
   */
  private static Consumer claimingConsumer(Call c, ConsumerGroup g) {
    boolean[] created = {false};
    Consumer consumer = g.getOrCreateConsumer(c.arg(3), c.nowMs, created);
    if (created[0]) {
      c.engine.stats.dirty++;
    }
    consumer.seenTimeMs = c.nowMs;
    return consumer;
  }

  /** Gives a pending entry to {@code consumer}, as XCLAIM and XAUTOCLAIM do. */
  private static void claim(Call c, ConsumerGroup g, PendingList.Cursor p, Consumer consumer, long deliveryTime,
      long retryCount, boolean justId) {
    g.reassign(p, consumer);
    p.setDeliveryTimeMs(deliveryTime);
    if (retryCount >= 0) {
      p.setDeliveryCount(retryCount);
    } else if (!justId) {
      p.setDeliveryCount(nextDeliveryCount(p.deliveryCount()));
    }
    consumer.activeTimeMs = c.nowMs;
    c.engine.stats.dirty++;
  }

  /** The claimed entries, or only their IDs with JUSTID. */
  private static void writeClaimed(Call c, StreamValue s, List<StreamId> claimed, boolean justId, EntryCursor cursor) {
    c.out.arrayHeader(claimed.size());
    for (StreamId id : claimed) {
      if (justId) {
        c.out.bulk(id.toBytes());
      } else {
        s.find(id, cursor);
        cursor.writeEntry(c.out);
      }
    }
  }

  private static void xautoclaim(Call c) {
    long minIdle = Math.max(0, longArgOr(c, 4, "Invalid min-idle-time argument for XAUTOCLAIM"));
    StreamId start = StreamCommands.rangeStart(c, 5, false);
    long count = 100;
    boolean justId = false;
    for (int j = 6; j < c.argc(); j++) {
      if (c.argIs(j, "COUNT") && j + 1 < c.argc()) {
        Long v = io.freshet.engine.protocol.Numbers.parseLong(c.arg(j + 1));
        if (v == null || v < 1 || v > Long.MAX_VALUE / 16) {
          throw new CommandError("ERR COUNT must be > 0");
        }
        count = v;
        j++;
      } else if (c.argIs(j, "JUSTID")) {
        justId = true;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    StreamValue s = c.getStream(c.arg(1), true);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      throw noGroup(c);
    }
    Consumer consumer = claimingConsumer(c, g);
    long attempts = count * 10;
    EntryCursor cursor = new EntryCursor();
    List<StreamId> claimed = new ArrayList<>();
    List<StreamId> deleted = new ArrayList<>();
    PendingList.Cursor p = g.pel.seek(start);
    StreamId next = null;
    while (attempts-- != 0 && count != 0 && p.valid()) {
      StreamId id = p.id();
      if (!s.find(id, cursor)) {
        g.removePending(p); // the cursor moves on to the following entry
        deleted.add(id);
        count--;
        c.engine.stats.dirty++;
        continue;
      }
      if (minIdle != 0 && c.nowMs - p.deliveryTimeMs() < minIdle) {
        p.next();
        continue;
      }
      claim(c, g, p, consumer, c.nowMs, -1, justId);
      claimed.add(id);
      count--;
      p.next();
    }
    if (p.valid()) {
      next = p.id();
    }
    c.out.arrayHeader(3);
    c.out.bulk((next == null ? StreamId.MIN : next).toBytes());
    writeClaimed(c, s, claimed, justId, cursor);
    c.out.arrayHeader(deleted.size());
    for (StreamId id : deleted) {
      c.out.bulk(id.toBytes());
    }
  }
}
