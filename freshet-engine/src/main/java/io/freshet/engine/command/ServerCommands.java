package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import io.freshet.engine.Errors;
import io.freshet.engine.Session;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** INFO, TIME, LASTSAVE, MEMORY, DEBUG, SHUTDOWN. Engine thread only. */
final class ServerCommands {
  private static final String RUN_ID = randomHex(40);
  private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");

  /** INFO all's sections, in Redis's order. */
  private static final List<String> ALL_SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
      "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace");

  private ServerCommands() {}

  /** latency_percentiles_usec_NAME:p50=...,p99=... as Redis's fillPercentileDistributionLatencies. */
  private static void latencyStats(Call c, StringBuilder sb) {
    sb.append("# Latencystats\r\n");
    String configured = c.engine.config.get("latency-tracking-info-percentiles");
    String[] percentiles = configured.isEmpty() ? new String[0] : configured.split(" ");
    for (CommandSpec spec : c.engine.stats.latencyTracked) {
      sb.append("latency_percentiles_usec_").append(spec.fullName).append(':');
      for (int j = 0; j < percentiles.length; j++) {
        double p = Double.parseDouble(percentiles[j]);
        if (j > 0) {
          sb.append(',');
        }
        sb.append('p').append(percentiles[j]).append('=')
            .append(String.format(Locale.ROOT, "%.3f", spec.latency.valueAtPercentile(p) / 1000.0));
      }
      sb.append("\r\n");
    }
  }

  static void register(CommandTable t) {
    t.register("info", ServerCommands::info);
    t.register("time", c -> {
      // the engine's clocks, so a test's pinned clock pins TIME too
      long micros = c.engine.now() * 1000 + (c.engine.nanoTime() / 1000) % 1000;
      c.out.arrayHeader(2);
      c.out.bulk(Long.toString(micros / 1_000_000));
      c.out.bulk(Long.toString(micros % 1_000_000));
    });
    t.register("memory|usage", ServerCommands::memoryUsage);
    t.register("debug", ServerCommands::debug);
    t.register("shutdown", ServerCommands::shutdown);
  }

  private static String randomHex(int n) {
    StringBuilder sb = new StringBuilder();
    java.util.Random r = new java.security.SecureRandom();
    for (int i = 0; i < n; i++) {
      sb.append(Character.forDigit(r.nextInt(16), 16));
    }
    return sb.toString();
  }

  /** An honest estimate of a value's heap bytes (key and entry overhead included). */
  static long memoryOf(byte[] key, Object v) {
    long base = 16 + key.length + 48;
    if (v instanceof byte[] b) {
      return base + 16 + b.length;
    } else if (v instanceof HashValue h) {
      return base + h.memoryBytes();
    } else if (v instanceof SetValue s) {
      return base + s.memoryBytes();
    } else if (v instanceof ListValue l) {
      return base + l.memoryBytes();
    } else if (v instanceof io.freshet.engine.stream.StreamValue st) {
      return base + st.memoryBytes();
    }
    return base;
  }

  private static void memoryUsage(Call c) {
    for (int i = 3; i < c.argc(); i++) {
      if (c.argIs(i, "SAMPLES") && i + 1 < c.argc()) {
        c.longArg(i + 1);
        i++;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    Object v = c.lookupRead(c.arg(2));
    if (v == null) {
      c.out.nullBulk();
      return;
    }
    c.out.integer(memoryOf(c.arg(2), v));
  }

  private static void debug(Call c) {
    String mode = c.engine.config.get("enable-debug-command");
    if (mode.equals("no")) {
      throw new CommandError("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
    }
    if (c.argIs(1, "SLEEP") && c.argc() == 3) {
      double seconds = c.doubleArg(2);
      try {
        // DEBUG SLEEP blocks the whole server on purpose, exactly as in Redis.
        Thread.sleep((long) (seconds * 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      c.out.ok();
    } else if (c.argIs(1, "RELOAD")) {
      PersistenceCommands.persistence(c).debugReload();
      c.out.ok();
    } else if (c.argIs(1, "LOADAOF")) {
      PersistenceCommands.persistence(c).debugLoadLog();
      c.out.ok();
    } else if (c.argIs(1, "SET-ACTIVE-EXPIRE") && c.argc() == 3) {
      c.out.ok();
    } else if (c.argIs(1, "HELP")) {
      String[] lines = {"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "LOADAOF", "    Flush the AOF buffers on disk and reload the AOF in memory.",
          "RELOAD [option ...]", "    Save the RDB on disk and reload it back to memory.",
          "SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in the background when they are not",
          "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the", "    default.",
          "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.", "HELP",
          "    Print this help."};
      c.out.statusLines(lines);
    } else {
      throw new CommandError("ERR unknown subcommand '" + c.argString(1) + "'. Try DEBUG HELP.");
    }
  }

  private static void shutdown(Call c) {
    boolean save = false;
    boolean noSave = false;
    for (int i = 1; i < c.argc(); i++) {
      save |= c.argIs(i, "SAVE");
      noSave |= c.argIs(i, "NOSAVE");
      if (!(c.argIs(i, "NOSAVE") || c.argIs(i, "SAVE") || c.argIs(i, "NOW") || c.argIs(i, "FORCE")
          || c.argIs(i, "ABORT"))) {
        throw new CommandError(Errors.SYNTAX);
      }
      if (c.argIs(i, "ABORT")) {
        throw new CommandError("ERR No shutdown in progress.");
      }
    }
    if (save && noSave) {
      throw new CommandError(Errors.SYNTAX);
    }
    if (c.engine.persistence != null) {
      try {
        c.engine.persistence.shutdown(save, noSave);
      } catch (CommandError | java.io.UncheckedIOException e) {
        throw new CommandError("ERR Errors trying to SHUTDOWN. Check logs.");
      }
    }
    c.session.connection.requestShutdown();
  }

  private static void info(Call c) {
    Set<String> sections = new LinkedHashSet<>();
    if (c.argc() == 1) {
      sections.addAll(DEFAULT_SECTIONS);
    }
    for (int i = 1; i < c.argc(); i++) {
      String s = c.argString(i).toLowerCase(Locale.ROOT);
      switch (s) {
        case "default" -> sections.addAll(DEFAULT_SECTIONS);
        case "all", "everything" -> sections.addAll(ALL_SECTIONS);
        default -> sections.add(s);
      }
    }
    StringBuilder sb = new StringBuilder();
    Engine e = c.engine;
    for (String s : sections) {
      int before = sb.length();
      if (sb.length() > 0) {
        sb.append("\r\n");
      }
      switch (s) {
        case "server" -> server(c, sb);
        case "clients" -> clients(c, sb);
        case "memory" -> memory(sb);
        case "persistence" -> persistence(c, sb);
        case "stats" -> stats(c, sb);
        case "replication" -> sb.append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n")
            .append("master_failover_state:no-failover\r\nmaster_replid:").append(RUN_ID)
            .append("\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n")
            .append("master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n")
            .append("repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n");
        case "cpu" -> cpu(sb);
        case "modules" -> sb.append("# Modules\r\n");
        case "errorstats" -> errorStats(e, sb);
        case "cluster" -> sb.append("# Cluster\r\ncluster_enabled:0\r\n");
        case "keyspace" -> {
          sb.append("# Keyspace\r\n");
          for (int i = 0; i < e.dbCount(); i++) {
            Database db = e.db(i);
            if (db.size() > 0) {
              sb.append("db").append(i).append(":keys=").append(db.size()).append(",expires=")
                  .append(db.expiresSize()).append(",avg_ttl=0\r\n");
            }
          }
        }
        case "commandstats" -> commandStats(e, sb);
        case "latencystats" -> latencyStats(c, sb);
        default -> sb.setLength(before);
      }
    }
    c.out.verbatim(sb.toString());
  }

  private static void server(Call c, StringBuilder sb) {
    long uptimeMs = c.nowMs - c.engine.stats.startMs;
    sb.append("# Server\r\n")
        .append("redis_version:").append(ConnectionCommands.REDIS_VERSION).append("\r\n")
        .append("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n")
        .append("redis_mode:standalone\r\n")
        .append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
        .append(' ').append(System.getProperty("os.arch")).append("\r\n")
        .append("arch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n")
        .append("atomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\n")
        .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
        .append("process_supervised:no\r\n")
        .append("run_id:").append(RUN_ID).append("\r\n")
        .append("tcp_port:").append(c.engine.config.get("port")).append("\r\n")
        .append("server_time_usec:").append(c.nowMs * 1000).append("\r\n")
        .append("uptime_in_seconds:").append(uptimeMs / 1000).append("\r\n")
        .append("uptime_in_days:").append(uptimeMs / 86_400_000).append("\r\n")
        .append("hz:").append(c.engine.config.get("hz")).append("\r\n")
        .append("configured_hz:").append(c.engine.config.get("hz")).append("\r\n")
        .append("lru_clock:").append((c.nowMs / 1000) & ((1 << 24) - 1)).append("\r\n")
        .append("executable:freshet\r\nconfig_file:\r\nio_threads_active:0\r\n")
        .append("freshet_version:0.1.0\r\n")
        .append("java_version:").append(System.getProperty("java.version")).append("\r\n");
  }

  private static void clients(Call c, StringBuilder sb) {
    long maxOut = 0;
    for (Session s : c.engine.sessions()) {
      maxOut = Math.max(maxOut, s.out.pendingBytes() + s.connection.networkPendingBytes());
    }
    sb.append("# Clients\r\n")
        .append("connected_clients:").append(c.engine.sessionCount()).append("\r\n")
        .append("cluster_connections:0\r\n")
        .append("maxclients:").append(c.engine.config.get("maxclients")).append("\r\n")
        .append("client_recent_max_input_buffer:0\r\n")
        .append("client_recent_max_output_buffer:").append(maxOut).append("\r\n")
        .append("blocked_clients:").append(c.engine.blockedClients()).append("\r\n")
        .append("tracking_clients:0\r\n")
        .append("pubsub_clients:").append(c.engine.pubSub.clientCount()).append("\r\n")
        .append("watching_clients:").append(c.engine.watchingClients()).append("\r\n")
        .append("clients_in_timeout_table:").append(c.engine.clientsInTimeoutTable()).append("\r\n")
        .append("total_watched_keys:").append(c.engine.watchedKeys()).append("\r\n")
        .append("total_blocking_keys:").append(c.engine.blockingKeys()).append("\r\n")
        .append("total_blocking_keys_on_nokey:").append(c.engine.blockingKeysOnNoKey()).append("\r\n");
  }

  /** Redis's errorstats: one line per error code, in byte order. */
  private static void errorStats(Engine e, StringBuilder sb) {
    sb.append("# Errorstats\r\n");
    for (java.util.Map.Entry<String, Long> code : e.stats.errorCodes.entrySet()) {
      sb.append("errorstat_").append(infoSafe(code.getKey())).append(":count=").append(code.getValue()).append("\r\n");
    }
  }

  /** Redis's commandstats: commands and subcommands called, rejected or failed at least once. */
  private static void commandStats(Engine e, StringBuilder sb) {
    sb.append("# Commandstats\r\n");
    for (CommandSpec spec : e.commands().all()) {
      commandStat(spec, sb);
      for (CommandSpec sub : spec.subcommands.values()) {
        commandStat(sub, sb);
      }
    }
  }

  private static void commandStat(CommandSpec spec, StringBuilder sb) {
    if (spec.calls == 0 && spec.failedCalls == 0 && spec.rejectedCalls == 0) {
      return;
    }
    double perCall = spec.calls == 0 ? 0 : (float) spec.durationUs / spec.calls;
    sb.append("cmdstat_").append(infoSafe(spec.fullName)).append(":calls=").append(spec.calls)
        .append(",usec=").append(spec.durationUs)
        .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", perCall))
        .append(",rejected_calls=").append(spec.rejectedCalls)
        .append(",failed_calls=").append(spec.failedCalls).append("\r\n");
  }

  /** Redis's getSafeInfoString: characters that would break INFO's format become '_'. */
  private static String infoSafe(String s) {
    return s.replace('#', '_').replace(':', '_').replace('\r', '_').replace('\n', '_');
  }

  private static void memory(StringBuilder sb) {
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    sb.append("# Memory\r\n")
        .append("used_memory:").append(used).append("\r\n")
        .append("used_memory_human:").append(human(used)).append("\r\n")
        .append("used_memory_rss:").append(rt.totalMemory()).append("\r\n")
        .append("used_memory_rss_human:").append(human(rt.totalMemory())).append("\r\n")
        .append("used_memory_peak:").append(rt.totalMemory()).append("\r\n")
        .append("used_memory_peak_human:").append(human(rt.totalMemory())).append("\r\n")
        .append("total_system_memory:").append(totalSystemMemory()).append("\r\n")
        .append("maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n")
        .append("mem_allocator:jvm\r\n")
        .append("jvm_heap_max:").append(rt.maxMemory()).append("\r\n");
  }

  private static long totalSystemMemory() {
    try {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getTotalMemorySize();
    } catch (Throwable t) {
      return 0;
    }
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    String[] units = {"K", "M", "G", "T"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
  }

  private static void persistence(Call c, StringBuilder sb) {
    if (c.engine.persistence != null) {
      sb.append("# Persistence\r\n");
      c.engine.persistence.info(sb);
      return;
    }
    sb.append("# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\n")
        .append("rdb_changes_since_last_save:").append(c.engine.stats.dirty).append("\r\n")
        .append("rdb_bgsave_in_progress:0\r\n")
        .append("rdb_last_save_time:").append(c.engine.stats.startMs / 1000).append("\r\n")
        .append("rdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\n")
        .append("aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n")
        .append("aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n")
        .append("aof_last_bgrewrite_status:ok\r\naof_last_write_status:ok\r\n");
  }

  private static void stats(Call c, StringBuilder sb) {
    io.freshet.engine.Stats st = c.engine.stats;
    sb.append("# Stats\r\n")
        .append("total_connections_received:").append(st.totalConnections).append("\r\n")
        .append("total_commands_processed:").append(st.totalCommands).append("\r\n")
        .append("instantaneous_ops_per_sec:0\r\n")
        .append("total_net_input_bytes:").append(st.netInputBytes).append("\r\n")
        .append("total_net_output_bytes:").append(st.netOutputBytes).append("\r\n")
        .append("rejected_connections:").append(st.rejectedConnections).append("\r\n")
        .append("expired_keys:").append(st.expiredKeys).append("\r\n")
        .append("evicted_keys:0\r\n")
        .append("keyspace_hits:").append(st.keyspaceHits).append("\r\n")
        .append("keyspace_misses:").append(st.keyspaceMisses).append("\r\n")
        .append("pubsub_channels:").append(c.engine.pubSub.channelCount(io.freshet.engine.PubSub.Kind.GLOBAL))
        .append("\r\npubsub_patterns:").append(c.engine.pubSub.patternCount())
        .append("\r\npubsubshard_channels:").append(c.engine.pubSub.channelCount(io.freshet.engine.PubSub.Kind.SHARD))
        .append("\r\n")
        .append("total_error_replies:").append(st.errorReplies).append("\r\n");
  }

  private static void cpu(StringBuilder sb) {
    double cpuSec = 0;
    try {
      cpuSec = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() / 1e9;
    } catch (Throwable t) {
      // not available on this JVM
    }
    sb.append("# CPU\r\n")
        .append("used_cpu_sys:").append(String.format(Locale.ROOT, "%.6f", cpuSec / 2)).append("\r\n")
        .append("used_cpu_user:").append(String.format(Locale.ROOT, "%.6f", cpuSec / 2)).append("\r\n")
        .append("used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n");
  }
}
