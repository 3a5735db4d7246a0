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

/** XINFO STREAM [FULL], GROUPS, CONSUMERS, HELP. Engine thread only. */
final class StreamInfoCommands {
  private StreamInfoCommands() {}

  /** Redis 8.6's IDMP fields; a stream that never used IDMP reports the server's defaults and zeros. */
  private static void writeIdempotency(Call c, StreamValue s) {
    io.freshet.engine.stream.Idempotency idmp = s.idempotency();
    c.out.bulk("idmp-duration");
    c.out.integer(idmp != null ? idmp.durationS() : c.configInt("stream-idmp-duration"));
    c.out.bulk("idmp-maxsize");
    c.out.integer(idmp != null ? idmp.maxSize() : c.configInt("stream-idmp-maxsize"));
    c.out.bulk("pids-tracked");
    c.out.integer(idmp != null ? idmp.producersTracked(c.nowMs) : 0);
    c.out.bulk("iids-tracked");
    c.out.integer(idmp != null ? idmp.idsTracked(c.nowMs) : 0);
    c.out.bulk("iids-added");
    c.out.integer(idmp != null ? idmp.iidsAdded() : 0);
    c.out.bulk("iids-duplicates");
    c.out.integer(idmp != null ? idmp.iidsDuplicates() : 0);
  }

  static void register(CommandTable t) {
    t.register("xinfo|stream", StreamInfoCommands::stream);
    t.register("xinfo|groups", StreamInfoCommands::groups);
    t.register("xinfo|consumers", StreamInfoCommands::consumers);
    t.register("xinfo|help", c -> {
      String[] lines = {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
          "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
          "    Show information about the stream.", "HELP", "    Prints this help."};
      c.out.statusLines(lines);
    });
  }

  private static StreamValue require(Call c) {
    StreamValue s = c.getStream(c.arg(2), false);
    if (s == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    return s;
  }

  private static void lag(Call c, StreamValue s, ConsumerGroup g) {
    long lag = s.lag(g);
    if (lag == StreamValue.UNKNOWN_LAG) {
      c.out.nullBulk();
    } else {
      c.out.integer(lag);
    }
  }

  private static void entriesRead(Call c, ConsumerGroup g) {
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ) {
      c.out.integer(g.entriesRead);
    } else {
      c.out.nullBulk();
    }
  }

  private static void stream(Call c) {
    StreamValue s = require(c); // Redis looks the key up before parsing FULL/COUNT
    boolean full = false;
    long count = 10;
    if (c.argc() > 3) {
      if (c.argc() != 4 && c.argc() != 6) {
        throw new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.argString(1)
            + "'. Try XINFO HELP.");
      }
      if (!c.argIs(3, "FULL")) {
        throw new CommandError(Errors.SYNTAX);
      }
      full = true;
      if (c.argc() == 6) {
        if (!c.argIs(4, "COUNT")) {
          throw new CommandError(Errors.SYNTAX);
        }
        count = Math.max(0, c.longArg(5));
      }
    }
    EntryCursor cursor = new EntryCursor();
    c.out.mapHeader(full ? 15 : 16);
    c.out.bulk("length");
    c.out.integer(s.length());
    c.out.bulk("radix-tree-keys");
    c.out.integer(s.chunkCount());
    c.out.bulk("radix-tree-nodes");
    c.out.integer(s.chunkCount() + 1);
    c.out.bulk("last-generated-id");
    c.out.bulk(s.lastId().toBytes());
    c.out.bulk("max-deleted-entry-id");
    c.out.bulk(s.maxDeletedId().toBytes());
    c.out.bulk("entries-added");
    c.out.integer(s.entriesAdded());
    c.out.bulk("recorded-first-entry-id");
    c.out.bulk(s.firstId().toBytes());
    writeIdempotency(c, s);
    if (!full) {
      c.out.bulk("groups");
      c.out.integer(s.groups.size());
      c.out.bulk("first-entry");
      if (s.first(cursor)) {
        cursor.writeEntry(c.out);
      } else {
        c.out.nullBulk();
      }
      c.out.bulk("last-entry");
      if (s.last(cursor)) {
        cursor.writeEntry(c.out);
      } else {
        c.out.nullBulk();
      }
      return;
    }
    c.out.bulk("entries");
    StreamCommands.writeRange(c, s, StreamId.MIN, StreamId.MAX, count == 0 ? Long.MAX_VALUE : count, false);
    c.out.bulk("groups");
    c.out.arrayHeader(s.groups.size());
    for (ConsumerGroup g : s.groups.values()) {
      c.out.mapHeader(8);
      c.out.bulk("name");
      c.out.bulk(g.name);
      c.out.bulk("last-delivered-id");
      c.out.bulk(g.lastId.toBytes());
      c.out.bulk("entries-read");
      entriesRead(c, g);
      c.out.bulk("lag");
      lag(c, s, g);
      c.out.bulk("pel-count");
      c.out.integer(g.pel.size());
      c.out.bulk("nacked-count"); // Redis 8.8: entries given back with XNACK
      c.out.integer(g.nackedCount());
      c.out.bulk("pending");
      long n = count == 0 ? g.pel.size() : Math.min(count, g.pel.size());
      c.out.arrayHeader(n);
      long left = n;
      for (PendingList.Cursor p = g.pel.first(); p.valid() && left-- > 0; p.next()) {
        c.out.arrayHeader(4);
        c.out.bulk(p.id().toBytes());
        c.out.bulk(p.owner() == null ? StreamGroupCommands.EMPTY : p.owner().name); // XNACKed: no owner, time 0
        c.out.integer(p.deliveryTimeMs());
        c.out.integer(p.deliveryCount());
      }
      c.out.bulk("consumers");
      c.out.arrayHeader(g.consumers.size());
      for (Consumer consumer : g.consumers.values()) {
        c.out.mapHeader(5);
        c.out.bulk("name");
        c.out.bulk(consumer.name);
        c.out.bulk("seen-time");
        c.out.integer(consumer.seenTimeMs);
        c.out.bulk("active-time");
        c.out.integer(consumer.activeTimeMs);
        c.out.bulk("pel-count");
        c.out.integer(consumer.pel.size());
        c.out.bulk("pending");
        long m = count == 0 ? consumer.pel.size() : Math.min(count, consumer.pel.size());
        c.out.arrayHeader(m);
        long leftC = m;
        for (PendingList.Cursor p = consumer.pel.first(); p.valid() && leftC-- > 0; p.next()) {
          PendingList.Cursor e = g.pel.find(p.id());
          c.out.arrayHeader(3);
          c.out.bulk(p.id().toBytes());
          c.out.integer(e.deliveryTimeMs());
          c.out.integer(e.deliveryCount());
        }
      }
    }
  }

  private static void groups(Call c) {
    StreamValue s = require(c);
    c.out.arrayHeader(s.groups.size());
    for (ConsumerGroup g : s.groups.values()) {
      c.out.mapHeader(6);
      c.out.bulk("name");
      c.out.bulk(g.name);
      c.out.bulk("consumers");
      c.out.integer(g.consumers.size());
      c.out.bulk("pending");
      c.out.integer(g.pel.size());
      c.out.bulk("last-delivered-id");
      c.out.bulk(g.lastId.toBytes());
      c.out.bulk("entries-read");
      entriesRead(c, g);
      c.out.bulk("lag");
      lag(c, s, g);
    }
  }

  private static void consumers(Call c) {
    StreamValue s = require(c);
    ConsumerGroup g = s.groups.get(c.arg(3));
    if (g == null) {
      throw new CommandError("NOGROUP No such consumer group '" + c.argString(3) + "' for key name '"
          + c.argString(2) + "'");
    }
    c.out.arrayHeader(g.consumers.size());
    for (Consumer consumer : g.consumers.values()) {
      c.out.mapHeader(4);
      c.out.bulk("name");
      c.out.bulk(consumer.name);
      c.out.bulk("pending");
      c.out.integer(consumer.pel.size());
      c.out.bulk("idle");
      c.out.integer(Math.max(0, c.nowMs - consumer.seenTimeMs));
      c.out.bulk("inactive");
      c.out.integer(consumer.activeTimeMs < 0 ? -1 : Math.max(0, c.nowMs - consumer.activeTimeMs));
    }
  }
}
