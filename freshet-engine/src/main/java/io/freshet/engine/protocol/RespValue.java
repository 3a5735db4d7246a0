package io.freshet.engine.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed RESP3 value, used only for static data (command metadata captured from Redis), never
 * on the hot path. Immutable after parsing; any thread.
 */
public final class RespValue {
  public final char type;
  public final byte[] text;
  public final long number;
  public final List<RespValue> children;

  private RespValue(char type, byte[] text, long number, List<RespValue> children) {
    this.type = type;
    this.text = text;
    this.number = number;
    this.children = children;
  }

  public String string() {
    return text == null ? null : new String(text, StandardCharsets.UTF_8);
  }

  public boolean isAggregate() {
    return children != null;
  }

  /** For a map: the value under a string key, or null. */
  public RespValue get(String key) {
    for (int i = 0; i + 1 < children.size(); i += 2) {
      if (key.equals(children.get(i).string())) {
        return children.get(i + 1);
      }
    }
    return null;
  }

  /** Writes this value with RESP2 downgrades as Redis applies them. */
  public void writeTo(ReplyWriter out) {
    switch (type) {
      case '+' -> out.simple(string());
      case '-' -> out.error(string());
      case ':' -> out.integer(number);
      case '$' -> out.bulk(text);
      case '_' -> out.nullBulk();
      case '*' -> {
        out.arrayHeader(children.size());
        children.forEach(c -> c.writeTo(out));
      }
      case '~' -> {
        out.setHeader(children.size());
        children.forEach(c -> c.writeTo(out));
      }
      case '%' -> {
        out.mapHeader(children.size() / 2);
        children.forEach(c -> c.writeTo(out));
      }
      default -> throw new IllegalStateException("unsupported RESP type " + type);
    }
  }

  public static RespValue map(List<RespValue> flatPairs) {
    return new RespValue('%', null, 0, flatPairs);
  }

  public static RespValue array(List<RespValue> items) {
    return new RespValue('*', null, 0, items);
  }

  public static RespValue bulk(String s) {
    return new RespValue('$', s.getBytes(StandardCharsets.UTF_8), 0, null);
  }

  /** Parses consecutive RESP3 values from {@code data}. */
  public static List<RespValue> parseAll(byte[] data) {
    int[] pos = {0};
    List<RespValue> out = new ArrayList<>();
    while (pos[0] < data.length) {
      out.add(parse(data, pos));
    }
    return out;
  }

  private static RespValue parse(byte[] d, int[] pos) {
    char type = (char) d[pos[0]++];
    String line = readLine(d, pos);
    switch (type) {
      case '+', '-' -> {
        return new RespValue(type, line.getBytes(StandardCharsets.UTF_8), 0, null);
      }
      case ':' -> {
        return new RespValue(type, null, Long.parseLong(line), null);
      }
      case '_' -> {
        return new RespValue(type, null, 0, null);
      }
      case '$' -> {
        int n = Integer.parseInt(line);
        byte[] b = new byte[n];
        System.arraycopy(d, pos[0], b, 0, n);
        pos[0] += n + 2;
        return new RespValue(type, b, 0, null);
      }
      case '*', '~', '%' -> {
        int n = Integer.parseInt(line) * (type == '%' ? 2 : 1);
        List<RespValue> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(parse(d, pos));
        }
        return new RespValue(type, null, 0, items);
      }
      default -> throw new IllegalArgumentException("unsupported RESP3 type " + type);
    }
  }

  private static String readLine(byte[] d, int[] pos) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (d[pos[0]] != '\r') {
      b.write(d[pos[0]++]);
    }
    pos[0] += 2;
    return b.toString(StandardCharsets.UTF_8);
  }
}
