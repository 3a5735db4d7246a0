package io.freshet.lua;

import io.freshet.engine.CommandError;
import io.freshet.engine.command.CommandTable;
import java.nio.charset.StandardCharsets;

/** EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. Engine thread only. */
final class ScriptCommands {
  private ScriptCommands() {}

  static void register(CommandTable t, LuaScripting lua) {
    t.register("eval", c -> lua.eval(c, false, false));
    t.register("evalsha", c -> lua.eval(c, true, false));
    t.register("eval_ro", c -> lua.eval(c, false, true));
    t.register("evalsha_ro", c -> lua.eval(c, true, true));
    for (String name : new String[] {"eval", "evalsha", "eval_ro", "evalsha_ro"}) {
      t.get(name).journalsItsEffects = true;
    }
    t.register("script|load", c -> c.out.bulk(lua.load(c.arg(2)).getBytes(StandardCharsets.US_ASCII)));
    t.register("script|exists", c -> {
      c.out.arrayHeader(c.argc() - 2);
      for (int i = 2; i < c.argc(); i++) {
        c.out.integer(lua.exists(c.argString(i)) ? 1 : 0);
      }
    });
    t.register("script|flush", c -> {
      if (c.argc() > 3 || (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async"))) {
        throw new CommandError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
      }
      lua.flush();
      c.out.ok();
    });
    t.register("script|kill", c -> {
      throw new CommandError("NOTBUSY No scripts in execution right now.");
    });
    t.register("script|help", c -> c.out.statusLines(
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Print this help."));
    t.register("script|debug", c -> {
      throw new CommandError("ERR SCRIPT DEBUG is not supported by Freshet");
    });
  }
}
