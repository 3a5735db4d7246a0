package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;

/** XDELEX and XACKDEL (Redis 8.2): deletion with a policy for groups' references. Engine thread only. */
final class StreamDeleteCommands {
  static final long NOT_FOUND = -1;
  static final long DELETED = 1;
  static final long STILL_REFERENCED = 2;

  private StreamDeleteCommands() {}

  static void register(CommandTable t) {
    t.register("xdelex", ExtraCommands.info("xdelex"), ExtraCommands.docs("xdelex"), StreamDeleteCommands::xdelex);
    t.register("xackdel", ExtraCommands.info("xackdel"), ExtraCommands.docs("xackdel"), StreamDeleteCommands::xackdel);
    ExtraCommands.amendStreamDocs(t);
  }

  /** {@code [KEEPREF|DELREF|ACKED] IDS numids id...} in any order. */
  record IdsArgs(DeletePolicy policy, StreamId[] ids) {
    static IdsArgs parse(Call c, int from) {
      DeletePolicy policy = null;
      StreamId[] ids = null;
      for (int i = from; i < c.argc(); i++) {
        DeletePolicy p = DeletePolicy.parse(c.arg(i));
        if (p != null) {
          if (policy != null) {
            throw new CommandError(Errors.SYNTAX);
          }
          policy = p;
        } else if (c.argIs(i, "IDS") && ids == null && i + 1 < c.argc()) {
          Long n = Numbers.parseLong(c.arg(i + 1));
          if (n == null || n < 1) {
            throw new CommandError("ERR Number of IDs must be a positive integer");
          }
          if (n > c.argc() - (i + 2)) {
            throw new CommandError("ERR The `numids` parameter must match the number of arguments");
          }
          ids = new StreamId[(int) (long) n];
          for (int k = 0; k < n; k++) {
            ids[k] = StreamCommands.strictId(c, i + 2 + k, 0);
          }
          i += 1 + n;
        } else {
          throw new CommandError(Errors.SYNTAX);
        }
      }
      if (ids == null) {
        throw new CommandError(Errors.SYNTAX);
      }
      return new IdsArgs(policy == null ? DeletePolicy.KEEPREF : policy, ids);
    }
  }

  private static void replyAllNotFound(Call c, int n) {
    c.out.arrayHeader(n);
    for (int i = 0; i < n; i++) {
      c.out.integer(NOT_FOUND);
    }
  }

  /**
   * Deletes one entry under {@code policy}; returns the reply code (-1 when the entry is gone).
   * Sets {@code changed[0]} when anything changed.
   */
  static long delete(StreamValue s, StreamId id, DeletePolicy policy, EntryCursor cursor, boolean[] changed) {
    if (!s.find(id, cursor)) {
      if (policy == DeletePolicy.DELREF && s.removeReferences(id)) {
        changed[0] = true; // dangling references go even when the entry is already gone
      }
      return NOT_FOUND;
    }
    if (policy == DeletePolicy.ACKED && s.isReferenced(id)) {
      return STILL_REFERENCED;
    }
    s.delete(id);
    if (policy == DeletePolicy.DELREF) {
      s.removeReferences(id);
    }
    changed[0] = true;
    return DELETED;
  }

  private static void xdelex(Call c) {
    IdsArgs a = IdsArgs.parse(c, 2);
    StreamValue s = c.getStream(c.arg(1), true);
    if (s == null) {
      replyAllNotFound(c, a.ids().length);
      return;
    }
    long[] codes = new long[a.ids().length];
    EntryCursor cursor = new EntryCursor();
    boolean[] changed = {false};
    for (int i = 0; i < codes.length; i++) {
      codes[i] = delete(s, a.ids()[i], a.policy(), cursor, changed);
    }
    finish(c, codes, changed[0]);
  }

  private static void xackdel(Call c) {
    IdsArgs a = IdsArgs.parse(c, 3);
    StreamValue s = c.getStream(c.arg(1), true);
    ConsumerGroup g = s == null ? null : s.groups.get(c.arg(2));
    if (g == null) {
      replyAllNotFound(c, a.ids().length);
      return;
    }
    long[] codes = new long[a.ids().length];
    EntryCursor cursor = new EntryCursor();
    boolean[] changed = {false};
    for (int i = 0; i < codes.length; i++) {
      StreamId id = a.ids()[i];
      if (!g.removePending(id)) {
        // not pending in this group: nothing to acknowledge, so nothing is deleted (as Redis)
        codes[i] = NOT_FOUND;
        continue;
      }
      changed[0] = true;
      long code = delete(s, id, a.policy(), cursor, changed);
      codes[i] = code == NOT_FOUND ? DELETED : code;
    }
    finish(c, codes, changed[0]);
  }

  private static void finish(Call c, long[] codes, boolean changed) {
    c.out.arrayHeader(codes.length);
    for (long code : codes) {
      c.out.integer(code);
    }
    if (changed) {
      c.modified(c.arg(1));
    }
  }
}
