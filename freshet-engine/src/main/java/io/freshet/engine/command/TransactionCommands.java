package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Session;
import java.util.ArrayList;
import java.util.List;

/** MULTI, EXEC, DISCARD, WATCH, UNWATCH. Engine thread only. */
final class TransactionCommands {
  private TransactionCommands() {}

  static void register(CommandTable t) {
    t.register("multi", c -> {
      if (c.session.inMulti) {
        throw new CommandError("ERR MULTI calls can not be nested");
      }
      c.session.inMulti = true;
      c.out.ok();
    });
    t.register("exec", TransactionCommands::exec);
    t.register("discard", c -> {
      if (!c.session.inMulti) {
        throw new CommandError("ERR DISCARD without MULTI");
      }
      discard(c);
      c.out.ok();
    });
    t.register("watch", c -> {
      if (c.session.inMulti) {
        throw new CommandError("ERR WATCH inside MULTI is not allowed");
      }
      for (int i = 1; i < c.argc(); i++) {
        c.engine.watch(c.session, c.arg(i), c.nowMs);
      }
      c.out.ok();
    });
    t.register("unwatch", c -> {
      c.engine.unwatchAll(c.session);
      c.out.ok();
    });
  }

  private static void discard(Call c) {
    c.engine.discardTransaction(c.session);
  }

  private static void exec(Call c) {
    Session s = c.session;
    if (!s.inMulti) {
      throw new CommandError("ERR EXEC without MULTI");
    }
    long nowMs = c.nowMs;
    if (s.multiError) {
      discard(c);
      throw new CommandError(Errors.EXECABORT);
    }
    if (s.dirtyCas || c.engine.watchedKeyExpired(s, nowMs)) {
      discard(c);
      c.out.nullArray();
      return;
    }
    List<byte[][]> queued = new ArrayList<>(s.queued);
    discard(c);
    s.out.arrayHeader(queued.size());
    s.inExec = true;
    io.freshet.engine.Journal journal = c.engine.journal();
    if (journal != null) {
      journal.beginAtomic();
    }
    try {
      for (byte[][] argv : queued) {
        c.engine.runQueued(s, argv, nowMs);
      }
    } finally {
      s.inExec = false;
      if (journal != null) {
        journal.endAtomic();
      }
    }
  }
}
