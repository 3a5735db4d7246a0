package io.freshet.engine;

import io.freshet.engine.protocol.ReplyWriter;

/**
 * What the engine needs from a network connection. Implemented by the server; every method is
 * called on the engine thread only.
 */
public interface Connection {
  /** The writer that buffers this connection's replies until {@link #flush()}. */
  ReplyWriter output();

  /** Hands everything written so far to the network. */
  void flush();

  /** Flushes, then closes the connection. */
  void close();

  String remoteAddress();

  String localAddress();

  /** Bytes handed to the network but not yet written to the socket. */
  long networkPendingBytes();

  /** Tells the decoder which (pre- or post-AUTH) input limits apply. */
  default void authenticated(boolean authenticated) {}

  /** Asks the host to shut the server down (SHUTDOWN). */
  default void requestShutdown() {}
}
