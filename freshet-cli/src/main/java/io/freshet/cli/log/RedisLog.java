package io.freshet.cli.log;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.event.Level;

/**
 * The standalone log, as Redis's serverLog writes it: one line per event,
 * {@code pid:role dd Mon yyyy HH:mm:ss.SSS c message}, to {@code logfile} (opened in append mode
 * for each line, as Redis does, so a rotated file is simply recreated) or to stdout when it is
 * "", and also to syslog when {@code syslog-enabled}. Lines below {@code loglevel} are dropped.
 * Any thread; lines are written whole.
 */
public final class RedisLog {
  /** Redis's verbosity levels (LL_DEBUG ... LL_NOTHING); a line is written at or above the threshold. */
  public static final int DEBUG = 0;
  public static final int VERBOSE = 1;
  public static final int NOTICE = 2;
  public static final int WARNING = 3;
  public static final int NOTHING = 4;
  /** Redis's level marks, by level. */
  private static final char[] MARKS = {'.', '-', '*', '#'};
  /** Redis's LOG_MAX_LEN: its message buffer, so longer messages are cut to one less. */
  static final int MAX_MESSAGE_CHARS = 1024 - 1;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);

  /** The log the SLF4J provider of the standalone launcher writes to. */
  static final RedisLog SHARED = new RedisLog(Clock.systemDefaultZone(), ProcessHandle.current().pid(),
      () -> System.err);

  /** The launcher's log, e.g. to {@link #quiet} a library. */
  public static RedisLog standalone() {
    return SHARED;
  }

  private final Clock clock;
  private final long pid;
  /** Where lines go with no logfile; stderr until a server configures the log, then stdout. */
  private volatile Supplier<PrintStream> console;
  /** Before a server configures it, the log serves client commands: warnings only, on stderr. */
  private volatile int threshold = WARNING;
  private volatile String file = "";
  private volatile Syslog syslog;
  /** Logger name prefixes whose lines are dropped below ERROR (see {@link #quiet}). */
  private final Map<String, Boolean> quiet = new ConcurrentHashMap<>();
  /** A line being written on this thread: what the writing itself logs (syslog's Netty) is dropped. */
  private final ThreadLocal<Boolean> writing = new ThreadLocal<>();

  RedisLog(Clock clock, long pid, Supplier<PrintStream> console) {
    this.clock = clock;
    this.pid = pid;
    this.console = console;
  }

  /** Redis's level for {@code loglevel}'s value, or -1. */
  public static int parseLevel(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "debug": return DEBUG;
      case "verbose": return VERBOSE;
      case "notice": return NOTICE;
      case "warning": return WARNING;
      case "nothing": return NOTHING;
      default: return -1;
    }
  }

  /**
   * Redis's level of an SLF4J level: TRACE is Redis's debug and DEBUG its verbose, so the two
   * orders agree (an embedding application's DEBUG shows Freshet's verbose lines, not its debug
   * chatter); ERROR, which Redis does not have, is a warning. A library's DEBUG (Netty's
   * start-up settings, Lettuce's traffic) is Redis's debug: {@code loglevel verbose} shows
   * Freshet's own lines as Redis's does.
   */
  static int redisLevel(String logger, Level level) {
    switch (level) {
      case TRACE: return DEBUG;
      case DEBUG: return ownLogger(logger) ? VERBOSE : DEBUG;
      case INFO: return NOTICE;
      default: return WARNING;
    }
  }

  private static boolean ownLogger(String logger) {
    return logger.startsWith("io.freshet.") || logger.startsWith("freshet.");
  }

  void threshold(int level) {
    this.threshold = level;
  }

  int threshold() {
    return threshold;
  }

  /** Lines go to {@code path} (appended), or to stdout when it is "". */
  void file(String path) {
    this.file = path;
  }

  void console(Supplier<PrintStream> console) {
    this.console = console;
  }

  void syslog(Syslog syslog) {
    this.syslog = syslog;
  }

  /**
   * Drops the lines of loggers named {@code prefix}... below ERROR: a library's chatter that the
   * command reports better itself.
   */
  public void quiet(String prefix) {
    quiet.put(prefix, Boolean.TRUE);
  }

  boolean enabled(String logger, Level level) {
    if (redisLevel(logger, level) < threshold) {
      return false;
    }
    if (level != Level.ERROR && !quiet.isEmpty()) {
      for (String prefix : quiet.keySet()) {
        if (logger.startsWith(prefix)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Writes one event if its level passes; a throwable is told on the same line (ERROR: with its trace). */
  void log(String logger, Level level, String message, Throwable thrown) {
    if (!enabled(logger, level) || writing.get() != null) {
      return;
    }
    writing.set(Boolean.TRUE);
    try {
      String text = message == null ? "" : message;
      if (thrown != null) {
        text = text + ": " + thrown;
      }
      if (text.length() > MAX_MESSAGE_CHARS) {
        text = text.substring(0, MAX_MESSAGE_CHARS);
      }
      int redisLevel = redisLevel(logger, level);
      StringBuilder out = new StringBuilder(text.length() + 48);
      out.append(line(pid, 'M', ZonedDateTime.now(clock), redisLevel, text)).append('\n');
      if (thrown != null && level == Level.ERROR) {
        // an unexpected failure is a bug to report: its trace follows the line, as Redis's own
        // bug report follows its "# ... crashed" line
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        out.append(trace);
      }
      write(out.toString());
      Syslog s = syslog;
      if (s != null) {
        s.send(redisLevel, text);
      }
    } finally {
      writing.remove();
    }
  }

  /** One line of Redis's format, without its newline. */
  static String line(long pid, char role, ZonedDateTime time, int redisLevel, String message) {
    return pid + ":" + role + " " + TIME.format(time) + " " + MARKS[redisLevel] + " " + message;
  }

  private void write(String text) {
    String path = file;
    if (path.isEmpty()) {
      PrintStream stream = console.get();
      synchronized (this) {
        stream.print(text);
        stream.flush();
      }
      return;
    }
    // O_APPEND: each line lands whole at the end even if another process appends too
    try (FileOutputStream out = new FileOutputStream(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // as Redis: a log file that cannot be opened any more loses the line, nothing else
    }
  }

  /** Fails with Redis's text when {@code path} cannot be opened for appending. */
  static void checkWritable(String path) {
    try {
      new FileOutputStream(path, true).close();
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("Can't open the log file: " + reason(e));
    } catch (IOException e) {
      throw new IllegalArgumentException("Can't open the log file: " + e.getMessage());
    }
  }

  /** strerror's text, which the JDK puts in parentheses after the path. */
  private static String reason(FileNotFoundException e) {
    String m = String.valueOf(e.getMessage());
    int open = m.lastIndexOf(" (");
    return open >= 0 && m.endsWith(")") ? m.substring(open + 2, m.length() - 1) : m;
  }
}
