package io.freshet.lua;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Glob;
import io.freshet.engine.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** FUNCTION and FCALL / FCALL_RO. Engine thread only. */
final class FunctionCommands {
  private FunctionCommands() {}

  static void register(CommandTable t, FunctionRegistry registry) {
    t.register("fcall", c -> registry.fcall(c, false));
    t.register("fcall_ro", c -> registry.fcall(c, true));
    t.get("fcall").journalsItsEffects = true;
    t.get("fcall_ro").journalsItsEffects = true;
    t.register("function|load", c -> {
      boolean replace = c.argc() == 4 && c.argIs(2, "replace");
      if (c.argc() > 4 || (c.argc() == 4 && !replace)) {
        throw new CommandError("ERR Unknown option given: " + c.argString(2));
      }
      String name = registry.load(c.arg(c.argc() - 1), replace);
      c.engine.stats.dirty++;
      c.out.bulk(name);
    });
    t.register("function|delete", c -> {
      if (!registry.delete(c.argString(2))) {
        throw new CommandError("ERR Library not found");
      }
      c.engine.stats.dirty++;
      c.out.ok();
    });
    t.register("function|flush", c -> {
      if (c.argc() > 3 || (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async"))) {
        throw new CommandError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
      }
      registry.clear();
      c.engine.stats.dirty++;
      c.out.ok();
    });
    t.register("function|kill", c -> {
      throw new CommandError("NOTBUSY No scripts in execution right now.");
    });
    t.register("function|list", c -> list(c, registry));
    t.register("function|stats", c -> {
      c.out.mapHeader(2);
      c.out.bulk("running_script");
      c.out.nullBulk();
      c.out.bulk("engines");
      c.out.mapHeader(1);
      c.out.bulk("LUA");
      c.out.mapHeader(2);
      c.out.bulk("libraries_count");
      c.out.integer(registry.libraries.size());
      c.out.bulk("functions_count");
      c.out.integer(registry.functions.size());
    });
    t.register("function|dump", c -> {
      if (c.engine.persistence == null) {
        throw new CommandError("ERR FUNCTION DUMP needs the server's storage");
      }
      c.out.bulk(c.engine.persistence.dumpFunctions(registry.codes()));
    });
    t.register("function|restore", c -> {
      String policy = "APPEND";
      if (c.argc() == 4) {
        policy = c.argString(3).toUpperCase(Locale.ROOT);
        if (!List.of("APPEND", "REPLACE", "FLUSH").contains(policy)) {
          throw new CommandError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
        }
      } else if (c.argc() > 4) {
        throw new CommandError(io.freshet.engine.Errors.SYNTAX);
      }
      if (c.engine.persistence == null) {
        throw new CommandError("ERR FUNCTION RESTORE needs the server's storage");
      }
      registry.restore(c.engine.persistence.restoreFunctions(c.arg(2)), policy);
      c.engine.stats.dirty++;
      c.out.ok();
    });
    t.register("function|help", c -> c.out.statusLines(
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Print this help."));
  }

  private static void list(Call c, FunctionRegistry registry) {
    boolean withCode = false;
    byte[] pattern = null;
    for (int i = 2; i < c.argc(); i++) {
      if (c.argIs(i, "withcode") && !withCode) {
        withCode = true;
      } else if (c.argIs(i, "libraryname") && i + 1 < c.argc()) {
        if (pattern != null) {
          throw new CommandError("ERR library name argument was already given");
        }
        pattern = c.arg(++i);
      } else {
        throw new CommandError("ERR Unknown argument " + c.argString(i));
      }
    }
    List<FunctionRegistry.Library> libs = new java.util.ArrayList<>();
    for (FunctionRegistry.Library lib : registry.libraries.values()) {
      if (pattern == null || Glob.matches(pattern, lib.name.getBytes(StandardCharsets.UTF_8), false)) {
        libs.add(lib);
      }
    }
    c.out.arrayHeader(libs.size());
    for (FunctionRegistry.Library lib : libs) {
      c.out.mapHeader(withCode ? 4 : 3);
      c.out.bulk("library_name");
      c.out.bulk(lib.name);
      c.out.bulk("engine");
      c.out.bulk("LUA");
      c.out.bulk("functions");
      c.out.arrayHeader(lib.functions.size());
      for (FunctionRegistry.Function f : lib.functions.values()) {
        c.out.mapHeader(3);
        c.out.bulk("name");
        c.out.bulk(f.name());
        c.out.bulk("description");
        c.out.bulk(f.description());
        c.out.bulk("flags");
        c.out.setHeader(f.flags().size());
        for (String flag : f.flags()) {
          c.out.simple(flag);
        }
      }
      if (withCode) {
        c.out.bulk("library_code");
        c.out.bulk(lib.code);
      }
    }
  }
}
