package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.PendingList;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;

/**
 * XNACK key group SILENT|FAIL|FATAL [RETRYCOUNT n] [FORCE] IDS numids id... (Redis 8.8): gives
 * pending entries back to the group for immediate redelivery. They stay pending without an
 * owner (the NACK zone, see {@link ConsumerGroup}) until a claim takes them. Options may come
 * before or after the IDS block. Engine thread only.
 */
final class StreamNackCommand {
  private StreamNackCommand() {}

  static void register(CommandTable t) {
    t.register("xnack", ExtraCommands.info("xnack"), ExtraCommands.docs("xnack"), StreamNackCommand::xnack);
  }

  /** What a mode does to a delivery count; RETRYCOUNT replaces it. */
  private enum Mode {
    /** The delivery did not count (graceful shutdown): one fewer, not below 0. */
    SILENT,
    /** A failed attempt: the count stays. */
    FAIL,
    /** A poison entry: the count goes to the maximum, so retry limits send it to the dead letters. */
    FATAL;

    long countAfter(long count) {
      return switch (this) {
        case SILENT -> Math.max(0, count - 1);
        case FAIL -> count;
        case FATAL -> Long.MAX_VALUE;
      };
    }

    /** A FORCE-created entry was never delivered: 0, or the maximum for FATAL. */
    long countOfNew() {
      return this == FATAL ? Long.MAX_VALUE : 0;
    }
  }

  private static void xnack(Call c) {
    Mode mode;
    if (c.argIs(3, "SILENT")) {
      mode = Mode.SILENT;
    } else if (c.argIs(3, "FAIL")) {
      mode = Mode.FAIL;
    } else if (c.argIs(3, "FATAL")) {
      mode = Mode.FATAL;
    } else {
      throw new CommandError("ERR mode must be SILENT, FAIL, or FATAL");
    }
    StreamId[] ids = null;
    long retryCount = -1;
    boolean force = false;
    for (int i = 4; i < c.argc(); i++) {
      int more = c.argc() - 1 - i;
      if (ids == null && c.argIs(i, "IDS") && more >= 1) {
        Long n = Numbers.parseLong(c.arg(i + 1));
        if (n == null || n <= 0) {
          throw new CommandError("ERR numids must be a positive integer");
        }
        if (n > more - 1) {
          throw new CommandError("ERR number of IDs doesn't match numids");
        }
        ids = new StreamId[(int) (long) n];
        for (int k = 0; k < ids.length; k++) {
          ids[k] = StreamCommands.strictId(c, i + 2 + k, 0);
        }
        i += 1 + ids.length;
      } else if (c.argIs(i, "RETRYCOUNT") && more >= 1) {
        Long v = Numbers.parseLong(c.arg(i + 1));
        if (v == null) {
          throw new CommandError("ERR value is not an integer or out of range");
        }
        if (v < 0) {
          throw new CommandError("ERR Invalid RETRYCOUNT value, must be >= 0");
        }
        retryCount = v;
        i++;
      } else if (c.argIs(i, "FORCE")) {
        force = true;
      } else {
        throw new CommandError("ERR Unrecognized XNACK option '" + c.argString(i) + "'");
      }
    }
    if (ids == null) {
      throw new CommandError("ERR syntax error, expected IDS keyword");
    }
    StreamValue s = c.getStream(c.arg(1), true);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      throw StreamGroupCommands.noGroup(c);
    }
    long released = 0;
    EntryCursor cursor = new EntryCursor();
    for (StreamId id : ids) {
      PendingList.Cursor p = g.pel.find(id);
      if (p != null) {
        g.nack(p, retryCount >= 0 ? retryCount : mode.countAfter(p.deliveryCount()));
      } else if (force && s.find(id, cursor)) {
        g.addNacked(id, retryCount >= 0 ? retryCount : mode.countOfNew());
      } else {
        continue; // not pending and not forced: skipped, not counted
      }
      released++;
    }
    if (released > 0) {
      // wakes XREADGROUP ... CLAIM readers: released entries are claimable at once
      c.modified(c.arg(1));
      c.signalReady(c.arg(1));
    }
    c.out.integer(released);
  }
}
