package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;

/**
 * A parked blocking command. Ordered by deadline in the engine's deadline set (ties by arrival).
 * Owned by the engine thread.
 */
final class Waiter implements Comparable<Waiter> {
  /** What a waiter waits for (Redis's BLOCKED_LIST / BLOCKED_STREAM); 0 is no blocking type. */
  static final int NONE = 0;
  static final int LIST = 1;
  static final int STREAM = 2;

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
  /** {@link #LIST} or {@link #STREAM}: a key of that type wakes it. */
  final int type;
  /**
   * Woken also when a key is deleted, flushed or replaced by another type (XREADGROUP: its
   * group is gone), as Redis's unblock_on_nokey.
   */
  final boolean unblockOnNoKey;
  /** Time the command has run so far, over every attempt (commandstats count it once). */
  long durationNs;

  Waiter(Session session, CommandSpec spec, byte[][] argv, byte[][] keys, int db, long deadlineMs, long seq,
      boolean poll, int type, boolean unblockOnNoKey) {
    this.poll = poll;
    this.session = session;
    this.spec = spec;
    this.argv = argv;
    this.keys = keys;
    this.db = db;
    this.deadlineMs = deadlineMs;
    this.seq = seq;
    this.type = type;
    this.unblockOnNoKey = unblockOnNoKey;
  }

  @Override
  public int compareTo(Waiter o) {
    int c = Long.compare(deadlineMs, o.deadlineMs);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }
}
