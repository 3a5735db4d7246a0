package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.Config;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import io.freshet.engine.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CONFIG GET/SET/RESETSTAT/REWRITE/HELP. Engine thread only. */
final class ConfigCommands {
  private ConfigCommands() {}

  static void register(CommandTable t) {
    t.register("config|get", ConfigCommands::get);
    t.register("config|set", ConfigCommands::set);
    t.register("config|resetstat", c -> {
      c.engine.stats.reset();
      c.engine.stats.resetLatencies();
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
      throw new CommandError(Errors.SYNTAX);
    }
    List<Config.Change> changes = new ArrayList<>();
    for (int i = 2; i < c.argc(); i += 2) {
      changes.add(new Config.Change(c.argString(i), c.argString(i + 1)));
    }
    // enable-protected-configs local: Freshet does not tell local clients apart (as DEBUG), so
    // local allows protected parameters for every client
    String error = c.engine.config.setAll(changes, c.engine.config.protectedConfigsAllowed(true));
    if (error != null) {
      throw new CommandError(error);
    }
    c.out.ok();
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
