package io.freshet.engine;

import io.freshet.engine.command.CommandSpec;
import io.freshet.engine.command.CommandTable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INFO's counters and the per-command statistics (commandstats, errorstats, latencystats).
 * Engine thread only. Every command counts here through the engine's one command path, so a
 * handler cannot forget it.
 */
public final class Stats {
  private static final Logger LOG = LoggerFactory.getLogger(Stats.class);

  public long startMs;
  public long totalCommands;
  public long totalConnections;
  public long rejectedConnections;
  public long expiredKeys;
  public long keyspaceHits;
  public long keyspaceMisses;
  public long errorReplies;
  /** Changes since the last save; the engine compares it around a command to see a write. */
  public long dirty;
  public long netInputBytes;
  public long netOutputBytes;
  /** Error replies by code (INFO errorstats), in Redis's order (its rax sorts by bytes). */
  public final TreeMap<String, Long> errorCodes = new TreeMap<>();
  /** False once 128 codes were seen: Redis stops adding codes until CONFIG RESETSTAT. */
  private boolean errorCodesEnabled = true;
  /** Commands with a latency histogram, in the order they first ran (INFO latencystats). */
  public final List<CommandSpec> latencyTracked = new ArrayList<>();
  /** {@code latency-tracking}: whether completed commands feed their histogram. */
  boolean latencyTracking;
  /** The command table whose per-command counters CONFIG RESETSTAT clears. */
  private final CommandTable commands;

  Stats(CommandTable commands) {
    this.commands = commands;
  }

  /**
   * A command that answered: one call in commandstats and in total_commands_processed. A
   * parked command counts once, when it finally answers, with the time of every attempt.
   */
  void completed(CommandSpec spec, long durationNs, boolean failed) {
    if (latencyTracking) {
      if (spec.latency == null) {
        spec.latency = new LatencyHistogram();
        latencyTracked.add(spec);
      }
      spec.latency.record(durationNs);
    }
    spec.calls++;
    spec.durationUs += durationNs / 1000;
    if (failed) {
      spec.failedCalls++;
    }
    totalCommands++;
  }

  /**
   * Counts one error reply (total_error_replies and errorstats): its code is the first word,
   * as Redis's afterErrorReply takes it from the first 32 characters, else ERR.
   */
  void countError(String error) {
    errorReplies++;
    int space = error.indexOf(' ');
    countErrorCode(space > 0 && space < 32 ? error.substring(0, space) : "ERR");
  }

  /** Redis's incrementErrorCount, with its limit of 128 distinct codes. */
  private void countErrorCode(String code) {
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

  /** CONFIG RESETSTAT: forgets every command's latencies. */
  public void resetLatencies() {
    for (CommandSpec spec : latencyTracked) {
      spec.latency = null;
    }
    latencyTracked.clear();
  }

  /** CONFIG RESETSTAT. */
  public void reset() {
    errorCodes.clear();
    errorCodesEnabled = true;
    for (CommandSpec spec : commands.all()) {
      spec.resetStats();
      for (CommandSpec sub : spec.subcommands.values()) {
        sub.resetStats();
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
