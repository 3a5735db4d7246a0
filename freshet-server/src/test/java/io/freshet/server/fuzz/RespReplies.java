package io.freshet.server.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A strict reader of RESP2/RESP3 replies, for the fuzz targets: checks that output is a sequence of
 * complete, well-formed replies and collects the text of every error reply (nested ones too).
 */
final class RespReplies {
  private final byte[] b;
  private int pos;
  private final List<String> errors;

  private RespReplies(byte[] b, List<String> errors) {
    this.b = b;
    this.errors = errors;
  }

  /** Checks {@code out} holds only whole replies; adds each error's text to {@code errors}. */
  static void check(byte[] out, List<String> errors) {
    RespReplies r = new RespReplies(out, errors);
    while (r.pos < out.length) {
      r.reply(0);
    }
  }

  private void reply(int depth) {
    if (depth > 64) {
      throw new AssertionError("replies nested deeper than 64");
    }
    byte type = b[need(1)];
    pos++;
    switch (type) {
      case '+', ':', ',', '(', '#', '_' -> {
        String line = line();
        if (type == ':' || type == '(') {
          requireInteger(line, type == '(');
        }
        if (type == '#' && !line.equals("t") && !line.equals("f")) {
          throw new AssertionError("bad boolean " + line);
        }
        if (type == '_' && !line.isEmpty()) {
          throw new AssertionError("bad null " + line);
        }
      }
      case '-' -> errors.add(line());
      case '!' -> errors.add(new String(blob(), StandardCharsets.UTF_8));
      case '$', '=' -> blob();
      case '*', '~', '>' -> aggregate(1, depth);
      case '%', '|' -> aggregate(2, depth);
      default -> throw new AssertionError("unknown reply type " + (char) type + " at " + (pos - 1));
    }
  }

  private void aggregate(int perElement, int depth) {
    long n = requireInteger(line(), false);
    if (n == -1) {
      return;
    }
    if (n < 0) {
      throw new AssertionError("negative aggregate length " + n);
    }
    for (long i = 0; i < n * perElement; i++) {
      reply(depth + 1);
    }
  }

  private byte[] blob() {
    long n = requireInteger(line(), false);
    if (n == -1) {
      return new byte[0];
    }
    if (n < 0 || n > b.length - pos - 2) {
      throw new AssertionError("bad bulk length " + n + " at " + pos);
    }
    byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
    pos += (int) n;
    if (b[pos] != '\r' || b[pos + 1] != '\n') {
      throw new AssertionError("bulk not followed by CRLF at " + pos);
    }
    pos += 2;
    return out;
  }

  private String line() {
    int start = pos;
    while (true) {
      need(2);
      if (b[pos] == '\r') {
        if (b[pos + 1] != '\n') {
          throw new AssertionError("CR without LF in a reply line at " + pos);
        }
        String s = new String(b, start, pos - start, StandardCharsets.UTF_8);
        pos += 2;
        return s;
      }
      if (b[pos] == '\n') {
        throw new AssertionError("LF without CR in a reply line at " + pos);
      }
      pos++;
    }
  }

  private int need(int n) {
    if (pos + n > b.length) {
      throw new AssertionError("reply cut short at " + pos + " of " + b.length);
    }
    return pos;
  }

  private static long requireInteger(String s, boolean big) {
    if (big ? !s.matches("-?[0-9]+") : !s.matches("-?[0-9]{1,19}")) {
      throw new AssertionError("not an integer: " + s);
    }
    return big ? 0 : Long.parseLong(s);
  }
}
