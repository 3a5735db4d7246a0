package io.freshet.cli.log;

import io.freshet.engine.Config;
import io.freshet.server.StandaloneLog;
import java.time.Clock;

/**
 * Points the standalone log at the server's configuration (META-INF/services): {@code logfile}
 * and {@code syslog-*} once, as Redis reads them only at start-up, and {@code loglevel} now and
 * on every CONFIG SET.
 */
public final class RedisStandaloneLog implements StandaloneLog {
  @Override
  public void configure(Config config) {
    configure(RedisLog.SHARED, config, Syslog.DEFAULT_SOCKET);
  }

  static void configure(RedisLog log, Config config, String syslogSocket) {
    String file = config.get("logfile");
    if (!file.isEmpty()) {
      RedisLog.checkWritable(file);
    }
    log.file(file);
    // a server logs on stdout, as redis-server does; client commands keep stderr for theirs
    log.console(() -> System.out);
    config.onChange("loglevel", v -> log.threshold(RedisLog.parseLevel(v)));
    if (config.getBool("syslog-enabled")) {
      try {
        log.syslog(Syslog.open(config.get("syslog-ident"), config.get("syslog-facility"),
            ProcessHandle.current().pid(), Clock.systemDefaultZone(), syslogSocket));
      } catch (IllegalStateException e) {
        // off Linux: the file or stdout still has every line, and says why syslog has none
        log.log(RedisStandaloneLog.class.getName(), org.slf4j.event.Level.WARN, "syslog disabled: " + e.getMessage(),
            null);
      }
    }
  }
}
