package io.freshet.cli;

import io.freshet.cli.log.RedisLog;
import io.freshet.engine.Fatal;
import io.freshet.server.ServerMain;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Parameters;

/** The {@code freshet} command. Runs on the main thread. */
@Command(name = "freshet", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "freshet 0.1.0",
    description = "Freshet: Redis Streams on the JVM.",
    subcommands = {Freshet.Server.class, LogCommand.class, StreamCommands.Produce.class, StreamCommands.Read.class,
        StreamCommands.Group.class, StreamCommands.Consume.class, StreamCommands.Reclaim.class,
        StreamCommands.Pending.class, StreamCommands.Dlq.class, StreamCommands.Info.class, BenchCommand.class,
        WarmupCommand.class},
    footer = {"", "Exit status:",
        "  0   done",
        "  " + Freshet.EXIT_FAILURE + "   failed: cannot connect, a server error, bad input; `log check`: the log is damaged",
        "  " + Freshet.EXIT_USAGE + "   usage error: unknown option, missing or bad value; `log`: no log in DIR",
        "  " + Fatal.EXIT_STATUS + "  `server`: the JVM died of an Error (e.g. out of memory)",
        "`consume --exec CMD` runs CMD per entry: its exit status 0 acks the entry, any other fails",
        "the attempt (retried after the backoff, dead-lettered past --max-retries); `consume` itself",
        "exits 0 after --max-entries, or runs until stopped."})
public final class Freshet implements Callable<Integer> {
  /** A subcommand failed: one line on stderr says why. */
  static final int EXIT_FAILURE = CommandLine.ExitCode.SOFTWARE;
  /** The command line was wrong: picocli's message and the usage. */
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** {@code freshet server}: redis-server's command line, passed through untouched. */
  @Command(name = "server", description = "Run a server (redis-server's options: [config-file] [--name value ...]).")
  static final class Server implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "config file and/or --name value pairs")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
      return ServerMain.run(args);
    }
  }

  /**
   * The command line with Freshet's manners: a failure the user can act on (cannot connect, a
   * server error, bad input) is one line on stderr and exit status {@link #EXIT_FAILURE}, not a
   * stack trace.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Freshet());
    cl.setExecutionExceptionHandler((e, failed, parsed) -> {
      String url = failed.getCommand() instanceof StreamCommands.Base b ? b.url : null;
      String line = Failures.describe(e, url);
      if (line == null) {
        throw e; // a bug: picocli prints the stack trace
      }
      failed.getErr().println(line);
      failed.getErr().flush();
      return EXIT_FAILURE;
    });
    return cl;
  }

  public static void main(String[] args) {
    // Lettuce logs each seed it cannot reach while it looks for a cluster's topology; the
    // command says itself that it cannot connect, in one line
    RedisLog.standalone().quiet("io.lettuce.core.cluster.topology");
    if (args.length > 0 && args[0].equals("server")) {
      // redis-server style --name value pairs are not picocli options: pass them through as is
      try {
        System.exit(ServerMain.run(List.of(args).subList(1, args.length)));
      } catch (Exception e) {
        System.err.println("freshet server: " + e);
        System.exit(EXIT_FAILURE);
      }
    }
    System.exit(commandLine().execute(args));
  }
}
