package io.freshet.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * redis-server's command line: {@code [config-file] [--name value ...]}, where the file holds
 * redis.conf-style {@code name value} lines. Later settings win, command line over file.
 * Stateless; any thread.
 */
public final class ServerArgs {
  private ServerArgs() {}

  /** Parsed parameters, and the config file if one was given. */
  public record Parsed(Map<String, String> params, Path configFile) {}

  public static Parsed parse(List<String> args) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    Path file = null;
    int i = 0;
    if (!args.isEmpty() && !args.get(0).startsWith("--")) {
      file = Path.of(args.get(0));
      params.putAll(parseFile(Files.readString(file, StandardCharsets.UTF_8)));
      i = 1;
    }
    String name = null;
    StringBuilder value = new StringBuilder();
    for (; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--") && a.length() > 2) {
        if (name != null) {
          params.put(name, value.toString());
        }
        name = a.substring(2).toLowerCase(java.util.Locale.ROOT);
        value.setLength(0);
      } else {
        if (name == null) {
          throw new IllegalArgumentException("Invalid argument '" + a + "': options start with --");
        }
        if (value.length() > 0) {
          value.append(' ');
        }
        value.append(a);
      }
    }
    if (name != null) {
      params.put(name, value.toString());
    }
    return new Parsed(params, file);
  }

  /** Parses redis.conf-style text: one directive a line, '#' comments, quoted arguments. */
  public static Map<String, String> parseFile(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    int lineNo = 0;
    for (String raw : text.split("\n")) {
      lineNo++;
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<byte[]> parts = RespDecoder.splitArgs(line.getBytes(StandardCharsets.UTF_8));
      if (parts == null || parts.isEmpty()) {
        throw new IllegalArgumentException("Unbalanced quotes in configuration line " + lineNo + ": " + line);
      }
      StringBuilder value = new StringBuilder();
      for (int j = 1; j < parts.size(); j++) {
        if (j > 1) {
          value.append(' ');
        }
        value.append(new String(parts.get(j), StandardCharsets.UTF_8));
      }
      params.put(new String(parts.get(0), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT),
          value.toString());
    }
    return params;
  }
}
