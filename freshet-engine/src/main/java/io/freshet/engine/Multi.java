package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;

/**
 * MULTI's client side (Redis's multi.c; WATCH is {@link Watches}, EXEC itself a handler in
 * TransactionCommands): which commands are queued instead of run, a refused command dooming the
 * transaction, and discarding it. Engine thread only.
 */
final class Multi {
  private final Engine engine;

  Multi(Engine engine) {
    this.engine = engine;
  }

  /** True when {@code spec} is queued rather than run: inside MULTI, all but the control commands. */
  static boolean queues(Session s, CommandSpec spec) {
    if (!s.inMulti) {
      return false;
    }
    return switch (spec.fullName) {
      case "exec", "discard", "multi", "watch", "quit", "reset" -> false;
      default -> true;
    };
  }

  static void queue(Session s, byte[][] argv) {
    s.queued.add(argv);
    s.out.simple("QUEUED");
  }

  /** A command was refused before it ran: inside MULTI, EXEC will abort, as in Redis. */
  static void refused(Session s) {
    if (s.inMulti) {
      s.multiError = true;
    }
  }

  /** Leaves MULTI: the queue and every WATCH are dropped. */
  void discard(Session s) {
    s.inMulti = false;
    s.multiError = false;
    s.queued.clear();
    engine.unwatchAll(s);
  }

  /**
   * EXEC itself was refused (Redis's execCommandAbort): the transaction is discarded and the
   * reason quoted.
   */
  void abortExec(Session s, String error) {
    discard(s);
    String reason = error.startsWith("ERR ") ? error.substring(4) : error;
    String abort = "EXECABORT Transaction discarded because of: " + reason;
    engine.stats.countError(abort);
    s.out.error(abort);
  }
}
