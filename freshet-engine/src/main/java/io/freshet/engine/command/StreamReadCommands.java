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
import java.util.Arrays;
import java.util.List;

/** XREAD and XREADGROUP, blocking included. Engine thread only. */
final class StreamReadCommands {
  private static final byte[] DOLLAR = {'$'};
  private static final byte[] GT = {'>'};
  private static final byte[] PLUS = {'+'};

  private StreamReadCommands() {}

  static void register(CommandTable t) {
    t.register("xread", c -> read(c, false));
    t.register("xreadgroup", c -> read(c, true));
  }

  /** Redis's BLOCK argument: integer milliseconds. */
  private static long blockMs(Call c, int i) {
    Long v = io.freshet.engine.protocol.Numbers.parseLong(c.arg(i));
    if (v == null) {
      throw new CommandError("ERR timeout is not an integer or out of range");
    }
    if (v < 0) {
      throw new CommandError("ERR timeout is negative");
    }
    return v;
  }

  private static void read(Call c, boolean group) {
    long blockMs = -1;
    long count = 0;
    int streamsArg = 0;
    int streams = 0;
    byte[] groupName = null;
    byte[] consumerName = null;
    boolean noAck = false;
    long claimMs = -1;
    long maxCount = 0;
    long maxSize = 0;
    for (int i = 1; i < c.argc(); i++) {
      int more = c.argc() - i - 1;
      if (c.argIs(i, "BLOCK") && more >= 1) {
        if (c.fromScript()) {
          throw new CommandError("ERR " + c.argString(0) + " command is not allowed with BLOCK option from scripts");
        }
        i++;
        blockMs = blockMs(c, i);
      } else if (c.argIs(i, "COUNT") && more >= 1) {
        i++;
        count = c.longArg(i);
        if (count < 0) {
          count = 0;
        }
      } else if ((c.argIs(i, "MAXCOUNT") || c.argIs(i, "MAXSIZE")) && more >= 1) {
        // Redis 8.10 read caps: in total over all the streams read
        boolean isCount = c.argIs(i, "MAXCOUNT");
        i++;
        long v = c.longArg(i); // not a number: Redis's "value is not an integer or out of range"
        if (v <= 0) {
          throw new CommandError("ERR " + (isCount ? "MAXCOUNT" : "MAXSIZE") + " must be a positive integer");
        }
        if (isCount) {
          maxCount = v;
        } else {
          maxSize = v;
        }
      } else if (c.argIs(i, "STREAMS") && more >= 1) {
        streamsArg = i + 1;
        streams = c.argc() - streamsArg;
        if (streams % 2 != 0) {
          throw new CommandError(group
              ? "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified."
              : "ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified.");
        }
        streams /= 2;
        break;
      } else if (c.argIs(i, "GROUP") && more >= 2) {
        if (!group) {
          throw new CommandError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        }
        groupName = c.arg(i + 1);
        consumerName = c.arg(i + 2);
        i += 2;
      } else if (c.argIs(i, "CLAIM") && more >= 1) {
        if (!group) {
          throw new CommandError("ERR The CLAIM option is only supported by XREADGROUP. You called XREAD instead.");
        }
        i++;
        Long v = io.freshet.engine.protocol.Numbers.parseLong(c.arg(i));
        if (v == null) {
          throw new CommandError("ERR min-idle-time is not an integer");
        }
        if (v < 0) {
          throw new CommandError("ERR min-idle-time must be a positive integer");
        }
        claimMs = v;
      } else if (c.argIs(i, "NOACK")) {
        if (!group) {
          throw new CommandError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        }
        noAck = true;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    if (streamsArg == 0) {
      throw new CommandError(Errors.SYNTAX);
    }
    if (group && groupName == null) {
      throw new CommandError("ERR Missing GROUP option for XREADGROUP");
    }
    if (maxCount > 0 && count > maxCount) {
      throw new CommandError("ERR MAXCOUNT must be greater than or equal to COUNT");
    }
    // Resolve every key, group and ID before serving anything.
    StreamValue[] values = new StreamValue[streams];
    ConsumerGroup[] groups = new ConsumerGroup[streams];
    StreamId[] ids = new StreamId[streams];
    boolean[] newOnly = new boolean[streams];
    for (int k = 0; k < streams; k++) {
      byte[] key = c.arg(streamsArg + k);
      int idArg = streamsArg + streams + k;
      byte[] idText = c.arg(idArg);
      StreamValue s = c.getStream(key, false);
      values[k] = s;
      if (group) {
        ConsumerGroup g = s == null ? null : s.groups.get(groupName);
        if (g == null) {
          throw new CommandError("NOGROUP No such key '" + new String(key, StandardCharsets.UTF_8)
              + "' or consumer group '" + new String(groupName, StandardCharsets.UTF_8)
              + "' in XREADGROUP with GROUP option");
        }
        groups[k] = g;
      }
      if (Arrays.equals(idText, DOLLAR)) {
        if (group) {
          throw new CommandError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
        }
        ids[k] = s == null ? StreamId.MIN : s.lastId();
        if (blockMs >= 0) {
          c.argv[idArg] = ids[k].toBytes(); // parked readers wait for entries after this one
        }
      } else if (Arrays.equals(idText, GT)) {
        if (!group) {
          throw new CommandError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
        }
        newOnly[k] = true;
        ids[k] = StreamId.MAX;
      } else if (Arrays.equals(idText, PLUS)) {
        if (group) {
          throw new CommandError(StreamCommands.INVALID_ID);
        }
        // the last entry: read from just before it. Unlike "$", a parked "+" is not rewritten:
        // Redis re-reads it when woken, so the reader gets the newest entry then.
        StreamId last = s == null ? StreamId.MIN : s.lastValidId();
        StreamId before;
        if (s == null) {
          before = StreamId.MIN;
        } else if (s.length() == 0) {
          before = s.lastId().previous();
          if (before == null) {
            // Redis's streamDecrID fails below 0-0 (an empty stream made by MKSTREAM)
            throw new CommandError("ERR the stream last element ID is 0-0");
          }
        } else {
          before = last.previous();
        }
        ids[k] = before == null ? StreamId.MIN : before;
      } else {
        ids[k] = StreamCommands.strictId(c, idArg, 0);
        // Redis marks ">" internally as the maximum ID, so that ID given explicitly reads as ">"
        newOnly[k] = group && ids[k].equals(StreamId.MAX);
      }
    }
    // Serve what can be served now.
    List<Integer> served = new ArrayList<>();
    boolean[] history = new boolean[streams];
    StreamId[] gt = ids.clone();
    List<List<Claimable>> claims = new ArrayList<>(streams);
    for (int k = 0; k < streams; k++) {
      claims.add(List.of());
      StreamValue s = values[k];
      if (s == null) {
        continue;
      }
      boolean serve = false;
      if (group) {
        // Redis 7.2+: every attempt creates the consumer and marks it seen, served or not
        boolean[] created = {false};
        Consumer consumer = groups[k].getOrCreateConsumer(consumerName, c.nowMs, created);
        consumer.seenTimeMs = c.nowMs;
        if (created[0]) {
          c.engine.stats.dirty++;
        }
        if (!newOnly[k]) {
          serve = true;
          history[k] = true;
        } else {
          if (claimMs >= 0) {
            claims.set(k, claimable(s, groups[k], claimMs, c.nowMs, count));
          }
          if (!claims.get(k).isEmpty()
              || (s.length() > 0 && s.lastValidId().compareTo(groups[k].lastId) > 0)) {
            serve = true;
            gt[k] = groups[k].lastId;
          }
        }
      } else if (s.length() > 0 && s.lastValidId().compareTo(gt[k]) > 0) {
        serve = true;
      }
      if (serve) {
        served.add(k);
      }
    }
    long[] limit = null;
    if (!served.isEmpty() && (maxCount > 0 || maxSize > 0)) {
      limit = new long[streams];
      served = applyCaps(c, served, values, groups, consumerName, history, gt, claims, count, maxCount, maxSize,
          limit);
    }
    if (!served.isEmpty()) {
      if (c.out.protocol() == 3) {
        c.out.mapHeader(served.size());
      } else {
        c.out.arrayHeader(served.size());
      }
      EntryCursor cursor = new EntryCursor();
      for (int k : served) {
        if (c.out.protocol() != 3) {
          c.out.arrayHeader(2);
        }
        byte[] key = c.arg(streamsArg + k);
        c.out.bulk(key);
        StreamId start = gt[k].next();
        if (start == null) {
          c.out.arrayHeader(0);
          continue;
        }
        // with MAXCOUNT/MAXSIZE, this stream's share of the caps (never more than COUNT allows)
        long streamCount = limit == null ? count : limit[k];
        if (limit != null && claims.get(k).size() > streamCount) {
          claims.set(k, claims.get(k).subList(0, (int) streamCount));
        }
        if (!group) {
          StreamCommands.writeRange(c, values[k], start, StreamId.MAX,
              streamCount == 0 ? Long.MAX_VALUE : streamCount, false);
        } else if (history[k]) {
          Consumer consumer = groups[k].consumer(consumerName);
          writeHistory(c, values[k], groups[k], consumer, start, streamCount, cursor);
        } else if (claimMs >= 0) {
          deliverClaimingFirst(c, values[k], groups[k], groups[k].consumer(consumerName), claims.get(k), start,
              streamCount, noAck, cursor);
          c.engine.stats.dirty++;
        } else {
          deliverNew(c, values[k], groups[k], groups[k].consumer(consumerName), start, streamCount, noAck, cursor);
          c.engine.stats.dirty++;
        }
      }
      return;
    }
    if (blockMs >= 0) {
      if (c.cannotBlock()) {
        c.out.nullArray();
        return;
      }
      byte[][] keys = Arrays.copyOfRange(c.argv, streamsArg, streamsArg + streams);
      // With CLAIM, pending entries become claimable as time passes: the engine re-runs the
      // command periodically as well as when a key changes.
      c.blockOnStreams(keys, blockMs == 0 ? 0 : c.nowMs + blockMs, group, claimMs >= 0);
      return;
    }
    c.out.nullArray();
  }

  /**
   * MAXCOUNT and MAXSIZE (Redis 8.10): walks what each served stream would deliver, in the order
   * the streams were named, until the total reaches MAXCOUNT entries or the next entry would take
   * the total field and value bytes past MAXSIZE (the first entry always goes, however large).
   * Fills {@code limit} with each stream's share and returns the streams that get any: those after
   * the caps were reached are left out of the reply, as in Redis.
   */
  private static List<Integer> applyCaps(Call c, List<Integer> served, StreamValue[] values, ConsumerGroup[] groups,
      byte[] consumerName, boolean[] history, StreamId[] gt, List<List<Claimable>> claims, long count, long maxCount,
      long maxSize, long[] limit) {
    List<Integer> kept = new ArrayList<>();
    long taken = 0;
    long bytes = 0;
    boolean full = false;
    EntryCursor cursor = new EntryCursor();
    for (int k : served) {
      if (full) {
        break;
      }
      StreamValue s = values[k];
      StreamId start = gt[k].next();
      List<StreamId> candidates = new ArrayList<>();
      if (start != null) {
        if (history[k]) {
          Consumer consumer = groups[k].consumer(consumerName);
          for (PendingList.Cursor p = consumer == null ? null : consumer.pel.seek(start);
              p != null && p.valid() && (count == 0 || candidates.size() < count); p.next()) {
            candidates.add(p.id());
          }
        } else {
          for (Claimable cl : claims.get(k)) {
            candidates.add(cl.id());
          }
          long room = count == 0 ? 0 : count - candidates.size();
          if (count == 0 || room > 0) {
            for (StreamValue.EntryRef ref : s.collect(start, StreamId.MAX, room)) {
              candidates.add(ref.id());
            }
          }
        }
      }
      long n = 0;
      for (StreamId id : candidates) {
        if (maxCount > 0 && taken >= maxCount) {
          full = true;
          break;
        }
        long size = s.find(id, cursor) ? payloadBytes(cursor) : 0;
        if (maxSize > 0 && taken > 0 && bytes + size > maxSize) {
          full = true;
          break;
        }
        bytes += size;
        taken++;
        n++;
      }
      if (n == 0 && full) {
        break; // the caps were reached before this stream: it is left out
      }
      limit[k] = n;
      if (n > 0 || !candidates.isEmpty() || history[k]) {
        kept.add(k);
      }
    }
    return kept;
  }

  /** An entry's field and value bytes, what MAXSIZE counts. */
  private static long payloadBytes(EntryCursor entry) {
    long[] total = {0};
    entry.visit((b, offset, length) -> total[0] += length);
    return total[0];
  }

  /** XREADGROUP with an explicit ID: the consumer's own pending entries after it. */
  private static void writeHistory(Call c, StreamValue s, ConsumerGroup g, Consumer consumer, StreamId start,
      long count, EntryCursor cursor) {
    List<StreamId> pending = new ArrayList<>();
    for (PendingList.Cursor p = consumer.pel.seek(start); p.valid(); p.next()) {
      if (count > 0 && pending.size() >= count) {
        break;
      }
      pending.add(p.id());
    }
    c.out.arrayHeader(pending.size());
    for (StreamId id : pending) {
      if (s.find(id, cursor)) {
        cursor.writeEntry(c.out);
        PendingList.Cursor p = g.pel.find(id);
        p.setDeliveryTimeMs(c.nowMs);
        p.setDeliveryCount(StreamGroupCommands.nextDeliveryCount(p.deliveryCount()));
      } else {
        c.out.arrayHeader(2);
        c.out.bulk(id.toBytes());
        c.out.nullArray();
      }
    }
  }

  /** A pending entry old enough to claim: its ID, and its delivery time and count before the claim. */
  record Claimable(StreamId id, long deliveryTimeMs, long deliveryCount) {}

  /**
   * The group's pending entries idle for at least {@code minIdleMs} whose entries still exist:
   * the NACK zone first in XNACK order (any idle time will do), then owned entries longest idle
   * first (Redis's claiming order), at most {@code count} (0 = all).
   */
  static List<Claimable> claimable(StreamValue s, ConsumerGroup g, long minIdleMs, long nowMs, long count) {
    List<Claimable> out = new ArrayList<>();
    EntryCursor cursor = new EntryCursor();
    for (StreamId id : g.nackedIds()) {
      PendingList.Cursor p = g.pel.find(id);
      if (s.find(id, cursor)) {
        out.add(new Claimable(id, p.deliveryTimeMs(), p.deliveryCount()));
      }
    }
    int nackedFound = out.size();
    for (PendingList.Cursor p = g.pel.first(); p.valid(); p.next()) {
      if (p.owner() != null && nowMs - p.deliveryTimeMs() >= minIdleMs && s.find(p.id(), cursor)) {
        out.add(new Claimable(p.id(), p.deliveryTimeMs(), p.deliveryCount()));
      }
    }
    out.subList(nackedFound, out.size()).sort((a, b) -> a.deliveryTimeMs != b.deliveryTimeMs
        ? Long.compare(a.deliveryTimeMs, b.deliveryTimeMs) : a.id.compareTo(b.id));
    return count > 0 && out.size() > count ? new ArrayList<>(out.subList(0, (int) count)) : out;
  }

  /**
   * XREADGROUP ... CLAIM: idle pending entries first (each moves to this consumer, delivered
   * once more), then new entries with what COUNT leaves; every entry carries its idle time and
   * its delivery count before this read, as integers (Redis 8.4.2).
   */
  private static void deliverClaimingFirst(Call c, StreamValue s, ConsumerGroup g, Consumer consumer,
      List<Claimable> claimed, StreamId start, long count, boolean noAck, EntryCursor cursor) {
    long room = count == 0 ? 0 : count - claimed.size();
    List<StreamValue.EntryRef> fresh = count > 0 && room <= 0 ? List.of() : s.collect(start, StreamId.MAX, room);
    c.out.arrayHeader(claimed.size() + fresh.size());
    for (Claimable cl : claimed) {
      s.find(cl.id(), cursor);
      c.out.arrayHeader(4);
      cursor.writeId(c.out);
      cursor.writeFields(c.out);
      c.out.integer(c.nowMs - cl.deliveryTimeMs());
      c.out.integer(cl.deliveryCount());
      PendingList.Cursor p = g.pel.find(cl.id());
      g.reassign(p, consumer);
      p.setDeliveryTimeMs(c.nowMs);
      p.setDeliveryCount(StreamGroupCommands.nextDeliveryCount(cl.deliveryCount()));
    }
    if (!claimed.isEmpty()) {
      consumer.activeTimeMs = c.nowMs;
    }
    writeNew(c, s, g, consumer, fresh, noAck, cursor, true);
  }

  /** XREADGROUP ">": delivers new entries, moving the group's last ID and filling the PELs. */
  static void deliverNew(Call c, StreamValue s, ConsumerGroup g, Consumer consumer, StreamId start, long count,
      boolean noAck, EntryCursor cursor) {
    List<StreamValue.EntryRef> entries = s.collect(start, StreamId.MAX, count);
    c.out.arrayHeader(entries.size());
    writeNew(c, s, g, consumer, entries, noAck, cursor, false);
  }

  private static void writeNew(Call c, StreamValue s, ConsumerGroup g, Consumer consumer,
      List<StreamValue.EntryRef> entries, boolean noAck, EntryCursor cursor, boolean withDeliveryInfo) {
    for (StreamValue.EntryRef ref : entries) {
      StreamId id = ref.id();
      if (id.compareTo(g.lastId) > 0) {
        g.entriesRead = s.entriesReadAfterDelivering(g, id);
        g.lastId = id;
      }
      if (withDeliveryInfo) {
        c.out.arrayHeader(4);
        s.find(id, cursor);
        cursor.writeId(c.out);
        cursor.writeFields(c.out);
        c.out.integer(0);
        c.out.integer(0);
      } else {
        ref.write(c.out, cursor);
      }
      if (!noAck) {
        PendingList.Cursor existing = g.pel.isAfterLast(id) ? null : g.pel.find(id);
        if (existing == null) {
          g.pel.put(id, c.nowMs, 1, consumer);
          consumer.pel.put(id, 0, 0, null);
        } else {
          // SETID moved the group back: the entry changes hands, as in Redis
          g.reassign(existing, consumer);
          existing.setDeliveryTimeMs(c.nowMs);
          existing.setDeliveryCount(1);
        }
        // as in Redis, only a delivery that makes the entry pending counts as activity
        consumer.activeTimeMs = c.nowMs;
      }
    }
  }
}
