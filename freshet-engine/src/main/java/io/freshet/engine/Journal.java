package io.freshet.engine;

/**
 * Where the engine reports every change it makes, as a command that replays it exactly: the
 * database, the time the engine read from its clock, and the arguments (rewritten where the
 * original is not deterministic, e.g. SPOP becomes SREM and {@code ~} trimming becomes exact).
 * Replaying the same records through {@link Engine#replay} on the same starting state gives the
 * same state, because every decision a command makes depends only on the state and the clock.
 *
 * <p>Called on the engine thread only. Implementations buffer records and make them durable in
 * {@link #commit}, which the engine calls before it releases the replies of a batch.
 */
public interface Journal {
  /** One change. The arrays belong to the caller's command and must not be modified. */
  void command(int db, long nowMs, byte[][] argv);

  /**
   * Records between this and {@link #endAtomic} are applied all or none (MULTI/EXEC, scripts).
   * Calls nest (a script inside EXEC); the outermost pair makes the group.
   */
  void beginAtomic();

  void endAtomic();

  /** True when records wait for {@link #commit}. */
  boolean hasPending();

  /** Writes pending records (and syncs them to disk when the fsync policy says so). */
  void commit();
}
