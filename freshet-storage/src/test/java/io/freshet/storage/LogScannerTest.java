package io.freshet.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Torn writes and bit rot: recovery keeps exactly a prefix and never accepts a damaged record. */
class LogScannerTest {
  private Path dir;
  private byte[] full;
  /** End offset of every record in the full log. */
  private final List<Long> ends = new ArrayList<>();
  private final List<String> written = new ArrayList<>();

  @BeforeEach
  void writeLog() throws Exception {
    dir = Files.createTempDirectory("scan");
    Path file = dir.resolve("full.flog");
    Random r = new Random(7);
    try (LogWriter w = new LogWriter(file, 0, LogWriter.Fsync.NO, () -> { })) {
      for (int i = 0; i < 40; i++) {
        String value = "v".repeat(r.nextInt(300)) + i;
        if (i % 7 == 3) {
          w.beginAtomic();
          w.command(0, i, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), value.getBytes()});
          w.command(1, i, new byte[][] {"INCR".getBytes(), ("n" + i).getBytes()});
          w.endAtomic();
          written.add("k" + i + "+n" + i);
        } else {
          w.command(i % 16, 1000L * i, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), value.getBytes()});
          written.add("k" + i);
        }
        w.commit();
        ends.add(w.sizeBytes());
      }
    }
    full = Files.readAllBytes(file);
  }

  private List<String> recovered(Path file, LogScanner.Result[] result) throws Exception {
    List<String> keys = new ArrayList<>();
    result[0] = LogScanner.scan(file, cmds -> {
      StringBuilder sb = new StringBuilder();
      for (LogRecord.Command c : cmds) {
        sb.append(sb.length() == 0 ? "" : "+").append(new String(c.argv()[1], StandardCharsets.UTF_8));
      }
      keys.add(sb.toString());
    });
    return keys;
  }

  @Test
  void truncatedAtEveryOffsetRecoversExactlyThePrefix() throws Exception {
    Path file = dir.resolve("cut.flog");
    for (int cut = 0; cut <= full.length; cut++) {
      Files.write(file, Arrays.copyOf(full, cut));
      LogScanner.Result[] r = new LogScanner.Result[1];
      List<String> keys = recovered(file, r);
      int complete = 0;
      while (complete < ends.size() && ends.get(complete) <= cut) {
        complete++;
      }
      assertThat(keys).as("cut at %d", cut).isEqualTo(written.subList(0, complete));
      long expectedGood = complete == 0 ? 0 : ends.get(complete - 1);
      assertThat(r[0].goodBytes()).isEqualTo(expectedGood);
      assertThat(r[0].problem()).isEqualTo(cut == expectedGood ? LogScanner.Problem.NONE : LogScanner.Problem.TORN_TAIL);
    }
  }

  @Test
  void zeroFilledTailIsTorn() throws Exception {
    Path file = dir.resolve("zeros.flog");
    byte[] withZeros = Arrays.copyOf(full, full.length + 4096);
    Files.write(file, withZeros);
    LogScanner.Result[] r = new LogScanner.Result[1];
    assertThat(recovered(file, r)).isEqualTo(written);
    assertThat(r[0].problem()).isEqualTo(LogScanner.Problem.TORN_TAIL);
    assertThat(r[0].goodBytes()).isEqualTo(full.length);
  }

  @Test
  void everyFlippedBitIsCaught() throws Exception {
    Path file = dir.resolve("flip.flog");
    Random random = new Random(11);
    long lastRecordStart = ends.get(ends.size() - 2);
    for (int trial = 0; trial < 400; trial++) {
      byte[] damaged = full.clone();
      int at = random.nextInt(damaged.length);
      damaged[at] ^= (byte) (1 << random.nextInt(8));
      Files.write(file, damaged);
      LogScanner.Result[] r = new LogScanner.Result[1];
      List<String> keys = recovered(file, r);
      int damagedRecord = 0;
      while (ends.get(damagedRecord) <= at) {
        damagedRecord++;
      }
      // Never a damaged record accepted, never anything after it.
      assertThat(keys).as("flip at %d", at).isEqualTo(written.subList(0, damagedRecord));
      if (at < lastRecordStart) {
        assertThat(r[0].problem()).as("flip at %d", at).isEqualTo(LogScanner.Problem.CORRUPT);
      } else {
        assertThat(r[0].problem()).isNotEqualTo(LogScanner.Problem.NONE);
      }
    }
  }

  /**
   * A busy script's hook commits what was logged before the script while its atomic group is
   * open: those records reach the file at once, and the group is written whole when it closes.
   */
  @Test
  void aCommitInsideAnOpenAtomicGroupWritesOnlyTheRecordsBeforeIt() throws Exception {
    Path file = dir.resolve("busy.flog");
    try (LogWriter w = new LogWriter(file, 0, LogWriter.Fsync.NO, () -> { })) {
      w.command(0, 1, new byte[][] {"SET".getBytes(), "before".getBytes(), "1".getBytes()});
      w.beginAtomic();
      w.command(0, 2, new byte[][] {"SET".getBytes(), "in1".getBytes(), "1".getBytes()});
      assertThat(w.hasPending()).isTrue();
      w.commit();
      assertThat(w.hasPending()).isFalse();
      LogScanner.Result[] result = new LogScanner.Result[1];
      assertThat(recovered(file, result)).containsExactly("before");
      w.command(0, 3, new byte[][] {"SET".getBytes(), "in2".getBytes(), "1".getBytes()});
      w.commit(); // nothing complete to write: the group is still open
      assertThat(recovered(file, result)).containsExactly("before");
      w.endAtomic();
      w.command(0, 4, new byte[][] {"SET".getBytes(), "after".getBytes(), "1".getBytes()});
      w.commit();
      assertThat(recovered(file, result)).containsExactly("before", "in1+in2", "after");
    }
  }
}
