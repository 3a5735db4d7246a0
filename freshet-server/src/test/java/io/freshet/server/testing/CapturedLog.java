package io.freshet.server.testing;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J backend of freshet-server's tests, standing in for an embedding application's: it
 * keeps every event (for tests asserting what the server logs) and prints INFO and above on
 * stderr. Registered in the test resources only, and left out of the test-jar.
 */
public final class CapturedLog implements SLF4JServiceProvider {
  /** One logging call. */
  public record Event(String logger, Level level, String message, Throwable thrown) {}

  private static final List<Event> EVENTS = new CopyOnWriteArrayList<>();

  /** The events logged so far in this JVM, oldest first. */
  public static List<Event> events() {
    return List.copyOf(EVENTS);
  }

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, Capturing::new);

  private static final class Capturing extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    Capturing(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
        Throwable thrown) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      if (name.startsWith("io.freshet") || name.startsWith("freshet.")) {
        // Netty's and the clients' debug chatter is not worth keeping
        EVENTS.add(new Event(name, level, message, thrown));
      }
      if (level.toInt() >= Level.INFO.toInt()) {
        System.err.println(level + " " + name + " - " + message + (thrown == null ? "" : ": " + thrown));
      }
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return new BasicMarkerFactory();
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return new NOPMDCAdapter();
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}
}
