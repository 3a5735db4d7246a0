package io.freshet.cli;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;

/**
 * What the {@code freshet} command prints when a subcommand fails for a reason the user can act
 * on: one line, no stack trace ({@code freshet: cannot connect to 127.0.0.1:1: Connection
 * refused}). Stateless.
 */
final class Failures {
  private Failures() {}

  /**
   * The line for {@code failure} of a command that talked to {@code url} (null if none), or null
   * when the failure is not the user's to fix (a bug: the stack trace is worth showing).
   */
  static String describe(Throwable failure, String url) {
    if (url != null && find(failure, RedisConnectionException.class) != null) {
      return "freshet: cannot connect to " + hostAndPort(url) + ": " + reason(rootCause(failure));
    }
    // bad input (a --field without '=', a file that is not there, a dead-letter stream in another
    // cluster slot) or the server's answer
    if (failure instanceof RedisException || failure instanceof IllegalArgumentException
        || failure instanceof IllegalStateException || failure instanceof IOException
        || failure instanceof UncheckedIOException) {
      return "freshet: " + firstLine(String.valueOf(failure.getMessage()));
    }
    return null;
  }

  /** {@code host:port} of a {@code redis://} URL; the seed list of a {@code redis-cluster://} one. */
  static String hostAndPort(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    if (!lower.contains("-cluster://")) {
      try {
        RedisURI uri = RedisURI.create(url);
        return uri.getHost() + ":" + uri.getPort();
      } catch (IllegalArgumentException e) {
        return url;
      }
    }
    String rest = url.substring(url.indexOf("://") + 3);
    rest = rest.substring(rest.lastIndexOf('@') + 1);
    int end = rest.indexOf('/');
    return end < 0 ? rest : rest.substring(0, end);
  }

  /**
   * Why the connection failed, without Netty's decoration: "finishConnect(..) failed: Connection
   * refused: /127.0.0.1:1" becomes "Connection refused".
   */
  static String reason(Throwable root) {
    String message = root.getMessage();
    if (message == null) {
      return root.getClass().getSimpleName();
    }
    int failed = message.lastIndexOf("failed: ");
    if (failed >= 0) {
      message = message.substring(failed + "failed: ".length());
    }
    int address = message.indexOf(": /");
    if (address >= 0) {
      message = message.substring(0, address);
    }
    if (root instanceof UnknownHostException) {
      int colon = message.indexOf(": ");
      message = "unknown host" + (colon >= 0 ? " (" + message.substring(colon + 2) + ")" : "");
    }
    return firstLine(message);
  }

  private static String firstLine(String s) {
    int newline = s.indexOf('\n');
    return newline < 0 ? s : s.substring(0, newline).stripTrailing();
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
