package io.freshet.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.freshet.server.fuzz.Fuzzing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for log recovery: a segment of random records (single commands and atomic groups)
 * damaged by bit flips, cuts, inserted bytes and huge lengths, sometimes with the damaged record's
 * checksum fixed up so the damage reaches the record decoder. The scan must only throw
 * IOException, finish within {@link #BOUND_MS}, and hand over exactly a prefix of the records
 * written: the records before the first damaged byte, never a damaged one.
 */
class LogScannerFuzzTest {
  static final long BOUND_MS = 10_000;
  private static Path segment;

  private static synchronized Path segment() throws IOException {
    if (segment == null) {
      segment = Files.createTempFile("freshet-fuzz", ".flog");
      segment.toFile().deleteOnExit();
    }
    return segment;
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    Bytes out = new Bytes(256);
    List<String> written = new ArrayList<>();
    List<Integer> recordEnds = new ArrayList<>();
    int records = data.consumeInt(1, 8);
    for (int r = 0; r < records; r++) {
      int start = out.size();
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      out.write(0);
      int commands = data.consumeBoolean() ? 1 : data.consumeInt(0, 3);
      StringBuilder shown = new StringBuilder();
      if (commands == 1) {
        out.write(LogRecord.OP_COMMAND);
      } else {
        out.write(LogRecord.OP_ATOMIC);
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(commands);
      }
      for (int c = 0; c < commands; c++) {
        int db = data.consumeInt(0, 15);
        long nowMs = data.consumeLong(0, Long.MAX_VALUE);
        byte[][] argv = new byte[data.consumeInt(1, 4)][];
        for (int a = 0; a < argv.length; a++) {
          argv[a] = data.consumeBytes(data.consumeInt(0, 12));
        }
        LogRecord.encodeCommand(out, db, nowMs, argv);
        shown.append(db).append('/').append(nowMs);
        for (byte[] a : argv) {
          shown.append(' ').append(Arrays.toString(a));
        }
        shown.append(';');
      }
      LogRecord.seal(out, start);
      written.add(shown.toString());
      recordEnds.add(out.size());
    }
    byte[] file = Arrays.copyOf(out.array(), out.size());
    int firstDamage = file.length;
    int edits = data.consumeInt(0, 3);
    for (int e = 0; e < edits && file.length > 0; e++) {
      int at = data.consumeInt(0, file.length - 1);
      firstDamage = Math.min(firstDamage, at);
      switch (data.consumeInt(0, 3)) {
        case 0 -> file[at] ^= (byte) (1 << data.consumeInt(0, 7));
        case 1 -> file = Arrays.copyOf(file, at);
        case 2 -> Arrays.fill(file, at, Math.min(file.length, at + 4), (byte) 0xff);
        default -> {
          byte[] junk = data.consumeBytes(data.consumeInt(1, 8));
          byte[] grown = new byte[file.length + junk.length];
          System.arraycopy(file, 0, grown, 0, at);
          System.arraycopy(junk, 0, grown, at, junk.length);
          System.arraycopy(file, at, grown, at + junk.length, file.length - at);
          file = grown;
        }
      }
    }
    boolean fixChecksum = data.consumeInt(0, 3) == 0;
    int damagedRecord = 0;
    while (damagedRecord < recordEnds.size() && recordEnds.get(damagedRecord) <= firstDamage) {
      damagedRecord++;
    }
    if (fixChecksum && damagedRecord < recordEnds.size()) {
      // re-seal the first damaged record so its body reaches the decoder
      int start = damagedRecord == 0 ? 0 : recordEnds.get(damagedRecord - 1);
      if (file.length - start >= LogRecord.HEADER_BYTES) {
        long length = Bytes.getInt(file, start) & 0xffffffffL;
        if (start + LogRecord.HEADER_BYTES + length <= file.length) {
          CRC32C crc = new CRC32C();
          crc.update(file, start + LogRecord.HEADER_BYTES, (int) length);
          int v = (int) crc.getValue();
          file[start + 4] = (byte) (v >>> 24);
          file[start + 5] = (byte) (v >>> 16);
          file[start + 6] = (byte) (v >>> 8);
          file[start + 7] = (byte) v;
        }
      }
    }
    byte[] damaged = file;
    int intactRecords = damagedRecord;
    Fuzzing.bounded(BOUND_MS, damaged, () -> scan(damaged, written, intactRecords, fixChecksum));
  }

  private static void scan(byte[] file, List<String> written, int intactRecords, boolean checksumFixed) {
    try {
      Path p = segment();
      Files.write(p, file);
      List<String> recovered = new ArrayList<>();
      LogScanner.Result result = LogScanner.scan(p, commands -> {
        StringBuilder shown = new StringBuilder();
        for (LogRecord.Command c : commands) {
          shown.append(c.db()).append('/').append(c.nowMs());
          for (byte[] a : c.argv()) {
            shown.append(' ').append(Arrays.toString(a));
          }
          shown.append(';');
        }
        recovered.add(shown.toString());
      });
      assertThat(result.records()).isEqualTo(recovered.size());
      assertThat(result.goodBytes()).isBetween(0L, (long) file.length);
      // the intact records always come back, in order
      assertThat(recovered.size()).isGreaterThanOrEqualTo(Math.min(intactRecords, written.size()));
      assertThat(recovered.subList(0, intactRecords)).isEqualTo(written.subList(0, intactRecords));
      if (!checksumFixed) {
        // without a forged checksum nothing damaged gets through (a CRC32C collision aside)
        for (int i = intactRecords; i < recovered.size(); i++) {
          assertThat(written).contains(recovered.get(i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void scan(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }

  @Test
  void shortRandomRun() {
    long runs = Fuzzing.shortRun(4, 5_000, Fuzzing.seeds(getClass(), "scan"), LogScannerFuzzTest::fuzzerTestOneInput);
    assertThat(runs).isPositive();
  }
}
