package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.server.junit.FreshetExtension;
import io.freshet.server.junit.FreshetPort;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Redis 8.6–8.10 stream commands through Lettuce over TCP, in RESP2 and RESP3. The Lettuce
 * in the build (6.5) predates them, so they go through its {@code dispatch} with its own reply
 * decoders (Lettuce 7.7, which has typed methods for them, needs Netty 4.2); replies of older
 * commands (XPENDING, XINFO) go through its typed API. Edge cases are unit-tested in the engine.
 */
@ExtendWith(FreshetExtension.class)
class LettuceRedis8IT {
  private static RedisClient client(int port, ProtocolVersion protocol) {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
    return client;
  }

  private record Keyword(String name) implements ProtocolKeyword {
    @Override
    public byte[] getBytes() {
      return name.getBytes(StandardCharsets.US_ASCII);
    }
  }

  private static <T> T run(RedisCommands<String, String> r, CommandOutput<String, String, T> output, String... argv) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
    for (int i = 1; i < argv.length; i++) {
      args.add(argv[i]);
    }
    return r.dispatch(new Keyword(argv[0]), output, args);
  }

  private static String value(RedisCommands<String, String> r, String... argv) {
    return run(r, new ValueOutput<>(StringCodec.UTF8), argv);
  }

  private static Long integer(RedisCommands<String, String> r, String... argv) {
    return run(r, new IntegerOutput<>(StringCodec.UTF8), argv);
  }

  private static List<Object> nested(RedisCommands<String, String> r, String... argv) {
    return run(r, new NestedMultiOutput<>(StringCodec.UTF8), argv);
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void idempotentProductionAndItsSettings(ProtocolVersion protocol, @FreshetPort int port) {
    RedisClient client = client(port, protocol);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      r.del("orders");
      String first = value(r, "XADD", "orders", "IDMP", "checkout-1", "order-42", "*", "total", "10");
      assertThat(value(r, "XADD", "orders", "IDMP", "checkout-1", "order-42", "*", "total", "10")).isEqualTo(first);
      String auto = value(r, "XADD", "orders", "IDMPAUTO", "checkout-2", "*", "total", "11");
      assertThat(value(r, "XADD", "orders", "IDMPAUTO", "checkout-2", "*", "total", "11")).isEqualTo(auto)
          .isNotEqualTo(first);
      assertThat(r.xlen("orders")).isEqualTo(2);
      List<Object> info = r.xinfoStream("orders");
      assertThat(field(info, "iids-added")).isEqualTo(2L);
      assertThat(field(info, "iids-duplicates")).isEqualTo(2L);
      assertThat(field(info, "pids-tracked")).isEqualTo(2L);
      assertThat(run(r, new StatusOutput<>(StringCodec.UTF8), "XCFGSET", "orders", "IDMP-DURATION", "300",
          "IDMP-MAXSIZE", "50")).isEqualTo("OK");
      info = r.xinfoStream("orders");
      assertThat(field(info, "idmp-duration")).isEqualTo(300L);
      assertThat(field(info, "iids-tracked")).isEqualTo(0L); // a new setting forgets the history
      assertThatThrownBy(() -> value(r, "XADD", "orders", "IDMP", "p", "i", "1-1", "f", "v"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessage("ERR IDMP/IDMPAUTO can be used only with auto-generated IDs");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void nackThenClaim(ProtocolVersion protocol, @FreshetPort int port) {
    RedisClient client = client(port, protocol);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      r.del("jobs");
      for (int i = 1; i <= 4; i++) {
        value(r, "XADD", "jobs", i + "-0", "job", "j" + i);
      }
      r.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from("jobs", "0"), "workers");
      r.xreadgroup(io.lettuce.core.Consumer.from("workers", "w1"), io.lettuce.core.XReadArgs.StreamOffset.lastConsumed("jobs"));
      // the worker gives two back: one on shutdown (SILENT), one poisoned (FATAL)
      assertThat(integer(r, "XNACK", "jobs", "workers", "SILENT", "IDS", "1", "1-0")).isEqualTo(1L);
      assertThat(integer(r, "XNACK", "jobs", "workers", "FATAL", "IDS", "2", "2-0", "9-9")).isEqualTo(1L);
      List<PendingMessage> pending = r.xpending("jobs", "workers", Range.create("-", "+"), Limit.from(10));
      assertThat(pending).hasSize(4);
      assertThat(pending.get(0).getConsumer()).isEmpty();
      assertThat(pending.get(0).getRedeliveryCount()).isZero();
      assertThat(pending.get(1).getRedeliveryCount()).isEqualTo(Long.MAX_VALUE);
      // a CLAIM read takes them at once, whatever the min idle time, with their delivery counts
      String claimed = String.valueOf(nested(r, "XREADGROUP", "GROUP", "workers", "w2", "COUNT", "2", "CLAIM",
          "3600000", "STREAMS", "jobs", ">"));
      assertThat(claimed).contains("1-0", "2-0", "9223372036854775807").doesNotContain("3-0");
      assertThat(r.xpending("jobs", "workers", Range.create("-", "+"), Limit.from(10)).get(1).getConsumer())
          .isEqualTo("w2");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void readCaps(ProtocolVersion protocol, @FreshetPort int port) {
    RedisClient client = client(port, protocol);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      r.del("{a}1", "{a}2");
      for (int i = 1; i <= 3; i++) {
        value(r, "XADD", "{a}1", i + "-0", "f", "v" + i);
        value(r, "XADD", "{a}2", i + "-0", "f", "w" + i);
      }
      String capped = String.valueOf(nested(r, "XREAD", "COUNT", "2", "MAXCOUNT", "3", "STREAMS", "{a}1", "{a}2",
          "0", "0"));
      assertThat(capped).contains("v1", "v2", "w1").doesNotContain("v3", "w2");
      assertThat(String.valueOf(nested(r, "XREAD", "MAXSIZE", "1", "STREAMS", "{a}1", "{a}2", "0", "0")))
          .contains("v1").doesNotContain("v2", "{a}2");
      assertThatThrownBy(() -> nested(r, "XREAD", "COUNT", "5", "MAXCOUNT", "2", "STREAMS", "{a}1", "0"))
          .hasMessage("ERR MAXCOUNT must be greater than or equal to COUNT");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A field of XINFO STREAM's reply, which Lettuce gives as a flat list in both protocols. */
  private static Object field(List<Object> info, String name) {
    for (int i = 0; i + 1 < info.size(); i += 2) {
      if (name.equals(info.get(i))) {
        return info.get(i + 1);
      }
    }
    throw new AssertionError("no " + name + " in " + info);
  }
}
