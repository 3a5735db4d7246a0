package io.freshet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.freshet.engine.Config;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.lua.LuaScripting;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for scripting, kept small: scripts from a little grammar (redis.call/pcall with
 * random arguments, pcall, error, string operations, tables, bounded loops, conversions of every
 * reply type) run with EVAL on one engine. Every script must get one well-formed reply that is
 * not an internal error, within {@link #BOUND_MS}; the JVM must survive.
 */
class LuaFuzzTest {
  static final long BOUND_MS = 10_000;
  private static final String[] ARGS = {"'k'", "'x'", "'s'", "''", "'9223372036854775807'", "'-1'", "'0'", "1",
      "-1", "0.5", "1e309", "'\\0'", "'\\255\\254'", "'*'", "'$'", "'0-1'", "KEYS[1]", "ARGV[1]", "nil", "true",
      "{}", "string.rep('a', 1000)", "tostring(1/0)"};
  private static final String[] COMMANDS = {"'SET'", "'GET'", "'INCR'", "'DEL'", "'LPUSH'", "'LRANGE'", "'HSET'",
      "'HGETALL'", "'XADD'", "'XRANGE'", "'XREADGROUP'", "'XGROUP'", "'SADD'", "'SMEMBERS'", "'TYPE'", "'PING'",
      "'EXPIRE'", "'TTL'", "'NOSUCH'", "'EVAL'", "'MULTI'", "'BLPOP'", "'XINFO'", "'OBJECT'", "'DEBUG'", "'KEYS'",
      "'FLUSHALL'", "'SELECT'", "'INCRBYFLOAT'", "'GETRANGE'", "'SETRANGE'"};
  private static final String[] EXPRESSIONS = {"1", "'str'", "nil", "true", "false", "{1, 2, 'three'}",
      "{err = 'E bad'}", "{ok = 'fine'}", "{double = 3.5}", "{1, nil, 3}", "3.99", "-0", "2^63", "0/0",
      "redis.status_reply('OK')", "redis.error_reply('MY err')", "string.rep('x', 10)", "#ARGV", "KEYS",
      "cjson.encode({1, 2})", "cmsgpack.pack(1, 'a')", "bit.band(7, 3)", "struct.pack('>I2', 7)",
      "redis.sha1hex('a')", "string.format('%d', 3)", "tonumber('0x10')", "math.huge", "{{{{}}}}"};

  private static Engine engine;
  private static Session session;
  private static final CommandFuzzTest.Client CLIENT = new CommandFuzzTest.Client();

  private static synchronized void setUp() {
    if (engine == null) {
      Config config = new Config();
      config.set("appendonly", "no", true);
      config.set("save", "", true);
      engine = new Engine(config, () -> 1_700_000_000_000L);
      LuaScripting.install(engine);
      session = engine.connect(CLIENT);
    }
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    setUp();
    StringBuilder script = new StringBuilder("local t = {}\n");
    int statements = data.consumeInt(1, 8);
    for (int i = 0; i < statements; i++) {
      script.append(statement(data, 0)).append('\n');
    }
    script.append("return ").append(pick(data, EXPRESSIONS)).append('\n');
    String source = script.toString();
    byte[][] argv = {bytes("EVAL"), bytes(source), bytes("1"), bytes("k"), data.consumeBytes(16)};
    Fuzzing.bounded(BOUND_MS, bytes(source), () -> {
      engine.submit(session, argv);
      engine.submit(session, new byte[][] {bytes("FLUSHALL")});
      engine.endBatch();
      byte[] out = CLIENT.bytes.toByteArray();
      CLIENT.bytes.reset();
      List<String> errors = new ArrayList<>();
      RespReplies.check(out, errors);
      for (String e : errors) {
        assertThat(e).as("script %s", source).doesNotContain("internal error");
      }
      assertThat(out.length).as("script %s got no reply", source).isPositive();
    });
  }

  private static String statement(FuzzedDataProvider data, int depth) {
    return switch (data.consumeInt(0, depth > 1 ? 4 : 7)) {
      case 0 -> "t[#t + 1] = redis.pcall(" + call(data) + ")";
      case 1 -> "pcall(redis.call, " + call(data) + ")";
      case 2 -> "t[#t + 1] = " + pick(data, EXPRESSIONS);
      case 3 -> "local ok, e = pcall(error, " + pick(data, EXPRESSIONS) + ")";
      case 4 -> "t[#t + 1] = tostring(" + pick(data, ARGS) + ") .. string.sub(" + pick(data, ARGS) + ", 2)";
      case 5 -> "for i = 1, " + data.consumeInt(0, 500) + " do " + statement(data, depth + 1) + " end";
      case 6 -> "if " + pick(data, EXPRESSIONS) + " then " + statement(data, depth + 1) + " else "
          + statement(data, depth + 1) + " end";
      default -> "redis.call(" + call(data) + ")"; // may raise: the script's error reply
    };
  }

  private static String call(FuzzedDataProvider data) {
    StringBuilder sb = new StringBuilder(pick(data, COMMANDS));
    int n = data.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      sb.append(", ").append(pick(data, ARGS));
    }
    return sb.toString();
  }

  private static String pick(FuzzedDataProvider data, String[] from) {
    return from[data.consumeInt(0, from.length - 1)];
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @FuzzTest
  void eval(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }

  @Test
  void shortRandomRun() {
    long runs = Fuzzing.shortRun(5, 5_000, Fuzzing.seeds(getClass(), "eval"), LuaFuzzTest::fuzzerTestOneInput);
    assertThat(runs).isPositive();
  }
}
