package io.freshet.engine;

import io.freshet.engine.protocol.Numbers;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Server parameters: Redis 7.4's whole table ({@code standardConfig static_configs[]} in its
 * config.c) with the same names, aliases, types, defaults, bounds, flags and error texts, plus
 * Freshet's own {@code freshet-*} ones. One declaration per parameter ({@link #declareAll}); the
 * kinds share their parsing and validation, as Redis's config types do.
 *
 * <p>Read and written on the engine thread, except at start-up before the engine runs.
 */
public final class Config {
  /** How a parameter's value is parsed (Redis's config types; SDS configs are STRING here). */
  public enum Kind { BOOL, STRING, ENUM, NUMBER, SPECIAL }

  // Redis's config flags
  static final int IMMUTABLE = 1;
  static final int PROTECTED = 1 << 1;
  static final int HIDDEN = 1 << 2;
  static final int MULTI_ARG = 1 << 3;
  static final int SENSITIVE = 1 << 4;
  // numeric flags: how a number may be written, and whether Redis's C type is unsigned
  static final int MEMORY = 1 << 5;
  static final int PERCENT = 1 << 6;
  static final int OCTAL = 1 << 7;
  static final int UNSIGNED = 1 << 8;
  /** The value is stored but changes nothing in Freshet (see docs/config.md). */
  static final int NO_EFFECT = 1 << 9;

  /** A parameter's value was refused; the message is the text after Redis's "argument '...' - ". */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Validates and canonicalises the arguments of a STRING or SPECIAL parameter. */
  @FunctionalInterface
  interface Parser {
    String parse(String[] args, String current) throws Invalid;
  }

  static final class Param {
    final String name;
    final String alias;
    final Kind kind;
    final int flags;
    final long min;
    final long max;
    final String[] choices;
    final Parser parser;
    final String defaultValue;
    String value;
    /** The value parsed once when set, for NUMBER parameters (commands read these per call). */
    long number;
    final List<Consumer<String>> listeners = new ArrayList<>();

    Param(String name, String alias, Kind kind, int flags, long min, long max, String[] choices, Parser parser,
        String defaultValue) {
      this.name = name;
      this.alias = alias;
      this.kind = kind;
      this.flags = flags;
      this.min = min;
      this.max = max;
      this.choices = choices;
      this.parser = parser;
      this.defaultValue = defaultValue;
    }

    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  /** Redis's CONFIG_MIN_HZ and CONFIG_MAX_HZ. */
  public static final int MIN_HZ = 1;
  public static final int MAX_HZ = 500;
  private static final long INT_MAX = Integer.MAX_VALUE;
  private static final long INT_MIN = Integer.MIN_VALUE;
  private static final long UINT_MAX = 4294967295L;
  private static final long LONG_MAX = Long.MAX_VALUE;
  /** ULLONG_MAX as a long's bits; compared unsigned for UNSIGNED parameters. */
  private static final long ULLONG_MAX = -1L;

  private final Map<String, Param> params = new LinkedHashMap<>();
  /** Lower-case name or alias to parameter. */
  private final Map<String, Param> byName = new LinkedHashMap<>();

  public Config() {
    declareAll();
    for (Param p : params.values()) {
      try {
        store(p, parse(p, p.defaultValue, true));
      } catch (Invalid e) {
        throw new IllegalStateException("bad default for " + p.name + ": " + e.getMessage());
      }
    }
  }

  // ---- the table -----------------------------------------------------------------------------

  private void declareAll() {
    // Bool configs (Redis 7.4 order)
    bool("rdbchecksum", null, IMMUTABLE, "yes");
    bool("daemonize", null, IMMUTABLE | NO_EFFECT, "no");
    bool("io-threads-do-reads", null, IMMUTABLE | NO_EFFECT, "no");
    bool("always-show-logo", null, IMMUTABLE | NO_EFFECT, "no");
    bool("protected-mode", null, NO_EFFECT, "yes");
    bool("rdbcompression", null, 0, "yes");
    bool("rdb-del-sync-files", null, NO_EFFECT, "no");
    bool("activerehashing", null, NO_EFFECT, "yes");
    bool("stop-writes-on-bgsave-error", null, NO_EFFECT, "yes");
    bool("set-proc-title", null, IMMUTABLE | NO_EFFECT, "yes");
    bool("dynamic-hz", null, NO_EFFECT, "yes");
    bool("lazyfree-lazy-eviction", null, 0, "no");
    bool("lazyfree-lazy-expire", null, 0, "no");
    bool("lazyfree-lazy-server-del", null, 0, "no");
    bool("lazyfree-lazy-user-del", null, 0, "no");
    bool("lazyfree-lazy-user-flush", null, 0, "no");
    bool("repl-disable-tcp-nodelay", null, NO_EFFECT, "no");
    bool("repl-diskless-sync", null, NO_EFFECT, "yes");
    bool("aof-rewrite-incremental-fsync", null, NO_EFFECT, "yes");
    bool("no-appendfsync-on-rewrite", null, NO_EFFECT, "no");
    bool("cluster-require-full-coverage", null, NO_EFFECT, "yes");
    bool("rdb-save-incremental-fsync", null, NO_EFFECT, "yes");
    bool("aof-load-truncated", null, 0, "yes");
    bool("aof-use-rdb-preamble", null, 0, "yes");
    bool("aof-timestamp-enabled", null, 0, "no");
    bool("cluster-replica-no-failover", "cluster-slave-no-failover", NO_EFFECT, "no");
    bool("replica-lazy-flush", "slave-lazy-flush", NO_EFFECT, "no");
    bool("replica-serve-stale-data", "slave-serve-stale-data", NO_EFFECT, "yes");
    bool("replica-read-only", "slave-read-only", NO_EFFECT, "yes");
    bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", NO_EFFECT, "yes");
    bool("jemalloc-bg-thread", null, NO_EFFECT, "yes");
    // Freshet has no defragmenter: refused as by a Redis built without one
    add(new Param("activedefrag", null, Kind.BOOL, NO_EFFECT, 0, 0, null, Config::noDefrag, "no"));
    bool("syslog-enabled", null, IMMUTABLE, "no");
    bool("cluster-enabled", null, IMMUTABLE | NO_EFFECT, "no");
    bool("appendonly", null, 0, "yes"); // Freshet: durable by default (Redis: no)
    bool("cluster-allow-reads-when-down", null, NO_EFFECT, "no");
    bool("cluster-allow-pubsubshard-when-down", null, NO_EFFECT, "yes");
    bool("crash-log-enabled", null, NO_EFFECT, "yes");
    bool("crash-memcheck-enabled", null, NO_EFFECT, "yes");
    bool("use-exit-on-panic", null, HIDDEN | NO_EFFECT, "no");
    bool("disable-thp", null, IMMUTABLE | NO_EFFECT, "yes");
    bool("cluster-allow-replica-migration", null, NO_EFFECT, "yes");
    bool("replica-announced", null, NO_EFFECT, "yes");
    bool("latency-tracking", null, 0, "yes");
    bool("aof-disable-auto-gc", null, HIDDEN | NO_EFFECT, "no");
    bool("replica-ignore-disk-write-errors", null, NO_EFFECT, "no");
    bool("hide-user-data-from-log", null, NO_EFFECT, "no");

    // String configs
    string("aclfile", null, IMMUTABLE | NO_EFFECT, "", null);
    string("unixsocket", null, IMMUTABLE | NO_EFFECT, "", null);
    string("pidfile", null, IMMUTABLE | NO_EFFECT, "", null);
    string("replica-announce-ip", "slave-announce-ip", NO_EFFECT, "", null);
    string("masteruser", null, SENSITIVE | NO_EFFECT, "", null);
    string("cluster-announce-ip", null, NO_EFFECT, "", null);
    string("cluster-config-file", null, IMMUTABLE | NO_EFFECT, "nodes.conf", null);
    string("cluster-announce-hostname", null, NO_EFFECT, "", Config::hostname);
    string("cluster-announce-human-nodename", null, NO_EFFECT, "", Config::nodename);
    string("syslog-ident", null, IMMUTABLE, "redis", null);
    string("dbfilename", null, PROTECTED, "dump.rdb", Config::dbFilename);
    string("appendfilename", null, IMMUTABLE, "appendonly.aof", Config::aofFilename);
    string("appenddirname", null, IMMUTABLE, "appendonlydir", Config::aofDirname);
    string("server-cpulist", "server_cpulist", IMMUTABLE | NO_EFFECT, "", null);
    string("bio-cpulist", "bio_cpulist", IMMUTABLE | NO_EFFECT, "", null);
    string("aof-rewrite-cpulist", "aof_rewrite_cpulist", IMMUTABLE | NO_EFFECT, "", null);
    string("bgsave-cpulist", "bgsave_cpulist", IMMUTABLE | NO_EFFECT, "", null);
    string("ignore-warnings", null, NO_EFFECT, "", null);
    string("proc-title-template", null, NO_EFFECT, "{title} {listen-addr} {server-mode}", Config::procTitle);
    string("bind-source-addr", null, NO_EFFECT, "", null);
    string("logfile", null, IMMUTABLE, "", null);
    string("locale-collate", null, NO_EFFECT, "", null);
    string("masterauth", null, SENSITIVE | NO_EFFECT, "", null);
    string("requirepass", null, SENSITIVE, "", null);

    // Enum configs
    choice("supervised", null, IMMUTABLE | NO_EFFECT, "no", "upstart", "systemd", "auto", "no");
    choice("syslog-facility", null, IMMUTABLE, "local0", "user", "local0", "local1", "local2",
        "local3", "local4", "local5", "local6", "local7");
    choice("repl-diskless-load", null, NO_EFFECT, "disabled", "disabled", "on-empty-db", "swapdb");
    choice("loglevel", null, 0, "notice", "debug", "verbose", "notice", "warning", "nothing");
    choice("maxmemory-policy", null, 0, "noeviction", "volatile-lru", "volatile-lfu", "volatile-random",
        "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");
    choice("appendfsync", null, 0, "everysec", "everysec", "always", "no");
    choice("oom-score-adj", null, NO_EFFECT, "no", "no", "yes", "relative", "absolute");
    choice("acl-pubsub-default", null, NO_EFFECT, "resetchannels", "allchannels", "resetchannels");
    choice("sanitize-dump-payload", null, NO_EFFECT, "no", "no", "yes", "clients");
    choice("enable-protected-configs", null, IMMUTABLE, "no", "no", "yes", "local");
    // Freshet: local by default (Redis: no), because tests and tools use DEBUG SLEEP/RELOAD
    choice("enable-debug-command", null, IMMUTABLE, "local", "no", "yes", "local");
    choice("enable-module-command", null, IMMUTABLE | NO_EFFECT, "no", "no", "yes", "local");
    choice("cluster-preferred-endpoint-type", null, NO_EFFECT, "ip", "ip", "hostname", "unknown-endpoint");
    choice("propagation-error-behavior", null, NO_EFFECT, "ignore", "ignore", "panic", "panic-on-replicas");
    special("shutdown-on-sigint", null, MULTI_ARG | NO_EFFECT, "default", Config::shutdownFlags);
    special("shutdown-on-sigterm", null, MULTI_ARG | NO_EFFECT, "default", Config::shutdownFlags);

    // Integer configs
    number("databases", null, IMMUTABLE, 1, INT_MAX, "16");
    number("port", null, 0, 0, 65535, "6379");
    number("io-threads", null, IMMUTABLE | NO_EFFECT, 1, 128, "1");
    number("auto-aof-rewrite-percentage", null, 0, 0, INT_MAX, "100");
    number("cluster-replica-validity-factor", "cluster-slave-validity-factor", NO_EFFECT, 0, INT_MAX, "10");
    number("list-max-listpack-size", "list-max-ziplist-size", NO_EFFECT, INT_MIN, INT_MAX, "-2");
    number("tcp-keepalive", null, NO_EFFECT, 0, INT_MAX, "300");
    number("cluster-migration-barrier", null, NO_EFFECT, 0, INT_MAX, "1");
    number("active-defrag-cycle-min", null, NO_EFFECT, 1, 99, "1");
    number("active-defrag-cycle-max", null, NO_EFFECT, 1, 99, "25");
    number("active-defrag-threshold-lower", null, NO_EFFECT, 0, 1000, "10");
    number("active-defrag-threshold-upper", null, NO_EFFECT, 0, 1000, "100");
    number("lfu-log-factor", null, NO_EFFECT, 0, INT_MAX, "10");
    number("lfu-decay-time", null, NO_EFFECT, 0, INT_MAX, "1");
    number("replica-priority", "slave-priority", NO_EFFECT, 0, INT_MAX, "100");
    number("repl-diskless-sync-delay", null, NO_EFFECT, 0, INT_MAX, "5");
    number("maxmemory-samples", null, NO_EFFECT, 1, 64, "5");
    number("maxmemory-eviction-tenacity", null, NO_EFFECT, 0, 100, "10");
    number("timeout", null, 0, 0, INT_MAX, "0");
    number("replica-announce-port", "slave-announce-port", NO_EFFECT, 0, 65535, "0");
    number("tcp-backlog", null, IMMUTABLE, 0, INT_MAX, "511");
    number("cluster-port", null, IMMUTABLE | NO_EFFECT, 0, 65535, "0");
    number("cluster-announce-bus-port", null, NO_EFFECT, 0, 65535, "0");
    number("cluster-announce-port", null, NO_EFFECT, 0, 65535, "0");
    number("cluster-announce-tls-port", null, NO_EFFECT, 0, 65535, "0");
    number("repl-timeout", null, NO_EFFECT, 1, INT_MAX, "60");
    number("repl-ping-replica-period", "repl-ping-slave-period", NO_EFFECT, 1, INT_MAX, "10");
    number("list-compress-depth", null, NO_EFFECT, 0, INT_MAX, "0");
    number("rdb-key-save-delay", null, HIDDEN | NO_EFFECT, INT_MIN, INT_MAX, "0");
    number("key-load-delay", null, HIDDEN | NO_EFFECT, INT_MIN, INT_MAX, "0");
    number("active-expire-effort", null, NO_EFFECT, 1, 10, "1");
    number("hz", null, 0, 0, INT_MAX, "10");
    number("min-replicas-to-write", "min-slaves-to-write", NO_EFFECT, 0, INT_MAX, "0");
    number("min-replicas-max-lag", "min-slaves-max-lag", NO_EFFECT, 0, INT_MAX, "10");
    number("watchdog-period", null, HIDDEN | NO_EFFECT, 0, INT_MAX, "0");
    number("shutdown-timeout", null, NO_EFFECT, 0, INT_MAX, "10");
    number("repl-diskless-sync-max-replicas", null, NO_EFFECT, 0, INT_MAX, "0");

    // Unsigned int configs
    number("maxclients", null, UNSIGNED, 1, UINT_MAX, "10000");
    number("unixsocketperm", null, IMMUTABLE | UNSIGNED | OCTAL | NO_EFFECT, 0, 0777, "0");
    number("socket-mark-id", null, IMMUTABLE | UNSIGNED | NO_EFFECT, 0, UINT_MAX, "0");
    number("max-new-connections-per-cycle", null, UNSIGNED | NO_EFFECT, 1, 1000, "10");
    number("max-new-tls-connections-per-cycle", null, UNSIGNED | NO_EFFECT, 1, 1000, "1");

    // Unsigned long configs (Redis checks these as signed: LONG_MAX bounds)
    number("active-defrag-max-scan-fields", null, NO_EFFECT, 1, LONG_MAX, "1000");
    number("slowlog-max-len", null, NO_EFFECT, 0, LONG_MAX, "128");
    number("acllog-max-len", null, NO_EFFECT, 0, LONG_MAX, "128");

    // Long long configs
    number("busy-reply-threshold", "lua-time-limit", 0, 0, LONG_MAX, "5000");
    number("cluster-node-timeout", null, NO_EFFECT, 0, LONG_MAX, "15000");
    number("cluster-ping-interval", null, HIDDEN | NO_EFFECT, 0, LONG_MAX, "0");
    number("slowlog-log-slower-than", null, NO_EFFECT, -1, LONG_MAX, "10000");
    number("latency-monitor-threshold", null, NO_EFFECT, 0, LONG_MAX, "0");
    number("proto-max-bulk-len", null, MEMORY, 1024 * 1024, LONG_MAX, "536870912");
    number("stream-node-max-entries", null, 0, 0, LONG_MAX, "100");
    number("repl-backlog-size", null, MEMORY | NO_EFFECT, 1, LONG_MAX, "1048576");

    // Unsigned long long configs
    number("maxmemory", null, MEMORY | UNSIGNED | NO_EFFECT, 0, ULLONG_MAX, "0");
    number("cluster-link-sendbuf-limit", null, MEMORY | UNSIGNED | NO_EFFECT, 0, ULLONG_MAX, "0");

    // Size_t configs
    number("hash-max-listpack-entries", "hash-max-ziplist-entries", UNSIGNED, 0, LONG_MAX, "512");
    number("set-max-intset-entries", null, UNSIGNED, 0, LONG_MAX, "512");
    number("set-max-listpack-entries", null, UNSIGNED, 0, LONG_MAX, "128");
    number("set-max-listpack-value", null, UNSIGNED, 0, LONG_MAX, "64");
    number("zset-max-listpack-entries", "zset-max-ziplist-entries", UNSIGNED | NO_EFFECT, 0, LONG_MAX, "128");
    number("active-defrag-ignore-bytes", null, MEMORY | UNSIGNED | NO_EFFECT, 1, LONG_MAX, "104857600");
    number("hash-max-listpack-value", "hash-max-ziplist-value", MEMORY | UNSIGNED, 0, LONG_MAX, "64");
    number("stream-node-max-bytes", null, MEMORY | UNSIGNED, 0, LONG_MAX, "4096");
    number("zset-max-listpack-value", "zset-max-ziplist-value", MEMORY | UNSIGNED | NO_EFFECT, 0, LONG_MAX, "64");
    number("hll-sparse-max-bytes", null, MEMORY | UNSIGNED | NO_EFFECT, 0, LONG_MAX, "3000");
    number("tracking-table-max-keys", null, UNSIGNED | NO_EFFECT, 0, LONG_MAX, "1000000");
    number("client-query-buffer-limit", null, MEMORY | UNSIGNED, 1024 * 1024, LONG_MAX, "1073741824");
    number("maxmemory-clients", null, MEMORY | PERCENT | NO_EFFECT, -100, LONG_MAX, "0");

    // Other configs
    number("repl-backlog-ttl", null, NO_EFFECT, 0, LONG_MAX, "3600");
    number("auto-aof-rewrite-min-size", null, MEMORY, 0, LONG_MAX, "67108864");
    number("loading-process-events-interval-bytes", null, HIDDEN | NO_EFFECT, 1024, INT_MAX, "2097152");

    number("tls-port", null, NO_EFFECT, 0, 65535, "0");
    number("tls-session-cache-size", null, NO_EFFECT, 0, INT_MAX, "20480");
    number("tls-session-cache-timeout", null, NO_EFFECT, 0, INT_MAX, "300");
    bool("tls-cluster", null, NO_EFFECT, "no");
    bool("tls-replication", null, NO_EFFECT, "no");
    choice("tls-auth-clients", null, NO_EFFECT, "yes", "no", "yes", "optional");
    bool("tls-prefer-server-ciphers", null, NO_EFFECT, "no");
    bool("tls-session-caching", null, NO_EFFECT, "yes");
    for (String tls : new String[] {"tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
        "tls-client-key-file", "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file",
        "tls-ca-cert-dir", "tls-protocols", "tls-ciphers", "tls-ciphersuites"}) {
      string(tls, null, (tls.endsWith("-pass") ? SENSITIVE : 0) | NO_EFFECT, "", null);
    }

    // Special configs
    special("dir", null, PROTECTED, "./data", Config::dir); // Freshet: ./data (Redis: the working directory)
    special("save", null, MULTI_ARG, "3600 1 300 100 60 10000", Config::save);
    special("client-output-buffer-limit", null, MULTI_ARG | NO_EFFECT,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", Config::outputBufferLimit);
    special("oom-score-adj-values", null, MULTI_ARG | NO_EFFECT, "0 200 800", Config::oomScoreAdjValues);
    special("notify-keyspace-events", null, NO_EFFECT, "", Config::keyspaceEvents);
    special("bind", null, MULTI_ARG, "127.0.0.1 -::1", Config::bind); // Freshet: redis.conf's, not "* -::*"
    special("replicaof", "slaveof", IMMUTABLE | MULTI_ARG | NO_EFFECT, "", Config::replicaOf);
    special("latency-tracking-info-percentiles", null, MULTI_ARG, "50 99 99.9", Config::percentiles);

    // Freshet's own
    // RDB version of snapshots and DUMP (11 as Redis 7.2-7.4 write; 10 for Redis 7.0)
    number("freshet-rdb-version", null, 0, 10, 11, "11");
    // redis.call through the native bridge when it was built (no: luajava's generic path)
    bool("freshet-lua-native-bridge", null, IMMUTABLE, "yes");
    number("freshet-client-output-hard-limit", null, MEMORY | UNSIGNED, 0, LONG_MAX, "1073741824");
    // how long the event loop polls for more requests before it sleeps (0: never polls)
    number("freshet-busy-poll-us", null, 0, 0, 10_000, "100");
    // Redis 8.6: IDMP retention a stream starts with (XCFGSET changes a stream's own)
    number("stream-idmp-duration", null, 0, 1, 86_400, "100");
    number("stream-idmp-maxsize", null, 0, 1, 10_000, "100");
  }

  private void add(Param p) {
    params.put(p.name, p);
    byName.put(p.name, p);
    if (p.alias != null) {
      byName.put(p.alias, p);
    }
  }

  private void bool(String name, String alias, int flags, String def) {
    add(new Param(name, alias, Kind.BOOL, flags, 0, 0, null, null, def));
  }

  private void string(String name, String alias, int flags, String def, Parser check) {
    add(new Param(name, alias, Kind.STRING, flags, 0, 0, null, check, def));
  }

  private void choice(String name, String alias, int flags, String def, String... choices) {
    add(new Param(name, alias, Kind.ENUM, flags, 0, 0, choices, null, def));
  }

  private void number(String name, String alias, int flags, long min, long max, String def) {
    add(new Param(name, alias, Kind.NUMBER, flags, min, max, null, null, def));
  }

  private void special(String name, String alias, int flags, String def, Parser parser) {
    add(new Param(name, alias, Kind.SPECIAL, flags, 0, 0, null, parser, def));
  }

  // ---- lookups -------------------------------------------------------------------------------

  private Param param(String name) {
    return byName.get(name.toLowerCase(Locale.ROOT));
  }

  private Param required(String name) {
    Param p = param(name);
    if (p == null) {
      throw new IllegalArgumentException("no such parameter: " + name);
    }
    return p;
  }

  public boolean exists(String name) {
    return param(name) != null;
  }

  /** The parameter's own name for a name or alias (any case). */
  public String canonicalName(String name) {
    return required(name).name;
  }

  public boolean isMutable(String name) {
    return !required(name).has(IMMUTABLE);
  }

  public boolean isProtected(String name) {
    return required(name).has(PROTECTED);
  }

  /** Whether the value takes several arguments on a config-file line (save, bind, ...). */
  public boolean isMultiArg(String name) {
    return required(name).has(MULTI_ARG);
  }

  /** Whether Freshet does anything with the value (docs/config.md lists the others). */
  public boolean hasEffect(String name) {
    return !required(name).has(NO_EFFECT);
  }

  public boolean isHidden(String name) {
    return required(name).has(HIDDEN);
  }

  public String kind(String name) {
    return required(name).kind.name().toLowerCase(Locale.ROOT);
  }

  public String alias(String name) {
    return required(name).alias;
  }

  public String defaultValue(String name) {
    return required(name).defaultValue;
  }

  /** Every parameter's name, in declaration order (no aliases). */
  public List<String> names() {
    return List.copyOf(params.keySet());
  }

  public String get(String name) {
    return required(name).value;
  }

  public long getLong(String name) {
    return required(name).number;
  }

  public int getInt(String name) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, getLong(name)));
  }

  public boolean getBool(String name) {
    return "yes".equals(required(name).value);
  }

  /** Runs {@code listener} now and after every change of the parameter. */
  public void onChange(String name, Consumer<String> listener) {
    Param p = required(name);
    p.listeners.add(listener);
    listener.accept(p.value);
  }

  // ---- setting -------------------------------------------------------------------------------

  /**
   * Validates and sets a parameter, returning null or the reason it is rejected (the text after
   * Redis's "argument '...' - "); "unknown" for a name that is no parameter. At start-up
   * immutable parameters may be set and a multi-argument value is split at runs of blanks, as
   * Redis splits a config-file argument; otherwise it is split at each space, as CONFIG SET does.
   */
  public String set(String name, String value, boolean atStartup) {
    Param p = param(name);
    if (p == null) {
      return "unknown";
    }
    if (p.has(IMMUTABLE) && !atStartup) {
      return "can't set immutable config";
    }
    String normalized;
    try {
      normalized = parse(p, value, atStartup);
    } catch (Invalid e) {
      return e.getMessage();
    }
    store(p, normalized);
    notifyListeners(p);
    return null;
  }

  /** One name/value pair of a CONFIG SET. */
  public record Change(String name, String value) {}

  /**
   * CONFIG SET with Redis's order of checks and its atomicity: unknown names, immutable or
   * protected parameters and duplicates are refused before anything changes; then every value is
   * parsed and stored, and only when all are good do listeners run. Returns null or the whole
   * error reply.
   */
  public String setAll(List<Change> changes, boolean protectedAllowed) {
    List<Param> found = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Change c : changes) {
      Param p = param(c.name());
      if (p == null) {
        return Errors.configSetUnknown(c.name());
      }
      if (p.has(IMMUTABLE)) {
        return Errors.configSetFailed(c.name(), "can't set immutable config");
      }
      if (p.has(PROTECTED) && !protectedAllowed) {
        return Errors.configSetFailed(c.name(), "can't set protected config");
      }
      // a name and its alias are separate table entries in Redis: only the same name is a duplicate
      String lower = c.name().toLowerCase(Locale.ROOT);
      if (seen.contains(lower)) {
        return Errors.configSetFailed(c.name(), "duplicate parameter");
      }
      seen.add(lower);
      found.add(p);
    }
    String[] before = new String[found.size()];
    for (int i = 0; i < found.size(); i++) {
      before[i] = found.get(i).value;
    }
    for (int i = 0; i < found.size(); i++) {
      Param p = found.get(i);
      try {
        store(p, parse(p, changes.get(i).value(), false));
      } catch (Invalid e) {
        for (int j = i; j >= 0; j--) {
          store(found.get(j), before[j]);
        }
        return Errors.configSetFailed(p.name, e.getMessage());
      }
    }
    for (int i = 0; i < found.size(); i++) {
      if (!found.get(i).value.equals(before[i]) && found.indexOf(found.get(i)) == i) {
        notifyListeners(found.get(i));
      }
    }
    return null;
  }

  /** Whether CONFIG SET may change protected parameters (dir, dbfilename) for this client. */
  public boolean protectedConfigsAllowed(boolean localClient) {
    String mode = get("enable-protected-configs");
    return mode.equals("yes") || (mode.equals("local") && localClient);
  }

  private void store(Param p, String normalized) {
    p.value = normalized;
    if (p.kind == Kind.NUMBER) {
      if (p.has(PERCENT) && normalized.endsWith("%")) {
        p.number = -Long.parseLong(normalized.substring(0, normalized.length() - 1));
      } else if (p.has(OCTAL)) {
        p.number = Long.parseLong(normalized, 8);
      } else if (normalized.startsWith("-")) {
        p.number = Long.parseLong(normalized);
      } else {
        p.number = Long.parseUnsignedLong(normalized);
      }
    }
  }

  private static void notifyListeners(Param p) {
    for (Consumer<String> l : p.listeners) {
      l.accept(p.value);
    }
  }

  /** Parses a value as the parameter's kind, returning the canonical form CONFIG GET shows. */
  private static String parse(Param p, String value, boolean fromFile) throws Invalid {
    return switch (p.kind) {
      case BOOL -> {
        String v = parseBool(value);
        if (p.parser != null) {
          p.parser.parse(new String[] {v}, p.value);
        }
        yield v;
      }
      case ENUM -> parseEnum(p, value);
      case NUMBER -> parseNumber(p, value);
      case STRING -> {
        if (p.parser != null) {
          p.parser.parse(new String[] {value}, p.value);
        }
        yield value;
      }
      case SPECIAL -> {
        if (p.name.equals("dir") && !fromFile) {
          // Redis chdirs at once; Freshet creates its data directory at start-up instead
          String error = checkDirectory(value);
          if (error != null) {
            throw new Invalid(error);
          }
        }
        yield p.parser.parse(p.has(MULTI_ARG) ? splitArgs(value, fromFile) : new String[] {value}, p.value);
      }
    };
  }

  private static String[] splitArgs(String value, boolean fromFile) {
    if (value.isEmpty()) {
      return new String[] {""};
    }
    if (fromFile) {
      String trimmed = value.strip();
      return trimmed.isEmpty() ? new String[] {""} : trimmed.split("\\s+");
    }
    return value.split(" ", -1);
  }

  private static String parseBool(String value) throws Invalid {
    if (value.equalsIgnoreCase("yes")) {
      return "yes";
    }
    if (value.equalsIgnoreCase("no")) {
      return "no";
    }
    throw new Invalid("argument must be 'yes' or 'no'");
  }

  private static String parseEnum(Param p, String value) throws Invalid {
    for (String c : p.choices) {
      if (c.equalsIgnoreCase(value)) {
        return c;
      }
    }
    throw new Invalid("argument(s) must be one of the following: " + String.join(", ", p.choices));
  }

  /** Redis's numericParseString and numericBoundaryCheck. */
  private static String parseNumber(Param p, String value) throws Invalid {
    long v;
    boolean percent = false;
    Long memory = p.has(MEMORY) ? memtoull(value) : null;
    Long plain = (p.flags & (MEMORY | PERCENT | OCTAL)) == 0 ? Numbers.parseLong(ascii(value)) : null;
    if (memory != null) {
      v = memory;
    } else if (p.has(PERCENT) && value.length() > 1 && value.endsWith("%")
        && Numbers.parseLong(ascii(value.substring(0, value.length() - 1))) != null
        && Numbers.parseLong(ascii(value.substring(0, value.length() - 1))) >= 0) {
      v = -Numbers.parseLong(ascii(value.substring(0, value.length() - 1)));
      percent = true;
    } else if (p.has(OCTAL) && value.matches("[+-]?[0-7]+")) {
      try {
        v = Long.parseLong(value, 8);
      } catch (NumberFormatException e) {
        throw new Invalid("argument couldn't be parsed as an octal number");
      }
    } else if (plain != null) {
      v = plain;
    } else if (p.has(MEMORY) && p.has(PERCENT)) {
      throw new Invalid("argument must be a memory or percent value");
    } else if (p.has(MEMORY)) {
      throw new Invalid("argument must be a memory value");
    } else if (p.has(OCTAL)) {
      throw new Invalid("argument couldn't be parsed as an octal number");
    } else {
      throw new Invalid("argument couldn't be parsed into an integer");
    }
    if (p.has(UNSIGNED)) {
      if (Long.compareUnsigned(v, p.max) > 0 || Long.compareUnsigned(v, p.min) < 0) {
        String range = p.has(OCTAL)
            ? Long.toOctalString(p.min) + " and " + Long.toOctalString(p.max)
            : Long.toUnsignedString(p.min) + " and " + Long.toUnsignedString(p.max);
        throw new Invalid("argument must be between " + range + " inclusive");
      }
    } else if (p.has(PERCENT) && v < 0) {
      if (v < p.min) {
        throw new Invalid("percentage argument must be less or equal to " + -p.min);
      }
    } else if (v > p.max || v < p.min) {
      throw new Invalid("argument must be between " + p.min + " and " + p.max + " inclusive");
    }
    if (percent) {
      return -v + "%";
    }
    if (p.name.equals("hz")) {
      // Redis's updateHZ: any value is accepted as a hint and capped to 1..500
      v = Math.max(MIN_HZ, Math.min(MAX_HZ, v));
    }
    if (p.has(OCTAL)) {
      return Long.toOctalString(v);
    }
    return p.has(UNSIGNED) || p.has(MEMORY) ? Long.toUnsignedString(v) : Long.toString(v);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static final BigInteger ULLONG = BigInteger.ONE.shiftLeft(64);

  /**
   * Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb suffix (any case); null if
   * invalid. Overflow wraps as in C (strtoull saturates, the multiplication wraps).
   */
  static Long memtoull(String s) {
    if (s.startsWith("-")) {
      return null;
    }
    int u = 0;
    while (u < s.length() && Character.isDigit(s.charAt(u)) && s.charAt(u) < 128) {
      u++;
    }
    String unit = s.substring(u).toLowerCase(Locale.ROOT);
    long mul = switch (unit) {
      case "", "b" -> 1;
      case "k" -> 1000;
      case "kb" -> 1024;
      case "m" -> 1000 * 1000;
      case "mb" -> 1024 * 1024;
      case "g" -> 1000L * 1000 * 1000;
      case "gb" -> 1024L * 1024 * 1024;
      default -> 0;
    };
    if (mul == 0 || u >= 128) {
      return null;
    }
    BigInteger digits = u == 0 ? BigInteger.ZERO : new BigInteger(s.substring(0, u));
    if (digits.compareTo(ULLONG) >= 0) {
      digits = ULLONG.subtract(BigInteger.ONE);
    }
    return digits.multiply(BigInteger.valueOf(mul)).mod(ULLONG).longValue();
  }

  /** Redis's memtoull for callers outside the table: -1 if invalid or past Long.MAX_VALUE. */
  public static long parseMemory(String s) {
    Long v = memtoull(s.trim());
    return v == null || v < 0 ? -1 : v;
  }

  // ---- special parameters and string checks (Redis's set*Option and isValid* functions) -----

  private static String noDefrag(String[] args, String current) throws Invalid {
    if (args[0].equals("yes")) {
      throw new Invalid("Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
          + "modified Jemalloc like the one shipped by default with the Redis source distribution");
    }
    return args[0];
  }

  private static String dbFilename(String[] args, String current) throws Invalid {
    if (!isBaseName(args[0])) {
      throw new Invalid("dbfilename can't be a path, just a filename");
    }
    return args[0];
  }

  private static String aofFilename(String[] args, String current) throws Invalid {
    if (args[0].isEmpty()) {
      throw new Invalid("appendfilename can't be empty");
    }
    if (!isBaseName(args[0])) {
      throw new Invalid("appendfilename can't be a path, just a filename");
    }
    return args[0];
  }

  private static String aofDirname(String[] args, String current) throws Invalid {
    if (args[0].isEmpty()) {
      throw new Invalid("appenddirname can't be empty");
    }
    if (!isBaseName(args[0])) {
      throw new Invalid("appenddirname can't be a path, just a dirname");
    }
    return args[0];
  }

  private static boolean isBaseName(String path) {
    return path.indexOf('/') < 0;
  }

  private static String hostname(String[] args, String current) throws Invalid {
    String v = args[0];
    if (v.length() >= 256) {
      throw new Invalid("Hostnames must be less than 256 characters");
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
        throw new Invalid("Hostnames may only contain alphanumeric characters, hyphens or dots");
      }
    }
    return v;
  }

  private static String nodename(String[] args, String current) throws Invalid {
    for (int i = 0; i < args[0].length(); i++) {
      char c = args[0].charAt(i);
      // Redis's isValidAuxChar: alphanumerics and !#$%&()*+:;<>?@[]^{|}~
      if (!(Character.isLetterOrDigit(c) && c < 128) && "!#$%&()*+:;<>?@[]^{|}~".indexOf(c) < 0) {
        throw new Invalid("Announced human node name contained invalid character");
      }
    }
    return args[0];
  }

  /** Redis's validateProcTitleTemplate: known {variables} and a non-empty expansion. */
  private static String procTitle(String[] args, String current) throws Invalid {
    String t = args[0];
    StringBuilder expanded = new StringBuilder();
    int i = 0;
    while (i < t.length()) {
      int open = t.indexOf('{', i);
      if (open < 0) {
        expanded.append(t, i, t.length());
        break;
      }
      expanded.append(t, i, open);
      if (open + 1 >= t.length()) {
        throw new Invalid("template format is invalid or contains unknown variables");
      }
      if (t.charAt(open + 1) == '{') {
        expanded.append('{');
        i = open + 2;
        continue;
      }
      int close = t.indexOf('}', open + 1);
      if (close < 0) {
        throw new Invalid("template format is invalid or contains unknown variables");
      }
      switch (t.substring(open + 1, close)) {
        case "title", "server-mode", "unixsocket" -> { } // empty when validated
        case "listen-addr", "config-file", "port", "tls-port" -> expanded.append('x');
        default -> throw new Invalid("template format is invalid or contains unknown variables");
      }
      i = close + 1;
    }
    if (expanded.length() == 0) {
      throw new Invalid("template format is invalid or contains unknown variables");
    }
    return t;
  }

  private static String dir(String[] args, String current) throws Invalid {
    return args[0];
  }

  /** Whether {@code dir} can become the data directory now (Redis's chdir), or strerror's text. */
  public static String checkDirectory(String dir) {
    Path p = Path.of(dir);
    if (!Files.exists(p)) {
      return "No such file or directory";
    }
    if (!Files.isDirectory(p)) {
      return "Not a directory";
    }
    return null;
  }

  private static String save(String[] args, String current) throws Invalid {
    if (args.length == 1 && args[0].isEmpty()) {
      return "";
    }
    if (args.length % 2 != 0) {
      throw new Invalid("Invalid save parameters");
    }
    List<String> out = new ArrayList<>();
    for (int j = 0; j < args.length; j++) {
      Long v = strtoll(args[j]);
      if (v == null || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) {
        throw new Invalid("Invalid save parameters");
      }
      // changes is an int in Redis
      out.add(Long.toString(j % 2 == 1 ? (int) (long) v : v));
    }
    return String.join(" ", out);
  }

  /** C's strtoll(s, &end, 10) with *end == '\0' required: leading blanks and a sign allowed. */
  private static Long strtoll(String s) {
    String t = s.stripLeading();
    if (t.isEmpty()) {
      return 0L; // strtoll("") converts nothing and leaves end at the terminator
    }
    if (!t.matches("[+-]?[0-9]+")) {
      return null;
    }
    try {
      return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
    } catch (NumberFormatException e) {
      return t.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static final String[] BUFFER_CLASSES = {"normal", "slave", "pubsub"};

  private static String outputBufferLimit(String[] args, String current) throws Invalid {
    if (args.length % 4 != 0) {
      throw new Invalid("Wrong number of arguments in buffer limit configuration.");
    }
    // classes not named keep their limits (Redis's defaults before anything was set)
    String[] cur = (current == null ? "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        : current).split(" ");
    String[][] values = new String[3][];
    for (int c = 0; c < 3; c++) {
      values[c] = new String[] {cur[c * 4 + 1], cur[c * 4 + 2], cur[c * 4 + 3]};
    }
    for (int j = 0; j < args.length; j += 4) {
      int cls = switch (args[j].toLowerCase(Locale.ROOT)) {
        case "normal" -> 0;
        case "slave", "replica" -> 1;
        case "pubsub" -> 2;
        default -> -1;
      };
      if (cls < 0) {
        throw new Invalid("Invalid client class specified in buffer limit configuration.");
      }
      Long hard = memtoull(args[j + 1]);
      Long soft = memtoull(args[j + 2]);
      Long seconds = strtoll(args[j + 3]);
      if (hard == null || soft == null || seconds == null || seconds < 0) {
        throw new Invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
      }
      values[cls] = new String[] {Long.toUnsignedString(hard), Long.toUnsignedString(soft), seconds.toString()};
    }
    List<String> out = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      out.add(BUFFER_CLASSES[c]);
      Collections.addAll(out, values[c]);
    }
    return String.join(" ", out);
  }

  private static String oomScoreAdjValues(String[] args, String current) throws Invalid {
    if (args.length != 3) {
      throw new Invalid("wrong number of arguments");
    }
    List<String> out = new ArrayList<>();
    for (String a : args) {
      Long v = strtoll(a);
      if (v == null || v < -2000 || v > 2000) {
        throw new Invalid("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
      }
      out.add(v.toString());
    }
    return String.join(" ", out);
  }

  private static final String EVENT_CLASSES = "g$lshzxetdn";

  /** Redis's keyspaceEventsStringToFlags, then keyspaceEventsFlagsToString. */
  private static String keyspaceEvents(String[] args, String current) throws Invalid {
    boolean all = false;
    boolean keyspace = false;
    boolean keyevent = false;
    boolean miss = false;
    StringBuilder classes = new StringBuilder();
    for (char c : args[0].toCharArray()) {
      if (c == 'A') {
        all = true;
      } else if (c == 'K') {
        keyspace = true;
      } else if (c == 'E') {
        keyevent = true;
      } else if (c == 'm') {
        miss = true;
      } else if (EVENT_CLASSES.indexOf(c) >= 0) {
        classes.append(c);
      } else {
        throw new Invalid("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
      }
    }
    StringBuilder out = new StringBuilder();
    if (all || containsAll(classes, "g$lshzxetd")) {
      out.append('A'); // n is not part of A and, as in Redis, is then not shown
    } else {
      for (char c : EVENT_CLASSES.toCharArray()) {
        if (classes.indexOf(String.valueOf(c)) >= 0) {
          out.append(c);
        }
      }
    }
    if (keyspace) {
      out.append('K');
    }
    if (keyevent) {
      out.append('E');
    }
    if (miss) {
      out.append('m');
    }
    return out.toString();
  }

  private static boolean containsAll(CharSequence have, String want) {
    for (char c : want.toCharArray()) {
      if (have.toString().indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String bind(String[] args, String current) throws Invalid {
    if (args.length > 16) {
      throw new Invalid("Too many bind addresses specified.");
    }
    if (args.length == 1 && args[0].isEmpty()) {
      return "";
    }
    return String.join(" ", args);
  }

  private static String replicaOf(String[] args, String current) throws Invalid {
    if (args.length == 1 && args[0].isEmpty()) {
      return "";
    }
    if (args.length != 2) {
      throw new Invalid("wrong number of arguments");
    }
    if (args[0].equalsIgnoreCase("no") && args[1].equalsIgnoreCase("one")) {
      return "";
    }
    Long port = strtoll(args[1]);
    if (port == null || port < 0 || port > 65535) {
      throw new Invalid("Invalid master port");
    }
    return args[0] + " " + port;
  }

  private static String percentiles(String[] args, String current) throws Invalid {
    if (args.length == 1 && args[0].isEmpty()) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (String a : args) {
      Double d = Numbers.parseDouble(ascii(a));
      if (d == null || d.isNaN()) {
        throw new Invalid("Invalid latency-tracking-info-percentiles parameters");
      }
      if (d > 100.0 || d < 0.0) {
        throw new Invalid("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      }
      out.add(trimDouble(d));
    }
    return String.join(" ", out);
  }

  /** %f with trailing zeros (and a trailing point) removed, as Redis's trimDoubleString. */
  public static String trimDouble(double d) {
    String s = String.format(Locale.ROOT, "%f", d);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "");
      if (s.endsWith(".")) {
        s = s.substring(0, s.length() - 1);
      }
    }
    return s;
  }

  /** shutdown-on-sig*: a set of flags, named as Redis's configEnumGetName prints them. */
  private static String shutdownFlags(String[] args, String current) throws Invalid {
    String[] names = {"default", "save", "nosave", "now", "force"};
    int flags = 0;
    for (String a : args) {
      int matched = -1;
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(a)) {
          matched = i;
        }
      }
      if (matched < 0) {
        throw new Invalid("argument(s) must be one of the following: default, save, nosave, now, force");
      }
      flags |= matched == 0 ? 0 : 1 << (matched - 1);
    }
    if ((flags & 1) != 0 && (flags & 2) != 0) {
      throw new Invalid("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    if (flags == 0) {
      return "default";
    }
    List<String> out = new ArrayList<>();
    for (int i = 1; i < names.length; i++) {
      if ((flags & (1 << (i - 1))) != 0) {
        out.add(names[i]);
      }
    }
    return String.join(" ", out);
  }

  // ---- listing -------------------------------------------------------------------------------

  /**
   * CONFIG GET for one pattern: an exact name (or alias) as typed, or every parameter and alias
   * the glob matches (case-insensitively), hidden ones only by exact name.
   */
  public List<String[]> matching(String pattern) {
    List<String[]> out = new ArrayList<>();
    if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
      Param p = param(pattern);
      if (p != null) {
        out.add(new String[] {pattern, shown(p)});
      }
      return out;
    }
    byte[] pat = pattern.getBytes(StandardCharsets.UTF_8);
    for (Map.Entry<String, Param> e : byName.entrySet()) {
      if (!e.getValue().has(HIDDEN)
          && Glob.matches(pat, e.getKey().getBytes(StandardCharsets.UTF_8), true)) {
        out.add(new String[] {e.getKey(), shown(e.getValue())});
      }
    }
    return out;
  }

  /** The value as CONFIG GET shows it (dir as an absolute path, as Redis's getcwd). */
  private static String shown(Param p) {
    if (p.name.equals("dir")) {
      return Path.of(p.value).toAbsolutePath().normalize().toString();
    }
    return p.value;
  }

  /** Every parameter and its value, in declaration order (for CONFIG REWRITE). */
  public Map<String, String> snapshot() {
    Map<String, String> out = new LinkedHashMap<>();
    params.values().forEach(p -> out.put(p.name, p.value));
    return out;
  }
}
