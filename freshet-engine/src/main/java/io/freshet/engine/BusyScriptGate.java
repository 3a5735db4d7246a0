package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other clients while a script runs past busy-reply-threshold (Redis's processEventsWhileBlocked):
 * they get BUSY for everything but SCRIPT/FUNCTION KILL and SHUTDOWN NOSAVE. Engine thread only.
 */
final class BusyScriptGate {
  private static final Logger LOG = LoggerFactory.getLogger(BusyScriptGate.class);

  private final Engine engine;
  /** Set by the host: reads other clients' input and submits it, while a script runs long. */
  Runnable whileBusy;
  private Engine.BusyScript busy;

  BusyScriptGate(Engine engine) {
    this.engine = engine;
  }

  boolean isBusy() {
    return busy != null;
  }

  /** The client whose script is running past the threshold, or null. */
  Session busySession() {
    return busy == null ? null : busy.session();
  }

  void serveWhileBusy(Engine.BusyScript script) {
    if (whileBusy == null || busy != null) {
      return;
    }
    busy = script;
    try {
      whileBusy.run();
      // Replies made earlier in this event-loop iteration (before the script started) would
      // otherwise wait for the script to end, and their clients could not send SCRIPT KILL: as
      // Redis's processEventsWhileBlocked, log what precedes the script and release them.
      engine.endBatch();
      engine.markDirty(script.session()); // the script's own reply comes later and still needs its flush
    } finally {
      busy = null;
    }
  }

  /** Answers a command another client sent while the script runs. */
  void answer(Session s, CommandSpec spec, byte[][] argv) {
    String name = spec == null ? "" : spec.fullName;
    if (name.equals("script|kill") || name.equals("function|kill")) {
      String error = busy.kill(name.equals("function|kill"));
      if (error == null) {
        s.out.ok();
      } else {
        engine.stats.countError(error);
        s.out.error(error);
      }
    } else if (name.equals("shutdown") && hasArg(argv, "nosave")) {
      LOG.warn("SHUTDOWN NOSAVE while a script runs: stopping it and shutting down");
      busy.abort();
      s.connection.requestShutdown();
    } else {
      String error = "BUSY Redis is busy running a script. You can only call "
          + (busy.isFunction() ? "FUNCTION" : "SCRIPT") + " KILL or SHUTDOWN NOSAVE.";
      engine.stats.countError(error);
      s.out.error(error);
    }
    s.connection.flush();
  }

  private static boolean hasArg(byte[][] argv, String word) {
    for (int i = 1; i < argv.length; i++) {
      if (Call.is(argv[i], word)) {
        return true;
      }
    }
    return false;
  }
}
