package io.freshet.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads one flat JSON object of string (or number/boolean) values, for {@code produce --file}. Stateless. */
final class Json {
  private Json() {}

  static Map<String, String> flatObject(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int[] pos = {skip(text, 0)};
    expect(text, pos, '{');
    if (peek(text, pos) == '}') {
      pos[0]++;
      return out;
    }
    while (true) {
      String key = string(text, pos);
      expect(text, pos, ':');
      String value = peek(text, pos) == '"' ? string(text, pos) : bare(text, pos);
      out.put(key, value);
      char c = peek(text, pos);
      pos[0]++;
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw new IllegalArgumentException("expected , or } at " + (pos[0] - 1) + " in " + text);
      }
    }
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static char peek(String s, int[] pos) {
    pos[0] = skip(s, pos[0]);
    if (pos[0] >= s.length()) {
      throw new IllegalArgumentException("unexpected end of " + s);
    }
    return s.charAt(pos[0]);
  }

  private static void expect(String s, int[] pos, char c) {
    if (peek(s, pos) != c) {
      throw new IllegalArgumentException("expected " + c + " at " + pos[0] + " in " + s);
    }
    pos[0]++;
  }

  private static String bare(String s, int[] pos) {
    int start = pos[0];
    while (pos[0] < s.length() && ",}".indexOf(s.charAt(pos[0])) < 0 && !Character.isWhitespace(s.charAt(pos[0]))) {
      pos[0]++;
    }
    return s.substring(start, pos[0]);
  }

  private static String string(String s, int[] pos) {
    expect(s, pos, '"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = s.charAt(pos[0]++);
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = s.charAt(pos[0]++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
          pos[0] += 4;
        }
        default -> sb.append(e);
      }
    }
  }
}
