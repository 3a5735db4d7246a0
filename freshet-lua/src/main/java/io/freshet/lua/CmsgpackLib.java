package io.freshet.lua;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.JFunction;

/**
 * lua-cmsgpack 0.4.0 ({@code cmsgpack}) as Redis bundles it: MessagePack pack, unpack,
 * unpack_one and unpack_limit with its encodings (smallest integer form, float32 when exact,
 * arrays for tables keyed 1..n, 16 levels of nesting) and error messages. Engine thread only.
 */
final class CmsgpackLib {
  private static final int MAX_NESTING = 16;

  private final ScriptLibraries lib;
  private final LuaState ls;

  private CmsgpackLib(ScriptLibraries lib) {
    this.lib = lib;
    this.ls = lib.ls;
  }

  static Map<String, JFunction> functions(ScriptLibraries lib) {
    CmsgpackLib c = new CmsgpackLib(lib);
    Map<String, JFunction> f = new LinkedHashMap<>();
    f.put("pack", lua -> c.pack(lua.getPointer()));
    f.put("unpack", lua -> c.unpack(lua.getPointer(), 0));
    f.put("unpack_one", lua -> c.unpack(lua.getPointer(), 1));
    f.put("unpack_limit", lua -> c.unpack(lua.getPointer(), 2));
    return f;
  }

  // ---- pack ----------------------------------------------------------------------------------

  private int pack(long l) {
    int nargs = ls.n.lua_gettop(l);
    if (nargs == 0) {
      return lib.error(l, "bad argument #0 to 'pack' (MessagePack pack needs input.)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i <= nargs; i++) {
      ls.n.lua_pushvalue(l, i);
      encode(l, out, 0);
    }
    byte[] packed = out.toByteArray();
    ls.n.lua_settop(l, 0);
    ls.pushBytes(l, packed);
    return 1;
  }

  /** Encodes the value at the top of the stack and pops it. */
  private void encode(long l, ByteArrayOutputStream out, int level) {
    int t = ls.type(l, -1);
    if (t == LuaState.TTABLE && level == MAX_NESTING) {
      t = LuaState.TNIL;
    }
    switch (t) {
      case LuaState.TSTRING -> {
        byte[] s = ls.toBytes(l, -1);
        int len = s.length;
        if (len < 32) {
          out.write(0xa0 | len);
        } else if (len <= 0xff) {
          out.write(0xd9);
          out.write(len);
        } else if (len <= 0xffff) {
          out.write(0xda);
          be(out, len, 2);
        } else {
          out.write(0xdb);
          be(out, len, 4);
        }
        out.write(s, 0, len);
      }
      case LuaState.TBOOLEAN -> out.write(ls.n.lua_toboolean(l, -1) != 0 ? 0xc3 : 0xc2);
      case LuaState.TNUMBER -> number(out, ls.n.lua_tonumber(l, -1));
      case LuaState.TTABLE -> {
        ls.n.lua_checkstack(l, 4);
        if (isArray(l)) {
          int len = (int) ls.n.lua_objlen(l, -1);
          header(out, len, 0x90, 0xdc, 0xdd);
          for (int j = 1; j <= len; j++) {
            ls.n.lua_rawgeti(l, -1, j);
            encode(l, out, level + 1);
          }
        } else {
          int len = 0;
          ls.n.lua_pushnil(l);
          while (ls.n.lua_next(l, -2) != 0) {
            ls.n.lua_settop(l, -2);
            len++;
          }
          header(out, len, 0x80, 0xde, 0xdf);
          ls.n.lua_pushnil(l);
          while (ls.n.lua_next(l, -2) != 0) {
            ls.n.lua_pushvalue(l, -2);
            encode(l, out, level + 1); // key
            encode(l, out, level + 1); // value
          }
        }
      }
      default -> out.write(0xc0);
    }
    ls.n.lua_settop(l, -2);
  }

  /** lua-cmsgpack's table_is_an_array: keys are exactly 1..n. */
  private boolean isArray(long l) {
    int count = 0;
    double max = 0;
    ls.n.lua_pushnil(l);
    while (ls.n.lua_next(l, -2) != 0) {
      ls.n.lua_settop(l, -2);
      double n;
      if (ls.type(l, -1) != LuaState.TNUMBER || (n = ls.n.lua_tonumber(l, -1)) <= 0 || (int) n != n) {
        ls.n.lua_settop(l, -2);
        return false;
      }
      max = Math.max(max, n);
      count++;
    }
    return max == count;
  }

  private static void header(ByteArrayOutputStream out, int len, int fix, int b16, int b32) {
    if (len <= 15) {
      out.write(fix | len);
    } else if (len <= 0xffff) {
      out.write(b16);
      be(out, len, 2);
    } else {
      out.write(b32);
      be(out, len, 4);
    }
  }

  private static void number(ByteArrayOutputStream out, double n) {
    if (!Double.isInfinite(n) && Conversions.toLongLikeC(n) == n) {
      integer(out, (long) n);
      return;
    }
    float f = (float) n;
    if ((double) f == n) {
      out.write(0xca);
      be(out, Float.floatToRawIntBits(f), 4);
    } else {
      out.write(0xcb);
      be(out, Double.doubleToRawLongBits(n), 8);
    }
  }

  private static void integer(ByteArrayOutputStream out, long n) {
    if (n >= 0) {
      if (n <= 127) {
        out.write((int) n);
      } else if (n <= 0xff) {
        out.write(0xcc);
        out.write((int) n);
      } else if (n <= 0xffff) {
        out.write(0xcd);
        be(out, n, 2);
      } else if (n <= 0xffffffffL) {
        out.write(0xce);
        be(out, n, 4);
      } else {
        out.write(0xcf);
        be(out, n, 8);
      }
    } else if (n >= -32) {
      out.write((int) n & 0xff);
    } else if (n >= -128) {
      out.write(0xd0);
      out.write((int) n & 0xff);
    } else if (n >= -32768) {
      out.write(0xd1);
      be(out, n, 2);
    } else if (n >= -2147483648L) {
      out.write(0xd2);
      be(out, n, 4);
    } else {
      out.write(0xd3);
      be(out, n, 8);
    }
  }

  private static void be(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  // ---- unpack --------------------------------------------------------------------------------

  /** Thrown while decoding: the input is truncated (EOF) or malformed. */
  private static final class DecodeError extends RuntimeException {
    DecodeError(String message) {
      super(message, null, false, false);
    }
  }

  private static final DecodeError EOF = new DecodeError("Missing bytes in input.");
  private static final DecodeError BAD = new DecodeError("Bad data format in input.");

  /** mode 0: unpack (all), 1: unpack_one([offset]), 2: unpack_limit(limit [, offset]). */
  private int unpack(long l, int mode) {
    if (ls.type(l, 1) != LuaState.TSTRING && ls.type(l, 1) != LuaState.TNUMBER) {
      return lib.argError(l, 1, mode == 0 ? "unpack" : mode == 1 ? "unpack_one" : "unpack_limit", "string");
    }
    int limit = 0;
    int offset = 0;
    if (mode == 1) {
      limit = 1;
      offset = optInt(l, 2);
    } else if (mode == 2) {
      if (ls.n.lua_isnumber(l, 2) == 0) {
        return lib.argError(l, 2, "unpack_limit", "number");
      }
      limit = (int) ls.n.lua_tonumber(l, 2);
      offset = optInt(l, 3);
    }
    byte[] s = ls.toBytes(l, 1);
    ls.n.lua_settop(l, 1);
    boolean all = limit == 0 && offset == 0;
    if (offset < 0 || limit < 0) {
      return lib.error(l, "Invalid request to unpack with offset of " + offset + " and limit of " + s.length + ".");
    } else if (offset > s.length) {
      return lib.error(l, "Start offset " + offset + " greater than input length " + s.length + ".");
    }
    if (all) {
      limit = Integer.MAX_VALUE;
    }
    int[] pos = {offset};
    int count = 0;
    try {
      for (; pos[0] < s.length && count < limit; count++) {
        ls.n.lua_checkstack(l, 8);
        decode(l, s, pos);
      }
    } catch (DecodeError e) {
      return lib.error(l, e.getMessage());
    }
    if (!all) {
      ls.n.lua_pushnumber(l, pos[0] >= s.length ? -1 : pos[0]);
      ls.n.lua_insert(l, 2);
      count++;
    }
    ls.n.lua_remove(l, 1);
    return count;
  }

  private int optInt(long l, int index) {
    return ls.type(l, index) <= LuaState.TNIL ? 0 : (int) ls.n.lua_tonumber(l, index);
  }

  private static long read(byte[] s, int[] pos, int bytes) {
    if (s.length - pos[0] < bytes) {
      throw EOF;
    }
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | (s[pos[0]++] & 0xff);
    }
    return v;
  }

  /** Decodes one object at pos and pushes it. */
  private void decode(long l, byte[] s, int[] pos) {
    int b = (int) read(s, pos, 1);
    if (b <= 0x7f) {
      ls.n.lua_pushnumber(l, b);
    } else if (b >= 0xe0) {
      ls.n.lua_pushnumber(l, (byte) b);
    } else if ((b & 0xe0) == 0xa0) {
      string(l, s, pos, b & 0x1f);
    } else if ((b & 0xf0) == 0x90) {
      array(l, s, pos, b & 0x0f);
    } else if ((b & 0xf0) == 0x80) {
      map(l, s, pos, b & 0x0f);
    } else {
      switch (b) {
        case 0xc0 -> ls.n.lua_pushnil(l);
        case 0xc2 -> ls.n.lua_pushboolean(l, 0);
        case 0xc3 -> ls.n.lua_pushboolean(l, 1);
        case 0xca -> ls.n.lua_pushnumber(l, Float.intBitsToFloat((int) read(s, pos, 4)));
        case 0xcb -> ls.n.lua_pushnumber(l, Double.longBitsToDouble(read(s, pos, 8)));
        case 0xcc -> ls.n.lua_pushnumber(l, read(s, pos, 1));
        case 0xcd -> ls.n.lua_pushnumber(l, read(s, pos, 2));
        case 0xce -> ls.n.lua_pushnumber(l, read(s, pos, 4));
        case 0xcf -> {
          long v = read(s, pos, 8);
          ls.n.lua_pushnumber(l, v >= 0 ? (double) v : (double) (v >>> 1) * 2 + (v & 1));
        }
        case 0xd0 -> ls.n.lua_pushnumber(l, (byte) read(s, pos, 1));
        case 0xd1 -> ls.n.lua_pushnumber(l, (short) read(s, pos, 2));
        case 0xd2 -> ls.n.lua_pushnumber(l, (int) read(s, pos, 4));
        case 0xd3 -> ls.n.lua_pushnumber(l, read(s, pos, 8));
        case 0xd9 -> string(l, s, pos, (int) read(s, pos, 1));
        case 0xda -> string(l, s, pos, (int) read(s, pos, 2));
        case 0xdb -> string(l, s, pos, (int) read(s, pos, 4));
        case 0xdc -> array(l, s, pos, (int) read(s, pos, 2));
        case 0xdd -> array(l, s, pos, (int) read(s, pos, 4));
        case 0xde -> map(l, s, pos, (int) read(s, pos, 2));
        case 0xdf -> map(l, s, pos, (int) read(s, pos, 4));
        default -> throw BAD;
      }
    }
  }

  private void string(long l, byte[] s, int[] pos, int len) {
    if (len < 0 || s.length - pos[0] < len) {
      throw EOF;
    }
    ls.pushBytes(l, s, pos[0], len);
    pos[0] += len;
  }

  private void array(long l, byte[] s, int[] pos, int len) {
    ls.n.lua_checkstack(l, 4);
    ls.n.lua_createtable(l, 0, 0);
    for (int i = 1; i <= len; i++) {
      decode(l, s, pos);
      ls.n.lua_rawseti(l, -2, i);
    }
  }

  private void map(long l, byte[] s, int[] pos, int len) {
    ls.n.lua_checkstack(l, 4);
    ls.n.lua_createtable(l, 0, 0);
    for (int i = 0; i < len; i++) {
      decode(l, s, pos);
      decode(l, s, pos);
      if (ls.type(l, -2) == LuaState.TNIL) {
        ls.n.lua_settop(l, -3); // a nil key cannot be stored; C Lua would raise, this skips it
        continue;
      }
      ls.n.lua_rawset(l, -3);
    }
  }
}
