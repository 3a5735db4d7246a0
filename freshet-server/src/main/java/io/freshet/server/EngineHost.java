package io.freshet.server;

import io.freshet.engine.Engine;

/** What a connection needs from the server around it. Engine thread only. */
abstract class EngineHost {
  /** Cached from CONFIG so the decoder does not look them up per header. */
  volatile long maxBulkBytes;
  volatile long maxQueryBufferBytes;

  abstract Engine engine();

  /** SHUTDOWN was called. */
  abstract void shutdownRequested();
}
