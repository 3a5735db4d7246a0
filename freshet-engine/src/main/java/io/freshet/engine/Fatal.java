package io.freshet.engine;

/**
 * Ends the process when the JVM itself has failed under a thread the server depends on.
 *
 * <p>After an {@link Error} (out of memory, a stack overflow, a class that failed to link) on the
 * engine thread or an I/O thread, the data structures may be half-changed and the thread that owns
 * them cannot be trusted to run again; lingering on, still listening but answering nobody, only
 * keeps a supervisor from restarting the server. So such an error writes one line to standard
 * error and halts at once with {@link #EXIT_STATUS} (no shutdown hooks: they would need the dead
 * engine thread). The log on disk stays recoverable: an acknowledged write was written first, and
 * a torn tail is cut at the next start.
 */
public final class Fatal {
  /** The exit status after a fatal error (EX_SOFTWARE in sysexits.h). */
  public static final int EXIT_STATUS = 70;

  private static final byte[] FALLBACK_LINE =
      "freshet: fatal error on a server thread, exiting\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Fatal() {}

  /** True when {@code t} or one of its causes is an {@link Error}. */
  public static boolean isFatal(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof Error) {
        return true;
      }
    }
    return false;
  }

  /** Writes one line naming the error and the thread, then halts the JVM. Never returns. */
  public static void exit(Throwable t) {
    try {
      System.err.println("freshet: fatal " + describe(t) + " on thread " + Thread.currentThread().getName()
          + ", exiting with status " + EXIT_STATUS);
      System.err.flush();
    } catch (Throwable unprintable) {
      // out of memory even for the message: the fixed line needs no allocation
      System.err.write(FALLBACK_LINE, 0, FALLBACK_LINE.length);
      System.err.flush();
    }
    Runtime.getRuntime().halt(EXIT_STATUS);
  }

  /** Runs {@code task}; an {@link Error} escaping it ends the process. */
  public static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Error e) {
        exit(e);
      }
    };
  }

  private static String describe(Throwable t) {
    Throwable error = t;
    while (error != null && !(error instanceof Error)) {
      error = error.getCause();
    }
    return String.valueOf(error == null ? t : error);
  }
}
