package io.freshet.worker;

import java.util.concurrent.CompletionStage;

/**
 * What a processor runs for each entry. A synchronous handler returns normally on success and
 * throws on failure; it runs on one of the processor's {@code concurrency} handler threads.
 * Called from many threads at once: implementations must be thread-safe.
 */
@FunctionalInterface
public interface Handler {
  void handle(StreamEntry entry) throws Exception;

  /**
   * An asynchronous handler: success is the stage completing normally. It is invoked on a handler
   * thread and may complete on any thread; at most {@code concurrency} stages are in flight.
   */
  @FunctionalInterface
  interface Async {
    CompletionStage<?> handle(StreamEntry entry);
  }
}
