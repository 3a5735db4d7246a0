package io.freshet.engine;

import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * WATCH (the optimistic-locking half of Redis's multi.c): which sessions watch which keys, per
 * database index. A change to a watched key, a FLUSHDB or a SWAPDB that touches one marks each
 * watching session's transaction as failed (its {@code dirtyCas}); EXEC also fails when a key that
 * was live at WATCH time has expired since. Watchers stay with the database index across SWAPDB,
 * as in Redis. Engine thread only.
 */
final class Watches {
  /** Per database index: key to the sessions watching it, in the order they started. */
  private final Dict<List<Session>>[] byDb;
  private final Database[] dbs;

  @SuppressWarnings("unchecked")
  Watches(Database[] dbs) {
    this.dbs = dbs;
    this.byDb = new Dict[dbs.length];
    for (int i = 0; i < dbs.length; i++) {
      byDb[i] = new Dict<>();
    }
  }

  void watch(Session s, byte[] key, long nowMs) {
    for (Session.WatchedKey w : s.watched) {
      if (w.db() == s.db && Arrays.equals(w.key(), key)) {
        return;
      }
    }
    Dict<List<Session>> watchers = byDb[s.db];
    List<Session> sessions = watchers.get(key);
    if (sessions == null) {
      sessions = new ArrayList<>();
      watchers.put(key, sessions);
    }
    sessions.add(s);
    Database db = dbs[s.db];
    s.watched.add(new Session.WatchedKey(s.db, key, db.peek(key) != null && db.isExpired(key, nowMs)));
  }

  void unwatchAll(Session s) {
    for (Session.WatchedKey w : s.watched) {
      Dict<List<Session>> watchers = byDb[w.db()];
      List<Session> sessions = watchers.get(w.key());
      if (sessions != null) {
        sessions.remove(s);
        if (sessions.isEmpty()) {
          watchers.remove(w.key());
        }
      }
    }
    s.watched.clear();
    s.dirtyCas = false;
  }

  /** A watched key changed: every session watching it will fail its EXEC. */
  void touch(Database db, byte[] key) {
    Dict<List<Session>> watchers = byDb[db.index];
    if (watchers.isEmpty()) {
      return;
    }
    List<Session> sessions = watchers.get(key);
    if (sessions != null) {
      for (Session s : sessions) {
        s.dirtyCas = true;
      }
    }
  }

  /**
   * FLUSHDB or SWAPDB: every watched key of {@code db} that exists in it (or in {@code
   * replacement}, the data about to take its place) is touched.
   */
  void touchAll(Database db, Database replacement) {
    for (Dict.Entry<List<Session>> e = byDb[db.index].first(); e != null; e = e.after()) {
      boolean exists = db.peek(e.key()) != null || (replacement != null && replacement.peek(e.key()) != null);
      if (exists) {
        for (Session s : e.value()) {
          s.dirtyCas = true;
        }
      }
    }
  }

  /** True if a watched key that was live at WATCH time has expired since (Redis 7 rule). */
  boolean expiredSinceWatch(Session s, long nowMs) {
    for (Session.WatchedKey w : s.watched) {
      Database db = dbs[w.db()];
      if (!w.expiredAtWatch() && db.peek(w.key()) != null && db.isExpired(w.key(), nowMs)) {
        return true;
      }
    }
    return false;
  }

  /** Keys watched by at least one client (INFO total_watched_keys). */
  long watchedKeys() {
    long n = 0;
    for (Dict<List<Session>> watchers : byDb) {
      n += watchers.size();
    }
    return n;
  }
}
