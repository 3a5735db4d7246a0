package io.freshet.cli;

import io.freshet.storage.LogRecord;
import io.freshet.storage.LogScanner;
import io.freshet.storage.Manifest;
import io.freshet.storage.Store;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code freshet log check|repair|dump DIR}: offline tools for a data directory's log, for when
 * the server refuses to start. Runs on the main thread; the server must not be running.
 */
@Command(name = "log", description = "Check, repair or print a data directory's log (server stopped).",
    subcommands = {LogCommand.Check.class, LogCommand.Repair.class, LogCommand.Dump.class})
final class LogCommand extends StreamCommands.UsageOnly {

  abstract static class DirCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the data directory (the server's --dir)")
    Path dir;

    @Option(names = "--appenddirname", defaultValue = "appendonlydir", description = "default: ${DEFAULT-VALUE}")
    String appendDirName;

    @Option(names = "--appendfilename", defaultValue = "appendonly.aof", description = "default: ${DEFAULT-VALUE}")
    String appendFileName;

    Path logDir() {
      return dir.resolve(appendDirName);
    }

    String manifestName() {
      return appendFileName + ".manifest";
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    boolean hasManifest() {
      if (Files.exists(logDir().resolve(manifestName()))) {
        return true;
      }
      spec.commandLine().getErr().println("no log manifest at " + logDir().resolve(manifestName()));
      return false;
    }
  }

  @Command(name = "check", description = "Verify every record's checksum; exit 1 if anything is damaged.")
  static final class Check extends DirCommand {
    @Override
    public Integer call() throws Exception {
      if (!hasManifest()) {
        return 2;
      }
      boolean ok = true;
      for (LogScanner.Result r : Store.check(logDir(), manifestName())) {
        out().println(r.describe());
        ok &= r.problem() == LogScanner.Problem.NONE;
      }
      out().println(ok ? "log OK" : "log damaged: 'freshet log repair " + dir + "' cuts it at the first bad record");
      return ok ? 0 : 1;
    }
  }

  @Command(name = "repair", description = "Cut each damaged segment at its first bad record (what follows is lost).")
  static final class Repair extends DirCommand {
    @Override
    public Integer call() throws Exception {
      if (!hasManifest()) {
        return 2;
      }
      List<LogScanner.Result> results = Store.repair(logDir(), manifestName(), out()::println);
      boolean damaged = results.stream().anyMatch(r -> r.problem() != LogScanner.Problem.NONE);
      out().println(damaged ? "repaired" : "nothing to repair");
      return 0;
    }
  }

  @Command(name = "dump", description = "Print every record: db, time in ms, and the command.")
  static final class Dump extends DirCommand {
    @Override
    public Integer call() throws Exception {
      if (!hasManifest()) {
        return 2;
      }
      Manifest m = Manifest.read(logDir().resolve(manifestName()));
      for (Manifest.Entry e : m.entries()) {
        out().println("# " + e.name() + (e.type() == Manifest.Type.BASE ? " (base snapshot)" : ""));
        if (e.type() == Manifest.Type.INCR && Files.exists(logDir().resolve(e.name()))) {
          LogScanner.Result r = LogScanner.scan(logDir().resolve(e.name()), commands -> {
            String prefix = commands.size() > 1 ? "  " : "";
            if (commands.size() > 1) {
              out().println("MULTI");
            }
            for (LogRecord.Command c : commands) {
              out().println(prefix + "db=" + c.db() + " t=" + c.nowMs() + " " + quote(c.argv()));
            }
            if (commands.size() > 1) {
              out().println("EXEC");
            }
          });
          if (r.problem() != LogScanner.Problem.NONE) {
            out().println("# " + r.describe());
          }
        }
      }
      return 0;
    }

    private static String quote(byte[][] argv) {
      StringBuilder sb = new StringBuilder();
      for (byte[] a : argv) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append('"');
        for (byte b : a) {
          int c = b & 0xff;
          if (c == '"' || c == '\\') {
            sb.append('\\').append((char) c);
          } else if (c < 0x20 || c >= 0x7f) {
            sb.append(String.format("\\x%02x", c));
          } else {
            sb.append((char) c);
          }
        }
        sb.append('"');
      }
      return sb.toString();
    }
  }
}
