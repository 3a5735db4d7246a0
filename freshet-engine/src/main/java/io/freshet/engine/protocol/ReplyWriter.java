package io.freshet.engine.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Streams RESP2 or RESP3 replies into a byte sink, never building a reply tree.
 *
 * <p>Owned by the engine thread. The server subclasses it over a Netty buffer; tests subclass it
 * over a byte array. RESP3-only types (maps, sets, doubles, nulls) are downgraded for RESP2
 * clients exactly as Redis downgrades them.
 */
public abstract class ReplyWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_BULK2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_ARRAY2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[][] SMALL_INTS = new byte[128][];
  private static final byte[][] SMALL_BULK_HEADERS = new byte[128][];

  static {
    for (int i = 0; i < SMALL_INTS.length; i++) {
      SMALL_INTS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
      SMALL_BULK_HEADERS[i] = ("$" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
  }

  private final byte[] digits = new byte[20];
  private int protocol = 2;

  public int protocol() {
    return protocol;
  }

  public void setProtocol(int protocol) {
    this.protocol = protocol;
  }

  /** Appends raw bytes. */
  protected abstract void write(byte[] bytes, int offset, int length);

  protected abstract void write(int b);

  /** Bytes written but not yet handed to the network. */
  public abstract long pendingBytes();

  public final void write(byte[] bytes) {
    write(bytes, 0, bytes.length);
  }

  public final void ok() {
    write(OK);
  }

  public final void simple(String text) {
    write('+');
    writeAscii(text);
    write(CRLF);
  }

  /** An error reply; {@code text} starts with its code, e.g. {@code "ERR syntax error"}. */
  public void error(String text) {
    write('-');
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\r' || b[i] == '\n') {
        b[i] = ' ';
      }
    }
    write(b);
    write(CRLF);
  }

  /** An array of status lines: the form every HELP subcommand replies with. */
  public final void statusLines(String... lines) {
    arrayHeader(lines.length);
    for (String line : lines) {
      simple(line);
    }
  }

  public final void integer(long value) {
    if (value >= 0 && value < SMALL_INTS.length) {
      write(SMALL_INTS[(int) value]);
      return;
    }
    write(':');
    writeDecimal(value);
    write(CRLF);
  }

  public final void bulk(byte[] value) {
    if (value == null) {
      nullBulk();
      return;
    }
    bulk(value, 0, value.length);
  }

  public final void bulk(byte[] value, int offset, int length) {
    if (length < SMALL_BULK_HEADERS.length) {
      writeFramed(SMALL_BULK_HEADERS[length], value, offset, length);
      return;
    }
    write('$');
    writeDecimal(length);
    write(CRLF);
    write(value, offset, length);
    write(CRLF);
  }

  /**
   * Writes {@code header}, the value and CRLF: the shape of every short bulk string, the most
   * written piece of a reply (an XRANGE entry is nine of them). A writer may do it in one step.
   */
  protected void writeFramed(byte[] header, byte[] value, int offset, int length) {
    write(header, 0, header.length);
    write(value, offset, length);
    write(CRLF, 0, 2);
  }

  public final void bulk(String value) {
    bulk(value.getBytes(StandardCharsets.UTF_8));
  }

  public final void bulkDecimal(long value) {
    int len = formatDecimal(value);
    byte[] text = java.util.Arrays.copyOfRange(digits, digits.length - len, digits.length);
    write('$');
    writeDecimal(len);
    write(CRLF);
    write(text);
    write(CRLF);
  }

  /** RESP2 {@code $-1}, RESP3 {@code _}. */
  public final void nullBulk() {
    write(protocol == 3 ? NULL3 : NULL_BULK2);
  }

  /** RESP2 {@code *-1}, RESP3 {@code _}. */
  public final void nullArray() {
    write(protocol == 3 ? NULL3 : NULL_ARRAY2);
  }

  public final void arrayHeader(long count) {
    aggregateHeader('*', count);
  }

  /** RESP3 map of {@code pairs} pairs; RESP2 flat array of twice as many elements. */
  public final void mapHeader(long pairs) {
    if (protocol == 3) {
      aggregateHeader('%', pairs);
    } else {
      aggregateHeader('*', pairs * 2);
    }
  }

  public final void setHeader(long count) {
    aggregateHeader(protocol == 3 ? '~' : '*', count);
  }

  public final void pushHeader(long count) {
    aggregateHeader(protocol == 3 ? '>' : '*', count);
  }

  private void aggregateHeader(char type, long count) {
    write(type);
    writeDecimal(count);
    write(CRLF);
  }

  /** RESP3 double; RESP2 bulk string of the same text. */
  public final void doubleValue(double value) {
    String text = formatDouble(value);
    if (protocol == 3) {
      write(',');
      writeAscii(text);
      write(CRLF);
    } else {
      bulk(text);
    }
  }

  /** RESP3 boolean; RESP2 integer 1/0. */
  public final void bool(boolean value) {
    if (protocol == 3) {
      writeAscii(value ? "#t\r\n" : "#f\r\n");
    } else {
      integer(value ? 1 : 0);
    }
  }

  /** RESP3 verbatim string (format "txt"); RESP2 bulk string. */
  public final void verbatim(String text) {
    if (protocol == 3) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      write('=');
      writeDecimal(b.length + 4);
      write(CRLF);
      writeAscii("txt:");
      write(b);
      write(CRLF);
    } else {
      bulk(text);
    }
  }

  /** Formats a double the way Redis's addReplyDouble does (%.17g, inf/-inf/nan). */
  public static String formatDouble(double value) {
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (Double.isNaN(value)) {
      return "nan";
    }
    return Numbers.formatG17(value);
  }

  public final void writeAscii(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      write(s.charAt(i));
    }
  }

  private int formatDecimal(long value) {
    int pos = digits.length;
    if (value == Long.MIN_VALUE) {
      byte[] b = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(b, 0, digits, 0, 20);
      return 20;
    }
    boolean negative = value < 0;
    long v = negative ? -value : value;
    do {
      digits[--pos] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v != 0);
    if (negative) {
      digits[--pos] = '-';
    }
    return digits.length - pos;
  }

  public final void writeDecimal(long value) {
    int len = formatDecimal(value);
    write(digits, digits.length - len, len);
  }
}
