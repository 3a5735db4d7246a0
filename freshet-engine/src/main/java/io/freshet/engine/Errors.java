package io.freshet.engine;

/** Redis's error texts, byte for byte, in one place. */
public final class Errors {
  private Errors() {}

  public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
  public static final String SYNTAX = "ERR syntax error";
  public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  public static final String NOT_FLOAT = "ERR value is not a valid float";
  public static final String OVERFLOW = "ERR increment or decrement would overflow";
  public static final String NOAUTH = "NOAUTH Authentication required.";
  public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
  public static final String NO_SUCH_KEY = "ERR no such key";
  public static final String DB_INDEX_RANGE = "ERR DB index is out of range";
  public static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
  public static final String INVALID_CURSOR = "ERR invalid cursor";
  public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
  public static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
  public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

  public static CommandError wrongArity(String fullName) {
    return new CommandError("ERR wrong number of arguments for '" + fullName + "' command");
  }

  public static CommandError invalidExpire(String command) {
    return new CommandError("ERR invalid expire time in '" + command + "' command");
  }

  /** CONFIG SET of a name that is no parameter. */
  public static String configSetUnknown(String name) {
    return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'";
  }

  /** CONFIG SET refused a value; {@code why} is the parameter kind's own text. */
  public static String configSetFailed(String name, String why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
  }

  public static CommandError of(String text) {
    return new CommandError(text);
  }
}
