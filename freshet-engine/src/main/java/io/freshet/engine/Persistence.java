package io.freshet.engine;

/**
 * What the persistence commands (SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, DUMP, RESTORE, DEBUG
 * RELOAD, INFO persistence, SHUTDOWN SAVE) ask of the host's storage. The engine stays free of
 * files; the server installs an implementation. Called on the engine thread only; methods throw
 * {@link CommandError} with Redis's error text when they refuse.
 */
public interface Persistence {
  /** SAVE: writes a snapshot now, blocking the engine. */
  void save();

  /** BGSAVE [SCHEDULE]: returns the status line to reply. */
  String bgsave(boolean schedule);

  /** BGREWRITEAOF: returns the status line to reply. */
  String rewriteLog();

  /** Unix time in seconds of the last successful snapshot (LASTSAVE). */
  long lastSaveSeconds();

  /** Appends the fields of INFO's Persistence section, after the header line. */
  void info(StringBuilder sb);

  /** DEBUG RELOAD: snapshot, empty the databases, load the snapshot back. */
  void debugReload();

  /** DEBUG LOADAOF: make the log durable, empty the databases, recover from disk. */
  void debugLoadLog();

  /** SHUTDOWN: a final snapshot when asked (or by save points unless {@code noSave}). */
  void shutdown(boolean save, boolean noSave);

  /** Periodic work (save points, automatic log rewrite, finished background jobs). */
  void cron();

  /** DUMP's serialized value. */
  byte[] dump(Object value);

  /** RESTORE's value from a DUMP payload; throws with Redis's error on a bad payload. */
  Object restore(byte[] payload);

  /** FUNCTION DUMP's payload for these library codes. */
  byte[] dumpFunctions(java.util.List<byte[]> codes);

  /** The library codes in a FUNCTION DUMP payload; throws with Redis's error on a bad one. */
  java.util.List<byte[]> restoreFunctions(byte[] payload);
}
