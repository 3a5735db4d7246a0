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
  /** A compiled script: its registry reference and its shebang flags. */
  private record Script(int ref, boolean shebang, boolean noWrites) {}

  /** Compiled scripts by SHA-1. */
  private final Map<String, Script> scripts = new HashMap<>();
  /** The last EVALSHA's argument and script (SCRIPT FLUSH forgets them). */
  private byte[] lastShaArg;
  private String lastSha;
  private Script lastScript;
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
    lastShaArg = null;
    lastSha = null;
    lastScript = null;
    eval.close();
    eval = new LuaRuntime(engine, false, random);
  }

  /** Compiles {@code body} once and returns its SHA-1; throws Redis's shebang or compile error. */
  String load(byte[] body) {
    String sha = LuaRuntime.sha1hex(body);
    if (!scripts.containsKey(sha)) {
      int shebangLength = 0;
      boolean noWrites = false;
      if (body.length >= 2 && body[0] == '#' && body[1] == '!') {
        while (shebangLength < body.length && body[shebangLength] != '\n') {
          shebangLength++;
        }
        if (shebangLength == body.length) {
          throw new CommandError("ERR Invalid script shebang");
        }
        noWrites = shebangFlags(new String(body, 0, shebangLength, java.nio.charset.StandardCharsets.UTF_8))
            .contains("no-writes");
      }
      // the shebang line is skipped but its line feed kept, so line numbers stay the user's
      byte[] code = shebangLength == 0 ? body : java.util.Arrays.copyOfRange(body, shebangLength, body.length);
      int ref = eval.compile(code, "@user_script", "ERR Error compiling script (new function): ");
      scripts.put(sha, new Script(ref, shebangLength > 0, noWrites));
    }
    return sha;
  }

  /** Redis 7's evalExtractShebangFlags: {@code #!lua [flags=a,b]}. */
  private static java.util.Set<String> shebangFlags(String line) {
    String[] parts = line.trim().split("[ \t\r]+");
    if (!parts[0].equals("#!lua")) {
      throw new CommandError("ERR Unexpected engine in script shebang: " + parts[0]);
    }
    java.util.Set<String> flags = new java.util.HashSet<>();
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].startsWith("flags=")) {
        throw new CommandError("ERR Unknown lua shebang option: " + parts[i]);
      }
      String list = parts[i].substring(6);
      if (list.isEmpty()) {
        continue;
      }
      for (String flag : list.split(",", -1)) {
        if (!FunctionRegistry.FLAGS.contains(flag)) {
          throw new CommandError("ERR Unexpected flag in script shebang: " + flag);
        }
        flags.add(flag);
      }
    }
    return flags;
  }

  boolean exists(String sha) {
    return scripts.containsKey(sha.toLowerCase(Locale.ROOT));
  }

  /** EVAL and friends: arguments are {@code script-or-sha numkeys key... arg...}. */
  void eval(Call c, boolean bySha, boolean readOnly) {
    int numKeys = numKeys(c);
    String sha;
    Script script;
    if (bySha && java.util.Arrays.equals(c.arg(1), lastShaArg)) {
      sha = lastSha; // the same script again, as callers mostly do: no string, no hashing
      script = lastScript;
    } else {
      if (bySha) {
        sha = c.argString(1).toLowerCase(Locale.ROOT);
        if (!scripts.containsKey(sha)) {
          throw new CommandError("NOSCRIPT No matching script. Please use EVAL.");
        }
      } else {
        sha = load(c.arg(1));
      }
      script = scripts.get(sha);
      if (bySha) {
        lastShaArg = c.arg(1).clone();
        lastSha = sha;
        lastScript = script;
      }
    }
    if (readOnly && script.shebang() && !script.noWrites()) {
      throw new CommandError("ERR Can not execute a script with write flag using *_ro command.");
    }
    eval.run(c, script.ref(), sha, 3, numKeys, readOnly || script.noWrites());
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
