package io.freshet.storage.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.engine.Config;
import io.freshet.engine.DiscardingConnection;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * DUMP of a stream keeps its 8.x state as Redis 8.x's payload does: IDMP state as
 * STREAM_LISTPACKS_4 (RDB 13), XNACKed entries as STREAM_LISTPACKS_5 (RDB 14); a stream without
 * either keeps the configured version (11), which Redis 7 restores. RESTORE refuses versions past
 * 14 with Redis's error.
 */
class StreamDumpTest {
  private final long[] clock = {5_000_000};
  private final Config config = new Config();
  private final Engine engine = new Engine(config, () -> clock[0]);
  private final Session session = engine.connect(new DiscardingConnection());

  private void run(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    engine.submit(session, argv);
  }

  private StreamValue stream(String key) {
    return (StreamValue) engine.db(0).peek(key.getBytes(StandardCharsets.UTF_8));
  }

  private static int version(byte[] payload) {
    int at = payload.length - 10;
    return (payload[at] & 0xff) | (payload[at + 1] & 0xff) << 8;
  }

  private int dumpVersion = 10;

  private byte[] dump(StreamValue s) {
    return RdbWriter.dump(s, dumpVersion, 100, 100, false);
  }

  @Test
  void plainStreamsKeepTheConfiguredVersion() throws Exception {
    run("XADD", "s", "1-0", "f", "v");
    run("XGROUP", "CREATE", "s", "g", "0");
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    byte[] payload = dump(stream("s"));
    assertThat(payload[0]).isEqualTo((byte) Rdb.TYPE_STREAM_LISTPACKS_2);
    assertThat(version(payload)).isEqualTo(10);
    assertThat(dump((StreamValue) RdbReader.restore(payload, config))).isEqualTo(payload);
  }

  @Test
  void idempotencyStateTravelsAsStreamListpacks4() throws Exception {
    run("XADD", "s", "IDMP", "p1", "a", "*", "f", "1");
    clock[0] += 5;
    run("XADD", "s", "IDMP", "p2", "b", "*", "f", "2");
    run("XADD", "s", "IDMP", "p1", "c", "*", "f", "3");
    run("XADD", "s", "IDMP", "p1", "a", "*", "f", "again"); // a duplicate: counted, adds nothing
    run("XCFGSET", "s", "IDMP-DURATION", "300");
    run("XADD", "s", "IDMP", "p1", "d", "*", "f", "4");
    byte[] payload = dump(stream("s"));
    assertThat(payload[0]).isEqualTo((byte) Rdb.TYPE_STREAM_LISTPACKS_4);
    assertThat(version(payload)).isEqualTo(13);
    StreamValue restored = (StreamValue) RdbReader.restore(payload, config);
    assertThat(restored.idempotency().durationS()).isEqualTo(300);
    assertThat(restored.idempotency().iidsAdded()).isEqualTo(stream("s").idempotency().iidsAdded());
    assertThat(restored.idempotency().iidsDuplicates()).isEqualTo(stream("s").idempotency().iidsDuplicates());
    assertThat(restored.idempotency().find("p1".getBytes(), "d".getBytes(), clock[0])).isNotNull();
    assertThat(dump(restored)).isEqualTo(payload);
  }

  @Test
  void nackedEntriesTravelAsStreamListpacks5InTheirOrder() throws Exception {
    for (int i = 1; i <= 4; i++) {
      run("XADD", "s", i + "-0", "f", "v" + i);
    }
    run("XGROUP", "CREATE", "s", "g", "0");
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    run("XNACK", "s", "g", "FAIL", "IDS", "2", "3-0", "1-0");
    byte[] payload = dump(stream("s"));
    assertThat(payload[0]).isEqualTo((byte) Rdb.TYPE_STREAM_LISTPACKS_5);
    assertThat(version(payload)).isEqualTo(14);
    StreamValue restored = (StreamValue) RdbReader.restore(payload, config);
    ConsumerGroup g = restored.groups.get("g".getBytes(StandardCharsets.UTF_8));
    assertThat(g.nackedIds()).containsExactly(new StreamId(3, 0), new StreamId(1, 0));
    assertThat(g.pel.size()).isEqualTo(4);
    assertThat(g.consumer("c".getBytes(StandardCharsets.UTF_8)).pel.size()).isEqualTo(2);
    assertThat(restored.idempotency()).isNull();
    assertThat(dump(restored)).isEqualTo(payload);
  }

  @Test
  void restoreRefusesNewerPayloads() {
    run("XADD", "s", "1-0", "f", "v");
    byte[] payload = dump(stream("s"));
    int at = payload.length - 10;
    payload[at] = 15;
    byte[] body = Arrays.copyOf(payload, payload.length - 8);
    long crc = Crc64.update(0, body, 0, body.length);
    for (int i = 0; i < 8; i++) {
      payload[payload.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    assertThatThrownBy(() -> RdbReader.restore(payload, config))
        .hasMessage("DUMP payload version or checksum are wrong");
  }
}
