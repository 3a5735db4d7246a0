package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.storage.LogWriter;
import io.freshet.storage.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LogCommandTest {
  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = Freshet.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    int exit = cl.execute(args);
    return new Run(exit, out.toString());
  }

  private static Path dataDir() throws Exception {
    Path dir = Files.createTempDirectory("cli-log");
    Path logDir = dir.resolve("appendonlydir");
    Files.createDirectories(logDir);
    new Manifest(List.of(new Manifest.Entry("appendonly.aof.1.incr.flog", 1, Manifest.Type.INCR)))
        .write(logDir.resolve("appendonly.aof.manifest"));
    try (LogWriter w = new LogWriter(logDir.resolve("appendonly.aof.1.incr.flog"), 0, LogWriter.Fsync.NO, () -> { })) {
      for (int i = 0; i < 10; i++) {
        w.command(0, 1000 + i, new byte[][] {"SET".getBytes(), ("key" + i).getBytes(), "v\n\"".getBytes()});
      }
      w.beginAtomic();
      w.command(2, 2000, new byte[][] {"INCR".getBytes(), "n".getBytes()});
      w.command(2, 2000, new byte[][] {"INCR".getBytes(), "m".getBytes()});
      w.endAtomic();
      w.commit();
    }
    return dir;
  }

  @Test
  void checkDumpAndRepair() throws Exception {
    Path dir = dataDir();
    Run ok = run("log", "check", dir.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains("11 records", "log OK");

    Run dump = run("log", "dump", dir.toString());
    assertThat(dump.out()).contains("db=0 t=1000 \"SET\" \"key0\" \"v\\x0a\\\"\"", "MULTI\n  db=2 t=2000 \"INCR\" \"n\"", "EXEC");

    Path log = dir.resolve("appendonlydir/appendonly.aof.1.incr.flog");
    byte[] bytes = Files.readAllBytes(log);
    bytes[bytes.length / 3] ^= 0x40; // damage in the middle
    Files.write(log, bytes);
    Run bad = run("log", "check", dir.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("corrupt record at offset", "log damaged");

    Run repair = run("log", "repair", dir.toString());
    assertThat(repair.exit()).isZero();
    assertThat(repair.out()).contains("cut ", "repaired");
    Run after = run("log", "check", dir.toString());
    assertThat(after.exit()).isZero();
    assertThat(Files.size(log)).isLessThan(bytes.length);
    assertThat(Arrays.equals(Files.readAllBytes(log), Arrays.copyOf(bytes, (int) Files.size(log)))).isTrue();
  }

  @Test
  void missingManifestIsReported() throws Exception {
    Run r = run("log", "check", Files.createTempDirectory("empty").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("no log manifest");
  }
}
