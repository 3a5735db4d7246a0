package io.freshet.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CONFIG REWRITE: rewrites the config file in place, keeping comments and the order of existing
 * lines, updating their values and appending parameters that changed from the file. Atomic
 * (temp file, then rename). Engine thread.
 */
final class ConfigRewrite {
  private ConfigRewrite() {}

  static void rewrite(Path file, Map<String, String> current) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    Map<String, String> inFile = ServerArgs.parseFile(text);
    StringBuilder out = new StringBuilder();
    Map<String, String> pending = new LinkedHashMap<>(current);
    io.freshet.engine.Config defaults = new io.freshet.engine.Config();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        out.append(line).append('\n');
        continue;
      }
      String name = trimmed.split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
      if (pending.containsKey(name)) {
        out.append(name).append(' ').append(quote(pending.remove(name))).append('\n');
      } else if (!current.containsKey(name)) {
        out.append(line).append('\n');
      }
    }
    for (Map.Entry<String, String> e : pending.entrySet()) {
      boolean isDefault = defaults.exists(e.getKey()) && defaults.get(e.getKey()).equals(e.getValue());
      if (!isDefault && !inFile.containsKey(e.getKey()) && !e.getKey().equals("port")) {
        out.append(e.getKey()).append(' ').append(quote(e.getValue())).append('\n');
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, out.toString().replaceAll("\n+$", "\n"), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String quote(String v) {
    if (v.isEmpty() || v.contains(" ") || v.contains("\"")) {
      return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return v;
  }
}
