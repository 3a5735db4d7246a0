package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Expiry, CONFIG, COMMAND, INFO: on Freshet and, where replies must match, on redis-server. */
class ServerCommandsIT {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void activeExpiryRemovesKeysNobodyTouches(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.call("SELECT", "5");
      c.call("FLUSHDB");
      for (int i = 0; i < 200; i++) {
        c.call("SET", "ttl:" + i, "v", "PX", "400");
      }
      c.call("SET", "forever", "v");
      assertThat(c.call("DBSIZE")).isEqualTo(":201\r\n");
      String size = "";
      for (int i = 0; i < 100 && !size.equals(":1\r\n"); i++) {
        Thread.sleep(50);
        size = c.call("DBSIZE"); // DBSIZE does not touch keys: only active expiry shrinks it
      }
      assertThat(size).isEqualTo(":1\r\n");
      assertThat(c.call("INFO", "stats")).containsPattern("expired_keys:[1-9]");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void configSetIsValidatedAndAtomic(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      assertThat(c.call("CONFIG", "SET", "maxclients", "5000", "hz", "abc"))
          .isEqualTo("-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n");
      assertThat(c.call("CONFIG", "GET", "maxclients")).isEqualTo("*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
      assertThat(c.call("CONFIG", "SET", "nosuch", "1"))
          .isEqualTo("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
      assertThat(c.call("CONFIG", "SET", "databases", "3"))
          .isEqualTo("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n");
      assertThat(c.call("CONFIG", "SET", "appendfsync", "sometimes"))
          .isEqualTo("-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no\r\n");
      assertThat(c.call("CONFIG", "SET", "maxclients", "5000")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "GET", "maxclients")).isEqualTo("*2\r\n$10\r\nmaxclients\r\n$4\r\n5000\r\n");
      assertThat(c.call("CONFIG", "SET", "maxclients", "10000")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "SET", "proto-max-bulk-len", "1gb")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "GET", "proto-max-bulk-len")).contains("1073741824");
      c.call("CONFIG", "SET", "proto-max-bulk-len", "512mb");
      assertThat(c.call("CONFIG", "RESETSTAT")).isEqualTo("+OK\r\n");
      assertThat(c.call("CONFIG", "NOSUCH")).isEqualTo("-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void commandAnswersUnknownsAndArity(String name, int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      assertThat(c.call("FOO", "a", "b")).isEqualTo("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
      assertThat(c.call("CLIENT")).isEqualTo("-ERR wrong number of arguments for 'client' command\r\n");
      assertThat(c.call("CLIENT", "KILL")).isEqualTo("-ERR wrong number of arguments for 'client|kill' command\r\n");
      assertThat(c.call("OBJECT", "ENCODING", "missing")).isEqualTo("$-1\r\n");
      assertThat(c.call("COMMAND", "INFO", "nosuchcommand")).isEqualTo("*1\r\n$-1\r\n");
      assertThat(c.call("MEMORY", "USAGE", "missing")).isEqualTo("$-1\r\n");
      assertThat(c.call("TIME")).matches("\\*2\\r\\n\\$10\\r\\n\\d{10}\\r\\n\\$\\d+\\r\\n\\d+\\r\\n");
    }
  }

  @Test
  void commandInfoAndDocsMatchRedisForImplementedCommands() throws Exception {
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server is not installed: comparison skipped");
    try (RawClient f = new RawClient(Targets.freshetPort()); RawClient r = new RawClient(redis)) {
      for (String cmd : List.of("get", "set", "hset", "blpop", "lpop", "scan", "expire", "multi", "exec", "ping")) {
        assertThat(f.call("COMMAND", "INFO", cmd)).as(cmd).isEqualTo(r.call("COMMAND", "INFO", cmd));
        assertThat(f.call("COMMAND", "DOCS", cmd)).as(cmd).isEqualTo(r.call("COMMAND", "DOCS", cmd));
        assertThat(f.call("COMMAND", "GETKEYS", cmd.equals("set") ? "set" : "get", "k", "v").length()).isPositive();
      }
      for (String container : List.of("CONFIG", "XINFO", "XGROUP")) {
        assertThat(f.call(container, "HELP")).as(container + " HELP").isEqualTo(r.call(container, "HELP"));
      }
      f.call("HELLO", "3");
      r.call("HELLO", "3");
      assertThat(f.call("COMMAND", "DOCS", "set")).isEqualTo(r.call("COMMAND", "DOCS", "set"));
      assertThat(f.call("COMMAND", "INFO", "config|get")).isEqualTo(r.call("COMMAND", "INFO", "config|get"));
    }
  }

  @Test
  void memoryUsageAndInfoReportRealFigures() throws Exception {
    try (RawClient c = new RawClient(Targets.freshetPort())) {
      c.call("SET", "mem:small", "x");
      c.call("SET", "mem:big", "x".repeat(10_000));
      long small = Long.parseLong(c.call("MEMORY", "USAGE", "mem:small").replaceAll("[:\r\n]", ""));
      long big = Long.parseLong(c.call("MEMORY", "USAGE", "mem:big").replaceAll("[:\r\n]", ""));
      assertThat(big - small).isBetween(9_990L, 10_100L);
      String info = c.call("INFO");
      for (String field : List.of("redis_version:", "connected_clients:", "blocked_clients:", "used_memory:",
          "rdb_changes_since_last_save:", "total_commands_processed:", "role:master", "used_cpu_sys:",
          "# Keyspace")) {
        assertThat(info).contains(field);
      }
    }
  }

  @Test
  void configRewriteUpdatesTheConfigFile() throws Exception {
    Path dir = Files.createTempDirectory("freshet-conf");
    Path conf = dir.resolve("freshet.conf");
    Files.writeString(conf, "# my settings\nport 0\nmaxclients 100\n", StandardCharsets.UTF_8);
    ServerArgs.Parsed parsed = ServerArgs.parse(List.of(conf.toString(), "--dir", dir.toString(), "--hz", "20"));
    assertThat(parsed.params()).containsEntry("maxclients", "100").containsEntry("hz", "20");
    try (FreshetServer s = FreshetServer.builder().config(parsed.params()).configFile(conf).start();
         RawClient c = new RawClient(s.port())) {
      assertThat(c.call("CONFIG", "GET", "hz")).contains("20");
      c.call("CONFIG", "SET", "maxclients", "200", "timeout", "300");
      assertThat(c.call("CONFIG", "REWRITE")).isEqualTo("+OK\r\n");
    }
    String text = Files.readString(conf, StandardCharsets.UTF_8);
    assertThat(text).startsWith("# my settings\n").contains("maxclients 200\n").contains("timeout 300\n");
    Map<String, String> reread = ServerArgs.parseFile(text);
    assertThat(reread).containsEntry("maxclients", "200");
    try (FreshetServer s = FreshetServer.builder().port(0).dataDir(dir).start(); RawClient c = new RawClient(s.port())) {
      assertThat(c.call("CONFIG", "REWRITE")).isEqualTo("-ERR The server is running without a config file\r\n");
    }
  }
}
