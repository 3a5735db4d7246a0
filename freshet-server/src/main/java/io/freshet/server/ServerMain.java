package io.freshet.server;

import java.util.List;
import java.util.ServiceLoader;

/**
 * {@code freshet server [config-file] [--name value ...]}: runs a server in the foreground
 * until SHUTDOWN or a signal.
 */
public final class ServerMain {
  private ServerMain() {}

  public static final String USAGE = String.join("\n",
      "Usage: freshet server [/path/to/freshet.conf] [options]",
      "",
      "Serves Redis's protocol on 127.0.0.1:6379 with data in ./data unless told otherwise.",
      "Every configuration parameter can be given as --name value, as with redis-server,",
      "or as a 'name value' line in the config file (command line wins).",
      "",
      "Examples:",
      "  freshet server",
      "  freshet server --port 7777 --dir /var/lib/freshet",
      "  freshet server --requirepass secret --appendfsync always",
      "  freshet server /etc/freshet/freshet.conf --loglevel verbose",
      "",
      "Common parameters: port, bind, dir, requirepass, appendonly, appendfsync, maxclients,",
      "timeout, databases, proto-max-bulk-len, client-query-buffer-limit, hz,",
      "stream-node-max-entries, stream-node-max-bytes. CONFIG GET * lists them all.");

  public static int run(List<String> args) throws Exception {
    if (args.contains("--help") || args.contains("-h")) {
      System.out.println(USAGE);
      return 0;
    }
    ServerArgs.Parsed parsed;
    FreshetServer server;
    try {
      parsed = ServerArgs.parse(args);
      server = FreshetServer.builder().config(parsed.params()).configFile(parsed.configFile())
          .beforeStart(ServerMain::configureLog)
          .start();
    } catch (ServerArgs.ConfigFileError e) {
      System.err.println(e.getMessage());
      return 1;
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("*** FATAL CONFIG ERROR: " + e.getMessage());
      return 1;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("*** FATAL: " + e.getMessage() + ": " + e.getCause());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "freshet-signal"));
    server.awaitTermination();
    return 0;
  }

  /** Hands the configuration to the launcher's log backend, if the classpath has one. */
  private static void configureLog(io.freshet.engine.Config config) {
    for (StandaloneLog log : ServiceLoader.load(StandaloneLog.class)) {
      try {
        log.configure(config);
      } catch (IllegalArgumentException e) {
        // redis-server refuses a logfile it cannot open in this form, naming no line
        throw new ServerArgs.ConfigFileError(0, "", e.getMessage());
      }
      return;
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(List.of(args)));
  }
}
