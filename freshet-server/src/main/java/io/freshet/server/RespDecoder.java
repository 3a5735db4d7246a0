package io.freshet.server;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental RESP request parser with Redis's limits and protocol-error texts: multibulk
 * ({@code *N $len ...}) and inline commands. Declared lengths are never trusted for allocation:
 * argument arrays grow as arguments arrive, and a bulk is copied only once all its bytes are in.
 *
 * <p>Owned by one connection's I/O thread.
 */
final class RespDecoder {
  /** Redis's PROTO_INLINE_MAX_SIZE: the longest header or inline line. */
  static final int INLINE_MAX_BYTES = 64 * 1024;
  static final int UNAUTHENTICATED_MAX_ARGS = 10;
  static final int UNAUTHENTICATED_MAX_BULK_BYTES = 16 * 1024;

  /** Receives parsed commands and the (single, final) protocol error. */
  interface Sink {
    void command(byte[][] argv);

    /** A protocol error to reply before closing; null closes without a reply. */
    void protocolError(String message);
  }

  private final Limits limits;
  private boolean failed;
  // multibulk progress
  private int argsExpected;
  private byte[][] args;
  private int argsRead;
  private long bulkExpected = -1;
  private long commandBytes;

  /** Limits read on every header, so CONFIG SET and AUTH take effect at once. */
  interface Limits {
    boolean authenticated();

    long maxBulkBytes();

    int maxArgs();

    long maxQueryBufferBytes();
  }

  RespDecoder(Limits limits) {
    this.limits = limits;
  }

  boolean failed() {
    return failed;
  }

  /** Parses as many complete commands as {@code in} holds, consuming their bytes. */
  void decode(ByteBuf in, Sink sink) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.isReadable()) {
      if (args == null) {
        if (in.getByte(in.readerIndex()) == '*') {
          if (!readMultibulkHeader(in, sink)) {
            return;
          }
          if (args == null) {
            continue; // empty multibulk: nothing to run
          }
        } else {
          if (!readInline(in, sink)) {
            return;
          }
          continue;
        }
      }
      if (!readArguments(in, sink)) {
        return;
      }
      byte[][] argv = args.length == argsRead ? args : java.util.Arrays.copyOf(args, argsRead);
      args = null;
      commandBytes = 0;
      sink.command(argv);
    }
  }

  private void fail(Sink sink, ByteBuf in, String message) {
    failed = true;
    args = null;
    in.skipBytes(in.readableBytes());
    sink.protocolError(message);
  }

  /**
   * Index of the next '\r' with one byte after it (Redis skips two bytes without looking), -1 if
   * incomplete, -2 if the line is longer than Redis allows.
   */
  private static int findLineEnd(ByteBuf in) {
    int start = in.readerIndex();
    int searchable = Math.min(in.readableBytes(), INLINE_MAX_BYTES + 2);
    int cr = in.indexOf(start, start + searchable, (byte) '\r');
    if (cr < 0 || cr + 1 >= in.writerIndex()) {
      return in.readableBytes() > INLINE_MAX_BYTES ? -2 : -1;
    }
    return cr;
  }

  /** Returned by {@link #parseHeaderNumber} for text that is not a canonical integer. */
  private static final long NOT_A_NUMBER = Long.MIN_VALUE;

  /**
   * Redis's string2ll on a header line, read in place (no allocation: this runs once per
   * argument): "0", or an optional '-' then a digit 1-9 and more digits, within 64 bits.
   */
  private static long parseHeaderNumber(ByteBuf in, int from, int to) {
    int n = to - from;
    if (n <= 0 || n > 20) {
      return NOT_A_NUMBER;
    }
    int i = from;
    boolean negative = in.getByte(i) == '-';
    if (negative) {
      i++;
    }
    if (i >= to) {
      return NOT_A_NUMBER;
    }
    byte first = in.getByte(i);
    if (first == '0') {
      return (n == 1) ? 0 : NOT_A_NUMBER;
    }
    long v = 0;
    for (; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
        return NOT_A_NUMBER;
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  private boolean readMultibulkHeader(ByteBuf in, Sink sink) {
    int cr = findLineEnd(in);
    if (cr == -1) {
      return false;
    }
    if (cr == -2) {
      fail(sink, in, "too big mbulk count string");
      return false;
    }
    long count = parseHeaderNumber(in, in.readerIndex() + 1, cr);
    in.readerIndex(cr + 2);
    if (count == NOT_A_NUMBER || count > limits.maxArgs()) {
      fail(sink, in, "invalid multibulk length");
      return false;
    }
    if (count > UNAUTHENTICATED_MAX_ARGS && !limits.authenticated()) {
      fail(sink, in, "unauthenticated multibulk length");
      return false;
    }
    if (count <= 0) {
      return true;
    }
    argsExpected = (int) count;
    args = new byte[Math.min(argsExpected, 16)][];
    argsRead = 0;
    bulkExpected = -1;
    return true;
  }

  private boolean readArguments(ByteBuf in, Sink sink) {
    while (argsRead < argsExpected) {
      if (bulkExpected < 0) {
        if (!in.isReadable()) {
          return false;
        }
        int cr = findLineEnd(in);
        if (cr == -1) {
          return false;
        }
        if (cr == -2) {
          fail(sink, in, "too big bulk count string");
          return false;
        }
        byte first = in.getByte(in.readerIndex());
        if (first != '$') {
          fail(sink, in, "expected '$', got '" + (char) (first & 0xff) + "'");
          return false;
        }
        long len = parseHeaderNumber(in, in.readerIndex() + 1, cr);
        in.readerIndex(cr + 2);
        if (len == NOT_A_NUMBER || len < 0 || len > limits.maxBulkBytes()) {
          fail(sink, in, "invalid bulk length");
          return false;
        }
        if (len > UNAUTHENTICATED_MAX_BULK_BYTES && !limits.authenticated()) {
          fail(sink, in, "unauthenticated bulk length");
          return false;
        }
        bulkExpected = len;
      }
      if (in.readableBytes() < bulkExpected + 2) {
        if (commandBytes + in.readableBytes() > limits.maxQueryBufferBytes()) {
          // Redis closes such a client without a reply
          fail(sink, in, null);
        }
        return false;
      }
      byte[] arg = new byte[(int) bulkExpected];
      in.readBytes(arg);
      in.skipBytes(2);
      commandBytes += bulkExpected;
      bulkExpected = -1;
      if (argsRead == args.length) {
        args = java.util.Arrays.copyOf(args, Math.min(argsExpected, args.length * 2));
      }
      args[argsRead++] = arg;
    }
    return true;
  }

  private boolean readInline(ByteBuf in, Sink sink) {
    int start = in.readerIndex();
    int searchable = Math.min(in.readableBytes(), INLINE_MAX_BYTES + 1);
    // Redis finds the line end with strchr, which stops at a NUL: a NUL before the newline means
    // no line yet, so the request waits for more bytes until it is too big, as in Redis.
    int lf = in.forEachByte(start, searchable, b -> b != '\n' && b != 0);
    if (lf >= 0 && in.getByte(lf) == 0) {
      lf = -1;
    }
    if (lf < 0) {
      if (in.readableBytes() > INLINE_MAX_BYTES) {
        fail(sink, in, "too big inline request");
      }
      return false;
    }
    int end = lf;
    if (end > start && in.getByte(end - 1) == '\r') {
      end--;
    }
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    in.readerIndex(lf + 1);
    List<byte[]> parts = splitArgs(line);
    if (parts == null) {
      fail(sink, in, "unbalanced quotes in request");
      return false;
    }
    if (parts.isEmpty()) {
      return true;
    }
    sink.command(parts.toArray(new byte[0][]));
    return true;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** C's isspace in the "C" locale: space, \t, \n, \v, \f, \r (Java's isWhitespace has more). */
  private static boolean isSpace(byte c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  /**
   * Redis's sdssplitargs: spaces separate, "double" quotes with escapes, 'single' quotes. It reads
   * a C string, so the line ends at its first NUL.
   */
  static List<byte[]> splitArgs(byte[] line) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    int n = 0;
    while (n < line.length && line[n] != 0) {
      n++;
    }
    while (true) {
      while (i < n && isSpace(line[i])) {
        i++;
      }
      if (i >= n) {
        return out;
      }
      java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
      boolean inDq = false;
      boolean inSq = false;
      boolean done = false;
      while (!done) {
        if (inDq) {
          if (i >= n) {
            return null;
          }
          if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
            cur.write(Integer.parseInt(new String(line, i + 2, 2, StandardCharsets.US_ASCII), 16));
            i += 3;
          } else if (line[i] == '\\' && i + 1 < n) {
            i++;
            byte c = line[i];
            cur.write(switch (c) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> 7;
              default -> c;
            });
          } else if (line[i] == '"') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(line[i]);
          }
        } else if (inSq) {
          if (i >= n) {
            return null;
          }
          if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
            i++;
            cur.write('\'');
          } else if (line[i] == '\'') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(line[i]);
          }
        } else {
          if (i >= n) {
            done = true;
            break;
          }
          switch (line[i]) {
            case ' ', '\n', '\r', '\t', 0 -> done = true;
            case '"' -> inDq = true;
            case '\'' -> inSq = true;
            default -> cur.write(line[i]);
          }
          if (done) {
            break;
          }
        }
        if (i < n) {
          i++;
        }
      }
      out.add(cur.toByteArray());
    }
  }
}
