package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import io.freshet.server.testing.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parameter table against redis-server 7.0.15: CONFIG GET * names, CONFIG SET's validation
 * texts and canonical values for a sample of every kind, the config file's fatal errors, and
 * INFO latencystats.
 */
class ConfigIT {
  /** Visible in 7.0, hidden in 7.4 (Freshet follows 7.4): only by exact name. */
  private static final Set<String> HIDDEN_SINCE_70 = Set.of("aof-disable-auto-gc");

  private static Set<String> names(RawClient c) throws Exception {
    String reply = c.call("CONFIG", "GET", "*");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\d+\r\n([^\r\n]*)\r\n\\$\\d+\r\n[^\r\n]*\r\n").matcher(reply);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void configGetStarHasEveryNameRedisHas() throws Exception {
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server not installed");
    try (RawClient f = new RawClient(Targets.freshetPort()); RawClient r = new RawClient(redis)) {
      Set<String> redisNames = names(r);
      Set<String> freshetNames = names(f);
      assertThat(redisNames).hasSizeGreaterThan(150);
      Set<String> missing = new TreeSet<>(redisNames);
      missing.removeAll(freshetNames);
      assertThat(missing).containsExactlyInAnyOrderElementsOf(HIDDEN_SINCE_70);
      for (String hidden : HIDDEN_SINCE_70) {
        assertThat(f.call("CONFIG", "GET", hidden)).contains(hidden);
      }
    }
  }

  /** CONFIG SETs that fail, one or more per kind; the replies must be byte for byte Redis's. */
  private static final List<List<String>> REFUSED = List.of(
      List.of("hz", "abc"), List.of("hz", "-1"), List.of("hz", "1.5"), List.of("hz", "007"),
      List.of("maxclients", "0"), List.of("maxclients", "-1"), List.of("maxclients", "4294967296"),
      List.of("maxmemory", "-1"), List.of("maxmemory", "1xb"), List.of("maxmemory", "1 gb"),
      List.of("proto-max-bulk-len", "1"), List.of("proto-max-bulk-len", "1kb"),
      List.of("stream-node-max-bytes", "abc"), List.of("tcp-keepalive", "abc"),
      List.of("slowlog-max-len", "-1"), List.of("slowlog-log-slower-than", "-2"),
      List.of("list-max-listpack-size", "99999999999"), List.of("repl-backlog-size", "0"),
      List.of("maxmemory-clients", "101%"), List.of("maxmemory-clients", "-5%"), List.of("maxmemory-clients", "x"),
      List.of("active-defrag-cycle-min", "100"),
      List.of("appendonly", "maybe"), List.of("lazyfree-lazy-user-flush", "1"), List.of("activedefrag", "yes"),
      List.of("appendfsync", "sometimes"), List.of("maxmemory-policy", "lru"), List.of("oom-score-adj", "x"),
      List.of("shutdown-on-sigint", "save nosave"), List.of("shutdown-on-sigterm", "bogus"),
      List.of("save", "60"), List.of("save", "abc 1"), List.of("save", "0 1"), List.of("save", "60 -1"),
      List.of("notify-keyspace-events", "Q"), List.of("oom-score-adj-values", "1 2"),
      List.of("oom-score-adj-values", "1 2 3000"), List.of("client-output-buffer-limit", "foo 1 2 3"),
      List.of("client-output-buffer-limit", "normal 1 2"), List.of("client-output-buffer-limit", "normal 1x 2 3"),
      List.of("client-output-buffer-limit", "master 1 2 3"), List.of("client-output-buffer-limit", "normal 1 2 -3"),
      List.of("latency-tracking-info-percentiles", "50 abc"), List.of("latency-tracking-info-percentiles", "50 101"),
      List.of("dir", "/tmp"), List.of("dbfilename", "a/b"), List.of("appendfilename", "x"),
      List.of("daemonize", "no"), List.of("databases", "3"), List.of("unixsocketperm", "999"),
      List.of("replicaof", "a b"), List.of("bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"),
      List.of("cluster-announce-hostname", "a_b"), List.of("proc-title-template", "{foo}"),
      List.of("proc-title-template", "{title"), List.of("nosuch", "1"), List.of("hz", "1", "hz", "2"),
      List.of("hz", "1", "HZ", "2"),
      List.of("maxclients", "5000", "hz", "abc"), List.of("nosuch", "1", "daemonize", "no"),
      List.of("daemonize", "no", "nosuch", "1"), List.of("HZ", "abc"), List.of("hz", "1", "hz"));

  @Test
  void refusedValuesGiveRedisErrors() throws Exception {
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server not installed");
    try (RawClient f = new RawClient(Targets.freshetPort()); RawClient r = new RawClient(redis)) {
      String before = r.call("CONFIG", "GET", "maxclients") + r.call("CONFIG", "GET", "hz");
      for (List<String> pairs : REFUSED) {
        List<String> cmd = new ArrayList<>(List.of("CONFIG", "SET"));
        cmd.addAll(pairs);
        String expected = r.call(cmd.toArray(new String[0]));
        assertThat(expected).as("redis refuses %s", pairs).startsWith("-ERR");
        assertThat(f.call(cmd.toArray(new String[0]))).as("%s", pairs).isEqualTo(expected);
      }
      assertThat(f.call("CONFIG", "GET", "maxclients") + f.call("CONFIG", "GET", "hz")).isEqualTo(before);
    }
  }

  /** Accepted values CONFIG GET shows in canonical form (then the default is put back). */
  private static final List<List<String>> CANONICAL = List.of(
      List.of("maxmemory", "1GB"), List.of("maxmemory", "100mb"), List.of("maxmemory", "1k"),
      List.of("hz", "600"), List.of("hz", "0"), List.of("maxmemory-clients", "5%"),
      List.of("notify-keyspace-events", "KEA"), List.of("notify-keyspace-events", "Exg$"),
      List.of("notify-keyspace-events", "g$lshzxetdKn"), List.of("shutdown-on-sigint", "NOW save"),
      List.of("latency-tracking-info-percentiles", "50 99.90 100"), List.of("latency-tracking-info-percentiles", ""),
      List.of("save", "900 1 300 10"), List.of("save", ""), List.of("client-output-buffer-limit", "pubsub 1mb 2mb 3"),
      List.of("oom-score-adj-values", "-1 +2 3"), List.of("appendfsync", "ALWAYS"), List.of("lazyfree-lazy-user-del", "YES"),
      List.of("list-max-ziplist-size", "-3"));

  @Test
  void acceptedValuesReadBackAsRedisShowsThem() throws Exception {
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server not installed");
    try (RawClient f = new RawClient(Targets.freshetPort()); RawClient r = new RawClient(redis)) {
      for (List<String> pair : CANONICAL) {
        String name = pair.get(0);
        String redisBefore = value(r.call("CONFIG", "GET", name));
        String freshetBefore = value(f.call("CONFIG", "GET", name));
        assertThat(r.call("CONFIG", "SET", name, pair.get(1))).isEqualTo("+OK\r\n");
        assertThat(f.call("CONFIG", "SET", name, pair.get(1))).as("%s", pair).isEqualTo("+OK\r\n");
        assertThat(f.call("CONFIG", "GET", name)).as("%s", pair).isEqualTo(r.call("CONFIG", "GET", name));
        r.call("CONFIG", "SET", name, redisBefore);
        f.call("CONFIG", "SET", name, freshetBefore);
        assertThat(value(f.call("CONFIG", "GET", name))).isEqualTo(freshetBefore);
      }
    }
  }

  private static String value(String getReply) {
    String[] lines = getReply.split("\r\n", -1);
    return lines[4];
  }

  @Test
  void newerThan70ValuesAreChecked() throws Exception {
    try (RawClient f = new RawClient(Targets.freshetPort())) {
      // Redis 7.4 added loglevel nothing
      assertThat(f.call("CONFIG", "SET", "loglevel", "loud")).isEqualTo("-ERR CONFIG SET failed (possibly related to "
          + "argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing\r\n");
      assertThat(f.call("CONFIG", "SET", "loglevel", "nothing")).isEqualTo("+OK\r\n");
      f.call("CONFIG", "SET", "loglevel", "notice");
      assertThat(f.call("CONFIG", "SET", "max-new-connections-per-cycle", "1001")).isEqualTo("-ERR CONFIG SET failed "
          + "(possibly related to argument 'max-new-connections-per-cycle') - argument must be between 1 and 1000 inclusive\r\n");
      assertThat(f.call("CONFIG", "GET", "set-max-listpack-entries")).contains("128");
      // 7.4 bounds maxmemory-samples to 64 (7.0: INT_MAX)
      assertThat(f.call("CONFIG", "SET", "maxmemory-samples", "65")).isEqualTo("-ERR CONFIG SET failed (possibly "
          + "related to argument 'maxmemory-samples') - argument must be between 1 and 64 inclusive\r\n");
    }
  }

  /** Config-file lines redis-server refuses at start-up, with its exact text (version aside). */
  @Test
  void badConfigFileLinesStopStartUpAsInRedis() throws Exception {
    Assumptions.assumeTrue(RedisServerProcess.binary() != null, "redis-server not installed");
    Path dir = Files.createTempDirectory("freshet-badconf");
    String[][] cases = {
        {"port 0\nhz abc\n"}, {"port 0\n\n# c\nmaxmemory 1x\n"}, {"nosuch 1\n"}, {"hz 1 2\n"},
        {"save \"60\n"}, {"save 60\n"}, {"appendfsync sometimes\n"}, {"port 0\n", "--hz", "abc"},
        {"port 0\n", "--port", "1", "stray"}, {"port 0\n", "--save", "--hz", "x"},
        {"port 0\n", "--requirepass", "a\"b", "c"}, {"client-output-buffer-limit normal 1 2\n"}};
    for (String[] c : cases) {
      Path conf = dir.resolve("bad.conf");
      Files.writeString(conf, c[0], StandardCharsets.UTF_8);
      List<String> args = new ArrayList<>(List.of(conf.toString()));
      args.addAll(List.of(c).subList(1, c.length));
      List<String> redisCmd = new ArrayList<>(List.of(RedisServerProcess.binary()));
      redisCmd.addAll(args);
      Process p = new ProcessBuilder(redisCmd).redirectErrorStream(true).start();
      String redisOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isEqualTo(1);
      String expected = redisOut.replaceAll("\\(Redis [0-9.]+\\)", "(Redis 7.4.0)").stripTrailing();
      assertThatThrownBy(() -> ServerArgs.parse(args)).as("%s", List.of(c))
          .isInstanceOf(ServerArgs.ConfigFileError.class)
          .satisfies(e -> assertThat(e.getMessage()).isEqualTo(expected));
    }
    // and the launcher exits non-zero with that text
    Files.writeString(dir.resolve("bad.conf"), "hz abc\n", StandardCharsets.UTF_8);
    assertThat(ServerMain.run(List.of(dir.resolve("bad.conf").toString()))).isEqualTo(1);
  }

  @Test
  void everyParameterIsAcceptedOnAConfigFileLine() throws Exception {
    io.freshet.engine.Config config = new io.freshet.engine.Config();
    StringBuilder file = new StringBuilder();
    for (String name : config.names()) {
      String v = config.get(name);
      file.append(name).append(' ').append(v.isEmpty() ? "\"\"" : config.isMultiArg(name) ? v : quote(v)).append('\n');
    }
    Path conf = Files.createTempFile("freshet-all", ".conf");
    Files.writeString(conf, file.toString(), StandardCharsets.UTF_8);
    ServerArgs.Parsed parsed = ServerArgs.parse(List.of(conf.toString()));
    assertThat(parsed.params().keySet()).containsAll(config.names());
  }

  private static String quote(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void latencyStatsPerCommandAndResetstat(String target, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("CONFIG", "RESETSTAT");
      for (int i = 0; i < 20; i++) {
        c.call("SET", "lat:" + i, "v");
        c.call("GET", "lat:" + i);
      }
      String info = c.call("INFO", "latencystats");
      assertThat(info).contains("# Latencystats\r\n");
      Pattern line = Pattern.compile("latency_percentiles_usec_(set|get):p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}\r\n");
      Matcher m = line.matcher(info);
      int found = 0;
      while (m.find()) {
        found++;
      }
      assertThat(found).isEqualTo(2);
      assertThat(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 100")).isEqualTo("+OK\r\n");
      assertThat(c.call("INFO", "latencystats")).containsPattern("latency_percentiles_usec_set:p0=\\d+\\.\\d{3},p100=");
      c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
      c.call("CONFIG", "RESETSTAT");
      assertThat(c.call("INFO", "latencystats")).doesNotContain("latency_percentiles_usec_set");
      c.call("CONFIG", "SET", "latency-tracking", "no");
      c.call("SET", "lat:x", "v");
      assertThat(c.call("INFO", "latencystats")).doesNotContain("latency_percentiles_usec_set");
      c.call("CONFIG", "SET", "latency-tracking", "yes");
      assertThat(c.call("INFO", "everything")).contains("# Latencystats");
      assertThat(c.call("INFO")).doesNotContain("# Latencystats");
    }
  }
}
