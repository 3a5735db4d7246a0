package io.freshet.lua;

import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.JFunction;

/**
 * The C libraries Redis links into its Lua (bit, cjson, cmsgpack, struct), reimplemented in
 * Java with the same results and error messages. Engine thread only.
 */
final class ScriptLibraries {
  LuaState ls;

  Map<String, Map<String, JFunction>> all(LuaState ls) {
    this.ls = ls;
    Map<String, Map<String, JFunction>> libs = new LinkedHashMap<>();
    libs.put("bit", BitLib.functions(this));
    libs.put("cjson", CjsonLib.functions(this));
    libs.put("cmsgpack", CmsgpackLib.functions(this));
    libs.put("struct", StructLib.functions(this));
    return libs;
  }

  /** Raises {@code message} prefixed with the caller's position, as luaL_error does. */
  int error(long l, String message) {
    ls.n.lua_settop(l, 0);
    ls.n.luaL_where(l, 1);
    ls.pushString(l, message);
    ls.n.lua_concat(l, 2);
    return -1;
  }

  /** luaL_checknumber's message for argument {@code arg} of {@code fn}. */
  int argError(long l, int arg, String fn, String expected) {
    return error(l, "bad argument #" + arg + " to '" + fn + "' (" + expected + " expected, got "
        + typeName(l, arg) + ")");
  }

  String typeName(long l, int index) {
    return switch (ls.type(l, index)) {
      case -1 -> "no value";
      case 0 -> "nil";
      case 1 -> "boolean";
      case 2, 7 -> "userdata";
      case 3 -> "number";
      case 4 -> "string";
      case 5 -> "table";
      case 6 -> "function";
      default -> "thread";
    };
  }

  /** A number argument, or null after pushing the error (as luaL_checknumber). */
  boolean isNumber(long l, int index) {
    return ls.n.lua_isnumber(l, index) != 0;
  }
}
