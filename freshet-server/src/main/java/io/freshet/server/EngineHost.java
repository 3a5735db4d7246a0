package io.freshet.server;

import io.freshet.engine.Engine;

/** What a connection needs from the server around it. Engine thread only. */
abstract class EngineHost {
  /** Cached from CONFIG so the decoder does not look them up per header. */
  volatile long maxBulkBytes;
  volatile long maxQueryBufferBytes;

  /** Every open client connection (for reading while a script is busy). */
  final java.util.Set<ClientConnection> connections = new java.util.LinkedHashSet<>();

  /** Connections accepted by the accept thread, not yet registered with the engine's loop. */
  private final java.util.Queue<io.netty.channel.Channel> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** From the accept thread: the engine thread registers {@code child} at its next chance. */
  void accepted(io.netty.channel.Channel child) {
    accepted.add(child);
    engineLoop().execute(registerAcceptedTask);
  }

  /**
   * Engine thread: registers newly accepted connections with the engine's loop. Registering from
   * the loop's own thread runs at once (no task), which is what lets a client that connects while
   * a script is busy be read, and answered BUSY, before the script ends.
   */
  void registerAccepted() {
    io.netty.channel.Channel child;
    while ((child = accepted.poll()) != null) {
      child.pipeline().addLast(new ClientConnection(this));
      io.netty.channel.Channel registering = child;
      engineLoop().register(child).addListener(f -> {
        if (!f.isSuccess()) {
          registering.unsafe().closeForcibly();
        }
      });
    }
  }

  /** Engine.whileBusy: takes in new connections, then one read from every other client. */
  void serveWhileBusy() {
    registerAccepted();
    for (ClientConnection c : new java.util.ArrayList<>(connections)) {
      c.readWhileBusy();
    }
  }

  private boolean endBatchScheduled;
  private final Runnable endBatchTask = io.freshet.engine.Fatal.guard(() -> {
    endBatchScheduled = false;
    engine().endBatch();
  });
  private final Runnable registerAcceptedTask = io.freshet.engine.Fatal.guard(this::registerAccepted);

  abstract Engine engine();

  abstract io.netty.channel.EventLoop engineLoop();

  /**
   * Ends a connection's read batch. Replies wait until the end of the event-loop iteration, as
   * Redis's beforeSleep does: one log write (and one fsync under appendfsync always) covers every
   * client served in it (group commit), and the replies leave in one burst after every ready
   * connection has been read. Flushing each connection right after its own read let the first
   * replies reach the client while the server still had the others to read, so the client
   * handled them one by one: unpipelined EVALSHA and SET went up 4-6% with the burst.
   */
  void endBatch() {
    if (!endBatchScheduled) {
      endBatchScheduled = true;
      engineLoop().execute(endBatchTask);
    }
  }

  /** SHUTDOWN was called. */
  abstract void shutdownRequested();
}
