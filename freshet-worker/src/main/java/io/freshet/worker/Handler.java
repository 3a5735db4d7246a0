package io.freshet.worker;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

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

  /**
   * A handler whose Redis writes commit in one MULTI/EXEC with the entry's XACK (and its
   * idempotency marker): it returns them instead of making them, so a crash applies the side
   * effect and the ack together or neither, and a redelivered entry never applies it twice. Each
   * write is called with the transaction's connection ({@code tx -> tx.hincrby(...)}); on a
   * cluster the keys must share the stream's slot. Runs on a handler thread, like {@link Handler}.
   */
  @FunctionalInterface
  interface Transactional {
    List<Consumer<RedisCommands<String, String>>> handle(StreamEntry entry) throws Exception;
  }
}
