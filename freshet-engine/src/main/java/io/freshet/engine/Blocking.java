package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.stream.StreamValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parked commands (Redis's blocked.c), Redis 7.2+'s model: a parked command is woken only by a
 * key signalled as ready (a key of its type was added, XADD, XGROUP DESTROY, XNACK) or, for
 * XREADGROUP, also as deleted (deleted, replaced, flushed, swapped away). A woken command is
 * taken off every key and re-run through the engine's one command path; if it still finds
 * nothing it parks again behind the others with its deadline. Its client's pipelined commands
 * run once every ready key has been served. Engine thread only.
 *
 * <p>Failure isolation: a woken command that throws is answered with an error by the command
 * path; anything else that throws while one waiter is served is logged, that client gets an
 * error, and the rest of the ready keys are still served.
 */
final class Blocking {
  private static final Logger LOG = LoggerFactory.getLogger(Blocking.class);

  private final Engine engine;
  private final Database[] dbs;
  /** Per database index, per key, the parked commands in FIFO order; stays with the index on SWAPDB. */
  private final Dict<ArrayDeque<Waiter>>[] waitersByKey;
  /** Per database index, the keys in {@link #readyKeys} (a key is queued once, as Redis's db->ready_keys). */
  private final Dict<Boolean>[] readySets;
  private List<byte[]> readyKeys = new ArrayList<>();
  private final List<Integer> readyDbs = new ArrayList<>();
  private boolean servingReadyKeys;
  private final TreeSet<Waiter> deadlines = new TreeSet<>();
  /** Clients just unblocked whose pipelined commands wait to run (Redis's unblocked_clients). */
  private final ArrayDeque<Session> unblockedSessions = new ArrayDeque<>();
  private boolean processingUnblocked;
  /** Parked clients per blocking type ({@link Waiter#LIST}, {@link Waiter#STREAM}). */
  private final int[] blockedByType = new int[3];
  private int blockedClients;
  /** Parked commands that want a periodic re-run (see {@link Waiter#poll}). */
  private int pollers;
  private long waiterSeq;
  /** The waiter the running command parked, if it parked. */
  private Waiter parkedInRun;
  private final KeyEvents keyEvents = new KeyEvents();

  @SuppressWarnings("unchecked")
  Blocking(Engine engine, Database[] dbs) {
    this.engine = engine;
    this.dbs = dbs;
    this.waitersByKey = new Dict[dbs.length];
    this.readySets = new Dict[dbs.length];
    for (int i = 0; i < dbs.length; i++) {
      waitersByKey[i] = new Dict<>();
      readySets[i] = new Dict<>();
    }
  }

  // ---- parking -----------------------------------------------------------------------------

  void block(Session s, CommandSpec spec, byte[][] argv, byte[][] keys, long deadlineMs, boolean poll, int type,
      boolean unblockOnNoKey) {
    Waiter w = new Waiter(s, spec, argv, keys, s.db, deadlineMs, waiterSeq++, poll, type, unblockOnNoKey);
    if (poll) {
      pollers++;
    }
    s.waiter = w;
    Dict<ArrayDeque<Waiter>> byKey = waitersByKey[s.db];
    for (byte[] key : keys) {
      ArrayDeque<Waiter> q = byKey.get(key);
      if (q == null) {
        q = new ArrayDeque<>();
        byKey.put(key, q);
      }
      if (!q.contains(w)) {
        q.add(w);
      }
    }
    dbs[s.db].keyEvents = keyEvents;
    if (deadlineMs > 0) {
      deadlines.add(w);
    }
    blockedClients++;
    blockedByType[type]++;
    parkedInRun = w;
  }

  void unblock(Waiter w) {
    Dict<ArrayDeque<Waiter>> byKey = waitersByKey[w.db];
    for (byte[] key : w.keys) {
      ArrayDeque<Waiter> q = byKey.get(key);
      if (q != null) {
        q.remove(w);
        if (q.isEmpty()) {
          byKey.remove(key);
        }
      }
    }
    if (byKey.isEmpty()) {
      dbs[w.db].keyEvents = null; // nobody waits here: key changes need not be reported
    }
    if (w.deadlineMs > 0) {
      deadlines.remove(w);
    }
    if (w.poll) {
      pollers--;
    }
    w.session.waiter = null;
    blockedClients--;
    blockedByType[w.type]--;
  }

  /** Forgets which command parked, returning what was recorded (a command nests in a script). */
  Waiter takeParked() {
    Waiter w = parkedInRun;
    parkedInRun = null;
    return w;
  }

  /** Returns the waiter the command just run parked (or null) and restores the outer one. */
  Waiter restoreParked(Waiter outer) {
    Waiter w = parkedInRun;
    parkedInRun = outer;
    return w;
  }

  // ---- signals -----------------------------------------------------------------------------

  /** The blocking type a value of this kind satisfies (Redis's getBlockedTypeByType). */
  private static int blockingTypeOf(Object value) {
    if (value instanceof ListValue) {
      return Waiter.LIST;
    }
    if (value instanceof StreamValue) {
      return Waiter.STREAM;
    }
    return Waiter.NONE;
  }

  /** Redis's signalKeyAsReady: {@code key} now holds {@code value}, which parked commands may want. */
  void signalKeyAsReady(Database db, byte[] key, Object value) {
    signalReady(db, key, blockingTypeOf(value), false);
  }

  private void signalReady(Database db, byte[] key, int type, boolean deleted) {
    if (type == Waiter.NONE || blockedByType[type] == 0) {
      return; // no client waits for this type at all
    }
    ArrayDeque<Waiter> q = waitersByKey[db.index].get(key);
    if (q == null || (deleted && !anyUnblockOnNoKey(q))) {
      return;
    }
    Dict<Boolean> ready = readySets[db.index];
    if (ready.containsKey(key)) {
      return;
    }
    ready.put(key, Boolean.TRUE);
    readyKeys.add(key);
    readyDbs.add(db.index);
  }

  private static boolean anyUnblockOnNoKey(ArrayDeque<Waiter> q) {
    for (Waiter w : q) {
      if (w.unblockOnNoKey) {
        return true;
      }
    }
    return false;
  }

  /** Keys becoming ready or vanishing as the database's keys change. */
  private final class KeyEvents implements Database.KeyEvents {
    @Override
    public void added(Database db, byte[] key, Object value) {
      signalKeyAsReady(db, key, value);
    }

    @Override
    public void removed(Database db, byte[] key, Object oldValue) {
      signalReady(db, key, blockingTypeOf(oldValue), true);
    }
  }

  /** Before FLUSHDB/FLUSHALL empties {@code db}: its blocking keys that exist are deleted. */
  void signalFlushedDb(Database db) {
    scanForDeletedKeys(db, null);
  }

  /** Before SWAPDB exchanges the data (Redis's scanDatabaseForDeletedKeys). */
  void signalSwapBefore(Database x, Database y) {
    scanForDeletedKeys(x, y);
    scanForDeletedKeys(y, x);
  }

  /** After SWAPDB exchanged the data (Redis's scanDatabaseForReadyKeys). */
  void signalSwapAfter(Database x, Database y) {
    for (Database db : new Database[] {x, y}) {
      for (Dict.Entry<ArrayDeque<Waiter>> e = waitersByKey[db.index].first(); e != null; e = e.after()) {
        Object v = db.peek(e.key());
        if (v != null) {
          signalKeyAsReady(db, e.key(), v);
        }
      }
    }
  }

  private void scanForDeletedKeys(Database emptied, Database replacedWith) {
    for (Dict.Entry<ArrayDeque<Waiter>> e = waitersByKey[emptied.index].first(); e != null; e = e.after()) {
      Object was = emptied.peek(e.key());
      Object now = replacedWith == null ? null : replacedWith.peek(e.key());
      int wasType = was == null ? -1 : blockingTypeOf(was);
      int nowType = now == null ? -1 : blockingTypeOf(now);
      if ((was != null && now == null) || wasType != nowType) {
        signalReady(emptied, e.key(), was == null ? Waiter.NONE : wasType, true);
      }
    }
  }

  boolean hasReadyWork() {
    return !readyKeys.isEmpty() || !unblockedSessions.isEmpty();
  }

  /** Replay never wakes anybody: what it signalled is forgotten. */
  void clearReady() {
    readyKeys.clear();
    readyDbs.clear();
    for (Dict<Boolean> ready : readySets) {
      ready.clear();
    }
  }

  // ---- serving -----------------------------------------------------------------------------

  /** Serves every key signalled as ready, then runs what the woken clients had pipelined. */
  void serveReady() {
    if (servingReadyKeys) {
      return;
    }
    handleReadyKeys();
    processUnblocked();
  }

  /** Redis's handleClientsBlockedOnKeys: each ready key's parked commands in FIFO order. */
  private void handleReadyKeys() {
    if (servingReadyKeys) {
      return;
    }
    servingReadyKeys = true;
    try {
      while (!readyKeys.isEmpty()) {
        List<byte[]> keys = readyKeys;
        List<Integer> keyDbs = new ArrayList<>(readyDbs);
        readyKeys = new ArrayList<>();
        readyDbs.clear();
        for (int i = 0; i < keys.size(); i++) {
          Database db = dbs[keyDbs.get(i)];
          byte[] key = keys.get(i);
          readySets[db.index].remove(key);
          serveKey(db, key);
        }
      }
    } finally {
      servingReadyKeys = false;
    }
  }

  private void serveKey(Database db, byte[] key) {
    ArrayDeque<Waiter> q = waitersByKey[db.index].get(key);
    if (q == null) {
      return;
    }
    // Only those parked when the key's turn came: one that parks again goes behind them.
    for (Waiter w : q.toArray(new Waiter[0])) {
      if (w.session.waiter != w) {
        continue; // served (or gone) meanwhile
      }
      Object value = db.peek(key);
      if (value != null && db.expiresSize() > 0 && db.isExpired(key, engine.now())) {
        value = null;
      }
      if ((value != null && blockingTypeOf(value) == w.type) || w.unblockOnNoKey) {
        try {
          wake(w);
        } catch (RuntimeException e) {
          failed(w, e);
        }
      }
    }
  }

  /** Takes {@code w} off its keys and re-runs it; it parks again if it still finds nothing. */
  private void wake(Waiter w) {
    Session s = w.session;
    unblock(w);
    engine.markDirty(s);
    engine.resume(w);
    if (s.waiter == null) {
      queueUnblocked(s);
    }
  }

  /**
   * Something outside the command itself failed while {@code w} was served: its client gets an
   * error instead of a hang, and the other waiters are still served.
   */
  private void failed(Waiter w, RuntimeException e) {
    LOG.error("unexpected error serving the blocked client id=" + w.session.id, e);
    if (w.session.waiter == w) {
      unblock(w);
    }
    engine.answerInternalError(w.session, w.spec, e);
    queueUnblocked(w.session);
  }

  private void queueUnblocked(Session s) {
    if (!s.pending.isEmpty()) {
      unblockedSessions.add(s);
    }
  }

  /** Redis's processUnblockedClients: commands the woken clients pipelined behind the parked one. */
  private void processUnblocked() {
    if (processingUnblocked) {
      return;
    }
    processingUnblocked = true;
    try {
      while (!unblockedSessions.isEmpty()) {
        Session s = unblockedSessions.poll();
        while (s.waiter == null && !s.pending.isEmpty() && !s.closed && !s.closing) {
          engine.execute(s, s.pending.poll());
          if (!readyKeys.isEmpty()) {
            handleReadyKeys();
          }
        }
      }
    } finally {
      processingUnblocked = false;
    }
  }

  // ---- time --------------------------------------------------------------------------------

  /** Earliest block deadline in ms, or {@code Long.MAX_VALUE}. */
  long nextDeadlineMs() {
    return deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.first().deadlineMs;
  }

  /** Answers every parked command whose deadline has passed with a null reply. */
  void expireWaiters(long nowMs) {
    while (!deadlines.isEmpty() && deadlines.first().deadlineMs <= nowMs) {
      Waiter w = deadlines.first();
      unblock(w);
      w.session.out.nullArray();
      // Redis's updateStatsOnUnblock: the command counts once, now, with all its time
      engine.stats.completed(w.spec, w.durationNs, false);
      engine.markDirty(w.session);
      queueUnblocked(w.session);
    }
  }

  /** Re-runs the commands that poll (cron), in the order they parked, as a key's waiters are served. */
  void pollAll(Iterable<Session> sessions) {
    if (pollers == 0) {
      return;
    }
    List<Waiter> polling = new ArrayList<>();
    for (Session s : sessions) {
      if (s.waiter != null && s.waiter.poll) {
        polling.add(s.waiter);
      }
    }
    polling.sort((a, b) -> Long.compare(a.seq, b.seq));
    for (Waiter w : polling) {
      if (w.session.waiter == w) {
        try {
          engine.poll(w);
        } catch (RuntimeException e) {
          failed(w, e);
        }
      }
    }
  }

  /** A polling command answered: it leaves its keys and its pipelined commands may run. */
  void pollAnswered(Waiter w) {
    engine.markDirty(w.session);
    unblock(w);
    queueUnblocked(w.session);
  }

  // ---- INFO --------------------------------------------------------------------------------

  int blockedClients() {
    return blockedClients;
  }

  /** Keys that at least one client is blocked on (INFO total_blocking_keys). */
  long blockingKeys() {
    long n = 0;
    for (Dict<ArrayDeque<Waiter>> byKey : waitersByKey) {
      n += byKey.size();
    }
    return n;
  }

  /** Keys with a parked client that a deletion wakes, i.e. an XREADGROUP (total_blocking_keys_on_nokey). */
  long blockingKeysOnNoKey() {
    long n = 0;
    for (Dict<ArrayDeque<Waiter>> byKey : waitersByKey) {
      for (Dict.Entry<ArrayDeque<Waiter>> e = byKey.first(); e != null; e = e.after()) {
        if (anyUnblockOnNoKey(e.value())) {
          n++;
        }
      }
    }
    return n;
  }

  /** Parked clients with a deadline (INFO clients_in_timeout_table). */
  int clientsInTimeoutTable() {
    return deadlines.size();
  }
}
