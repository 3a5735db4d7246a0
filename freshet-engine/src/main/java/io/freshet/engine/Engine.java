package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import io.freshet.engine.command.CommandTable;
import io.freshet.engine.command.Commands;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.protocol.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-threaded heart of Freshet: owns every database and session, and runs every command
 * through one path ({@link #invoke}) whoever the caller is: a client, EXEC, a script, a woken or
 * polling parked command, or log replay. That path journals the change and counts the command,
 * so a handler cannot forget either. Its parts: {@link Blocking} (parked commands),
 * {@link Expiry}, {@link Multi}, {@link Watches}, {@link BusyScriptGate}, {@link Stats},
 * {@link PubSub}. Pure: no
 * threads, sockets or files; time and chance come from the injected clock and random source.
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
  public final Stats stats;
  /** The engine's source of chance (RANDOMKEY, SRANDMEMBER, active expiry's sampling); injected. */
  public final Random random;
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

  /** Who runs a command through {@link #invoke}: decides blocking, journaling and counting. */
  private enum Caller {
    /** A client, directly or through EXEC. */
    CLIENT,
    /** A script's redis.call. */
    SCRIPT,
    /** A parked command re-run because one of its keys became ready. */
    WOKEN,
    /** A parked command re-run by cron; it keeps its place if it still finds nothing. */
    POLL,
    /** A log record: no blocking, no journal, no statistics, replies discarded. */
    REPLAY
  }

  private final LongSupplier clock;
  /** Monotonic nanoseconds for command durations and time budgets; injected like the clock. */
  private final LongSupplier nanoClock;
  private final Database[] dbs;
  /** WATCH's keys and sessions (multi.c's half that outlives a command). */
  private final Watches watches;
  private final Blocking blocking;
  private final Expiry expiry;
  private final Multi multi;
  private final BusyScriptGate busyGate;
  /** Channels, patterns and their subscribers; delivery of published messages. */
  public final PubSub pubSub;
  private final CommandTable commands;
  private final Call call = new Call(this);
  /** Replay has its own, so DEBUG LOADAOF can replay while its own command is running. */
  private final Call replayCall = new Call(this);
  /** Commands a script runs have their own, so the script's command keeps its Call. */
  private final Call scriptCall = new Call(this, true);
  private final Map<Long, Session> sessions = new LinkedHashMap<>();
  private final List<Session> dirtySessions = new ArrayList<>();
  private long nextSessionId = 1;
  private byte[] requirePass;
  /** Read before every command, so kept in a field rather than looked up by name. */
  private long outputHardLimitBytes;
  /** Receives every change; null while nothing is persisted (and while replaying). */
  private Journal journal;
  private Session replaySession;
  /**
   * Why writes are refused, or null: a write command failed half-way with an unexpected
   * exception, so memory may hold a change the log does not (it was not journaled). Reads go on;
   * a restart recovers the last logged state.
   */
  private String writesRefused;

  /** An engine on the system clock and an unseeded random source, for hosts. */
  public Engine(Config config, LongSupplier clock) {
    this(config, clock, System::nanoTime, new Random());
  }

  /** An engine whose time and chance come from the caller (seeded in tests). */
  public Engine(Config config, LongSupplier clock, LongSupplier nanoClock, Random random) {
    this.config = config;
    this.clock = clock;
    this.nanoClock = nanoClock;
    this.random = random;
    this.dbs = new Database[config.getInt("databases")];
    for (int i = 0; i < dbs.length; i++) {
      dbs[i] = new Database(i);
    }
    this.commands = new CommandTable();
    Commands.registerAll(commands);
    this.stats = new Stats(commands);
    this.watches = new Watches(dbs);
    this.blocking = new Blocking(this, dbs);
    this.expiry = new Expiry(this, dbs, random, nanoClock);
    this.multi = new Multi(this);
    this.busyGate = new BusyScriptGate(this);
    this.pubSub = new PubSub(this);
    commands.lookup("exec".getBytes(StandardCharsets.US_ASCII)).journalsItsEffects = true;
    config.onChange("freshet-client-output-hard-limit", v -> outputHardLimitBytes = config.getLong(
        "freshet-client-output-hard-limit"));
    config.onChange("requirepass", v -> requirePass = v.isEmpty() ? null : v.getBytes(StandardCharsets.UTF_8));
    config.onChange("latency-tracking", v -> stats.latencyTracking = v.equals("yes"));
    stats.startMs = clock.getAsLong();
  }

  public long now() {
    return clock.getAsLong();
  }

  /** The injected monotonic clock, in nanoseconds. */
  public long nanoTime() {
    return nanoClock.getAsLong();
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

  /** Why write commands are refused (a write failed half-way), or null while they are accepted. */
  public String writesRefused() {
    return writesRefused;
  }

  // ---- INFO clients ------------------------------------------------------------------------

  public int blockedClients() {
    return blocking.blockedClients();
  }

  /** Keys that at least one client is blocked on (INFO total_blocking_keys). */
  public long blockingKeys() {
    return blocking.blockingKeys();
  }

  /** Keys with a parked XREADGROUP, which a deletion wakes (INFO total_blocking_keys_on_nokey). */
  public long blockingKeysOnNoKey() {
    return blocking.blockingKeysOnNoKey();
  }

  /** Parked clients with a deadline (INFO clients_in_timeout_table). */
  public int clientsInTimeoutTable() {
    return blocking.clientsInTimeoutTable();
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
      blocking.unblock(s.waiter);
    }
    unwatchAll(s);
    pubSub.unsubscribeEverything(s);
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
  public void setWhileBusy(Runnable whileBusy) {
    busyGate.whileBusy = whileBusy;
  }

  /**
   * Called by a script every so often once it has run past busy-reply-threshold: serves other
   * clients, who get BUSY for everything but SCRIPT/FUNCTION KILL and SHUTDOWN NOSAVE (Redis's
   * processEventsWhileBlocked).
   */
  public void serveWhileBusy(BusyScript script) {
    busyGate.serveWhileBusy(script);
  }

  /** The client whose script is running past the threshold, or null. */
  public Session busySession() {
    return busyGate.busySession();
  }

  // ---- from the client ---------------------------------------------------------------------

  /** Executes (or, behind a parked command, queues) one command from the client. */
  public void submit(Session s, byte[][] argv) {
    if (s.closed || s.closing) {
      return;
    }
    if (busyGate.isBusy() && s != busyGate.busySession()) {
      busyGate.answer(s, argv[0] == PROTOCOL_ERROR ? null : resolve(argv), argv);
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
    serveReady();
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

  void markDirty(Session s) {
    if (!s.dirtyOutput) {
      s.dirtyOutput = true;
      dirtySessions.add(s);
    }
  }

  /** Redis's processCommand: looks the command up, checks it may run now, queues or runs it. */
  void execute(Session s, byte[][] argv) {
    long nowMs = now();
    s.lastInteractionMs = nowMs;
    if (argv[0] == PROTOCOL_ERROR) {
      String error = "ERR Protocol error: " + new String(argv[1], StandardCharsets.UTF_8);
      stats.countError(error);
      s.out.error(error);
      close(s);
      return;
    }
    CommandSpec spec = commands.lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      CommandSpec sub = spec.subcommands.get(new String(argv[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
      if (sub == null) {
        reject(s, null, "ERR unknown subcommand '" + truncate(argv[1], 128) + "'. Try "
            + spec.fullName.toUpperCase(Locale.ROOT) + " HELP.");
        return;
      }
      spec = sub;
    }
    if (spec == null) {
      reject(s, null, unknownCommand(argv));
      return;
    }
    if (!arityFits(spec, argv)) {
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
    if (writesRefused != null && spec.has(CommandSpec.WRITE)) {
      reject(s, spec, writesRefused);
      return;
    }
    if (s.inPubSub() && s.protocol() == 2 && !allowedToSubscribers(spec)) {
      reject(s, spec, "ERR Can't execute '" + spec.fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING"
          + " / QUIT / RESET are allowed in this context");
      return;
    }
    if (Multi.queues(s, spec)) {
      Multi.queue(s, argv);
      return;
    }
    invoke(call, Caller.CLIENT, s, spec, argv, nowMs, s.out, null);
  }

  /** What a RESP2 client may send once it subscribed: its replies look like messages. */
  private static boolean allowedToSubscribers(CommandSpec spec) {
    return switch (spec.fullName) {
      case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit",
          "reset" -> true;
      default -> false;
    };
  }

  private static boolean arityFits(CommandSpec spec, byte[][] argv) {
    return spec.arity > 0 ? argv.length == spec.arity : argv.length >= -spec.arity;
  }

  /** Refuses a command before it runs; inside MULTI this dooms the transaction, as in Redis. */
  private void reject(Session s, CommandSpec spec, String error) {
    Multi.refused(s);
    if (spec != null) {
      spec.rejectedCalls++;
    }
    if (spec != null && spec.fullName.equals("exec")) {
      multi.abortExec(s, error);
      return;
    }
    stats.countError(error);
    s.out.error(error);
  }

  /** Runs a queued command inside EXEC; the checks at queue time were passed. */
  public void runQueued(Session s, byte[][] argv, long nowMs) {
    CommandSpec spec = resolve(argv);
    if (writesRefused != null && spec.has(CommandSpec.WRITE)) {
      stats.countError(writesRefused); // a write failed half-way since the command was queued
      s.out.error(writesRefused);
      return;
    }
    invoke(call, Caller.CLIENT, s, spec, argv, nowMs, s.out, null);
  }

  /** Leaves MULTI (DISCARD, EXEC, RESET): the queue and every WATCH are dropped. */
  public void discardTransaction(Session s) {
    multi.discard(s);
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
    if (!arityFits(spec, argv)) {
      return "ERR Wrong number of args calling Redis command from script";
    }
    if (spec.has(CommandSpec.NOSCRIPT)) {
      return "ERR This Redis command is not allowed from script";
    }
    if (readOnly && spec.has(CommandSpec.WRITE)) {
      return "ERR Write commands are not allowed from read-only scripts.";
    }
    if (writesRefused != null && spec.has(CommandSpec.WRITE)) {
      return writesRefused;
    }
    boolean savedExec = s.inExec;
    s.inExec = true; // nothing blocks inside a script, as inside EXEC
    try {
      invoke(scriptCall, Caller.SCRIPT, s, spec, argv, nowMs, out, null);
    } finally {
      s.inExec = savedExec;
    }
    return null;
  }

  // ---- the one command path ----------------------------------------------------------------

  /**
   * Redis's call(): runs the handler and then, whoever called, journals its change (unless it
   * journals its own effects, as EXEC) and counts it in commandstats unless it parked: a parked
   * command counts once, when it finally answers, with the time of every attempt.
   *
   * <p>Failure isolation: an unexpected exception becomes an {@code ERR internal error} reply
   * for this client and a log line; nothing else is affected. The change of a command that
   * threw is not journaled, and when it was a write (memory may hold half of it) writes are
   * refused from then on (see {@link #writesRefused}).
   */
  private void invoke(Call call, Caller caller, Session s, CommandSpec spec, byte[][] argv, long nowMs,
      ReplyWriter out, Waiter parked) {
    long startNs = nanoClock.getAsLong();
    call.setup(s, spec, argv, nowMs);
    call.out = out;
    switch (caller) {
      case WOKEN -> {
        call.reprocessing = true;
        call.resumed = parked;
      }
      case POLL -> {
        call.reprocessing = true;
        call.polling = true;
      }
      case REPLAY -> call.replaying = true;
      default -> { }
    }
    s.lastCommand = spec.fullName;
    int db = parked != null ? parked.db : s.db;
    long dirtyBefore = stats.dirty;
    expiry.expiredInCommand = 0;
    // Redis's prev_err_count: local, so that a script's inner commands do not move the baseline
    long errorsBefore = stats.errorReplies;
    Waiter outerParked = blocking.takeParked();
    boolean threw = false;
    try {
      spec.handler.run(call);
    } catch (CommandError e) {
      if (caller != Caller.REPLAY) {
        stats.countError(e.getMessage());
      }
      out.error(e.getMessage());
    } catch (RuntimeException e) {
      threw = true;
      String error = internalError(spec, e, stats.dirty != dirtyBefore);
      if (caller != Caller.REPLAY) {
        stats.countError(error);
      }
      out.error(error);
    } finally {
      call.replaying = false;
    }
    Waiter parkedNow = blocking.restoreParked(outerParked);
    if (caller == Caller.REPLAY) {
      return;
    }
    if (journal != null && !threw && stats.dirty - dirtyBefore > expiry.expiredInCommand
        && !spec.journalsItsEffects) {
      journal.command(db, nowMs, call.propagated());
    }
    boolean failed = stats.errorReplies > errorsBefore;
    long durationNs = nanoClock.getAsLong() - startNs;
    if (caller == Caller.POLL) {
      parked.durationNs += durationNs;
      if (!call.stillBlocked) {
        blocking.pollAnswered(parked);
        stats.completed(spec, parked.durationNs, failed);
      }
      return;
    }
    if (parked != null) {
      durationNs += parked.durationNs;
    }
    if (parkedNow != null) {
      parkedNow.durationNs = durationNs;
      if (failed) {
        spec.failedCalls++;
      }
      return;
    }
    stats.completed(spec, durationNs, failed);
  }

  /** Logs an unexpected exception of a command and returns its error reply; see {@link #invoke}. */
  private String internalError(CommandSpec spec, RuntimeException e, boolean changedData) {
    LOG.error("unexpected error in " + spec.fullName, e);
    if ((changedData || spec.has(CommandSpec.WRITE)) && writesRefused == null) {
      writesRefused = "ERR write commands are refused: '" + spec.fullName + "' failed half-way and its change"
          + " was not logged (see the server log); restart the server to recover the logged data";
      LOG.error("'" + spec.fullName + "' may have changed data half-way: refusing write commands until restart");
    }
    return "ERR internal error executing '" + spec.fullName + "': " + e;
  }

  /**
   * A client's command failed outside its handler (while it was served from a parked state): it
   * gets the internal error reply, counted as a failed call.
   */
  void answerInternalError(Session s, CommandSpec spec, RuntimeException e) {
    String error = internalError(spec, e, false);
    stats.countError(error);
    spec.failedCalls++;
    s.out.error(error);
    markDirty(s);
  }

  /** Re-runs a parked command whose key became ready (it was taken off its keys first). */
  void resume(Waiter w) {
    invoke(call, Caller.WOKEN, w.session, w.spec, w.argv, now(), w.session.out, w);
  }

  /** Re-runs a polling parked command in place (cron). */
  void poll(Waiter w) {
    invoke(call, Caller.POLL, w.session, w.spec, w.argv, now(), w.session.out, w);
  }

  /**
   * Counts one error reply (total_error_replies and errorstats) that did not come from a
   * command's own handler, e.g. a script's error.
   */
  public void countError(String error) {
    stats.countError(error);
  }

  /** The command or subcommand argv names, for argv that was validated before (queued, logged). */
  private CommandSpec resolve(byte[][] argv) {
    CommandSpec spec = commands.lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      spec = spec.subcommands.get(new String(argv[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }
    return spec;
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
    journal = null; // expiry during replay must not log DELs: the log already holds them
    try {
      invoke(replayCall, Caller.REPLAY, s, spec, argv, nowMs, s.out, null);
    } finally {
      journal = saved;
      blocking.clearReady();
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

  // ---- keys: expiry, WATCH, blocking signals -----------------------------------------------

  /** Value of {@code key}, deleting it first if it has expired. */
  public Object lookup(Database db, byte[] key, long nowMs) {
    return expiry.lookup(db, key, nowMs);
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

  void block(Session s, CommandSpec spec, byte[][] argv, byte[][] keys, long deadlineMs, boolean poll, int type,
      boolean unblockOnNoKey) {
    blocking.block(s, spec, argv, keys, deadlineMs, poll, type, unblockOnNoKey);
  }

  /** Redis's signalKeyAsReady: {@code key} now holds {@code value}, which parked commands may want. */
  public void signalKeyAsReady(Database db, byte[] key, Object value) {
    blocking.signalKeyAsReady(db, key, value);
  }

  /** Before FLUSHDB/FLUSHALL empties {@code db}: its blocking keys that exist are deleted. */
  public void signalFlushedDb(Database db) {
    blocking.signalFlushedDb(db);
  }

  /**
   * Around SWAPDB: {@code before} is called before the data is exchanged, {@code after}
   * afterwards (Redis's scanDatabaseForDeletedKeys, then scanDatabaseForReadyKeys).
   */
  public void signalSwapBefore(Database x, Database y) {
    blocking.signalSwapBefore(x, y);
  }

  public void signalSwapAfter(Database x, Database y) {
    blocking.signalSwapAfter(x, y);
  }

  /** Serves parked commands on keys that became ready, unless a script is running long. */
  private void serveReady() {
    if (blocking.hasReadyWork() && !busyGate.isBusy()) {
      blocking.serveReady();
    }
  }

  // ---- time --------------------------------------------------------------------------------

  /** Earliest block deadline in ms, or {@code Long.MAX_VALUE}. */
  public long nextDeadlineMs() {
    return blocking.nextDeadlineMs();
  }

  /** Answers every parked command whose deadline has passed with a null reply. */
  public void expireWaiters() {
    blocking.expireWaiters(now());
    serveReady();
  }

  /** Periodic work, about {@code hz} times a second: active expiry, saves, polls, idle timeouts. */
  public void cron() {
    long nowMs = now();
    expiry.activeCycle(nowMs, config.getInt("hz"));
    if (persistence != null) {
      persistence.cron();
    }
    blocking.pollAll(sessions.values());
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
}
