package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parameter of Redis 7.4's table (redis-7.4-configs.txt, extracted from its config.c by
 * tools/extract-redis-configs.py) exists with the same alias and flags, and takes its own value
 * back through CONFIG SET (or refuses it as Redis would) and at start-up.
 */
class ConfigTableTest {
  record RedisParam(String name, String alias, String type, Set<String> flags) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<RedisParam> redisParams() throws IOException {
    List<RedisParam> out = new ArrayList<>();
    try (InputStream in = ConfigTableTest.class.getResourceAsStream("redis-7.4-configs.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.trim().split(" ");
        out.add(new RedisParam(f[0], f[1].equals("-") ? null : f[1], f[2], Set.of(f[3].split(","))));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("redisParams")
  void existsWithRedisAliasAndFlags(RedisParam r) {
    Config config = new Config();
    assertThat(config.exists(r.name())).as("declared").isTrue();
    assertThat(config.canonicalName(r.name())).isEqualTo(r.name());
    assertThat(config.alias(r.name())).isEqualTo(r.alias());
    if (r.alias() != null) {
      assertThat(config.canonicalName(r.alias())).isEqualTo(r.name());
    }
    assertThat(config.isMutable(r.name())).as("mutable").isEqualTo(!r.flags().contains("IMMUTABLE_CONFIG"));
    assertThat(config.isProtected(r.name())).as("protected").isEqualTo(r.flags().contains("PROTECTED_CONFIG"));
    assertThat(config.isHidden(r.name())).as("hidden").isEqualTo(r.flags().contains("HIDDEN_CONFIG"));
    assertThat(config.isMultiArg(r.name())).as("multi-arg").isEqualTo(r.flags().contains("MULTI_ARG_CONFIG"));
    String expectedKind = switch (r.type()) {
      case "Bool" -> "bool";
      case "String", "SDS" -> "string";
      case "Enum" -> r.flags().contains("MULTI_ARG_CONFIG") ? "special" : "enum"; // shutdown-on-sig*: flag sets
      case "Special" -> "special";
      default -> "number";
    };
    assertThat(config.kind(r.name())).isEqualTo(expectedKind);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("redisParams")
  void takesItsOwnValueBackThroughConfigSetAndAtStartup(RedisParam r) {
    EngineHarness h = new EngineHarness();
    String value = h.engine.config.get(r.name());
    String reply = h.call("CONFIG", "SET", r.name(), value);
    if (r.flags().contains("IMMUTABLE_CONFIG")) {
      assertThat(reply).isEqualTo("-ERR CONFIG SET failed (possibly related to argument '" + r.name()
          + "') - can't set immutable config\r\n");
    } else if (r.flags().contains("PROTECTED_CONFIG")) {
      assertThat(reply).isEqualTo("-ERR CONFIG SET failed (possibly related to argument '" + r.name()
          + "') - can't set protected config\r\n");
    } else {
      assertThat(reply).isEqualTo("+OK\r\n");
    }
    String shown = r.name().equals("dir") ? java.nio.file.Path.of(value).toAbsolutePath().normalize().toString() : value;
    assertThat(h.call("CONFIG", "GET", r.name())).isEqualTo(
        "*2\r\n$" + r.name().length() + "\r\n" + r.name() + "\r\n$" + shown.getBytes(StandardCharsets.UTF_8).length
            + "\r\n" + shown + "\r\n");
    assertThat(new Config().set(r.name(), value, true)).isNull();
    if (r.alias() != null) {
      assertThat(new Config().set(r.alias(), value, true)).isNull();
    }
  }

  @Test
  void configGetStarListsEveryVisibleNameAndAlias() {
    EngineHarness h = new EngineHarness();
    String reply = h.call("CONFIG", "GET", "*");
    Config config = h.engine.config;
    for (String name : config.names()) {
      if (config.isHidden(name)) {
        assertThat(reply).doesNotContain("\r\n" + name + "\r\n");
        assertThat(h.call("CONFIG", "GET", name)).contains(name); // hidden: only by exact name
      } else {
        assertThat(reply).contains("\r\n" + name + "\r\n");
      }
      if (config.alias(name) != null && !config.isHidden(name)) {
        assertThat(reply).contains("\r\n" + config.alias(name) + "\r\n");
      }
    }
  }
}
