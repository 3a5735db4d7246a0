package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.Idempotency;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;

/**
 * XCFGSET (Redis 8.6) and XIDMPRECORD (Redis 8.8): a stream's IDMP settings, and restoring one
 * remembered idempotent ID. XADD's IDMP/IDMPAUTO options are in {@link StreamCommands}. Engine
 * thread only.
 */
final class StreamIdempotencyCommands {
  private StreamIdempotencyCommands() {}

  static void register(CommandTable t) {
    t.register("xcfgset", ExtraCommands.info("xcfgset"), ExtraCommands.docs("xcfgset"),
        StreamIdempotencyCommands::xcfgset);
    t.register("xidmprecord", ExtraCommands.info("xidmprecord"), ExtraCommands.docs("xidmprecord"),
        StreamIdempotencyCommands::xidmprecord);
  }

  /** XCFGSET key [IDMP-DURATION seconds] [IDMP-MAXSIZE entries]: every value is checked before any is applied. */
  private static void xcfgset(Call c) {
    if (c.argc() == 2) {
      throw new CommandError("ERR At least one parameter must be specified");
    }
    int durationS = -1;
    int maxSize = -1;
    for (int i = 2; i < c.argc(); i += 2) {
      boolean duration = c.argIs(i, "IDMP-DURATION");
      if ((!duration && !c.argIs(i, "IDMP-MAXSIZE")) || i + 1 >= c.argc()) {
        throw new CommandError(Errors.SYNTAX);
      }
      long v = c.longArg(i + 1);
      if (duration) {
        if (v < Idempotency.DURATION_MIN_S || v > Idempotency.DURATION_MAX_S) {
          throw new CommandError("ERR IDMP-DURATION must be between " + Idempotency.DURATION_MIN_S + " and "
              + Idempotency.DURATION_MAX_S + " seconds");
        }
        durationS = (int) v;
      } else {
        if (v < Idempotency.MAXSIZE_MIN || v > Idempotency.MAXSIZE_MAX) {
          throw new CommandError("ERR IDMP-MAXSIZE must be between " + Idempotency.MAXSIZE_MIN + " and "
              + Idempotency.MAXSIZE_MAX + " entries");
        }
        maxSize = (int) v;
      }
    }
    byte[] key = c.arg(1);
    StreamValue s = c.getStream(key, true);
    if (s == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    Idempotency idmp = idempotency(c, s);
    idmp.configure(durationS < 0 ? idmp.durationS() : durationS, maxSize < 0 ? idmp.maxSize() : maxSize);
    c.modified(key);
    c.out.ok();
  }

  /**
   * XIDMPRECORD key pid iid stream-id: remembers that the producer's idempotent ID added an
   * existing entry, as Redis logs IDMP state in a rewritten AOF. OK again for the same mapping;
   * an error for another one.
   */
  private static void xidmprecord(Call c) {
    StreamId id = StreamCommands.strictId(c, 4, 0);
    if (c.arg(2).length == 0) {
      throw new CommandError("ERR XIDMPRECORD requires a non-empty producer ID");
    }
    if (c.arg(3).length == 0) {
      throw new CommandError("ERR XIDMPRECORD requires a non-empty idempotent ID");
    }
    byte[] key = c.arg(1);
    StreamValue s = c.getStream(key, true);
    if (s == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    if (!s.find(id, new EntryCursor())) {
      throw new CommandError("ERR The stream ID does not refer to an existing entry");
    }
    if (!idempotency(c, s).restore(c.arg(2), c.arg(3), id)) {
      throw new CommandError("ERR The producer ID and idempotent ID are already recorded for another entry");
    }
    c.modified(key);
    c.out.ok();
  }

  static Idempotency idempotency(Call c, StreamValue s) {
    return s.idempotency(c.configInt("stream-idmp-duration"), c.configInt("stream-idmp-maxsize"));
  }
}
