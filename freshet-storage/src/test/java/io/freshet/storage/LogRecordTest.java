package io.freshet.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogRecordTest {
  private static byte[][] argv(String... parts) {
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Opcodes are part of the on-disk format: renumbering one breaks every existing log. */
  @Test
  void opcodesAreFrozen() {
    assertThat(LogRecord.OP_COMMAND).isEqualTo(1);
    assertThat(LogRecord.OP_ATOMIC).isEqualTo(2);
  }

  /** The exact bytes of one record; a change here is a format change. */
  @Test
  void commandRecordBytesAreFrozen() throws Exception {
    Bytes b = new Bytes(64);
    int start = b.size();
    b.skip(LogRecord.HEADER_BYTES);
    b.write(LogRecord.OP_COMMAND);
    LogRecord.encodeCommand(b, 3, 1000, argv("SET", "k", "v"));
    LogRecord.seal(b, start);
    String hex = HexFormat.of().formatHex(b.array(), 0, b.size());
    // length 13 | crc32c | op 1 | db 3 | now 1000 (e8 07) | argc 3 | 3 SET | 1 k | 1 v
    assertThat(hex).isEqualTo("0000000d" + hex.substring(8, 16) + "01" + "03" + "e807" + "03" + "03534554" + "016b" + "0176");
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 8, 13);
    assertThat(hex.substring(8, 16)).isEqualTo(String.format("%08x", crc.getValue()));
  }

  @Test
  void atomicRecordRoundTrips() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("log");
    java.nio.file.Path file = dir.resolve("x.flog");
    try (LogWriter w = new LogWriter(file, 0, LogWriter.Fsync.ALWAYS, () -> { })) {
      w.command(0, 5, argv("SET", "a", "1"));
      w.beginAtomic();
      w.command(1, 6, argv("INCR", "b"));
      w.command(2, 6, argv("DEL", "c"));
      w.endAtomic();
      w.beginAtomic();
      w.endAtomic(); // an empty transaction writes nothing
      w.commit();
    }
    List<List<LogRecord.Command>> records = new java.util.ArrayList<>();
    LogScanner.Result r = LogScanner.scan(file, records::add);
    assertThat(r.problem()).isEqualTo(LogScanner.Problem.NONE);
    assertThat(records).hasSize(2);
    assertThat(records.get(1)).extracting(LogRecord.Command::db).containsExactly(1, 2);
    assertThat(new String(records.get(1).get(0).argv()[0], StandardCharsets.UTF_8)).isEqualTo("INCR");
    assertThat(records.get(0).get(0).nowMs()).isEqualTo(5);
  }
}
