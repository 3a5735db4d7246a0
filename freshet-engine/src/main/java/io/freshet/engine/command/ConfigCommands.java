package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import io.freshet.engine.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** CONFIG GET/SET/RESETSTAT/REWRITE/HELP. Engine thread only. */
final class ConfigCommands {
  private ConfigCommands() {}

  static void register(CommandTable t) {
    t.register("config|get", ConfigCommands::get);
    t.register("config|set", ConfigCommands::set);
    t.register("config|resetstat", c -> {
      c.engine.stats.reset();
      c.out.ok();
    });
    t.register("config|rewrite", ConfigCommands::rewrite);
    t.register("config|help", c -> {
      String[] lines = {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
          "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
          "RESETSTAT", "    Reset statistics reported by the INFO command.",
          "REWRITE", "    Rewrite the configuration file.", "HELP", "    Prints this help."};
      c.out.statusLines(lines);
    });
  }

  private static void get(Call c) {
    Map<String, String> found = new LinkedHashMap<>();
    for (int i = 2; i < c.argc(); i++) {
      for (String[] kv : c.engine.config.matching(c.argString(i))) {
        found.putIfAbsent(kv[0], kv[1]);
      }
    }
    c.out.mapHeader(found.size());
    found.forEach((k, v) -> {
      c.out.bulk(k);
      c.out.bulk(v);
    });
  }

  private static void set(Call c) {
    if (c.argc() % 2 != 0) {
      throw Errors.wrongArity("config|set");
    }
    List<String[]> pairs = new ArrayList<>();
    for (int i = 2; i < c.argc(); i += 2) {
      String name = c.argString(i).toLowerCase(Locale.ROOT);
      if (!c.engine.config.exists(name)) {
        throw new CommandError("ERR Unknown option or number of arguments for CONFIG SET - '" + c.argString(i) + "'");
      }
      for (String[] p : pairs) {
        if (p[0].equals(name)) {
          throw failed(c.argString(i), "duplicate parameter");
        }
      }
      if (!c.engine.config.isMutable(name)) {
        throw failed(c.argString(i), "can't set immutable config");
      }
      pairs.add(new String[] {name, c.argString(i + 1), c.engine.config.get(name), c.argString(i)});
    }
    for (int i = 0; i < pairs.size(); i++) {
      String[] p = pairs.get(i);
      String error = c.engine.config.set(p[0], p[1], false);
      if (error != null) {
        // CONFIG SET is atomic: undo what was applied
        for (int j = i - 1; j >= 0; j--) {
          c.engine.config.set(pairs.get(j)[0], pairs.get(j)[2], false);
        }
        throw failed(p[3], error);
      }
    }
    c.out.ok();
  }

  private static CommandError failed(String name, String why) {
    return new CommandError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why);
  }

  private static void rewrite(Call c) {
    Engine.ConfigRewriter rewriter = c.engine.configRewriter;
    if (rewriter == null) {
      throw new CommandError("ERR The server is running without a config file");
    }
    try {
      rewriter.rewrite(c.engine.config.snapshot());
    } catch (Exception e) {
      throw new CommandError("ERR Rewriting config file: " + e.getMessage());
    }
    c.out.ok();
  }
}
