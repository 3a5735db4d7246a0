package io.freshet.server;

import io.freshet.engine.Engine;

/** What a connection needs from the server around it. Engine thread only. */
abstract class EngineHost {
  /** Cached from CONFIG so the decoder does not look them up per header. */
  volatile long maxBulkBytes;
  volatile long maxQueryBufferBytes;

  /** Every open client connection (for reading while a script is busy). */
  final java.util.Set<ClientConnection> connections = new java.util.LinkedHashSet<>();

  /** Engine.whileBusy: one read from every other client. */
  void serveWhileBusy() {
    for (ClientConnection c : new java.util.ArrayList<>(connections)) {
      c.readWhileBusy();
    }
  }

  private boolean endBatchScheduled;
  private final Runnable endBatchTask = () -> {
    endBatchScheduled = false;
    engine().endBatch();
  };

  abstract Engine engine();

  abstract java.util.concurrent.Executor engineLoop();

  /**
   * Ends a connection's read batch. Replies that acknowledge logged writes wait until the end
   * of the event-loop iteration, so one log write (and one fsync under appendfsync always)
   * covers every client served in it: group commit, as Redis's beforeSleep does.
   */
  void endBatch() {
    Engine engine = engine();
    io.freshet.engine.Journal journal = engine.journal();
    if (journal != null && journal.hasPending()) {
      if (!endBatchScheduled) {
        endBatchScheduled = true;
        engineLoop().execute(endBatchTask);
      }
      return;
    }
    if (!endBatchScheduled) {
      engine.endBatch();
    }
  }

  /** SHUTDOWN was called. */
  abstract void shutdownRequested();
}
