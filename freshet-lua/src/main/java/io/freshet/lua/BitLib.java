package io.freshet.lua;

import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.JFunction;

/** LuaBitOp 1.0.2 ({@code bit}), the version Redis bundles: 32-bit operations on Lua numbers. */
final class BitLib {
  private BitLib() {}

  static Map<String, JFunction> functions(ScriptLibraries lib) {
    Map<String, JFunction> f = new LinkedHashMap<>();
    f.put("tobit", lua -> unary(lib, lua.getPointer(), "tobit", b -> b));
    f.put("bnot", lua -> unary(lib, lua.getPointer(), "bnot", b -> ~b));
    f.put("bswap", lua -> unary(lib, lua.getPointer(), "bswap", Integer::reverseBytes));
    f.put("band", lua -> fold(lib, lua.getPointer(), "band", 0));
    f.put("bor", lua -> fold(lib, lua.getPointer(), "bor", 1));
    f.put("bxor", lua -> fold(lib, lua.getPointer(), "bxor", 2));
    f.put("lshift", lua -> shift(lib, lua.getPointer(), "lshift", 0));
    f.put("rshift", lua -> shift(lib, lua.getPointer(), "rshift", 1));
    f.put("arshift", lua -> shift(lib, lua.getPointer(), "arshift", 2));
    f.put("rol", lua -> shift(lib, lua.getPointer(), "rol", 3));
    f.put("ror", lua -> shift(lib, lua.getPointer(), "ror", 4));
    f.put("tohex", lua -> tohex(lib, lua.getPointer()));
    return f;
  }

  /** LuaBitOp's barg: the number plus 2^52+2^51, whose low 32 bits are the rounded integer. */
  static int toBit(double n) {
    return (int) Double.doubleToRawLongBits(n + 6755399441055744.0);
  }

  private static int unary(ScriptLibraries lib, long l, String name, java.util.function.IntUnaryOperator op) {
    if (!lib.isNumber(l, 1)) {
      return lib.argError(l, 1, name, "number");
    }
    int b = op.applyAsInt(toBit(lib.ls.n.lua_tonumber(l, 1)));
    lib.ls.n.lua_settop(l, 0);
    lib.ls.n.lua_pushnumber(l, b);
    return 1;
  }

  private static int fold(ScriptLibraries lib, long l, String name, int op) {
    int top = lib.ls.n.lua_gettop(l);
    for (int i = 1; i <= Math.max(1, top); i++) {
      if (!lib.isNumber(l, i)) {
        return lib.argError(l, i, name, "number");
      }
    }
    int b = toBit(lib.ls.n.lua_tonumber(l, 1));
    for (int i = top; i > 1; i--) {
      int x = toBit(lib.ls.n.lua_tonumber(l, i));
      b = switch (op) {
        case 0 -> b & x;
        case 1 -> b | x;
        default -> b ^ x;
      };
    }
    lib.ls.n.lua_settop(l, 0);
    lib.ls.n.lua_pushnumber(l, b);
    return 1;
  }

  private static int shift(ScriptLibraries lib, long l, String name, int op) {
    for (int i = 1; i <= 2; i++) {
      if (!lib.isNumber(l, i)) {
        return lib.argError(l, i, name, "number");
      }
    }
    int b = toBit(lib.ls.n.lua_tonumber(l, 1));
    int n = toBit(lib.ls.n.lua_tonumber(l, 2)) & 31;
    int r = switch (op) {
      case 0 -> b << n;
      case 1 -> b >>> n;
      case 2 -> b >> n;
      case 3 -> Integer.rotateLeft(b, n);
      default -> Integer.rotateRight(b, n);
    };
    lib.ls.n.lua_settop(l, 0);
    lib.ls.n.lua_pushnumber(l, r);
    return 1;
  }

  private static int tohex(ScriptLibraries lib, long l) {
    if (!lib.isNumber(l, 1)) {
      return lib.argError(l, 1, "tohex", "number");
    }
    int b = toBit(lib.ls.n.lua_tonumber(l, 1));
    int n = 8;
    if (lib.ls.type(l, 2) != -1) {
      if (!lib.isNumber(l, 2)) {
        return lib.argError(l, 2, "tohex", "number");
      }
      n = toBit(lib.ls.n.lua_tonumber(l, 2));
    }
    String digits = "0123456789abcdef";
    if (n < 0) {
      n = -n;
      digits = "0123456789ABCDEF";
    }
    if (n > 8) {
      n = 8;
    }
    char[] buf = new char[n];
    for (int i = n - 1; i >= 0; i--) {
      buf[i] = digits.charAt(b & 15);
      b >>>= 4;
    }
    lib.ls.n.lua_settop(l, 0);
    lib.ls.pushString(l, new String(buf));
    return 1;
  }
}
