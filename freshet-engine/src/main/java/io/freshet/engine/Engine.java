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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
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
  /** WATCH's keys and sessions (multi.c's half that outlives a command). */
  private final Watches watches;
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
  /** Per database, the keys in {@link #readyKeys} (a key is queued once, as Redis's db->ready_keys). */
  private final Dict<Boolean>[] readySets;
  /** Clients just unblocked whose pipelined commands wait to run (Redis's unblocked_clients). */
  private final ArrayDeque<Session> unblockedSessions = new ArrayDeque<>();
  private boolean processingUnblocked;
  /** Parked clients per blocking type ({@link Waiter#LIST}, {@link Waiter#STREAM}). */
  private final int[] blockedByType = new int[3];
  /** The waiter the running command parked, if it parked. */
  private Waiter parkedInRun;
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
    @SuppressWarnings("unchecked")
    Dict<Boolean>[] sets = new Dict[dbs.length];
    this.readySets = sets;
    BlockingKeyEvents keyEvents = new BlockingKeyEvents();
    for (int i = 0; i < dbs.length; i++) {
      dbs[i] = new Database(i);
      dbs[i].keyEvents = keyEvents;
      readySets[i] = new Dict<>();
    }
    this.watches = new Watches(dbs);
    this.commands = new CommandTable();
    Commands.registerAll(commands);
    stats.commands = commands;
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

  /**
   * Keys with at least one client parked that a deletion wakes, i.e. an XREADGROUP (INFO
   * total_blocking_keys_on_nokey, Redis's blocking_keys_unblock_on_nokey).
   */
  public long blockingKeysOnNoKey() {
    long n = 0;
    for (Database db : dbs) {
      for (Dict.Entry<ArrayDeque<Object>> e = db.blocking.first(); e != null; e = e.after()) {
        if (anyUnblockOnNoKey(e.value())) {
          n++;
        }
      }
    }
    return n;
  }

  /** Parked clients with a deadline (INFO clients_in_timeout_table). */
  public int clientsInTimeoutTable() {
    return deadlines.size();
  }

  /** Clients that WATCH at least one key (INFO watching_clients). */
  public int watchingClients() {
    int n = 0;
    for (Session s : sessions.values()) {
      if (!s.watched.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  /** Keys watched by at least one client (INFO total_watched_keys). */
  public long watchedKeys() {
    return watches.watchedKeys();
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
        countError(error);
        s.out.error(error);
      }
    } else if (name.equals("shutdown") && hasArg(argv, "nosave")) {
      LOG.warn("SHUTDOWN NOSAVE while a script runs: stopping it and shutting down");
      busy.abort();
      s.connection.requestShutdown();
    } else {
      String error = "BUSY Redis is busy running a script. You can only call "
          + (busy.isFunction() ? "FUNCTION" : "SCRIPT") + " KILL or SHUTDOWN NOSAVE.";
      countError(error);
      s.out.error(error);
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
    if (!readyKeys.isEmpty() || !unblockedSessions.isEmpty()) {
      serveReady();
    }
  }

  /** Replies a protocol error in order with earlier replies, then closes the client. */
  public void submitProtocolError(Session s, String message) {
    submit(s, new byte[][] {PROTOCOL_ERROR, message.getBytes(StandardCharsets.UTF_8)});
  }

  private boolean outputWithinLimit(Session s) {
    long limit = outputHardLimitBytes;
    if (limit > 0 && s.out.pendingBytes() + s.connection.networkPendingBytes() > limit) {
      LOG.warn("Client id=" + s.id + " addr=" + s.connection.remoteAddress()
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
      String error = "ERR Protocol error: " + new String(argv[1], StandardCharsets.UTF_8);
      countError(error);
      s.out.error(error);
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
    runCommand(call, s, spec, argv, nowMs, out, null);
  }

  /**
   * Redis's call(): runs the handler, journals its change and counts it in commandstats unless
   * it parked (a parked command counts once, when it finally answers, with the time of every
   * attempt). {@code resumed} is the parked command being re-run after a key became ready.
   */
  private void runCommand(Call call, Session s, CommandSpec spec, byte[][] argv, long nowMs, ReplyWriter out,
      Waiter resumed) {
    long startNs = System.nanoTime();
    call.setup(s, spec, argv, nowMs);
    call.out = out;
    if (resumed != null) {
      call.reprocessing = true;
      call.resumed = resumed;
    }
    s.lastCommand = spec.fullName;
    int db = resumed != null ? resumed.db : s.db;
    long dirtyBefore = stats.dirty;
    expiredInCommand = 0;
    // Redis's prev_err_count: local, so that a script's inner commands do not move the baseline
    long errorsBefore = stats.errorReplies;
    Waiter parkedBefore = parkedInRun;
    parkedInRun = null;
    try {
      spec.handler.run(call);
    } catch (CommandError e) {
      countError(e.getMessage());
      out.error(e.getMessage());
    } catch (RuntimeException e) {
      String error = "ERR internal error executing '" + spec.fullName + "': " + e;
      LOG.error("unexpected error in " + spec.fullName, e);
      countError(error);
      out.error(error);
    }
    Waiter parked = parkedInRun;
    parkedInRun = parkedBefore;
    if (journal != null && stats.dirty - dirtyBefore > expiredInCommand && !spec.journalsItsEffects) {
      journal.command(db, nowMs, call.propagated());
    }
    boolean failed = stats.errorReplies > errorsBefore;
    long durationNs = System.nanoTime() - startNs + (resumed != null ? resumed.durationNs : 0);
    if (parked != null) {
      parked.durationNs = durationNs;
      if (failed) {
        spec.failedCalls++;
      }
      return;
    }
    completed(spec, durationNs, failed);
  }

  /** A command that answered: one call in commandstats and in total_commands_processed. */
  private void completed(CommandSpec spec, long durationNs, boolean failed) {
    if (latencyTracking) {
      recordLatency(spec, durationNs);
    }
    spec.calls++;
    spec.durationUs += durationNs / 1000;
    if (failed) {
      spec.failedCalls++;
    }
    stats.totalCommands++;
  }

  /**
   * Counts one error reply (total_error_replies and errorstats): its code is the first word,
   * as Redis's afterErrorReply takes it from the first 32 characters, else ERR.
   */
  public void countError(String error) {
    stats.errorReplies++;
    int space = error.indexOf(' ');
    String code = space > 0 && space < 32 ? error.substring(0, space) : "ERR";
    stats.countErrorCode(code);
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
    if (spec != null) {
      spec.rejectedCalls++;
    }
    if (spec != null && spec.fullName.equals("exec")) {
      // Redis's execCommandAbort: the transaction is discarded and the reason quoted
      s.inMulti = false;
      s.multiError = false;
      s.queued.clear();
      unwatchAll(s);
      String reason = error.startsWith("ERR ") ? error.substring(4) : error;
      String abort = "EXECABORT Transaction discarded because of: " + reason;
      countError(abort);
      s.out.error(abort);
      return;
    }
    countError(error);
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
      for (Dict<Boolean> ready : readySets) {
        ready.clear();
      }
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

  /**
   * WATCH invalidation and the dirty counter for a changed key. Parked commands are woken by
   * {@link #signalKeyAsReady} and the database's key events instead, as in Redis.
   */
  public void signalModifiedKey(Database db, byte[] key) {
    stats.dirty++;
    watches.touch(db, key);
  }

  /** Marks every watched key of {@code db} that exists as touched (FLUSHDB, SWAPDB). */
  public void touchAllWatched(Database db, Database replacement) {
    watches.touchAll(db, replacement);
  }

  // ---- WATCH (Watches) ---------------------------------------------------------------------

  public void watch(Session s, byte[] key, long nowMs) {
    watches.watch(s, key, nowMs);
  }

  public void unwatchAll(Session s) {
    watches.unwatchAll(s);
  }

  /** True if a watched key that was live at WATCH time has expired since (Redis 7 rule). */
  public boolean watchedKeyExpired(Session s, long nowMs) {
    return watches.expiredSinceWatch(s, nowMs);
  }

  // ---- blocking ----------------------------------------------------------------------------
  //
  // Redis 7.2+'s model (blocked.c): a parked command is woken only by a key signalled as ready
  // (a key of its type was added, XADD, XGROUP DESTROY, XNACK) or, for XREADGROUP, also as
  // deleted (deleted, replaced, flushed, swapped away). A woken command is taken off every key
  // and re-run; if it still finds nothing it parks again behind the others with its deadline.
  // Its client's pipelined commands run once every ready key has been served.

  void block(Session s, CommandSpec spec, byte[][] argv, byte[][] keys, long deadlineMs, boolean poll, int type,
      boolean unblockOnNoKey) {
    Waiter w = new Waiter(s, spec, argv, keys, s.db, deadlineMs, waiterSeq++, poll, type, unblockOnNoKey);
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
    blockedByType[type]++;
    parkedInRun = w;
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
    blockedByType[w.type]--;
  }

  /** The blocking type a value of this kind satisfies (Redis's getBlockedTypeByType). */
  private static int blockingTypeOf(Object value) {
    if (value instanceof io.freshet.engine.keyspace.ListValue) {
      return Waiter.LIST;
    }
    if (value instanceof io.freshet.engine.stream.StreamValue) {
      return Waiter.STREAM;
    }
    return Waiter.NONE;
  }

  /** Redis's signalKeyAsReady: {@code key} now holds {@code value}, which parked commands may want. */
  public void signalKeyAsReady(Database db, byte[] key, Object value) {
    signalReady(db, key, blockingTypeOf(value), false);
  }

  /** Redis's signalDeletedKeyAsReady: {@code key}, which held {@code oldValue}, is gone or replaced. */
  public void signalDeletedKeyAsReady(Database db, byte[] key, Object oldValue) {
    signalReady(db, key, blockingTypeOf(oldValue), true);
  }

  private void signalReady(Database db, byte[] key, int type, boolean deleted) {
    if (type == Waiter.NONE || blockedByType[type] == 0) {
      return; // no client waits for this type at all
    }
    ArrayDeque<Object> q = db.blocking.get(key);
    if (q == null || (deleted && !anyUnblockOnNoKey(q))) {
      return;
    }
    Dict<Boolean> ready = readySets[db.index];
    if (ready.containsKey(key)) {
      return;
    }
    ready.put(key, Boolean.TRUE);
    readyKeys.add(new byte[][] {key});
    readyDbs.add(db.index);
  }

  private static boolean anyUnblockOnNoKey(ArrayDeque<Object> q) {
    for (Object o : q) {
      if (((Waiter) o).unblockOnNoKey) {
        return true;
      }
    }
    return false;
  }

  /** Keys becoming ready or vanishing as the database's keys change. */
  private final class BlockingKeyEvents implements Database.KeyEvents {
    @Override
    public void added(Database db, byte[] key, Object value) {
      signalKeyAsReady(db, key, value);
    }

    @Override
    public void removed(Database db, byte[] key, Object oldValue) {
      signalDeletedKeyAsReady(db, key, oldValue);
    }
  }

  /** Before FLUSHDB/FLUSHALL empties {@code db}: its blocking keys that exist are deleted. */
  public void signalFlushedDb(Database db) {
    scanForDeletedKeys(db, null);
  }

  /**
   * Around SWAPDB: {@code before} is called before the data is exchanged, {@code after}
   * afterwards (Redis's scanDatabaseForDeletedKeys, then scanDatabaseForReadyKeys).
   */
  public void signalSwapBefore(Database x, Database y) {
    scanForDeletedKeys(x, y);
    scanForDeletedKeys(y, x);
  }

  public void signalSwapAfter(Database x, Database y) {
    for (Database db : new Database[] {x, y}) {
      for (Dict.Entry<ArrayDeque<Object>> e = db.blocking.first(); e != null; e = e.after()) {
        Object v = db.peek(e.key());
        if (v != null) {
          signalKeyAsReady(db, e.key(), v);
        }
      }
    }
  }

  private void scanForDeletedKeys(Database emptied, Database replacedWith) {
    for (Dict.Entry<ArrayDeque<Object>> e = emptied.blocking.first(); e != null; e = e.after()) {
      Object was = emptied.peek(e.key());
      Object now = replacedWith == null ? null : replacedWith.peek(e.key());
      int wasType = was == null ? -1 : blockingTypeOf(was);
      int nowType = now == null ? -1 : blockingTypeOf(now);
      if ((was != null && now == null) || wasType != nowType) {
        signalReady(emptied, e.key(), was == null ? Waiter.NONE : wasType, true);
      }
    }
  }

  /** Serves every key signalled as ready, then runs what the woken clients had pipelined. */
  private void serveReady() {
    if (servingReadyKeys || busy != null) {
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
        List<byte[][]> keys = readyKeys;
        List<Integer> keyDbs = new ArrayList<>(readyDbs);
        readyKeys = new ArrayList<>();
        readyDbs.clear();
        for (int i = 0; i < keys.size(); i++) {
          Database db = dbs[keyDbs.get(i)];
          byte[] key = keys.get(i)[0];
          readySets[db.index].remove(key);
          handleBlockedOnKey(db, key);
        }
      }
    } finally {
      servingReadyKeys = false;
    }
  }

  private void handleBlockedOnKey(Database db, byte[] key) {
    ArrayDeque<Object> q = db.blocking.get(key);
    if (q == null) {
      return;
    }
    // Only those parked when the key's turn came: one that parks again goes behind them.
    for (Object o : q.toArray()) {
      Waiter w = (Waiter) o;
      if (w.session.waiter != w) {
        continue; // served (or gone) meanwhile
      }
      Object value = db.peek(key);
      if (value != null && db.expiresSize() > 0 && db.isExpired(key, now())) {
        value = null;
      }
      if ((value != null && blockingTypeOf(value) == w.type) || w.unblockOnNoKey) {
        wake(w);
      }
    }
  }

  /** Takes {@code w} off its keys and re-runs it; it parks again if it still finds nothing. */
  private void wake(Waiter w) {
    Session s = w.session;
    unblock(w);
    markDirty(s);
    runCommand(call, s, w.spec, w.argv, now(), s.out, w);
    if (s.waiter == null) {
      queueUnblocked(s);
    }
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
        resumePending(unblockedSessions.poll());
      }
    } finally {
      processingUnblocked = false;
    }
  }

  private void resumePending(Session s) {
    while (s.waiter == null && !s.pending.isEmpty() && !s.closed && !s.closing) {
      execute(s, s.pending.poll());
      if (!readyKeys.isEmpty()) {
        handleReadyKeys();
      }
    }
  }

  /** Re-runs a polling command in place (cron); it keeps its place if it still finds nothing. */
  private void pollRerun(Waiter w) {
    Session s = w.session;
    long nowMs = now();
    long startNs = System.nanoTime();
    call.setup(s, w.spec, w.argv, nowMs);
    call.reprocessing = true;
    call.polling = true;
    long dirtyBefore = stats.dirty;
    long errorsBefore = stats.errorReplies;
    expiredInCommand = 0;
    try {
      w.spec.handler.run(call);
    } catch (CommandError e) {
      countError(e.getMessage());
      s.out.error(e.getMessage());
    }
    if (journal != null && stats.dirty - dirtyBefore > expiredInCommand) {
      journal.command(w.db, nowMs, call.propagated());
    }
    w.durationNs += System.nanoTime() - startNs;
    if (call.stillBlocked) {
      return;
    }
    markDirty(s);
    unblock(w);
    completed(w.spec, w.durationNs, stats.errorReplies > errorsBefore);
    queueUnblocked(s);
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
      // Redis's updateStatsOnUnblock: the command counts once, now, with all its time
      completed(w.spec, w.durationNs, false);
      markDirty(w.session);
      queueUnblocked(w.session);
    }
    serveReady();
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
      // in the order they parked, as a key's waiters are served
      List<Waiter> polling = new ArrayList<>();
      for (Session s : sessions.values()) {
        if (s.waiter != null && s.waiter.poll) {
          polling.add(s.waiter);
        }
      }
      polling.sort((a, b) -> Long.compare(a.seq, b.seq));
      for (Waiter w : polling) {
        if (w.session.waiter == w) {
          pollRerun(w);
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
    serveReady();
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
    /** Error replies by code (INFO errorstats), in Redis's order (its rax sorts by bytes). */
    public final java.util.TreeMap<String, Long> errorCodes = new java.util.TreeMap<>();
    /** False once 128 codes were seen: Redis stops adding codes until CONFIG RESETSTAT. */
    private boolean errorCodesEnabled = true;
    /** The command table whose per-command counters CONFIG RESETSTAT clears. */
    CommandTable commands;

    /** Redis's incrementErrorCount, with its limit of 128 distinct codes. */
    void countErrorCode(String code) {
      if (!errorCodesEnabled) {
        return;
      }
      Long n = errorCodes.get(code);
      if (n == null && errorCodes.size() >= 128) {
        LOG.warn("Errorstats stopped adding new errors because the number of errors reached the limit, "
            + "may be misuse of lua error_reply, please check INFO ERRORSTATS, this can be re-enabled via "
            + "CONFIG RESETSTAT.");
        errorCodes.clear();
        errorCodes.put("ERRORSTATS_DISABLED", 1L);
        errorCodesEnabled = false;
        return;
      }
      errorCodes.put(code, n == null ? 1 : n + 1);
    }

    public void reset() {
      errorCodes.clear();
      errorCodesEnabled = true;
      if (commands != null) {
        for (CommandSpec spec : commands.all()) {
          spec.resetStats();
          for (CommandSpec sub : spec.subcommands.values()) {
            sub.resetStats();
          }
        }
      }
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
