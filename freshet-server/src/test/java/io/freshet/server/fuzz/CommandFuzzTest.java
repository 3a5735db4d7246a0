package io.freshet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.freshet.engine.Config;
import io.freshet.engine.DiscardingConnection;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.engine.command.CommandSpec;
import io.freshet.storage.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the command layer: short sequences of commands from the command table with
 * arguments biased to edge values (LONG_MIN/MAX, huge counts, stream IDs at the limits, `$`, `>`,
 * invalid UTF-8, keys of other types), from two clients, against an engine with a manual clock
 * and the real DUMP/RESTORE. Every reply must be well-formed RESP, none may be Redis's
 * "internal error" (an exception a handler did not expect), nothing may escape the engine, and
 * every command must finish within {@link #COMMAND_BOUND_MS}.
 */
class CommandFuzzTest {
  static final long INPUT_BOUND_MS = 30_000;
  static final long COMMAND_BOUND_MS = 5_000;

  /** Commands that stop, sleep, fork or write files: not for an in-process harness. */
  private static final Set<String> EXCLUDED = Set.of("shutdown", "save", "bgsave", "bgrewriteaof", "sync", "psync",
      "replicaof", "slaveof", "failover", "monitor", "debug", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall",
      "fcall_ro", "script", "function");
  /** DEBUG subcommands that only inspect. */
  private static final List<String> DEBUG_SUBCOMMANDS = List.of("OBJECT", "DIGEST", "DIGEST-VALUE", "PROTOCOL",
      "LISTPACK", "CHANGE-REPL-ID", "SET-ACTIVE-EXPIRE", "QUICKLIST-PACKED-THRESHOLD", "HELP");
  private static final List<String> KEYS = List.of("s", "n", "l", "h", "st", "x", "nokey", "", "x2", "{s}");
  private static final List<String> EDGE_NUMBERS = List.of("0", "-1", "1", "2", "9223372036854775807",
      "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551615",
      "4294967295", "4294967296", "2147483647", "-2147483648", "1000000000000", "100", "-100", "+1", "01", " 1",
      "1.5", "-0", "0x10", "1e3", "inf", "-inf", "nan", "1e308", "-1e308", "1e-320", "3.0000000000000004");
  private static final List<String> STREAM_IDS = List.of("0-0", "0-1", "0", "$", ">", "+", "-", "*", "1-*",
      "18446744073709551615-18446744073709551615", "18446744073709551615-0", "18446744073709551615",
      "18446744073709551616-0", "1-18446744073709551616", "9223372036854775807-1", "1000000-0", "1000000-1",
      "(1-0", "(0-0", "(18446744073709551615-18446744073709551615", "-1-0", "1--1", "1-", "-", "0-18446744073709551615");
  private static final List<String> KEYWORDS = List.of("COUNT", "BLOCK", "STREAMS", "GROUP", "MAXLEN", "MINID", "LIMIT",
      "NOMKSTREAM", "~", "=", "MKSTREAM", "ENTRIESREAD", "JUSTID", "FORCE", "RETRYCOUNT", "IDLE", "TIME", "NX", "XX",
      "GT", "LT", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "MATCH", "TYPE", "CH", "ID", "LEN", "FULL", "IDMP",
      "IDMPAUTO", "KEEPREF", "DELREF", "ACKED", "CLAIM", "MAXCOUNT", "MAXSIZE", "IDS", "LEFT", "RIGHT", "BEFORE",
      "AFTER", "RANK", "REPLACE", "ABSTTL", "FREQ", "ASYNC", "SYNC", "NOACK", "CREATE", "DESTROY", "SETID",
      "CREATECONSUMER", "DELCONSUMER", "CONSUMERS", "GROUPS", "STREAM", "WITHVALUES", "MAXDELETEDID", "SET",
      "RESETSTAT", "KILL", "LIST", "INFO", "DOCS", "GETKEYS", "NOW", "ABORT", "g", "c", "c2", "3", "2", "AUTH", "SETNAME",
      "string", "list", "hash", "stream", "set", "IDMP-DURATION", "IDMP-MAXSIZE", "FATAL", "RETRY", "SILENT");
  private static final List<String> PATTERNS = List.of("*", "?", "[a-z]", "[", "\\", "[^a]*", "x*", "*s*", "[]]");
  private static final List<String> CONFIG_NAMES = List.of("stream-node-max-entries", "stream-node-max-bytes",
      "hash-max-listpack-entries", "set-max-intset-entries", "maxmemory", "notify-keyspace-events",
      "lua-time-limit", "list-max-listpack-size", "hz", "timeout", "slowlog-log-slower-than", "maxclients",
      "set-max-listpack-value", "stream-idmp-duration", "stream-idmp-maxsize", "latency-tracking-info-percentiles");

  /** One collecting client: everything the engine replies, kept for checking. */
  static final class Client extends DiscardingConnection {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    protected void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    protected void write(int b) {
      bytes.write(b);
    }

    @Override
    public long pendingBytes() {
      return bytes.size();
    }
  }

  private static volatile List<CommandSpec> commandList;

  private static List<CommandSpec> commands(Engine engine) {
    if (commandList == null) {
      List<CommandSpec> list = new ArrayList<>();
      for (CommandSpec spec : engine.commands().all()) {
        if (!EXCLUDED.contains(spec.fullName) || spec.fullName.equals("debug")) {
          list.add(spec);
        }
      }
      list.sort(java.util.Comparator.comparing(s -> s.fullName));
      commandList = list;
    }
    return commandList;
  }

  private static Path dataDir;

  private static synchronized Path dataDir() {
    try {
      if (dataDir == null) {
        dataDir = Files.createTempDirectory("freshet-fuzz");
        dataDir.toFile().deleteOnExit();
      }
      return dataDir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    Fuzzing.bounded(INPUT_BOUND_MS, null, () -> run(data));
  }

  /**
   * One engine for the whole run: building one (command table, metadata) takes tens of
   * milliseconds, so each input instead starts from an emptied engine with the first
   * configuration, a reset clock and two new clients.
   */
  private static final class Fixture {
    final long[] nowMs = {0};
    final Engine engine;
    final java.util.Map<String, String> initialConfig;

    Fixture() {
      Config config = new Config();
      config.set("dir", dataDir().toString(), true);
      config.set("appendonly", "no", true);
      config.set("save", "", true);
      config.set("stream-node-max-entries", "2", true);
      // Large replies are Redis's answer too (SETRANGE up to the bulk limit); a 1 MB limit keeps
      // the harness's heap small while still reaching every limit check.
      config.set("proto-max-bulk-len", "1mb", true);
      engine = new Engine(config, () -> nowMs[0]);
      engine.persistence = new Store(engine, Runnable::run, () -> {});
      initialConfig = config.snapshot();
    }

    void reset() {
      nowMs[0] = 1_700_000_000_000L;
      java.util.Map<String, String> now = engine.config.snapshot();
      initialConfig.forEach((name, value) -> {
        if (!value.equals(now.get(name)) && engine.config.isMutable(name)) {
          engine.config.set(name, value, false);
        }
      });
      Client admin = new Client();
      Session s = engine.connect(admin);
      engine.submit(s, toArgv("CLIENT", "UNPAUSE"));
      engine.submit(s, toArgv("FLUSHALL"));
      engine.submit(s, toArgv("CONFIG", "RESETSTAT"));
      engine.disconnect(s);
    }
  }

  private static Fixture fixture;

  private static void run(FuzzedDataProvider data) {
    if (fixture == null) {
      fixture = new Fixture();
    }
    fixture.reset();
    Engine engine = fixture.engine;
    long[] nowMs = fixture.nowMs;
    Client[] clients = {new Client(), new Client()};
    Session[] sessions = {engine.connect(clients[0]), engine.connect(clients[1])};
    try {
      List<String> transcript = new ArrayList<>();
      for (String[] setup : SETUP) {
        exec(engine, sessions[0], clients[0], toArgv(setup), transcript);
      }
      transcript.clear();
      int steps = data.consumeInt(1, 16);
      for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
        int who = data.consumeBoolean() ? 1 : 0;
        if (data.consumeInt(0, 7) == 0) {
          nowMs[0] += data.consumeLong(0, 10_000_000L);
        }
        exec(engine, sessions[who], clients[who], command(engine, data), transcript);
      }
    } finally {
      engine.disconnect(sessions[0]);
      engine.disconnect(sessions[1]);
    }
  }

  private static final String[][] SETUP = {
      {"SET", "s", "hello"}, {"SET", "n", "12"}, {"RPUSH", "l", "a", "b", "1", "c"}, {"HSET", "h", "f", "v", "n", "5"},
      {"SADD", "st", "a", "1", "b"}, {"XADD", "x", "1-1", "f", "v"}, {"XADD", "x", "2-1", "f", "v", "g", "w"},
      {"XADD", "x", "3-0", "a", "1"}, {"XGROUP", "CREATE", "x", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "COUNT",
      "2", "STREAMS", "x", ">"}, {"XADD", "x2", "5-5", "f", "v"}};

  private static byte[][] toArgv(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return argv;
  }

  private static byte[][] command(Engine engine, FuzzedDataProvider data) {
    List<CommandSpec> specs = commands(engine);
    CommandSpec spec = specs.get(data.consumeInt(0, specs.size() - 1));
    List<byte[]> argv = new ArrayList<>();
    argv.add(spec.fullName.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    if (spec.fullName.equals("debug")) {
      argv.add(DEBUG_SUBCOMMANDS.get(data.consumeInt(0, DEBUG_SUBCOMMANDS.size() - 1)).getBytes(StandardCharsets.US_ASCII));
    } else if (spec.isContainer() && !spec.subcommands.isEmpty()) {
      List<String> subs = new ArrayList<>(spec.subcommands.keySet());
      subs.sort(null);
      argv.add(subs.get(data.consumeInt(0, subs.size() - 1)).getBytes(StandardCharsets.US_ASCII));
    }
    int args = data.consumeInt(0, 10);
    for (int i = 0; i < args; i++) {
      argv.add(argument(data));
    }
    return argv.toArray(new byte[0][]);
  }

  private static byte[] argument(FuzzedDataProvider data) {
    String s = switch (data.consumeInt(0, 11)) {
      case 0, 1 -> pick(data, KEYS);
      case 2 -> pick(data, EDGE_NUMBERS);
      case 3 -> pick(data, STREAM_IDS);
      case 4, 5 -> pick(data, KEYWORDS);
      case 6 -> Long.toString(data.consumeLong());
      case 7 -> Integer.toString(data.consumeInt(-3, 20));
      case 8 -> pick(data, PATTERNS);
      case 9 -> pick(data, CONFIG_NAMES);
      case 10 -> data.consumeLong(0, 99) + "-" + data.consumeLong(0, 9);
      default -> null;
    };
    return s != null ? s.getBytes(StandardCharsets.UTF_8) : data.consumeBytes(data.consumeInt(0, 24)); // any bytes
  }

  private static String pick(FuzzedDataProvider data, List<String> from) {
    return from.get(data.consumeInt(0, from.size() - 1));
  }

  private static void exec(Engine engine, Session session, Client client, byte[][] argv, List<String> transcript) {
    transcript.add(show(argv));
    long started = System.nanoTime();
    engine.submit(session, argv);
    engine.endBatch();
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(tookMs).as("%s took %d ms", transcript, tookMs).isLessThan(COMMAND_BOUND_MS);
    byte[] out = client.bytes.toByteArray();
    client.bytes.reset();
    List<String> errors = new ArrayList<>();
    try {
      RespReplies.check(out, errors);
    } catch (AssertionError e) {
      throw new AssertionError("malformed reply to " + transcript + ": " + e.getMessage() + "\n"
          + new String(out, StandardCharsets.ISO_8859_1), e);
    }
    for (String error : errors) {
      assertThat(error).as("reply to %s", transcript).doesNotContain("internal error");
    }
  }

  private static String show(byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    for (byte[] a : argv) {
      sb.append(sb.length() == 0 ? "" : " ").append('"');
      for (byte b : a) {
        sb.append(b >= 32 && b < 127 && b != '"' && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
      }
      sb.append('"');
    }
    return sb.toString();
  }

  @FuzzTest
  void commands(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }

  @Test
  void shortRandomRun() {
    long runs = Fuzzing.shortRun(2, 10_000, Fuzzing.seeds(getClass(), "commands"), CommandFuzzTest::fuzzerTestOneInput);
    assertThat(runs).isPositive();
  }
}
