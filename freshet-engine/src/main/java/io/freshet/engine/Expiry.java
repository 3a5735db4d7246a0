package io.freshet.engine;

import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Key expiry (Redis's expire.c): lazy expiry when a command looks a key up, and the active cycle
 * that samples keys with a TTL from cron. An expired key is deleted, counted, signalled like any
 * change, and logged as a DEL of its own so the log replays the same deletions. Engine thread
 * only.
 */
final class Expiry {
  private static final byte[] DEL = {'D', 'E', 'L'};

  private final Engine engine;
  private final Database[] dbs;
  private final Random random;
  private final LongSupplier nanoClock;
  /** The database the next active cycle starts from, so every one gets its turn. */
  private int nextDb;
  /**
   * Keys deleted by expiry during the running command: logged as DELs of their own, so they do
   * not count as the command's change.
   */
  long expiredInCommand;

  Expiry(Engine engine, Database[] dbs, Random random, LongSupplier nanoClock) {
    this.engine = engine;
    this.dbs = dbs;
    this.random = random;
    this.nanoClock = nanoClock;
  }

  /** Value of {@code key}, deleting it first if it has expired. */
  Object lookup(Database db, byte[] key, long nowMs) {
    Object v = db.peek(key);
    if (v != null && db.expiresSize() > 0 && db.isExpired(key, nowMs)) {
      expire(db, key);
      return null;
    }
    return v;
  }

  private void expire(Database db, byte[] key) {
    db.delete(key);
    engine.stats.expiredKeys++;
    engine.signalModifiedKey(db, key);
    expiredInCommand++;
    Journal journal = engine.journal();
    if (journal != null) {
      journal.command(db.index, engine.now(), new byte[][] {DEL, key});
    }
  }

  /**
   * Redis's adaptive sampling: 20 keys with a TTL per round, again while more than 25% of them
   * had expired, within a time budget of 25 ms per 100 ms of {@code hz}.
   */
  void activeCycle(long nowMs, int hz) {
    long budgetEndNs = nanoClock.getAsLong() + 25_000_000L / Math.max(1, hz / 10);
    for (int n = 0; n < dbs.length; n++) {
      Database db = dbs[(nextDb + n) % dbs.length];
      int expired;
      do {
        expired = 0;
        int samples = Math.min(20, db.expiresSize());
        for (int i = 0; i < samples; i++) {
          Dict.Entry<Long> e = db.data.expires.randomEntry(random);
          if (e != null && e.value() <= nowMs) {
            expire(db, e.key());
            expired++;
          }
        }
        if (samples == 0) {
          break;
        }
      } while (expired > 5 && nanoClock.getAsLong() < budgetEndNs);
    }
    nextDb = (nextDb + 1) % dbs.length;
  }
}
