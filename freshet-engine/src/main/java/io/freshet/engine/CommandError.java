package io.freshet.engine;

/**
 * A client error raised while validating a command; becomes one error reply and changes nothing.
 * Carries no stack trace: it is control flow, not a bug report.
 */
public final class CommandError extends RuntimeException {
  public CommandError(String message) {
    super(message, null, false, false);
  }
}
