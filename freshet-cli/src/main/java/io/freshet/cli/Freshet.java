package io.freshet.cli;

import io.freshet.server.ServerMain;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The {@code freshet} command. Runs on the main thread. */
@Command(name = "freshet", mixinStandardHelpOptions = true, version = "freshet 0.1.0",
    description = "Freshet: Redis Streams on the JVM.",
    subcommands = {Freshet.Server.class, LogCommand.class, StreamCommands.Produce.class, StreamCommands.Read.class,
        StreamCommands.Group.class, StreamCommands.Consume.class, StreamCommands.Reclaim.class,
        StreamCommands.Pending.class, StreamCommands.Dlq.class, StreamCommands.Info.class, BenchCommand.class,
        WarmupCommand.class})
public final class Freshet implements Callable<Integer> {
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

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("server")) {
      // redis-server style --name value pairs are not picocli options: pass them through as is
      try {
        System.exit(ServerMain.run(List.of(args).subList(1, args.length)));
      } catch (Exception e) {
        System.err.println("freshet server: " + e);
        System.exit(1);
      }
    }
    System.exit(new CommandLine(new Freshet()).execute(args));
  }
}
