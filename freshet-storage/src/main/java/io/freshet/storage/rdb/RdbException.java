package io.freshet.storage.rdb;

/** A snapshot or DUMP payload that cannot be read: truncated, corrupt or of an unsupported kind. */
public final class RdbException extends RuntimeException {
  public RdbException(String message) {
    super(message);
  }
}
