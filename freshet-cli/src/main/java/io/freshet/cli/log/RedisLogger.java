package io.freshet.cli.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An SLF4J logger writing to a {@link RedisLog}; markers are ignored. */
final class RedisLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;
  private final transient RedisLog log;

  RedisLogger(String name, RedisLog log) {
    this.name = name;
    this.log = log;
  }

  @Override
  public boolean isTraceEnabled() {
    return log.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return log.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return log.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return log.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return log.enabled(name, Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
      Throwable thrown) {
    String message = arguments == null || arguments.length == 0 ? pattern
        : MessageFormatter.basicArrayFormat(pattern, arguments);
    log.log(name, level, message, thrown);
  }
}
