package io.freshet.lua;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Scripting for one engine: EVAL scripts (cached by SHA-1) in one Lua state, FUNCTION libraries
 * in another, as Redis keeps them. Install with {@link #install}. Owned by the engine thread.
 */
public final class LuaScripting {
  final Engine engine;
  private LuaRuntime eval;
  final FunctionRegistry functions;
  /** Compiled scripts by SHA-1, as references into the EVAL state's registry. */
  private final Map<String, Integer> scripts = new HashMap<>();
  /** math.random's generator: one per server, as Redis's. */
  private final Rand48 random = new Rand48();

  private LuaScripting(Engine engine) {
    this.engine = engine;
    this.eval = new LuaRuntime(engine, false, random);
    this.functions = new FunctionRegistry(engine, random);
  }

  /** Adds the scripting commands to {@code engine}'s table. Call before serving clients. */
  public static LuaScripting install(Engine engine) {
    LuaScripting s = new LuaScripting(engine);
    ScriptCommands.register(engine.commands(), s);
    FunctionCommands.register(engine.commands(), s.functions);
    engine.functions = s.functions;
    return s;
  }

  /** SCRIPT FLUSH: a fresh Lua state, as Redis does. */
  void flush() {
    scripts.clear();
    eval.close();
    eval = new LuaRuntime(engine, false, random);
  }

  /** Compiles {@code body} once and returns its SHA-1; throws Redis's compile error. */
  String load(byte[] body) {
    String sha = LuaRuntime.sha1hex(body);
    if (!scripts.containsKey(sha)) {
      scripts.put(sha, eval.compile(body, "@user_script", "ERR Error compiling script (new function): "));
    }
    return sha;
  }

  boolean exists(String sha) {
    return scripts.containsKey(sha.toLowerCase(Locale.ROOT));
  }

  /** EVAL and friends: arguments are {@code script-or-sha numkeys key... arg...}. */
  void eval(Call c, boolean bySha, boolean readOnly) {
    int numKeys = numKeys(c);
    String sha;
    if (bySha) {
      sha = c.argString(1).toLowerCase(Locale.ROOT);
      if (!scripts.containsKey(sha)) {
        throw new CommandError("NOSCRIPT No matching script. Please use EVAL.");
      }
    } else {
      sha = load(c.arg(1));
    }
    eval.run(c, scripts.get(sha), sha, 3, numKeys, readOnly);
  }

  /** The numkeys argument of EVAL and FCALL, checked as Redis does. */
  static int numKeys(Call c) {
    long numKeys = c.longArg(2);
    if (numKeys > c.argc() - 3) {
      throw new CommandError("ERR Number of keys can't be greater than number of args");
    }
    if (numKeys < 0) {
      throw new CommandError("ERR Number of keys can't be negative");
    }
    return (int) numKeys;
  }
}
