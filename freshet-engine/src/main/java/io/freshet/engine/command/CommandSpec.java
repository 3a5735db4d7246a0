package io.freshet.engine.command;

import io.freshet.engine.protocol.RespValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One command or subcommand: its metadata (captured from Redis's COMMAND INFO) and handler.
 * Immutable after the table is built; read by the engine thread.
 */
public final class CommandSpec {
  public static final int WRITE = 1;
  public static final int READONLY = 1 << 1;
  public static final int DENYOOM = 1 << 2;
  public static final int ADMIN = 1 << 3;
  public static final int NOSCRIPT = 1 << 4;
  public static final int BLOCKING = 1 << 5;
  public static final int NO_AUTH = 1 << 6;
  public static final int NO_MULTI = 1 << 7;
  public static final int FAST = 1 << 8;
  public static final int LOADING = 1 << 9;
  public static final int STALE = 1 << 10;

  /** Lower-case name; subcommands use Redis's {@code container|sub} form. */
  public final String fullName;
  public final int arity;
  public final int flags;
  public final Set<String> flagNames;
  public final RespValue info;
  public final RespValue docs;
  public final Handler handler;
  /** Latencies for INFO latencystats, created when the command first runs with latency-tracking. */
  public io.freshet.engine.LatencyHistogram latency;
  public final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
  public final int firstKey;
  public final int lastKey;
  public final int keyStep;
  /**
   * True for commands that run other commands (EXEC, EVAL, FCALL): those are journaled one by
   * one, so the command itself is not. Set while the table is built.
   */
  public boolean journalsItsEffects;

  // INFO commandstats (Redis's calls, microseconds, rejected_calls, failed_calls); engine thread only.
  public long calls;
  public long durationUs;
  public long rejectedCalls;
  public long failedCalls;

  public void resetStats() {
    calls = 0;
    durationUs = 0;
    rejectedCalls = 0;
    failedCalls = 0;
  }

  CommandSpec(String fullName, RespValue info, RespValue docs, Handler handler) {
    this.fullName = fullName;
    this.info = info;
    this.docs = docs;
    this.handler = handler;
    this.arity = (int) info.children.get(1).number;
    this.flagNames = new java.util.LinkedHashSet<>();
    int f = 0;
    for (RespValue flag : info.children.get(2).children) {
      String name = flag.string();
      flagNames.add(name);
      f |= switch (name) {
        case "write" -> WRITE;
        case "readonly" -> READONLY;
        case "denyoom" -> DENYOOM;
        case "admin" -> ADMIN;
        case "noscript" -> NOSCRIPT;
        case "blocking" -> BLOCKING;
        case "no_auth" -> NO_AUTH;
        case "no_multi" -> NO_MULTI;
        case "fast" -> FAST;
        case "loading" -> LOADING;
        case "stale" -> STALE;
        default -> 0;
      };
    }
    this.flags = f;
    this.firstKey = (int) info.children.get(3).number;
    this.lastKey = (int) info.children.get(4).number;
    this.keyStep = (int) info.children.get(5).number;
  }

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  public boolean isContainer() {
    return !subcommands.isEmpty();
  }

  /** The container-style name, e.g. {@code client} for {@code client|kill}. */
  public String containerName() {
    int bar = fullName.indexOf('|');
    return bar < 0 ? fullName : fullName.substring(0, bar);
  }
}
