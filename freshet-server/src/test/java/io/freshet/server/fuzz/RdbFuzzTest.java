package io.freshet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.freshet.engine.Config;
import io.freshet.engine.DiscardingConnection;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.engine.keyspace.Database;
import io.freshet.storage.Bytes;
import io.freshet.storage.rdb.Crc64;
import io.freshet.storage.rdb.RdbException;
import io.freshet.storage.rdb.RdbReader;
import io.freshet.storage.rdb.RdbWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the RDB reader and the DUMP payload reader: valid snapshots and payloads (from
 * redis-server 7.0.15, committed, and from our RdbWriter) damaged by bit flips, cuts, inserted
 * bytes and length fields set to huge values, mostly with the checksum fixed up afterwards so the
 * damage reaches the decoder. The reader must refuse with {@link RdbException} or an
 * {@link IOException} (which RESTORE and loading turn into Redis's errors), finish within
 * {@link #BOUND_MS}, and allocate no more than the input can fill: a declared length is not an
 * allocation (the JVM of bench/fuzz.sh has a small heap, so such a bug is an OutOfMemoryError).
 */
class RdbFuzzTest {
  static final long BOUND_MS = 10_000;
  private static final List<byte[]> FILES = new ArrayList<>();
  private static final List<byte[]> PAYLOADS = new ArrayList<>();

  static {
    try {
      FILES.add(resource("redis-7.0.15.rdb"));
      for (String key : List.of("big", "h", "l", "n", "s", "si", "ss", "x")) {
        PAYLOADS.add(resource("redis-7.0.15-dump-" + key + ".bin"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeOwn();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = RdbFuzzTest.class.getResourceAsStream("rdb/" + name)) {
      return in.readAllBytes();
    }
  }

  /** Snapshots (RDB 10 and 11) and DUMP payloads of every type, written by Freshet. */
  private static void writeOwn() {
    Config config = new Config();
    config.set("appendonly", "no", true);
    config.set("save", "", true);
    Engine engine = new Engine(config, () -> 1_700_000_000_000L);
    Session s = engine.connect(new DiscardingConnection());
    String[][] setup = {{"SET", "s", "hello"}, {"SET", "n", "-12345"}, {"RPUSH", "l", "a", "bb", "7", "-70000"},
        {"SADD", "si", "1", "-2", "70000"}, {"SADD", "ss", "a", "b"}, {"HSET", "h", "f", "v", "n", "5"},
        {"HSET", "hbig", "f", "x".repeat(100)}, {"XADD", "x", "1-1", "f", "v"}, {"XADD", "x", "2-1", "f", "v", "g", "w"},
        {"XADD", "x", "2-2", "f", "w"}, {"XDEL", "x", "2-1"}, {"XGROUP", "CREATE", "x", "g", "0"},
        {"XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "x", ">"}, {"XGROUP", "CREATECONSUMER", "x", "g", "d"},
        {"XADD", "xi", "IDMP", "p", "i1", "*", "f", "v"}, {"PEXPIRE", "s", "100000"}};
    for (String[] args : setup) {
      byte[][] argv = new byte[args.length][];
      for (int i = 0; i < args.length; i++) {
        argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
      }
      engine.submit(s, argv);
    }
    Database[] dbs = new Database[config.getInt("databases")];
    for (int i = 0; i < dbs.length; i++) {
      dbs[i] = engine.db(i);
    }
    for (int version : new int[] {10, 11}) {
      Bytes out = new Bytes(4096);
      RdbWriter.snapshot(out, version, dbs, List.of("#!lua name=lib\nredis.register_function('f', function() return 1 end)"
          .getBytes(StandardCharsets.UTF_8)), 1_700_000_000_000L, false, RdbWriter.Options.DEFAULT);
      FILES.add(java.util.Arrays.copyOf(out.array(), out.size()));
      for (String key : List.of("s", "n", "l", "si", "ss", "h", "hbig", "x", "xi")) {
        Object value = engine.db(0).peek(key.getBytes(StandardCharsets.UTF_8));
        if (value != null) {
          PAYLOADS.add(RdbWriter.dump(value, version));
        }
      }
    }
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    boolean file = data.consumeBoolean();
    List<byte[]> bases = file ? FILES : PAYLOADS;
    byte[] input = bases.get(data.consumeInt(0, bases.size() - 1)).clone();
    boolean fixChecksum = data.consumeInt(0, 3) != 0;
    int edits = data.consumeInt(1, 4);
    for (int e = 0; e < edits && input.length > 0; e++) {
      int at = data.consumeInt(0, input.length - 1);
      switch (data.consumeInt(0, 5)) {
        case 0 -> input[at] ^= (byte) (1 << data.consumeInt(0, 7));
        case 1 -> input[at] = data.consumeByte();
        case 2 -> input = java.util.Arrays.copyOf(input, at);
        case 3 -> { // a length field set to a huge value: 0x80/0x81 (32/64-bit length) then 0xff...
          input[at] = (byte) (data.consumeBoolean() ? 0x81 : 0x80);
          for (int i = at + 1; i < Math.min(input.length, at + 9); i++) {
            input[i] = data.consumeBoolean() ? (byte) 0xff : (byte) 0x7f;
          }
        }
        case 4 -> {
          byte[] junk = data.consumeBytes(data.consumeInt(1, 16));
          byte[] out = new byte[input.length + junk.length];
          System.arraycopy(input, 0, out, 0, at);
          System.arraycopy(junk, 0, out, at, junk.length);
          System.arraycopy(input, at, out, at + junk.length, input.length - at);
          input = out;
        }
        default -> {
          int n = Math.min(input.length - at, data.consumeInt(1, 8));
          for (int i = 0; i < n; i++) {
            input[at + i] = (byte) 0xff;
          }
        }
      }
    }
    if (fixChecksum) {
      fixChecksum(input, file);
    }
    byte[] damaged = input;
    Fuzzing.bounded(BOUND_MS, damaged, () -> read(damaged, file));
  }

  /** RESTORE's footer (version u16, CRC-64 of all before it) or a file's trailing CRC-64. */
  private static void fixChecksum(byte[] input, boolean file) {
    if (input.length < (file ? 8 : 10)) {
      return;
    }
    long crc = Crc64.update(0, input, 0, input.length - 8);
    for (int i = 0; i < 8; i++) {
      input[input.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
  }

  private static void read(byte[] input, boolean file) {
    Config config = new Config();
    try {
      if (file) {
        RdbReader.load(new ByteArrayInputStream(input), config, (db, key, value, expireAtMs) -> {
          assertThat(key).isNotNull();
          assertThat(value).isNotNull();
        });
      } else {
        assertThat(RdbReader.restore(input, config)).isNotNull();
      }
    } catch (RdbException | IOException expected) {
      // a clean refusal: RESTORE answers Redis's error, loading names the file
    }
  }

  @FuzzTest
  void read(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }

  @Test
  void shortRandomRun() {
    long runs = Fuzzing.shortRun(3, 6_000, Fuzzing.seeds(getClass(), "read"), RdbFuzzTest::fuzzerTestOneInput);
    assertThat(runs).isPositive();
  }
}
