package io.freshet.engine.stream;

/** Public access to Redis's unsigned parsing for command parsers. Stateless; any thread. */
public final class StreamIdParsing {
  private StreamIdParsing() {}

  public static Long unsigned(byte[] b, int from, int to) {
    return StreamId.parseUnsigned(b, from, to);
  }
}
