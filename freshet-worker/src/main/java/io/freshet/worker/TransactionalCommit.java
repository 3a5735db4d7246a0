package io.freshet.worker;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ack of an idempotent or transactional entry: the handler's Redis writes, the idempotency
 * marker and the XACK in one MULTI/EXEC on a connection of their own (in the stream's slot on a
 * cluster). The marker is WATCHed, so when two workers ran the same entry (it was reclaimed while
 * the first still ran it) only the first commit applies anything. Thread-safe: commits take
 * turns on the one connection.
 */
final class TransactionalCommit {
  private final ProcessorConfig config;
  private final Links.Transactional connection;
  private final Object lock = new Object();

  TransactionalCommit(ProcessorConfig config, Links.Transactional connection) {
    this.config = config;
    this.connection = connection;
  }

  /**
   * Commits entry {@code id}; {@code marker} may be null (no idempotency), {@code writes} null or
   * empty. False when the entry turned out to be a duplicate: its marker was already set, or
   * another worker's commit set it between our WATCH and EXEC (then nothing of ours applied).
   */
  boolean commit(String id, String marker, List<Consumer<RedisCommands<String, String>>> writes) {
    synchronized (lock) {
      RedisCommands<String, String> tx = connection.sync();
      if (marker != null) {
        tx.watch(marker);
        if (tx.exists(marker) > 0) {
          tx.unwatch();
          tx.xack(config.stream(), config.group(), id);
          return false;
        }
      }
      tx.multi();
      if (writes != null) {
        writes.forEach(w -> w.accept(tx));
      }
      if (marker != null) {
        tx.psetex(marker, config.idempotencyTtlMs(), "1");
      }
      tx.xack(config.stream(), config.group(), id);
      return !tx.exec().wasDiscarded();
    }
  }
}
