package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.protocol.ReplyWriter;
import java.nio.charset.StandardCharsets;

/**
 * The command being executed: its session, arguments, database and time, plus the helpers every
 * handler needs. One instance is reused for every command; engine thread only.
 */
public final class Call {
  public final Engine engine;
  public Session session;
  public CommandSpec spec;
  public byte[][] argv;
  public ReplyWriter out;
  public long nowMs;
  /** True while a parked command is re-run because one of its keys became ready. */
  boolean reprocessing;
  /**
   * The parked command being re-run after a key became ready: it was taken off its keys first,
   * and parks again (behind the others, keeping its deadline) if it still finds nothing.
   */
  Waiter resumed;
  /** True while a parked command is re-run by the periodic poll: it stays where it is parked. */
  boolean polling;
  boolean stillBlocked;
  /** True while the engine replays the journal: nothing blocks, replies go nowhere. */
  boolean replaying;
  /** What the journal records instead of argv, when argv would not replay the same way. */
  private byte[][] propagate;

  /** True for the Call that runs the commands of scripts (redis.call). */
  private final boolean script;

  Call(Engine engine) {
    this(engine, false);
  }

  Call(Engine engine, boolean script) {
    this.engine = engine;
    this.script = script;
  }

  /** True when a script runs this command (redis.call): some commands refuse options there. */
  public boolean fromScript() {
    return script;
  }

  void setup(Session session, CommandSpec spec, byte[][] argv, long nowMs) {
    this.session = session;
    this.spec = spec;
    this.argv = argv;
    this.out = session.out;
    this.nowMs = nowMs;
    this.reprocessing = false;
    this.resumed = null;
    this.polling = false;
    this.stillBlocked = false;
    this.propagate = null;
  }

  /**
   * Logs this command's change as {@code argv} instead of the arguments it came with (Redis's
   * "propagate as"): for commands whose effect depends on chance or on memory layout.
   */
  public void propagateAs(byte[][] argv) {
    this.propagate = argv;
  }

  byte[][] propagated() {
    return propagate != null ? propagate : argv;
  }


  public int argc() {
    return argv.length;
  }

  public byte[] arg(int i) {
    return argv[i];
  }

  public String argString(int i) {
    return new String(argv[i], StandardCharsets.UTF_8);
  }

  /** Case-insensitive comparison with an ASCII keyword, without allocating. */
  public boolean argIs(int i, String keyword) {
    return is(argv[i], keyword);
  }

  public static boolean is(byte[] b, String keyword) {
    if (b.length != keyword.length()) {
      return false;
    }
    for (int j = 0; j < b.length; j++) {
      int c = b[j];
      int k = keyword.charAt(j);
      if (c == k) {
        continue;
      }
      boolean letter = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z');
      if (!letter || (c | 0x20) != (k | 0x20)) {
        return false;
      }
    }
    return true;
  }

  public long longArg(int i) {
    Long v = Numbers.parseLong(argv[i]);
    if (v == null) {
      throw new CommandError(Errors.NOT_INTEGER);
    }
    return v;
  }

  public long longArg(int i, String error) {
    Long v = Numbers.parseLong(argv[i]);
    if (v == null) {
      throw new CommandError(error);
    }
    return v;
  }

  public int intArg(int i) {
    long v = longArg(i);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new CommandError(Errors.NOT_INTEGER);
    }
    return (int) v;
  }

  public double doubleArg(int i) {
    Double v = Numbers.parseDouble(argv[i]);
    if (v == null) {
      throw new CommandError(Errors.NOT_FLOAT);
    }
    return v;
  }

  public Database db() {
    return engine.db(session.db);
  }

  /** Value of a key for reading: expired keys are deleted first; counts hits and misses. */
  public Object lookupRead(byte[] key) {
    Object v = engine.lookup(db(), key, nowMs);
    if (v == null) {
      engine.stats.keyspaceMisses++;
    } else {
      engine.stats.keyspaceHits++;
    }
    return v;
  }

  /** Value of a key for writing: expired keys are deleted first. */
  public Object lookupWrite(byte[] key) {
    return engine.lookup(db(), key, nowMs);
  }

  public byte[] getString(byte[] key, boolean write) {
    Object v = write ? lookupWrite(key) : lookupRead(key);
    if (v == null || v instanceof byte[]) {
      return (byte[]) v;
    }
    throw new CommandError(Errors.WRONGTYPE);
  }

  public HashValue getHash(byte[] key, boolean write) {
    Object v = write ? lookupWrite(key) : lookupRead(key);
    if (v == null || v instanceof HashValue) {
      return (HashValue) v;
    }
    throw new CommandError(Errors.WRONGTYPE);
  }

  public SetValue getSet(byte[] key, boolean write) {
    Object v = write ? lookupWrite(key) : lookupRead(key);
    if (v == null || v instanceof SetValue) {
      return (SetValue) v;
    }
    throw new CommandError(Errors.WRONGTYPE);
  }

  public ListValue getList(byte[] key, boolean write) {
    Object v = write ? lookupWrite(key) : lookupRead(key);
    if (v == null || v instanceof ListValue) {
      return (ListValue) v;
    }
    throw new CommandError(Errors.WRONGTYPE);
  }

  public io.freshet.engine.stream.StreamValue getStream(byte[] key, boolean write) {
    Object v = write ? lookupWrite(key) : lookupRead(key);
    if (v == null || v instanceof io.freshet.engine.stream.StreamValue) {
      return (io.freshet.engine.stream.StreamValue) v;
    }
    throw new CommandError(Errors.WRONGTYPE);
  }

  /** Every write calls this once per key it changes: WATCH, blocked clients, dirty counter. */
  public void modified(byte[] key) {
    engine.signalModifiedKey(db(), key);
  }

  /**
   * Tells parked commands that {@code key} has something for them (Redis's signalKeyAsReady):
   * XADD, XGROUP DESTROY and XNACK call it; keys that are added signal by themselves.
   */
  public void signalReady(byte[] key) {
    Object v = db().peek(key);
    if (v != null) {
      engine.signalKeyAsReady(db(), key, v);
    }
  }

  /** Deletes a key the command emptied (Redis removes empty aggregates). */
  public void deleteKey(byte[] key) {
    db().delete(key);
  }

  /**
   * Parks this command until one of {@code keys} changes or {@code deadlineMs} passes (0 =
   * forever). When re-run after a change, calling this again keeps it parked.
   */
  public void block(byte[][] keys, long deadlineMs) {
    block(keys, deadlineMs, Waiter.LIST, false, false);
  }

  /**
   * Parks a stream read: a stream key of these gaining data wakes it; with {@code group}
   * (XREADGROUP) so does a key being deleted or replaced, as in Redis. With {@code poll} the
   * command is also re-run periodically (cron).
   */
  public void blockOnStreams(byte[][] keys, long deadlineMs, boolean group, boolean poll) {
    block(keys, deadlineMs, Waiter.STREAM, group, poll);
  }

  private void block(byte[][] keys, long deadlineMs, int type, boolean unblockOnNoKey, boolean poll) {
    if (replaying) {
      return;
    }
    if (polling) {
      stillBlocked = true;
      return;
    }
    // a re-run keeps the deadline the command was first parked with, as Redis does
    long deadline = resumed != null ? resumed.deadlineMs : deadlineMs;
    engine.block(session, spec, argv, keys, deadline, poll, type, unblockOnNoKey);
  }

  /** True when blocking is not allowed (inside MULTI/EXEC). */
  public boolean cannotBlock() {
    return session.inExec || replaying;
  }

  public boolean isReprocessing() {
    return reprocessing;
  }

  public int configInt(String name) {
    return engine.config.getInt(name);
  }
}
