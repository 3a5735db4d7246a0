package io.freshet.lua;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * FUNCTION libraries (Redis 7): their code, the functions they registered and the Lua state
 * that holds them. Snapshots save the code of each library; loading a snapshot or a log runs
 * it again. Owned by the engine thread.
 */
final class FunctionRegistry implements Engine.FunctionLibraries {
  static final List<String> FLAGS = List.of("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys");

  /** One registered function. */
  record Function(String name, int ref, List<String> flags, byte[] description, Library library) {}

  /** One library: its name, its code and its functions, in registration order. */
  static final class Library {
    final String name;
    final byte[] code;
    final Map<String, Function> functions = new LinkedHashMap<>();

    Library(String name, byte[] code) {
      this.name = name;
      this.code = code;
    }
  }

  private final Engine engine;
  final LuaRuntime lua;
  final Map<String, Library> libraries = new LinkedHashMap<>();
  final Map<String, Function> functions = new LinkedHashMap<>();

  FunctionRegistry(Engine engine, Rand48 random) {
    this.engine = engine;
    this.lua = new LuaRuntime(engine, true, random);
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Collects redis.register_function calls while one library's code runs. */
  final class Loading {
    final Library library;

    Loading(Library library) {
      this.library = library;
    }

    /** Reads register_function's arguments from the Lua stack; returns null or the error. */
    String register(LuaRuntime rt, long l) {
      LuaState ls = rt.ls;
      int argc = ls.n.lua_gettop(l);
      String name = null;
      byte[] description = null;
      List<String> flags = new ArrayList<>();
      int callback;
      if (argc < 1 || argc > 2) {
        return "ERR wrong number of arguments to redis.register_function";
      }
      if (argc == 1) {
        if (ls.type(l, 1) != LuaState.TTABLE) {
          return "ERR calling redis.register_function with a single argument is only applicable to Lua table "
              + "(representing named arguments).";
        }
        callback = -1;
        ls.n.lua_pushnil(l);
        while (ls.n.lua_next(l, 1) != 0) {
          if (ls.n.lua_isstring(l, -2) == 0) {
            return unref(rt, callback, "ERR named argument key given to redis.register_function is not a string");
          }
          String key = ls.type(l, -2) == LuaState.TSTRING ? ls.toJavaString(l, -2).toLowerCase(Locale.ROOT) : "";
          switch (key) {
            case "function_name" -> {
              if (ls.type(l, -1) != LuaState.TSTRING && ls.type(l, -1) != LuaState.TNUMBER) {
                return unref(rt, callback, "ERR function_name argument given to redis.register_function must be a string");
              }
              name = ls.toJavaString(l, -1);
            }
            case "description" -> {
              if (ls.type(l, -1) != LuaState.TSTRING && ls.type(l, -1) != LuaState.TNUMBER) {
                return unref(rt, callback, "ERR description argument given to redis.register_function must be a string");
              }
              description = ls.toBytes(l, -1);
            }
            case "callback" -> {
              if (ls.type(l, -1) != LuaState.TFUNCTION) {
                return unref(rt, callback, "ERR callback argument given to redis.register_function must be a function");
              }
              ls.n.lua_pushvalue(l, -1);
              if (callback >= 0) {
                rt.unref(callback);
              }
              callback = ls.n.luaL_ref(l, ls.registry);
            }
            case "flags" -> {
              if (ls.type(l, -1) != LuaState.TTABLE) {
                return unref(rt, callback, "ERR flags argument to redis.register_function must be a table representing function flags");
              }
              if (!readFlags(ls, l, flags)) {
                return unref(rt, callback, "ERR unknown flag given");
              }
            }
            default -> {
              return unref(rt, callback, "ERR unknown argument given to redis.register_function");
            }
          }
          ls.n.lua_settop(l, -2);
        }
        if (name == null) {
          return unref(rt, callback, "ERR redis.register_function must get a function name argument");
        }
        if (callback < 0) {
          return "ERR redis.register_function must get a callback argument";
        }
      } else {
        if (ls.type(l, 1) != LuaState.TSTRING && ls.type(l, 1) != LuaState.TNUMBER) {
          return "ERR first argument to redis.register_function must be a string";
        }
        if (ls.type(l, 2) != LuaState.TFUNCTION) {
          return "ERR second argument to redis.register_function must be a function";
        }
        name = ls.toJavaString(l, 1);
        ls.n.lua_pushvalue(l, 2);
        callback = ls.n.luaL_ref(l, ls.registry);
      }
      if (!validName(name)) {
        return unref(rt, callback, "ERR Function names can only contain letters, numbers, or underscores(_) and must be at "
            + "least one character long");
      }
      if (library.functions.containsKey(name)) {
        return unref(rt, callback, "ERR Function already exists in the library");
      }
      library.functions.put(name, new Function(name, callback, flags, description, library));
      return null;
    }

    private boolean readFlags(LuaState ls, long l, List<String> out) {
      ls.n.lua_pushnil(l);
      while (ls.n.lua_next(l, -2) != 0) {
        String flag = ls.type(l, -1) == LuaState.TSTRING ? ls.toJavaString(l, -1) : null;
        ls.n.lua_settop(l, -2);
        if (flag == null || !FLAGS.contains(flag)) {
          ls.n.lua_settop(l, -2);
          return false;
        }
        if (!out.contains(flag)) {
          out.add(flag);
        }
      }
      return true;
    }

    private String unref(LuaRuntime rt, int callback, String error) {
      if (callback >= 0) {
        rt.unref(callback);
      }
      return error;
    }
  }

  static boolean validName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_') {
        return false;
      }
    }
    return true;
  }

  /** Library name from the {@code #!lua name=<name>} first line; throws Redis's errors. */
  private static String libraryName(byte[] code) {
    if (code.length < 2 || code[0] != '#' || code[1] != '!') {
      throw new CommandError("ERR Missing library metadata");
    }
    int end = 0;
    while (end < code.length && code[end] != '\n') {
      end++;
    }
    if (end == code.length) {
      throw new CommandError("ERR Invalid library metadata");
    }
    String[] parts = new String(code, 0, end, StandardCharsets.UTF_8).trim().split("[ \t\r]+");
    String engineName = parts[0].substring(2);
    String name = null;
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].regionMatches(true, 0, "name=", 0, 5)) {
        if (name != null) {
          throw new CommandError("ERR Invalid metadata value, name argument was given multiple times");
        }
        name = parts[i].substring(5);
        continue;
      }
      throw new CommandError("ERR Invalid metadata value given: " + parts[i]);
    }
    if (name == null) {
      throw new CommandError("ERR Library name was not given");
    }
    if (!engineName.equalsIgnoreCase("lua")) {
      throw new CommandError("ERR Engine '" + engineName + "' not found");
    }
    if (!validName(name)) {
      throw new CommandError("ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
          + "least one character long");
    }
    return name;
  }

  /** FUNCTION LOAD: runs the library's code and adds its functions; returns the library name. */
  String load(byte[] code, boolean replace) {
    String name = libraryName(code);
    Library old = libraries.get(name);
    if (old != null && !replace) {
      throw new CommandError("ERR Library '" + name + "' already exists");
    }
    Library lib = compile(name, code);
    String taken = takenFunction(lib, old);
    if (taken != null) {
      discard(lib);
      throw new CommandError("ERR Function " + taken + " already exists");
    }
    if (old != null) {
      remove(old);
    }
    add(lib);
    return name;
  }

  private Library compile(String name, byte[] code) {
    Library lib = new Library(name, code);
    // Redis compiles the code from the shebang line's newline on, so user lines count from 2
    int newline = 0;
    while (code[newline] != '\n') {
      newline++;
    }
    byte[] body = java.util.Arrays.copyOfRange(code, newline, code.length);
    int chunk = lua.compile(body, "@user_function", "ERR Error compiling function: ");
    String error;
    try {
      error = lua.runLoader(chunk, new Loading(lib));
    } finally {
      lua.unref(chunk);
    }
    if (error != null) {
      discard(lib);
      throw new CommandError("ERR Error registering functions: " + error);
    }
    if (lib.functions.isEmpty()) {
      throw new CommandError("ERR No functions registered");
    }
    return lib;
  }

  /** A function of {@code lib} that another library than {@code replaced} already has, or null. */
  private String takenFunction(Library lib, Library replaced) {
    for (String f : lib.functions.keySet()) {
      Function existing = functions.get(f);
      if (existing != null && existing.library() != replaced) {
        return f;
      }
    }
    return null;
  }

  private void add(Library lib) {
    libraries.put(lib.name, lib);
    for (Function f : lib.functions.values()) {
      functions.put(f.name(), f);
    }
  }

  private void remove(Library lib) {
    libraries.remove(lib.name);
    for (Function f : lib.functions.values()) {
      functions.remove(f.name());
    }
    discard(lib);
  }

  private void discard(Library lib) {
    for (Function f : lib.functions.values()) {
      lua.unref(f.ref());
    }
  }

  boolean delete(String name) {
    Library lib = libraries.get(name);
    if (lib == null) {
      return false;
    }
    remove(lib);
    return true;
  }

  // ---- FCALL ---------------------------------------------------------------------------------

  void fcall(Call c, boolean readOnly) {
    Function f = functions.get(c.argString(1));
    int numKeys = LuaScripting.numKeys(c);
    if (f == null) {
      throw new CommandError("ERR Function not found");
    }
    boolean noWrites = f.flags().contains("no-writes");
    if (readOnly && !noWrites) {
      throw new CommandError("ERR Can not execute a script with write flag using *_ro command.");
    }
    lua.run(c, f.ref(), f.name(), 3, numKeys, readOnly || noWrites);
  }

  // ---- snapshots (Engine.FunctionLibraries) ------------------------------------------------

  @Override
  public List<byte[]> codes() {
    List<byte[]> out = new ArrayList<>();
    for (Library lib : libraries.values()) {
      out.add(lib.code);
    }
    return out;
  }

  @Override
  public void restoreLibrary(byte[] code) {
    load(code, true);
  }

  @Override
  public void clear() {
    for (Library lib : new ArrayList<>(libraries.values())) {
      remove(lib);
    }
  }

  /** FUNCTION RESTORE: adds libraries by policy (APPEND, REPLACE, FLUSH), all or none. */
  void restore(List<byte[]> codes, String policy) {
    List<Library> loaded = new ArrayList<>();
    try {
      for (byte[] code : codes) {
        loaded.add(compile(libraryName(code), code));
      }
    } catch (CommandError e) {
      loaded.forEach(this::discard);
      throw e;
    }
    if (policy.equals("FLUSH")) {
      clear();
    }
    for (Library lib : loaded) {
      Library old = libraries.get(lib.name);
      if (old != null && policy.equals("APPEND")) {
        loaded.forEach(this::discard);
        throw new CommandError("ERR Library " + lib.name + " already exists");
      }
      String taken = takenFunction(lib, old);
      if (taken != null) {
        loaded.forEach(this::discard);
        throw new CommandError("ERR Function " + taken + " already exists");
      }
    }
    for (Library lib : loaded) {
      Library old = libraries.get(lib.name);
      if (old != null) {
        remove(old);
      }
      add(lib);
    }
  }
}
