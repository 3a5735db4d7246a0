package io.freshet.server;

import io.freshet.engine.Config;

/**
 * Where a standalone server's log lines go. Freshet's modules log through the SLF4J API only, so
 * an application embedding {@link FreshetServer} routes them to its own backend; the standalone
 * launcher (freshet-cli) brings a backend that writes Redis's log format and follows
 * {@code loglevel}, {@code logfile} and {@code syslog-*}. {@link ServerMain} finds it with
 * {@link java.util.ServiceLoader} (META-INF/services/io.freshet.server.StandaloneLog) and hands
 * it the configuration before the server logs its first line; without one (e.g. ServerMain on
 * freshet-server's own classpath) the lines go to whichever SLF4J provider is there.
 */
public interface StandaloneLog {
  /**
   * Follows {@code config} from now on ({@link Config#onChange}); called on the starting thread
   * before the server logs anything.
   *
   * @throws IllegalArgumentException with Redis's reason (e.g. "Can't open the log file: ...")
   *     when the configuration cannot be honoured
   */
  void configure(Config config);
}
