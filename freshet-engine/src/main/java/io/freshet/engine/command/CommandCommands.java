package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Glob;
import io.freshet.engine.protocol.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** COMMAND and its subcommands, answered from the captured Redis metadata. Engine thread only. */
final class CommandCommands {
  private CommandCommands() {}

  static void register(CommandTable t) {
    t.register("command", c -> {
      c.out.arrayHeader(t.all().size());
      t.all().forEach(spec -> t.infoOf(spec).writeTo(c.out));
    });
    t.register("command|count", c -> c.out.integer(t.all().size()));
    t.register("command|info", c -> info(c, t));
    t.register("command|docs", c -> docs(c, t));
    t.register("command|list", c -> list(c, t));
    t.register("command|getkeys", c -> getKeys(c, t));
    t.register("command|help", c -> {
      String[] lines = {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "(no subcommand)", "    Return details about all Redis commands.", "COUNT",
          "    Return the total number of commands in this Redis server.", "LIST",
          "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
          "    Return details about multiple Redis commands.",
          "    If no command names are given, documentation details for all", "    commands are returned.",
          "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
          "    If no command names are given, documentation details for all", "    commands are returned.",
          "GETKEYS <full-command>", "    Return the keys from a full Redis command.", "HELP",
          "    Prints this help."};
      c.out.statusLines(lines);
    });
  }

  private static CommandSpec find(CommandTable t, String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    int bar = lower.indexOf('|');
    if (bar < 0) {
      return t.get(lower);
    }
    CommandSpec container = t.get(lower.substring(0, bar));
    return container == null ? null : container.subcommands.get(lower.substring(bar + 1));
  }

  private static void info(Call c, CommandTable t) {
    if (c.argc() == 2) {
      c.out.arrayHeader(t.all().size());
      t.all().forEach(spec -> t.infoOf(spec).writeTo(c.out));
      return;
    }
    c.out.arrayHeader(c.argc() - 2);
    for (int i = 2; i < c.argc(); i++) {
      CommandSpec spec = find(t, c.argString(i));
      if (spec == null) {
        c.out.nullBulk();
      } else {
        t.infoOf(spec).writeTo(c.out);
      }
    }
  }

  private static void docs(Call c, CommandTable t) {
    List<CommandSpec> specs = new ArrayList<>();
    if (c.argc() == 2) {
      specs.addAll(t.all());
    } else {
      for (int i = 2; i < c.argc(); i++) {
        CommandSpec spec = find(t, c.argString(i));
        if (spec != null && spec.docs != null) {
          specs.add(spec);
        }
      }
    }
    specs.removeIf(s -> s.docs == null);
    c.out.mapHeader(specs.size());
    for (CommandSpec spec : specs) {
      c.out.bulk(spec.fullName);
      t.docsOf(spec).writeTo(c.out);
    }
  }

  private static void list(Call c, CommandTable t) {
    List<String> names = new ArrayList<>();
    for (CommandSpec spec : t.all()) {
      names.add(spec.fullName);
      spec.subcommands.values().forEach(s -> names.add(s.fullName));
    }
    if (c.argc() > 2) {
      if (c.argc() != 5 || !c.argIs(2, "FILTERBY")) {
        throw new CommandError(Errors.SYNTAX);
      }
      String value = c.argString(4);
      if (c.argIs(3, "MODULE")) {
        names.clear();
      } else if (c.argIs(3, "ACLCAT")) {
        names.removeIf(n -> !hasCategory(find(t, n), value));
      } else if (c.argIs(3, "PATTERN")) {
        byte[] pattern = c.arg(4);
        names.removeIf(n -> !Glob.matches(pattern, n.getBytes(StandardCharsets.UTF_8), true));
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    c.out.arrayHeader(names.size());
    names.forEach(c.out::bulk);
  }

  private static boolean hasCategory(CommandSpec spec, String category) {
    for (RespValue v : spec.info.children.get(6).children) {
      if (v.string().equalsIgnoreCase("@" + category)) {
        return true;
      }
    }
    return false;
  }

  private static void getKeys(Call c, CommandTable t) {
    CommandSpec spec = find(t, c.argString(2));
    if (spec != null && spec.isContainer() && c.argc() > 3) {
      spec = spec.subcommands.get(c.argString(3).toLowerCase(Locale.ROOT));
    }
    if (spec == null) {
      throw new CommandError("ERR Invalid command specified");
    }
    int argc = c.argc() - 2;
    if ((spec.arity > 0 && argc != spec.arity) || argc < -spec.arity) {
      throw new CommandError("ERR Invalid number of arguments specified for command");
    }
    List<byte[]> keys = new ArrayList<>();
    if (movableKeys(c, spec.fullName, argc, keys)) {
      c.out.arrayHeader(keys.size()); // commands whose keys depend on their arguments: maybe none
      keys.forEach(c.out::bulk);
      return;
    }
    if (spec.firstKey > 0) {
      int last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
      for (int i = spec.firstKey; i <= last && i < argc; i += Math.max(1, spec.keyStep)) {
        keys.add(c.arg(i + 2));
      }
    }
    if (keys.isEmpty()) {
      throw new CommandError("ERR The command has no key arguments");
    }
    c.out.arrayHeader(keys.size());
    keys.forEach(c.out::bulk);
  }

  /**
   * Keys of the commands whose key positions depend on their arguments (Redis's keynum and
   * keyword key specs): EVAL and FCALL name a count, XREAD and XREADGROUP list keys after STREAMS.
   * Returns false for other commands. Argument {@code i} of the command is {@code c.arg(i + 2)}.
   */
  private static boolean movableKeys(Call c, String name, int argc, List<byte[]> keys) {
    switch (name) {
      case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro" -> {
        Long n = argc > 2 ? io.freshet.engine.protocol.Numbers.parseLong(c.arg(4)) : null;
        if (n != null && n > 0 && n <= argc - 3) {
          for (int i = 0; i < n; i++) {
            keys.add(c.arg(5 + i));
          }
        }
        return true;
      }
      case "xread", "xreadgroup" -> {
        for (int i = 1; i < argc; i++) {
          if (c.argIs(i + 2, "streams")) {
            int count = (argc - i - 1) / 2;
            for (int k = 0; k < count; k++) {
              keys.add(c.arg(i + 3 + k));
            }
            break;
          }
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }
}
