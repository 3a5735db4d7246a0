package io.freshet.lua;

import io.freshet.engine.protocol.Numbers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.JFunction;

/**
 * lua-cjson 2.1 ({@code cjson}) as Redis bundles it: encode and decode with its number format,
 * escapes, sparse-array rule, limits and error messages, plus its configuration functions.
 * Engine thread only; the configuration lives as long as the Lua state, as in Redis.
 */
final class CjsonLib {
  private static final String[] ESCAPES = new String[256];

  static {
    for (int i = 0; i < 32; i++) {
      ESCAPES[i] = String.format("\\u%04x", i);
    }
    ESCAPES['\b'] = "\\b";
    ESCAPES['\t'] = "\\t";
    ESCAPES['\n'] = "\\n";
    ESCAPES['\f'] = "\\f";
    ESCAPES['\r'] = "\\r";
    ESCAPES['"'] = "\\\"";
    ESCAPES['/'] = "\\/";
    ESCAPES['\\'] = "\\\\";
    ESCAPES[127] = "\\u007f";
  }

  private final ScriptLibraries lib;
  private final LuaState ls;
  private int encodeMaxDepth = 1000;
  private int decodeMaxDepth = 1000;
  private int numberPrecision = 14;
  private boolean sparseConvert;
  private int sparseRatio = 2;
  private int sparseSafe = 10;
  private int encodeInvalidNumbers; // 0 off, 1 on, 2 "null"
  private boolean decodeInvalidNumbers = true;
  private boolean keepBuffer = true;

  private CjsonLib(ScriptLibraries lib) {
    this.lib = lib;
    this.ls = lib.ls;
  }

  static Map<String, JFunction> functions(ScriptLibraries lib) {
    CjsonLib c = new CjsonLib(lib);
    Map<String, JFunction> f = new LinkedHashMap<>();
    f.put("encode", lua -> c.encode(lua.getPointer()));
    f.put("decode", lua -> c.decode(lua.getPointer()));
    f.put("encode_max_depth", lua -> c.intOption(lua.getPointer(), "encode_max_depth", 0));
    f.put("decode_max_depth", lua -> c.intOption(lua.getPointer(), "decode_max_depth", 1));
    f.put("encode_number_precision", lua -> c.intOption(lua.getPointer(), "encode_number_precision", 2));
    f.put("encode_keep_buffer", lua -> c.boolOption(lua.getPointer(), 0));
    f.put("decode_invalid_numbers", lua -> c.boolOption(lua.getPointer(), 1));
    f.put("encode_invalid_numbers", lua -> c.encodeInvalid(lua.getPointer()));
    f.put("encode_sparse_array", lua -> c.sparse(lua.getPointer()));
    return f;
  }

  // ---- configuration -----------------------------------------------------------------------

  private int intOption(long l, String name, int which) {
    int top = ls.n.lua_gettop(l);
    if (top > 1) {
      return lib.error(l, "bad argument #2 to '" + name + "' (found too many arguments)");
    }
    if (top == 1 && ls.type(l, 1) != LuaState.TNIL) {
      if (ls.n.lua_isnumber(l, 1) == 0) {
        return lib.argError(l, 1, name, "number");
      }
      int v = (int) ls.n.lua_tonumber(l, 1);
      int max = which == 2 ? 14 : Integer.MAX_VALUE;
      if (v < 1 || v > max) {
        return lib.error(l, "bad argument #1 to '" + name + "' (expected integer between 1 and " + max + ")");
      }
      switch (which) {
        case 0 -> encodeMaxDepth = v;
        case 1 -> decodeMaxDepth = v;
        default -> numberPrecision = v;
      }
    }
    ls.n.lua_settop(l, 0);
    ls.n.lua_pushnumber(l, which == 0 ? encodeMaxDepth : which == 1 ? decodeMaxDepth : numberPrecision);
    return 1;
  }

  private int boolOption(long l, int which) {
    if (ls.n.lua_gettop(l) >= 1 && ls.type(l, 1) != LuaState.TNIL) {
      boolean v = ls.n.lua_toboolean(l, 1) != 0;
      if (which == 0) {
        keepBuffer = v;
      } else {
        decodeInvalidNumbers = v;
      }
    }
    ls.n.lua_settop(l, 0);
    ls.n.lua_pushboolean(l, (which == 0 ? keepBuffer : decodeInvalidNumbers) ? 1 : 0);
    return 1;
  }

  private int encodeInvalid(long l) {
    if (ls.n.lua_gettop(l) >= 1 && ls.type(l, 1) != LuaState.TNIL) {
      if (ls.type(l, 1) == LuaState.TSTRING && "null".equals(ls.toJavaString(l, 1))) {
        encodeInvalidNumbers = 2;
      } else {
        encodeInvalidNumbers = ls.n.lua_toboolean(l, 1) != 0 ? 1 : 0;
      }
    }
    ls.n.lua_settop(l, 0);
    if (encodeInvalidNumbers == 2) {
      ls.pushString(l, "null");
    } else {
      ls.n.lua_pushboolean(l, encodeInvalidNumbers);
    }
    return 1;
  }

  private int sparse(long l) {
    int top = ls.n.lua_gettop(l);
    if (top >= 1 && ls.type(l, 1) != LuaState.TNIL) {
      sparseConvert = ls.n.lua_toboolean(l, 1) != 0;
    }
    if (top >= 2 && ls.type(l, 2) != LuaState.TNIL) {
      sparseRatio = (int) ls.n.lua_tonumber(l, 2);
    }
    if (top >= 3 && ls.type(l, 3) != LuaState.TNIL) {
      sparseSafe = (int) ls.n.lua_tonumber(l, 3);
    }
    ls.n.lua_settop(l, 0);
    ls.n.lua_pushboolean(l, sparseConvert ? 1 : 0);
    ls.n.lua_pushnumber(l, sparseRatio);
    ls.n.lua_pushnumber(l, sparseSafe);
    return 3;
  }

  // ---- encode ------------------------------------------------------------------------------

  /** Thrown inside encode/decode with the message luaL_error would raise. */
  private static final class JsonError extends RuntimeException {
    JsonError(String message) {
      super(message, null, false, false);
    }
  }

  private int encode(long l) {
    if (ls.n.lua_gettop(l) != 1) {
      return lib.error(l, "bad argument #1 to 'encode' (expected 1 argument)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      encodeValue(l, out, 0);
    } catch (JsonError e) {
      return lib.error(l, e.getMessage());
    }
    byte[] json = out.toByteArray();
    ls.n.lua_settop(l, 0);
    ls.pushBytes(l, json);
    return 1;
  }

  /** Encodes the value at the top of the stack (left there). */
  private void encodeValue(long l, ByteArrayOutputStream out, int depth) {
    int t = ls.type(l, -1);
    switch (t) {
      case LuaState.TSTRING -> appendString(out, ls.toBytes(l, -1));
      case LuaState.TNUMBER -> appendNumber(out, ls.n.lua_tonumber(l, -1));
      case LuaState.TBOOLEAN -> ascii(out, ls.n.lua_toboolean(l, -1) != 0 ? "true" : "false");
      case LuaState.TNIL -> ascii(out, "null");
      case LuaState.TTABLE -> {
        depth++;
        if (depth > encodeMaxDepth) {
          throw new JsonError("Cannot serialise, excessive nesting (" + depth + ")");
        }
        ls.n.lua_checkstack(l, 8);
        int length = arrayLength(l);
        if (length > 0) {
          out.write('[');
          for (int i = 1; i <= length; i++) {
            if (i > 1) {
              out.write(',');
            }
            ls.n.lua_rawgeti(l, -1, i);
            encodeValue(l, out, depth);
            ls.n.lua_settop(l, -2);
          }
          out.write(']');
        } else {
          out.write('{');
          boolean first = true;
          ls.n.lua_pushnil(l);
          while (ls.n.lua_next(l, -2) != 0) {
            if (!first) {
              out.write(',');
            }
            first = false;
            int kt = ls.type(l, -2);
            if (kt == LuaState.TNUMBER) {
              out.write('"');
              appendNumber(out, ls.n.lua_tonumber(l, -2));
              out.write('"');
            } else if (kt == LuaState.TSTRING) {
              appendString(out, ls.toBytes(l, -2));
            } else {
              throw new JsonError("Cannot serialise " + lib.typeName(l, -2) + ": table key must be a number or string");
            }
            out.write(':');
            encodeValue(l, out, depth);
            ls.n.lua_settop(l, -2);
          }
          out.write('}');
        }
      }
      default -> {
        if (t == 2 && ls.n.lua_touserdata(l, -1) == 0) {
          ascii(out, "null"); // cjson.null
        } else {
          throw new JsonError("Cannot serialise " + lib.typeName(l, -1) + ": type not supported");
        }
      }
    }
  }

  /** lua-cjson's lua_array_length: n for a (not too sparse) array, -1 for an object. */
  private int arrayLength(long l) {
    double max = 0;
    int items = 0;
    ls.n.lua_pushnil(l);
    while (ls.n.lua_next(l, -2) != 0) {
      double k;
      if (ls.type(l, -2) == LuaState.TNUMBER && (k = ls.n.lua_tonumber(l, -2)) != 0 && Math.floor(k) == k && k >= 1) {
        max = Math.max(max, k);
        items++;
        ls.n.lua_settop(l, -2);
        continue;
      }
      ls.n.lua_settop(l, -3);
      return -1;
    }
    if (sparseRatio > 0 && max > (double) items * sparseRatio && max > sparseSafe) {
      if (!sparseConvert) {
        throw new JsonError("Cannot serialise table: excessively sparse array");
      }
      return -1;
    }
    return (int) max;
  }

  private void appendNumber(ByteArrayOutputStream out, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      if (encodeInvalidNumbers == 0) {
        throw new JsonError("Cannot serialise number: must not be NaN or Inf");
      }
      if (encodeInvalidNumbers == 2) {
        ascii(out, "null");
        return;
      }
    }
    ascii(out, Numbers.formatG(d, numberPrecision));
  }

  private static void appendString(ByteArrayOutputStream out, byte[] s) {
    out.write('"');
    for (byte b : s) {
      String e = ESCAPES[b & 0xff];
      if (e != null) {
        ascii(out, e);
      } else {
        out.write(b);
      }
    }
    out.write('"');
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }

  // ---- decode ------------------------------------------------------------------------------

  private static final int T_OBJ_BEGIN = 0;
  private static final int T_OBJ_END = 1;
  private static final int T_ARR_BEGIN = 2;
  private static final int T_ARR_END = 3;
  private static final int T_STRING = 4;
  private static final int T_NUMBER = 5;
  private static final int T_BOOLEAN = 6;
  private static final int T_NULL = 7;
  private static final int T_COLON = 8;
  private static final int T_COMMA = 9;
  private static final int T_END = 10;
  private static final int T_ERROR = 12;
  private static final String[] TOKEN_NAMES = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
      "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE",
      "T_ERROR", "T_UNKNOWN"};

  /** The tokenizer's state over one input. */
  private final class Parser {
    final byte[] in;
    final long l;
    int pos;
    int depth;
    // the current token
    int type;
    int index;
    double number;
    boolean bool;
    byte[] string;
    String error;

    Parser(byte[] in, long l) {
      this.in = in;
      this.l = l;
    }

    void next() {
      while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
        pos++;
      }
      index = pos;
      if (pos >= in.length || in[pos] == 0) { // lua-cjson scans a C string: NUL ends it
        type = T_END;
        return;
      }
      int c = in[pos];
      switch (c) {
        case '{' -> single(T_OBJ_BEGIN);
        case '}' -> single(T_OBJ_END);
        case '[' -> single(T_ARR_BEGIN);
        case ']' -> single(T_ARR_END);
        case ':' -> single(T_COLON);
        case ',' -> single(T_COMMA);
        case '"' -> string();
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            number();
          } else if (startsWith("true")) {
            type = T_BOOLEAN;
            bool = true;
            pos += 4;
          } else if (startsWith("false")) {
            type = T_BOOLEAN;
            bool = false;
            pos += 5;
          } else if (startsWith("null")) {
            type = T_NULL;
            pos += 4;
          } else if (decodeInvalidNumbers && invalidNumber()) {
            number();
          } else {
            fail("invalid token");
          }
        }
      }
    }

    private void single(int t) {
      type = t;
      pos++;
    }

    private void fail(String message) {
      type = T_ERROR;
      error = message;
    }

    /** A string token's error is reported where the scan stopped, as lua-cjson does. */
    private void failAt(int at, String message) {
      fail(message);
      index = at;
    }

    private boolean startsWith(String word) {
      if (pos + word.length() > in.length) {
        return false;
      }
      for (int i = 0; i < word.length(); i++) {
        if (in[pos + i] != word.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private boolean startsWithIgnoreCase(int at, String word) {
      if (at + word.length() > in.length) {
        return false;
      }
      for (int i = 0; i < word.length(); i++) {
        if (Character.toLowerCase((char) in[at + i]) != word.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private boolean invalidNumber() {
      int p = pos;
      if (in[p] == '+') {
        return true;
      }
      return startsWithIgnoreCase(p, "inf") || startsWithIgnoreCase(p, "nan");
    }

    /** strtod on the input at pos: the longest prefix that is a number. */
    private void number() {
      int p = pos;
      boolean negative = false;
      if (p < in.length && (in[p] == '+' || in[p] == '-')) {
        negative = in[p] == '-';
        p++;
      }
      double value;
      int end;
      if (startsWithIgnoreCase(p, "infinity")) {
        value = Double.POSITIVE_INFINITY;
        end = p + 8;
      } else if (startsWithIgnoreCase(p, "inf")) {
        value = Double.POSITIVE_INFINITY;
        end = p + 3;
      } else if (startsWithIgnoreCase(p, "nan")) {
        value = Double.NaN;
        end = p + 3;
      } else if (p + 2 < in.length && in[p] == '0' && (in[p + 1] | 0x20) == 'x' && Character.digit(in[p + 2], 16) >= 0) {
        int q = p + 2;
        value = 0;
        while (q < in.length && Character.digit(in[q], 16) >= 0) {
          value = value * 16 + Character.digit(in[q], 16);
          q++;
        }
        end = q;
      } else {
        int q = p;
        int digits = 0;
        while (q < in.length && in[q] >= '0' && in[q] <= '9') {
          q++;
          digits++;
        }
        if (q < in.length && in[q] == '.') {
          q++;
          while (q < in.length && in[q] >= '0' && in[q] <= '9') {
            q++;
            digits++;
          }
        }
        if (digits == 0) {
          fail("invalid number");
          return;
        }
        if (q < in.length && (in[q] | 0x20) == 'e') {
          int r = q + 1;
          if (r < in.length && (in[r] == '+' || in[r] == '-')) {
            r++;
          }
          if (r < in.length && in[r] >= '0' && in[r] <= '9') {
            while (r < in.length && in[r] >= '0' && in[r] <= '9') {
              r++;
            }
            q = r;
          }
        }
        value = Double.parseDouble(new String(in, p, q - p, StandardCharsets.US_ASCII));
        end = q;
      }
      type = T_NUMBER;
      number = negative ? -value : value;
      pos = end;
    }

    private void string() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int p = pos + 1;
      while (true) {
        if (p >= in.length || in[p] == 0) {
          failAt(p, "unexpected end of string");
          return;
        }
        int c = in[p] & 0xff;
        if (c == '"') {
          break;
        }
        if (c != '\\') {
          out.write(c);
          p++;
          continue;
        }
        if (p + 1 >= in.length) {
          failAt(p, "invalid escape code");
          return;
        }
        int e = in[p + 1];
        switch (e) {
          case '"', '\\', '/' -> out.write(e);
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case 'u' -> {
            int consumed = unicode(p, out);
            if (consumed < 0) {
              failAt(p, "invalid unicode escape code");
              return;
            }
            p += consumed;
            continue;
          }
          default -> {
            failAt(p, "invalid escape code");
            return;
          }
        }
        p += 2;
      }
      type = T_STRING;
      string = out.toByteArray();
      pos = p + 1;
    }

    private int hex4(int at) {
      if (at + 4 > in.length) {
        return -1;
      }
      int v = 0;
      for (int i = 0; i < 4; i++) {
        int d = Character.digit(in[at + i], 16);
        if (d < 0) {
          return -1;
        }
        v = v * 16 + d;
      }
      return v;
    }

    /** Decodes \\uXXXX (and a surrogate pair) at p into UTF-8; returns bytes consumed or -1. */
    private int unicode(int p, ByteArrayOutputStream out) {
      int cp = hex4(p + 2);
      if (cp < 0) {
        return -1;
      }
      int consumed = 6;
      if ((cp & 0xfc00) == 0xd800) {
        if (p + 7 >= in.length || in[p + 6] != '\\' || in[p + 7] != 'u') {
          return -1;
        }
        int low = hex4(p + 8);
        if (low < 0 || (low & 0xfc00) != 0xdc00) {
          return -1;
        }
        cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
        consumed = 12;
      } else if ((cp & 0xfc00) == 0xdc00) {
        return -1;
      }
      byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(utf8, 0, utf8.length);
      return consumed;
    }

    JsonError error(String expected) {
      String found = type == T_ERROR ? error : TOKEN_NAMES[type];
      return new JsonError("Expected " + expected + " but found " + found + " at character " + (index + 1));
    }

    /** Pushes the value whose first token is current. */
    void value() {
      switch (type) {
        case T_STRING -> ls.pushBytes(l, string);
        case T_NUMBER -> ls.n.lua_pushnumber(l, number);
        case T_BOOLEAN -> ls.n.lua_pushboolean(l, bool ? 1 : 0);
        case T_NULL -> ls.n.lua_pushlightuserdata(l, 0);
        case T_OBJ_BEGIN -> object();
        case T_ARR_BEGIN -> array();
        default -> throw error("value");
      }
    }

    private void descend() {
      depth++;
      if (depth > decodeMaxDepth) {
        throw new JsonError("Found too many nested data structures (" + depth + ") at character " + (index + 1));
      }
      ls.n.lua_checkstack(l, 8);
    }

    private void object() {
      descend();
      ls.n.lua_createtable(l, 0, 0);
      next();
      if (type == T_OBJ_END) {
        depth--;
        return;
      }
      while (true) {
        if (type != T_STRING) {
          throw error("object key string");
        }
        ls.pushBytes(l, string);
        next();
        if (type != T_COLON) {
          throw error("colon");
        }
        next();
        value();
        ls.n.lua_rawset(l, -3);
        next();
        if (type == T_OBJ_END) {
          depth--;
          return;
        }
        if (type != T_COMMA) {
          throw error("comma or object end");
        }
        next();
      }
    }

    private void array() {
      descend();
      ls.n.lua_createtable(l, 0, 0);
      next();
      if (type == T_ARR_END) {
        depth--;
        return;
      }
      for (int i = 1; ; i++) {
        value();
        ls.n.lua_rawseti(l, -2, i);
        next();
        if (type == T_ARR_END) {
          depth--;
          return;
        }
        if (type != T_COMMA) {
          throw error("comma or array end");
        }
        next();
      }
    }
  }

  private int decode(long l) {
    if (ls.n.lua_gettop(l) != 1) {
      return lib.error(l, "bad argument #1 to 'decode' (expected 1 argument)");
    }
    if (ls.type(l, 1) != LuaState.TSTRING && ls.type(l, 1) != LuaState.TNUMBER) {
      return lib.argError(l, 1, "decode", "string");
    }
    byte[] json = ls.toBytes(l, 1);
    ls.n.lua_settop(l, 0);
    Parser p = new Parser(json, l);
    try {
      p.next();
      p.value();
      p.next();
      if (p.type != T_END) {
        throw p.error("the end");
      }
    } catch (JsonError e) {
      return lib.error(l, e.getMessage());
    }
    return 1;
  }
}
