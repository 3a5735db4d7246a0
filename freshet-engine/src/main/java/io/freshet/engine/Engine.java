package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import io.freshet.engine.command.CommandTable;
import io.freshet.engine.command.Commands;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.protocol.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single-threaded heart of Freshet: owns every database and session and executes every
 * command. Pure: no threads, sockets or files; time comes from the injected clock.
 *
 * <p>Owned by the engine thread: every public method must be called from that one thread.
 * The host calls {@link #connect}, {@link #submit} for each decoded command, {@link #endBatch}
 * once its batch of input is done (this flushes replies, one flush per connection), and
 * {@link #cron} about {@code hz} times a second plus {@link #expireWaiters} whenever
 * {@link #nextDeadlineMs} has passed.
 */
public final class Engine {
  private static final Logger LOG = Logger.getLogger(Engine.class.getName());
  /** Marker argv[0] for a protocol error queued behind a blocked command. */
  private static final byte[] PROTOCOL_ERROR = new byte[0];

  public final Config config;
  public final Stats stats = new Stats();
  public final Random random = new Random();
  /** The host's storage (SAVE, BGSAVE, DUMP, ...); null when the engine runs without one. */
  public Persistence persistence;
  /** The function libraries (FUNCTION LOAD), for snapshots; null without scripting. */
  public FunctionLibraries functions;

  /** What snapshots need of the function libraries. Engine thread only. */
  public interface FunctionLibraries {
    /** The code of every library, as FUNCTION LOAD got it. */
    java.util.List<byte[]> codes();

    /** Loads a library from a snapshot, replacing one of the same name. */
    void restoreLibrary(byte[] code);

    /** Removes every library (before a snapshot is loaded back). */
    void clear();
  }

  /** Where CONFIG REWRITE writes; set by the host when it was started from a config file. */
  public volatile ConfigRewriter configRewriter;

  /** Writes the current configuration back to the host's config file. */
  public interface ConfigRewriter {
    void rewrite(Map<String, String> values) throws Exception;
  }
  private final LongSupplier clock;
  private final Database[] dbs;
  private final CommandTable commands;
  private final Call call = new Call(this);
  /** Replay has its own, so DEBUG LOADAOF can replay while its own command is running. */
  private final Call replayCall = new Call(this);
  /** Commands a script runs have their own, so the script's command keeps its Call. */
  private final Call scriptCall = new Call(this, true);
  private final Map<Long, Session> sessions = new LinkedHashMap<>();
  private final List<Session> dirtySessions = new ArrayList<>();
  private final TreeSet<Waiter> deadlines = new TreeSet<>();
  private List<byte[][]> readyKeys = new ArrayList<>();
  private final List<Integer> readyDbs = new ArrayList<>();
  private boolean servingReadyKeys;
  private long nextSessionId = 1;
  private long waiterSeq;
  private int blockedClients;
  /** Parked commands that want a periodic re-run (see {@link Waiter#poll}). */
  private int pollers;
  private byte[] requirePass;
  private int activeExpireDb;
  /** Read before every command, so kept in a field rather than looked up by name. */
  private long outputHardLimitBytes;
  /** Receives every change; null while nothing is persisted (and while replaying). */
  private Journal journal;
  /** Keys deleted by expiry during the running command: logged as DELs of their own. */
  private long expiredInCommand;
  private Session replaySession;

  public Engine(Config config, LongSupplier clock) {
    this.config = config;
    this.clock = clock;
    this.dbs = new Database[config.getInt("databases")];
    for (int i = 0; i < dbs.length; i++) {
      dbs[i] = new Database(i);
    }
    this.commands = new CommandTable();
    Commands.registerAll(commands);
    commands.lookup("exec".getBytes(StandardCharsets.US_ASCII)).journalsItsEffects = true;
    config.onChange("freshet-client-output-hard-limit", v -> outputHardLimitBytes = config.getLong(
        "freshet-client-output-hard-limit"));
    config.onChange("requirepass", v -> requirePass = v.isEmpty() ? null : v.getBytes(StandardCharsets.UTF_8));
    config.onChange("latency-tracking", v -> latencyTracking = v.equals("yes"));
    stats.startMs = clock.getAsLong();
  }

  private boolean latencyTracking;
  /** Commands with a latency histogram, in the order they first ran (INFO latencystats). */
  public final java.util.List<CommandSpec> latencyTracked = new java.util.ArrayList<>();

  /** CONFIG RESETSTAT: forgets every command's latencies. */
  public void resetLatencies() {
    for (CommandSpec spec : latencyTracked) {
      spec.latency = null;
    }
    latencyTracked.clear();
  }

  private void recordLatency(CommandSpec spec, long ns) {
    if (spec.latency == null) {
      spec.latency = new LatencyHistogram();
      latencyTracked.add(spec);
    }
    spec.latency.record(ns);
  }

  public long now() {
    return clock.getAsLong();
  }

  public CommandTable commands() {
    return commands;
  }

  public Database db(int index) {
    return dbs[index];
  }

  public int dbCount() {
    return dbs.length;
  }

  public byte[] requirePass() {
    return requirePass;
  }

  /** Starts reporting every change to {@code journal} (null stops it). */
  public void setJournal(Journal journal) {
    this.journal = journal;
  }

  public Journal journal() {
    return journal;
  }

  public Iterable<Session> sessions() {
    return sessions.values();
  }

  public int sessionCount() {
    return sessions.size();
  }

  public Session session(long id) {
    return sessions.get(id);
  }

  public int blockedClients() {
    return blockedClients;
  }

  /** Keys that at least one client is blocked on (INFO total_blocking_keys). */
  public long blockingKeys() {
    long n = 0;
    for (Database db : dbs) {
      n += db.blocking.size();
    }
    return n;
  }

  /** Blocking keys that do not exist right now (INFO total_blocking_keys_on_nokey). */
  public long blockingKeysOnNoKey() {
    long n = 0;
    for (Database db : dbs) {
      for (Dict.Entry<ArrayDeque<Object>> e = db.blocking.first(); e != null; e = e.after()) {
        if (db.peek(e.key()) == null) {
          n++;
        }
      }
    }
    return n;
  }

  // ---- connections -------------------------------------------------------------------------

  /** Registers a new client, or returns null when {@code maxclients} is reached. */
  public Session connect(Connection connection) {
    if (sessions.size() >= config.getInt("maxclients")) {
      stats.rejectedConnections++;
      return null;
    }
    Session s = new Session(nextSessionId++, connection, now());
    s.authenticated = requirePass == null;
    connection.authenticated(s.authenticated);
    sessions.put(s.id, s);
    stats.totalConnections++;
    return s;
  }

  public void disconnect(Session s) {
    if (s.closed) {
      return;
    }
    s.closed = true;
    if (s.waiter != null) {
      unblock(s.waiter);
    }
    unwatchAll(s);
    s.pending.clear();
    sessions.remove(s.id);
  }

  /** Closes a client from the engine side (CLIENT KILL, QUIT, limits). */
  public void close(Session s) {
    s.closing = true;
    if (journal != null && journal.hasPending()) {
      journal.commit(); // the replies about to leave may acknowledge logged writes
    }
    s.connection.close();
    disconnect(s);
  }

  // ---- execution ---------------------------------------------------------------------------

  // ---- a script running past busy-reply-threshold -----------------------------------------

  /** The script that runs too long, as the busy state needs it. */
  public interface BusyScript {
    Session session();

    /** True for FCALL (FUNCTION KILL stops it), false for EVAL (SCRIPT KILL). */
    boolean isFunction();

    /**
     * SCRIPT KILL ({@code byFunctionKill} false) or FUNCTION KILL: null when the script will
     * stop, else the error to reply.
     */
    String kill(boolean byFunctionKill);

    /** SHUTDOWN NOSAVE: the script stops whatever it has written. */
    void abort();
  }

  /** Set by the host: reads other clients' input and submits it, while a script runs long. */
  public Runnable whileBusy;
  private BusyScript busy;

  /**
   * Called by a script every so often once it has run past busy-reply-threshold: serves other
   * clients, who get BUSY for everything but SCRIPT/FUNCTION KILL and SHUTDOWN NOSAVE (Redis's
   * processEventsWhileBlocked).
   */
  public void serveWhileBusy(BusyScript script) {
    if (whileBusy == null || busy != null) {
      return;
    }
    busy = script;
    try {
      whileBusy.run();
      // Replies made earlier in this event-loop iteration (before the script started) would
      // otherwise wait for the script to end, and their clients could not send SCRIPT KILL: as
      // Redis's processEventsWhileBlocked, log what precedes the script and release them.
      endBatch();
      markDirty(script.session()); // the script's own reply comes later and still needs its flush
    } finally {
      busy = null;
    }
  }

  /** The client whose script is running past the threshold, or null. */
  public Session busySession() {
    return busy == null ? null : busy.session();
  }

  private void answerWhileBusy(Session s, byte[][] argv) {
    CommandSpec spec = argv[0] == PROTOCOL_ERROR ? null : resolve(argv);
    String name = spec == null ? "" : spec.fullName;
    if (name.equals("script|kill") || name.equals("function|kill")) {
      String error = busy.kill(name.equals("function|kill"));
      if (error == null) {
        s.out.ok();
      } else {
        stats.errorReplies++;
        s.out.error(error);
      }
    } else if (name.equals("shutdown") && hasArg(argv, "nosave")) {
      LOG.warning("SHUTDOWN NOSAVE while a script runs: stopping it and shutting down");
      busy.abort();
      s.connection.requestShutdown();
    } else {
      stats.errorReplies++;
      s.out.error("BUSY Redis is busy running a script. You can only call "
          + (busy.isFunction() ? "FUNCTION" : "SCRIPT") + " KILL or SHUTDOWN NOSAVE.");
    }
    s.connection.flush();
  }

  private static boolean hasArg(byte[][] argv, String word) {
    for (int i = 1; i < argv.length; i++) {
      if (Call.is(argv[i], word)) {
        return true;
      }
    }
    return false;
  }

  /** Executes (or, behind a parked command, queues) one command from the client. */
  public void submit(Session s, byte[][] argv) {
    if (s.closed || s.closing) {
      return;
    }
    if (busy != null && s != busy.session()) {
      answerWhileBusy(s, argv);
      return;
    }
    markDirty(s);
    if (s.waiter != null) {
      s.pending.add(argv);
      return;
    }
    if (!outputWithinLimit(s)) {
      return;
    }
    execute(s, argv);
    if (!servingReadyKeys && !readyKeys.isEmpty()) {
      serveReadyKeys();
    }
  }

  /** Replies a protocol error in order with earlier replies, then closes the client. */
  public void submitProtocolError(Session s, String message) {
    submit(s, new byte[][] {PROTOCOL_ERROR, message.getBytes(StandardCharsets.UTF_8)});
  }

  private boolean outputWithinLimit(Session s) {
    long limit = outputHardLimitBytes;
    if (limit > 0 && s.out.pendingBytes() + s.connection.networkPendingBytes() > limit) {
      LOG.warning("Client id=" + s.id + " addr=" + s.connection.remoteAddress()
          + " closed for overcoming of output buffer limits.");
      close(s);
      return false;
    }
    return true;
  }

  /** Flushes the replies of every client that got output in this batch. */
  public void endBatch() {
    if (journal != null && journal.hasPending()) {
      journal.commit();
    }
    for (int i = 0; i < dirtySessions.size(); i++) {
      Session s = dirtySessions.get(i);
      s.dirtyOutput = false;
      if (!s.closed) {
        s.connection.flush();
      }
    }
    dirtySessions.clear();
  }

  private void markDirty(Session s) {
    if (!s.dirtyOutput) {
      s.dirtyOutput = true;
      dirtySessions.add(s);
    }
  }

  private void execute(Session s, byte[][] argv) {
    long nowMs = now();
    s.lastInteractionMs = nowMs;
    if (argv[0] == PROTOCOL_ERROR) {
      s.out.error("ERR Protocol error: " + new String(argv[1], StandardCharsets.UTF_8));
      close(s);
      return;
    }
    CommandSpec spec = commands.lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      CommandSpec sub = spec.subcommands.get(new String(argv[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
      if (sub == null) {
        reject(s, "ERR unknown subcommand '" + truncate(argv[1], 128) + "'. Try "
            + spec.fullName.toUpperCase(Locale.ROOT) + " HELP.");
        return;
      }
      spec = sub;
    }
    if (spec == null) {
      reject(s, unknownCommand(argv));
      return;
    }
    if ((spec.arity > 0 && argv.length != spec.arity) || argv.length < -spec.arity) {
      reject(s, spec, "ERR wrong number of arguments for '" + spec.fullName + "' command");
      return;
    }
    if (!s.authenticated && !spec.has(CommandSpec.NO_AUTH)) {
      reject(s, spec, Errors.NOAUTH);
      return;
    }
    if (s.inMulti && spec.has(CommandSpec.NO_MULTI)) {
      reject(s, spec, "ERR Command not allowed inside a transaction");
      return;
    }
    if (s.inMulti && !isTransactionControl(spec)) {
      s.queued.add(argv);
      s.out.simple("QUEUED");
      return;
    }
    run(s, spec, argv, nowMs);
  }

  private static boolean isTransactionControl(CommandSpec spec) {
    return switch (spec.fullName) {
      case "exec", "discard", "multi", "watch", "quit", "reset" -> true;
      default -> false;
    };
  }

  /** Runs an already validated command (also used by EXEC for queued commands). */
  void run(Session s, CommandSpec spec, byte[][] argv, long nowMs) {
    run(call, s, spec, argv, nowMs, s.out);
  }

  private void run(Call call, Session s, CommandSpec spec, byte[][] argv, long nowMs, ReplyWriter out) {
    call.setup(s, spec, argv, nowMs);
    call.out = out;
    s.lastCommand = spec.fullName;
    stats.totalCommands++;
    int db = s.db;
    long dirtyBefore = stats.dirty;
    expiredInCommand = 0;
    long startNs = latencyTracking ? System.nanoTime() : 0;
    try {
      spec.handler.run(call);
    } catch (CommandError e) {
      stats.errorReplies++;
      out.error(e.getMessage());
    } catch (RuntimeException e) {
      stats.errorReplies++;
      LOG.log(Level.SEVERE, "unexpected error in " + spec.fullName, e);
      out.error("ERR internal error executing '" + spec.fullName + "': " + e);
    }
    if (latencyTracking) {
      recordLatency(spec, System.nanoTime() - startNs);
    }
    if (journal != null && stats.dirty - dirtyBefore > expiredInCommand && !spec.journalsItsEffects) {
      journal.command(db, nowMs, call.propagated());
    }
  }

  /**
   * Runs one command for a script ({@code redis.call}) with its reply written to {@code out}.
   * Returns the error that refused it before it ran, in Redis's wording, or null when it ran
   * (its own error replies are in {@code out}). Its change is journaled like any command's, so
   * a script is logged by its effects.
   */
  public String callFromScript(Session s, byte[][] argv, long nowMs, ReplyWriter out, boolean readOnly) {
    CommandSpec spec = resolve(argv);
    if (spec == null || spec.isContainer()) {
      return "ERR Unknown Redis command called from script";
    }
    if ((spec.arity > 0 && argv.length != spec.arity) || argv.length < -spec.arity) {
      return "ERR Wrong number of args calling Redis command from script";
    }
    if (spec.has(CommandSpec.NOSCRIPT)) {
      return "ERR This Redis command is not allowed from script";
    }
    if (readOnly && spec.has(CommandSpec.WRITE)) {
      return "ERR Write commands are not allowed from read-only scripts.";
    }
    boolean savedExec = s.inExec;
    s.inExec = true; // nothing blocks inside a script, as inside EXEC
    try {
      run(scriptCall, s, spec, argv, nowMs, out);
    } finally {
      s.inExec = savedExec;
    }
    return null;
  }

  /** Looks up and runs a queued command inside EXEC; errors were reported at queue time. */
  public void runQueued(Session s, byte[][] argv, long nowMs) {
    run(s, resolve(argv), argv, nowMs);
  }

  /** The command or subcommand argv names, for argv that was validated before (queued, logged). */
  private CommandSpec resolve(byte[][] argv) {
    CommandSpec spec = commands.lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      spec = spec.subcommands.get(new String(argv[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }
    return spec;
  }

  private void reject(Session s, String error) {
    reject(s, null, error);
  }

  /** Refuses a command before it runs; inside MULTI this dooms the transaction, as in Redis. */
  private void reject(Session s, CommandSpec spec, String error) {
    if (s.inMulti) {
      s.multiError = true;
    }
    stats.errorReplies++;
    if (spec != null && spec.fullName.equals("exec")) {
      // Redis's execCommandAbort: the transaction is discarded and the reason quoted
      s.inMulti = false;
      s.multiError = false;
      s.queued.clear();
      unwatchAll(s);
      String reason = error.startsWith("ERR ") ? error.substring(4) : error;
      s.out.error("EXECABORT Transaction discarded because of: " + reason);
      return;
    }
    s.out.error(error);
  }

  private static String unknownCommand(byte[][] argv) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < argv.length && args.length() < 128; i++) {
      String a = new String(argv[i], StandardCharsets.UTF_8);
      int room = 128 - args.length();
      args.append('\'').append(a.length() > room ? a.substring(0, room) : a).append("' ");
    }
    return "ERR unknown command '" + truncate(argv[0], 128) + "', with args beginning with: " + args;
  }

  private static String truncate(byte[] b, int max) {
    String s = new String(b, StandardCharsets.UTF_8);
    return s.length() > max ? s.substring(0, max) : s;
  }

  // ---- keyspace ----------------------------------------------------------------------------

  /** Value of {@code key}, deleting it first if it has expired. */
  public Object lookup(Database db, byte[] key, long nowMs) {
    Object v = db.peek(key);
    if (v != null && db.expiresSize() > 0 && db.isExpired(key, nowMs)) {
      expireKey(db, key);
      return null;
    }
    return v;
  }

  private void expireKey(Database db, byte[] key) {
    db.delete(key);
    stats.expiredKeys++;
    signalModifiedKey(db, key);
    expiredInCommand++;
    if (journal != null) {
      journal.command(db.index, now(), new byte[][] {DEL, key});
    }
  }

  private static final byte[] DEL = {'D', 'E', 'L'};

  // ---- replay ------------------------------------------------------------------------------

  /**
   * Applies one journal record: runs {@code argv} on database {@code db} as if the clock read
   * {@code nowMs}. Used by recovery before any client connects; never blocks, replies are
   * discarded. Returns the error reply, or null when the command succeeded.
   */
  public String replay(int db, long nowMs, byte[][] argv) {
    if (replaySession == null) {
      replaySession = new Session(0, new ReplayConnection(), nowMs);
      replaySession.authenticated = true;
    }
    Session s = replaySession;
    s.db = db;
    ReplayConnection out = (ReplayConnection) s.connection;
    out.lastError = null;
    CommandSpec spec = resolve(argv);
    if (spec == null) {
      return "ERR unknown command in the log: " + truncate(argv[0], 64);
    }
    Journal saved = journal;
    journal = null;
    try {
      replayCall.setup(s, spec, argv, nowMs);
      replayCall.replaying = true;
      spec.handler.run(replayCall);
    } catch (CommandError e) {
      return e.getMessage();
    } finally {
      replayCall.replaying = false;
      journal = saved;
      readyKeys.clear();
      readyDbs.clear();
    }
    return out.lastError;
  }

  /** Output of replayed commands: discarded except for the last error. */
  private static final class ReplayConnection extends DiscardingConnection {
    String lastError;

    @Override
    public void error(String text) {
      lastError = text;
    }
  }

  /** WATCH invalidation, blocked-client wake-up and the dirty counter for a changed key. */
  public void signalModifiedKey(Database db, byte[] key) {
    stats.dirty++;
    if (!db.watchers.isEmpty()) {
      List<Object> ws = db.watchers.get(key);
      if (ws != null) {
        for (Object o : ws) {
          ((Session) o).dirtyCas = true;
        }
      }
    }
    if (!db.blocking.isEmpty() && db.blocking.containsKey(key)) {
      readyKeys.add(new byte[][] {key});
      readyDbs.add(db.index);
    }
  }

  /** Marks every watched key of {@code db} that exists as touched (FLUSHDB, SWAPDB). */
  public void touchAllWatched(Database db, Database replacement) {
    for (Dict.Entry<List<Object>> e = db.watchers.first(); e != null; e = e.after()) {
      boolean exists = db.peek(e.key()) != null || (replacement != null && replacement.peek(e.key()) != null);
      if (exists) {
        for (Object o : e.value()) {
          ((Session) o).dirtyCas = true;
        }
      }
    }
  }

  /** Wakes clients blocked on any key of {@code db} (after FLUSHDB, SWAPDB). */
  public void signalAllBlocked(Database db) {
    for (Dict.Entry<ArrayDeque<Object>> e = db.blocking.first(); e != null; e = e.after()) {
      readyKeys.add(new byte[][] {e.key()});
      readyDbs.add(db.index);
    }
  }

  // ---- WATCH -------------------------------------------------------------------------------

  public void watch(Session s, byte[] key, long nowMs) {
    Database db = dbs[s.db];
    for (Session.WatchedKey w : s.watched) {
      if (w.db() == s.db && java.util.Arrays.equals(w.key(), key)) {
        return;
      }
    }
    List<Object> ws = db.watchers.get(key);
    if (ws == null) {
      ws = new ArrayList<>();
      db.watchers.put(key, ws);
    }
    ws.add(s);
    s.watched.add(new Session.WatchedKey(s.db, key, db.peek(key) != null && db.isExpired(key, nowMs)));
  }

  public void unwatchAll(Session s) {
    for (Session.WatchedKey w : s.watched) {
      Database db = dbs[w.db()];
      List<Object> ws = db.watchers.get(w.key());
      if (ws != null) {
        ws.remove(s);
        if (ws.isEmpty()) {
          db.watchers.remove(w.key());
        }
      }
    }
    s.watched.clear();
    s.dirtyCas = false;
  }

  /** True if a watched key that was live at WATCH time has expired since (Redis 7 rule). */
  public boolean watchedKeyExpired(Session s, long nowMs) {
    for (Session.WatchedKey w : s.watched) {
      Database db = dbs[w.db()];
      if (!w.expiredAtWatch() && db.peek(w.key()) != null && db.isExpired(w.key(), nowMs)) {
        return true;
      }
    }
    return false;
  }

  // ---- blocking ----------------------------------------------------------------------------

  void block(Session s, CommandSpec spec, byte[][] argv, byte[][] keys, long deadlineMs, boolean poll) {
    Waiter w = new Waiter(s, spec, argv, keys, s.db, deadlineMs, waiterSeq++, poll);
    if (poll) {
      pollers++;
    }
    s.waiter = w;
    Database db = dbs[s.db];
    for (byte[] key : keys) {
      ArrayDeque<Object> q = db.blocking.get(key);
      if (q == null) {
        q = new ArrayDeque<>();
        db.blocking.put(key, q);
      }
      if (!q.contains(w)) {
        q.add(w);
      }
    }
    if (deadlineMs > 0) {
      deadlines.add(w);
    }
    blockedClients++;
  }

  private void unblock(Waiter w) {
    Database db = dbs[w.db];
    for (byte[] key : w.keys) {
      ArrayDeque<Object> q = db.blocking.get(key);
      if (q != null) {
        q.remove(w);
        if (q.isEmpty()) {
          db.blocking.remove(key);
        }
      }
    }
    if (w.deadlineMs > 0) {
      deadlines.remove(w);
    }
    if (w.poll) {
      pollers--;
    }
    w.session.waiter = null;
    blockedClients--;
  }

  /** Re-runs parked commands on keys that changed, in FIFO order per key. */
  private void serveReadyKeys() {
    servingReadyKeys = true;
    try {
      while (!readyKeys.isEmpty()) {
        List<byte[][]> keys = readyKeys;
        List<Integer> keyDbs = new ArrayList<>(readyDbs);
        readyKeys = new ArrayList<>();
        readyDbs.clear();
        for (int i = 0; i < keys.size(); i++) {
          Database db = dbs[keyDbs.get(i)];
          ArrayDeque<Object> q = db.blocking.get(keys.get(i)[0]);
          if (q == null) {
            continue;
          }
          for (Object o : new ArrayList<>(q)) {
            Waiter w = (Waiter) o;
            if (w.session.waiter != w) {
              continue;
            }
            rerun(w);
          }
        }
      }
    } finally {
      servingReadyKeys = false;
    }
  }

  private void rerun(Waiter w) {
    Session s = w.session;
    long nowMs = now();
    call.setup(s, w.spec, w.argv, nowMs);
    call.reprocessing = true;
    long dirtyBefore = stats.dirty;
    expiredInCommand = 0;
    try {
      w.spec.handler.run(call);
    } catch (CommandError e) {
      s.out.error(e.getMessage());
    }
    if (journal != null && stats.dirty - dirtyBefore > expiredInCommand) {
      journal.command(w.db, nowMs, call.propagated());
    }
    if (call.stillBlocked) {
      return;
    }
    markDirty(s);
    unblock(w);
    resumePending(s);
  }

  private void resumePending(Session s) {
    while (s.waiter == null && !s.pending.isEmpty() && !s.closed && !s.closing) {
      execute(s, s.pending.poll());
    }
  }

  /** Earliest block deadline in ms, or {@code Long.MAX_VALUE}. */
  public long nextDeadlineMs() {
    return deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.first().deadlineMs;
  }

  /** Answers every parked command whose deadline has passed with a null reply. */
  public void expireWaiters() {
    long nowMs = now();
    while (!deadlines.isEmpty() && deadlines.first().deadlineMs <= nowMs) {
      Waiter w = deadlines.first();
      unblock(w);
      w.session.out.nullArray();
      markDirty(w.session);
      resumePending(w.session);
    }
    if (!readyKeys.isEmpty() && !servingReadyKeys) {
      serveReadyKeys();
    }
  }

  // ---- periodic ----------------------------------------------------------------------------

  /** Periodic work, about {@code hz} times a second: active expiry, idle timeouts. */
  public void cron() {
    long nowMs = now();
    activeExpire(nowMs);
    if (persistence != null) {
      persistence.cron();
    }
    if (pollers > 0) {
      for (Session s : new ArrayList<>(sessions.values())) {
        Waiter w = s.waiter;
        if (w != null && w.poll) {
          rerun(w);
        }
      }
    }
    int timeoutSeconds = config.getInt("timeout");
    if (timeoutSeconds > 0) {
      for (Session s : new ArrayList<>(sessions.values())) {
        if (s.waiter == null && nowMs - s.lastInteractionMs > timeoutSeconds * 1000L) {
          close(s);
        }
      }
    }
    if (!readyKeys.isEmpty() && !servingReadyKeys) {
      serveReadyKeys();
    }
  }

  /** Redis's adaptive sampling: 20 keys per round, again while more than 25% had expired. */
  private void activeExpire(long nowMs) {
    long budgetEndNs = System.nanoTime() + 25_000_000L / Math.max(1, config.getInt("hz") / 10);
    for (int n = 0; n < dbs.length; n++) {
      Database db = dbs[(activeExpireDb + n) % dbs.length];
      int expired;
      do {
        expired = 0;
        int samples = Math.min(20, db.expiresSize());
        for (int i = 0; i < samples; i++) {
          Dict.Entry<Long> e = db.data.expires.randomEntry(random);
          if (e != null && e.value() <= nowMs) {
            expireKey(db, e.key());
            expired++;
          }
        }
        if (samples == 0) {
          break;
        }
      } while (expired > 5 && System.nanoTime() < budgetEndNs);
    }
    activeExpireDb = (activeExpireDb + 1) % dbs.length;
  }

  /** Counters for INFO stats. */
  public static final class Stats {
    public long startMs;
    public long totalCommands;
    public long totalConnections;
    public long rejectedConnections;
    public long expiredKeys;
    public long keyspaceHits;
    public long keyspaceMisses;
    public long errorReplies;
    public long dirty;
    public long netInputBytes;
    public long netOutputBytes;

    public void reset() {
      totalCommands = 0;
      totalConnections = 0;
      rejectedConnections = 0;
      expiredKeys = 0;
      keyspaceHits = 0;
      keyspaceMisses = 0;
      errorReplies = 0;
      netInputBytes = 0;
      netOutputBytes = 0;
    }
  }
}
