package io.freshet.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Server parameters with Redis's names, defaults, value syntax and CONFIG SET error texts.
 * Read and written on the engine thread, except at start-up before the engine runs.
 */
public final class Config {
  enum Kind { INT, MEMORY, BOOL, ENUM, STRING, SPECIAL }

  static final class Param {
    final String name;
    final Kind kind;
    final boolean mutable;
    final long min;
    final long max;
    final String[] choices;
    String value;
    /** The value parsed once when set, for the numeric kinds (commands read these per call). */
    long number;
    final List<Consumer<String>> listeners = new ArrayList<>();

    Param(String name, Kind kind, boolean mutable, long min, long max, String[] choices, String value) {
      this.name = name;
      this.kind = kind;
      this.mutable = mutable;
      this.min = min;
      this.max = max;
      this.choices = choices;
      this.value = value;
      this.number = parseNumber(kind, value);
    }
  }

  private static long parseNumber(Kind kind, String value) {
    if (kind != Kind.INT && kind != Kind.MEMORY) {
      return 0;
    }
    return kind == Kind.MEMORY ? parseMemory(value) : Long.parseLong(value);
  }

  private final Map<String, Param> params = new LinkedHashMap<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();

  public Config() {
    intParam("port", true, 0, 65535, "6379");
    string("bind", true, "127.0.0.1 -::1");
    string("dir", true, "./data");
    string("requirepass", true, "");
    bool("appendonly", true, "yes");
    choice("appendfsync", true, "everysec", "everysec", "always", "no");
    // Freshet: RDB version of snapshots and DUMP (11 as Redis 7.2-7.4 write; 10 for Redis 7.0).
    intParam("freshet-rdb-version", true, 10, 11, "11");
    // Freshet: redis.call through the native bridge when it was built (no: luajava's generic path).
    bool("freshet-lua-native-bridge", false, "yes");
    choice("enable-debug-command", false, "local", "yes", "no", "local");
    string("appendfilename", false, "appendonly.aof");
    string("appenddirname", false, "appendonlydir");
    string("dbfilename", true, "dump.rdb");
    special("save", true, "3600 1 300 100 60 10000");
    intParam("maxclients", true, 1, 4294967295L, "10000");
    intParam("timeout", true, 0, Integer.MAX_VALUE, "0");
    intParam("databases", false, 1, Integer.MAX_VALUE, "16");
    memory("proto-max-bulk-len", true, 1024 * 1024, Long.MAX_VALUE, "536870912");
    memory("client-query-buffer-limit", true, 1024 * 1024, Long.MAX_VALUE, "1073741824");
    special("client-output-buffer-limit", true, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    memory("freshet-client-output-hard-limit", true, 0, Long.MAX_VALUE, "1073741824");
    // Freshet: how long the event loop polls for more requests before it sleeps (0: never polls)
    intParam("freshet-busy-poll-us", true, 0, 10_000, "100");
    intParam("hz", true, 0, Integer.MAX_VALUE, "10");
    intParam("io-threads", false, 1, 128, "1");
    intParam("tcp-backlog", false, 0, Integer.MAX_VALUE, "511");
    intParam("tcp-keepalive", true, 0, Integer.MAX_VALUE, "300");
    memory("maxmemory", true, 0, Long.MAX_VALUE, "0");
    choice("maxmemory-policy", true, "noeviction", "volatile-lru", "volatile-lfu", "volatile-random",
        "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");
    choice("loglevel", true, "notice", "debug", "verbose", "notice", "warning", "nothing");
    string("logfile", false, "");
    bool("daemonize", false, "no");
    bool("protected-mode", true, "yes");
    intParam("busy-reply-threshold", true, 0, Long.MAX_VALUE, "5000");
    alias("lua-time-limit", "busy-reply-threshold");
    intParam("list-max-listpack-size", true, Integer.MIN_VALUE, Integer.MAX_VALUE, "-2");
    alias("list-max-ziplist-size", "list-max-listpack-size");
    intParam("hash-max-listpack-entries", true, 0, Long.MAX_VALUE, "128");
    alias("hash-max-ziplist-entries", "hash-max-listpack-entries");
    intParam("hash-max-listpack-value", true, 0, Long.MAX_VALUE, "64");
    alias("hash-max-ziplist-value", "hash-max-listpack-value");
    intParam("set-max-intset-entries", true, 0, Long.MAX_VALUE, "512");
    intParam("set-max-listpack-entries", true, 0, Long.MAX_VALUE, "128");
    intParam("set-max-listpack-value", true, 0, Long.MAX_VALUE, "64");
    intParam("stream-node-max-entries", true, 0, Long.MAX_VALUE, "100");
    memory("stream-node-max-bytes", true, 0, Long.MAX_VALUE, "4096");
    // Redis 8.6: IDMP retention a stream starts with (XCFGSET changes a stream's own)
    intParam("stream-idmp-duration", true, 1, 86_400, "100");
    intParam("stream-idmp-maxsize", true, 1, 10_000, "100");
    bool("aof-load-truncated", true, "yes");
    intParam("auto-aof-rewrite-percentage", true, 0, Integer.MAX_VALUE, "100");
    memory("auto-aof-rewrite-min-size", true, 0, Long.MAX_VALUE, "67108864");
    bool("activerehashing", true, "yes");
    bool("lazyfree-lazy-user-del", true, "no");
    intParam("maxmemory-samples", true, 1, 64, "5");
    intParam("slowlog-log-slower-than", true, -1, Long.MAX_VALUE, "10000");
    intParam("slowlog-max-len", true, 0, Long.MAX_VALUE, "128");
    string("notify-keyspace-events", true, "");
    bool("cluster-enabled", false, "no");
    intParam("active-expire-effort", true, 1, 10, "1");
  }

  private void add(Param p) {
    params.put(p.name, p);
  }

  private void intParam(String name, boolean mutable, long min, long max, String def) {
    add(new Param(name, Kind.INT, mutable, min, max, null, def));
  }

  private void memory(String name, boolean mutable, long min, long max, String def) {
    add(new Param(name, Kind.MEMORY, mutable, min, max, null, def));
  }

  private void bool(String name, boolean mutable, String def) {
    add(new Param(name, Kind.BOOL, mutable, 0, 0, null, def));
  }

  private void choice(String name, boolean mutable, String def, String... choices) {
    add(new Param(name, Kind.ENUM, mutable, 0, 0, choices, def));
  }

  private void string(String name, boolean mutable, String def) {
    add(new Param(name, Kind.STRING, mutable, 0, 0, null, def));
  }

  private void special(String name, boolean mutable, String def) {
    add(new Param(name, Kind.SPECIAL, mutable, 0, 0, null, def));
  }

  private void alias(String alias, String name) {
    aliases.put(alias, name);
  }

  private Param param(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    Param p = params.get(lower);
    if (p == null && aliases.containsKey(lower)) {
      p = params.get(aliases.get(lower));
    }
    return p;
  }

  public boolean exists(String name) {
    return param(name) != null;
  }

  public boolean isMutable(String name) {
    return param(name).mutable;
  }

  public String get(String name) {
    return param(name).value;
  }

  public long getLong(String name) {
    return param(name).number;
  }

  public int getInt(String name) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, getLong(name)));
  }

  public boolean getBool(String name) {
    return "yes".equals(param(name).value);
  }

  /** Runs {@code listener} now and after every change of the parameter. */
  public void onChange(String name, Consumer<String> listener) {
    Param p = param(name);
    p.listeners.add(listener);
    listener.accept(p.value);
  }

  /**
   * Validates and sets a parameter, returning null or the reason it is rejected (the text after
   * Redis's "argument '...' - ").
   */
  public String set(String name, String value, boolean atStartup) {
    Param p = param(name);
    if (p == null) {
      return "unknown";
    }
    if (!p.mutable && !atStartup) {
      return "can't set immutable config";
    }
    String normalized;
    switch (p.kind) {
      case INT -> {
        long v;
        try {
          v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
          return "argument couldn't be parsed into an integer";
        }
        if (v < p.min || v > p.max) {
          return "argument must be between " + p.min + " and " + p.max + " inclusive";
        }
        normalized = Long.toString(v);
      }
      case MEMORY -> {
        long v = parseMemory(value);
        if (v < 0) {
          return "argument must be a memory value";
        }
        if (v < p.min || v > p.max) {
          return "argument must be between " + p.min + " and " + p.max + " inclusive";
        }
        normalized = Long.toString(v);
      }
      case BOOL -> {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.equals("yes") && !lower.equals("no")) {
          return "argument must be 'yes' or 'no'";
        }
        normalized = lower;
      }
      case ENUM -> {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!List.of(p.choices).contains(lower)) {
          return "argument(s) must be one of the following: " + String.join(", ", p.choices);
        }
        normalized = lower;
      }
      default -> normalized = value;
    }
    p.value = normalized;
    p.number = parseNumber(p.kind, normalized);
    for (Consumer<String> l : p.listeners) {
      l.accept(normalized);
    }
    return null;
  }

  /** Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb suffix; -1 if invalid. */
  public static long parseMemory(String s) {
    String lower = s.trim().toLowerCase(Locale.ROOT);
    long mul = 1;
    String digits = lower;
    String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
        {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
    for (String[] u : units) {
      if (lower.endsWith(u[0])) {
        mul = Long.parseLong(u[1]);
        digits = lower.substring(0, lower.length() - u[0].length());
        break;
      }
    }
    try {
      long v = Long.parseLong(digits);
      if (v < 0) {
        return -1;
      }
      return Math.multiplyExact(v, mul);
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }

  /** Names matching a glob, in declaration order, with aliases. */
  public List<String[]> matching(String pattern) {
    List<String[]> out = new ArrayList<>();
    byte[] pat = pattern.toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (Param p : params.values()) {
      if (Glob.matches(pat, p.name.getBytes(java.nio.charset.StandardCharsets.UTF_8), false)) {
        out.add(new String[] {p.name, p.value});
      }
    }
    for (Map.Entry<String, String> a : aliases.entrySet()) {
      if (Glob.matches(pat, a.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), false)) {
        out.add(new String[] {a.getKey(), params.get(a.getValue()).value});
      }
    }
    return out;
  }

  /** Every parameter and its value, in declaration order (for CONFIG REWRITE). */
  public Map<String, String> snapshot() {
    Map<String, String> out = new LinkedHashMap<>();
    params.values().forEach(p -> out.put(p.name, p.value));
    return out;
  }
}
