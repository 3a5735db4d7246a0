package io.freshet.server;

import io.freshet.engine.Config;
import io.freshet.engine.command.CommandTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * redis-server's command line: {@code [config-file] [--name value ...]}, where the file holds
 * redis.conf-style {@code name value} lines. As in Redis, the options are turned into more
 * lines after the file's (so the command line wins) and every line is checked against the
 * parameter table; a bad one stops start-up with Redis's "FATAL CONFIG FILE ERROR" text, naming
 * the line. Stateless; any thread.
 */
public final class ServerArgs {
  private ServerArgs() {}

  /** Parsed parameters, and the config file if one was given. */
  public record Parsed(Map<String, String> params, Path configFile) {}

  /** A line Redis would refuse: {@link #getMessage()} is the whole text redis-server prints. */
  public static final class ConfigFileError extends IllegalArgumentException {
    ConfigFileError(int lineNo, String line, String reason) {
      super("\n*** FATAL CONFIG FILE ERROR (Redis " + CommandTable.REDIS_VERSION + ") ***\n"
          + (lineNo > 0 ? "Reading the configuration file, at line " + lineNo + "\n>>> '" + line + "'\n" : "")
          + reason);
    }
  }

  /** Directives Redis accepts without effect (deprecated), with their argument count. */
  private static final Set<String> DEPRECATED = Set.of("list-max-ziplist-entries", "list-max-ziplist-value",
      "lua-replicate-commands");

  public static Parsed parse(List<String> args) throws IOException {
    Path file = null;
    int i = 0;
    StringBuilder text = new StringBuilder();
    if (!args.isEmpty() && !args.get(0).startsWith("-")) {
      file = Path.of(args.get(0));
      text.append(Files.readString(file, StandardCharsets.UTF_8));
      i = 1;
    }
    String options = options(args.subList(i, args.size()));
    if (!options.isEmpty()) {
      text.append('\n').append(options);
    }
    return new Parsed(load(text.toString(), true), file);
  }

  /**
   * The command line as Redis's main() turns it into config lines: each {@code --name} starts a
   * line, its arguments follow quoted; {@code --save} with no value means {@code save ""}.
   */
  private static String options(List<String> args) {
    StringBuilder out = new StringBuilder();
    boolean nameOnly = false;
    for (int j = 0; j < args.size(); j++) {
      String a = args.get(j);
      // after a bare name, a "--word" is that name's value (Redis's handled_last_config_arg)
      if (a.startsWith("--") && a.length() > 2 && !nameOnly) {
        if (out.length() > 0) {
          out.append('\n');
        }
        out.append(a.substring(2)).append(' ');
        nameOnly = true;
        boolean nextIsName = j + 1 < args.size() && args.get(j + 1).startsWith("--");
        if (a.equalsIgnoreCase("--save") && (nextIsName || j == args.size() - 1)) {
          out.append("\"\"");
          nameOnly = false;
        }
      } else {
        if (out.length() == 0) {
          throw new IllegalArgumentException("Invalid argument '" + a + "': options start with --");
        }
        out.append(repr(a)).append(' ');
        nameOnly = false;
      }
    }
    return out.toString();
  }

  /** Redis's sdscatrepr: a double-quoted string with C escapes. */
  private static String repr(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 7 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        default -> {
          if (c >= 32 && c < 127) {
            out.append((char) c);
          } else {
            out.append(String.format("\\x%02x", c));
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Redis's loadServerConfigFromString: every line checked against the parameter table in order;
   * returns the parameters to set, later lines winning (several {@code save} lines add up).
   */
  private static Map<String, String> load(String text, boolean validate) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    Config check = new Config();
    boolean saveSeen = false;
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      int lineNo = n + 1;
      String line = lines[n].replaceAll("^[ \t\r\n]+|[ \t\r\n]+$", "");
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<byte[]> parts = RespDecoder.splitArgs(line.getBytes(StandardCharsets.UTF_8));
      if (parts == null) {
        throw new ConfigFileError(lineNo, line, "Unbalanced quotes in configuration line");
      }
      if (parts.isEmpty()) {
        continue;
      }
      List<String> argv = new ArrayList<>();
      for (byte[] p : parts) {
        argv.add(new String(p, StandardCharsets.UTF_8));
      }
      String name = argv.get(0).toLowerCase(Locale.ROOT);
      int argc = argv.size();
      if (check.exists(name)) {
        boolean multi = check.isMultiArg(name);
        if (!multi && argc != 2) {
          if (validate) {
            throw new ConfigFileError(lineNo, line, "wrong number of arguments");
          }
          continue;
        }
        String value = String.join(" ", argv.subList(1, argc));
        if (validate) {
          String error = check.set(name, value, true);
          if (error != null) {
            throw new ConfigFileError(lineNo, line, error);
          }
        }
        String canonical = check.canonicalName(name);
        if (canonical.equals("save")) {
          // Redis: the first save line replaces the default, later ones add to it
          String before = params.get(canonical);
          value = !saveSeen || before == null || before.isEmpty() || value.isEmpty() ? value : before + " " + value;
          saveSeen = true;
        }
        params.remove(name);
        params.put(name, value);
      } else if (DEPRECATED.contains(name) && argc == 2) {
        continue;
      } else if (name.equals("include") && argc == 2) {
        params.putAll(load(Files.readString(Path.of(argv.get(1)), StandardCharsets.UTF_8), validate));
      } else if (validate) {
        // rename-command, user, loadmodule and sentinel lines are refused: Freshet has none of them
        throw new ConfigFileError(lineNo, line, "Bad directive or wrong number of arguments");
      }
    }
    return params;
  }

  /**
   * Parses redis.conf-style text without checking values (CONFIG REWRITE reads the file it
   * rewrites with this): one directive a line, '#' comments, quoted arguments.
   */
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
      if (parts == null) {
        throw new ConfigFileError(lineNo, line, "Unbalanced quotes in configuration line");
      }
      if (parts.isEmpty()) {
        continue;
      }
      StringBuilder value = new StringBuilder();
      for (int j = 1; j < parts.size(); j++) {
        if (j > 1) {
          value.append(' ');
        }
        value.append(new String(parts.get(j), StandardCharsets.UTF_8));
      }
      params.put(new String(parts.get(0), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT), value.toString());
    }
    return params;
  }
}
