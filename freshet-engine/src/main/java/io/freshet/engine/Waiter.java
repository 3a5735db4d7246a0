package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;

/**
 * A parked blocking command. Ordered by deadline in the engine's deadline set (ties by arrival).
 * Owned by the engine thread.
 */
final class Waiter implements Comparable<Waiter> {
  final Session session;
  final CommandSpec spec;
  final byte[][] argv;
  final byte[][] keys;
  final int db;
  /** Absolute ms; 0 waits forever. */
  final long deadlineMs;
  final long seq;
  /** Re-run on every cron tick too, not only when a key changes (XREADGROUP ... CLAIM). */
  final boolean poll;

  Waiter(Session session, CommandSpec spec, byte[][] argv, byte[][] keys, int db, long deadlineMs, long seq,
      boolean poll) {
    this.poll = poll;
    this.session = session;
    this.spec = spec;
    this.argv = argv;
    this.keys = keys;
    this.db = db;
    this.deadlineMs = deadlineMs;
    this.seq = seq;
  }

  @Override
  public int compareTo(Waiter o) {
    int c = Long.compare(deadlineMs, o.deadlineMs);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }
}
