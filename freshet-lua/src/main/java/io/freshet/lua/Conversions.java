package io.freshet.lua;

import io.freshet.engine.protocol.ReplyWriter;
import java.nio.charset.StandardCharsets;

/**
 * Redis's conversion rules between RESP replies and Lua values (script_lua.c), both ways.
 * Engine thread only.
 */
final class Conversions {
  /** Deeper nesting than this is refused rather than risking the C stack. */
  private static final int MAX_DEPTH = 1000;
  private static final byte[] CRLF = {'\r', '\n'};

  private final LuaState ls;

  Conversions(LuaState ls) {
    this.ls = ls;
  }

  // ---- RESP -> Lua -------------------------------------------------------------------------

  /** Pushes the reply starting at {@code pos} in {@code b}; returns the position after it. */
  int push(long l, byte[] b, int pos, int depth) {
    if (depth == 0 || (depth & 31) == 0) {
      ls.n.lua_checkstack(l, 40);
    }
    char type = (char) b[pos];
    int lineEnd = lineEnd(b, pos);
    int next = lineEnd + 2;
    switch (type) {
      case '+' -> {
        ls.n.lua_createtable(l, 0, 1);
        ls.pushBytes(l, b, pos + 1, lineEnd - pos - 1);
        ls.rawSetField(l, -2, "ok");
        return next;
      }
      case '-' -> {
        ls.n.lua_createtable(l, 0, 2);
        ls.pushBytes(l, b, pos + 1, lineEnd - pos - 1);
        ls.rawSetField(l, -2, "err");
        // the command already counted this error in errorstats: the script's reply must not again
        ls.n.lua_pushboolean(l, 1);
        ls.rawSetField(l, -2, IGNORE_ERROR_STATS);
        return next;
      }
      case ':' -> {
        ls.n.lua_pushnumber(l, (double) parseLong(b, pos + 1, lineEnd));
        return next;
      }
      case '$' -> {
        long len = parseLong(b, pos + 1, lineEnd);
        if (len < 0) {
          ls.n.lua_pushboolean(l, 0);
          return next;
        }
        ls.pushBytes(l, b, next, (int) len);
        return next + (int) len + 2;
      }
      case '*', '>' -> {
        long count = parseLong(b, pos + 1, lineEnd);
        if (count < 0) {
          ls.n.lua_pushboolean(l, 0);
          return next;
        }
        ls.n.lua_createtable(l, (int) count, 0);
        for (int i = 1; i <= count; i++) {
          next = push(l, b, next, depth + 1);
          ls.n.lua_rawseti(l, -2, i);
        }
        return next;
      }
      case '%' -> {
        long count = parseLong(b, pos + 1, lineEnd);
        ls.n.lua_createtable(l, 0, 1);
        ls.n.lua_createtable(l, 0, (int) count);
        for (int i = 0; i < count; i++) {
          next = push(l, b, next, depth + 1);
          next = push(l, b, next, depth + 1);
          ls.n.lua_rawset(l, -3);
        }
        ls.rawSetField(l, -2, "map");
        return next;
      }
      case '~' -> {
        long count = parseLong(b, pos + 1, lineEnd);
        ls.n.lua_createtable(l, 0, 1);
        ls.n.lua_createtable(l, 0, (int) count);
        for (int i = 0; i < count; i++) {
          next = push(l, b, next, depth + 1);
          ls.n.lua_pushboolean(l, 1);
          ls.n.lua_rawset(l, -3);
        }
        ls.rawSetField(l, -2, "set");
        return next;
      }
      case '_' -> {
        ls.n.lua_pushnil(l);
        return next;
      }
      case ',' -> {
        ls.n.lua_createtable(l, 0, 1);
        ls.n.lua_pushnumber(l, parseDouble(b, pos + 1, lineEnd));
        ls.rawSetField(l, -2, "double");
        return next;
      }
      case '#' -> {
        ls.n.lua_pushboolean(l, b[pos + 1] == 't' ? 1 : 0);
        return next;
      }
      case '(' -> {
        ls.n.lua_createtable(l, 0, 1);
        ls.pushBytes(l, b, pos + 1, lineEnd - pos - 1);
        ls.rawSetField(l, -2, "big_number");
        return next;
      }
      case '=' -> {
        int len = (int) parseLong(b, pos + 1, lineEnd);
        ls.n.lua_createtable(l, 0, 1);
        ls.n.lua_createtable(l, 0, 2);
        ls.pushBytes(l, b, next, 3);
        ls.rawSetField(l, -2, "format");
        ls.pushBytes(l, b, next + 4, len - 4);
        ls.rawSetField(l, -2, "string");
        ls.rawSetField(l, -2, "verbatim_string");
        return next + len + 2;
      }
      default -> throw new IllegalStateException("unexpected reply type " + type);
    }
  }

  private static int lineEnd(byte[] b, int pos) {
    int i = pos;
    while (b[i] != '\r') {
      i++;
    }
    return i;
  }

  private static long parseLong(byte[] b, int from, int to) {
    boolean negative = b[from] == '-';
    long v = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) {
      v = v * 10 + (b[i] - '0');
    }
    return negative ? -v : v;
  }

  private static double parseDouble(byte[] b, int from, int to) {
    String s = new String(b, from, to - from, StandardCharsets.US_ASCII);
    return switch (s) {
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  // ---- Lua -> RESP -------------------------------------------------------------------------

  /**
   * Writes the Lua value at the top of the stack as a reply and pops it. {@code resp} is the
   * protocol the script chose with redis.setresp (it decides how booleans convert).
   */
  void reply(long l, ReplyWriter out, int resp, int depth) {
    if ((depth & 31) == 0) {
      ls.n.lua_checkstack(l, 40);
    }
    int t = ls.type(l, -1);
    switch (t) {
      case LuaState.TSTRING -> {
        byte[] s = ls.toBytes(l, -1);
        out.bulk(s);
      }
      case LuaState.TBOOLEAN -> replyBoolean(out, ls.n.lua_toboolean(l, -1) != 0, resp);
      case LuaState.TNUMBER -> out.integer(toLongLikeC(ls.n.lua_tonumber(l, -1)));
      case LuaState.TTABLE -> {
        if (depth > MAX_DEPTH) {
          out.error("ERR reached lua stack limit");
          break;
        }
        replyTable(l, out, resp, depth);
      }
      default -> out.nullBulk();
    }
    ls.n.lua_settop(l, -2);
  }

  /** A Lua boolean: under redis.setresp(2) true is 1 and false is null; under 3, RESP3 booleans. */
  static void replyBoolean(ReplyWriter out, boolean v, int resp) {
    if (resp == 2) {
      if (v) {
        out.integer(1);
      } else {
        out.nullBulk();
      }
    } else {
      out.bool(v);
    }
  }

  /** C's (long long) cast on x86-64: out of range and NaN give LLONG_MIN. */
  static long toLongLikeC(double d) {
    if (Double.isNaN(d) || d >= 9.223372036854775807E18 || d < -9.223372036854775808E18) {
      return Long.MIN_VALUE;
    }
    return (long) d;
  }

  /**
   * The field Redis sets on an error table made from a command's error reply (which the command
   * already counted in errorstats), so that a script returning it is not counted twice.
   */
  static final String IGNORE_ERROR_STATS = "ignore_error_stats_update";

  /** Counts an error reply a script produced (Engine.countError); set by the runtime. */
  java.util.function.Consumer<String> errorCounter = message -> { };

  /** True when the error table on top of the stack carries {@link #IGNORE_ERROR_STATS}. */
  boolean countedAlready(long l) {
    ls.rawGetField(l, -1, IGNORE_ERROR_STATS);
    boolean counted = ls.type(l, -1) == LuaState.TBOOLEAN && ls.n.lua_toboolean(l, -1) != 0;
    ls.n.lua_settop(l, -2);
    return counted;
  }

  private void replyTable(long l, ReplyWriter out, int resp, int depth) {
    ls.rawGetField(l, -1, "err");
    if (ls.type(l, -1) == LuaState.TSTRING) {
      byte[] msg = ls.toBytes(l, -1);
      ls.n.lua_settop(l, -2);
      if (!countedAlready(l)) {
        errorCounter.accept(new String(msg, java.nio.charset.StandardCharsets.UTF_8));
      }
      writeLine(out, '-', msg);
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "ok");
    if (ls.type(l, -1) == LuaState.TSTRING) {
      byte[] msg = ls.toBytes(l, -1);
      ls.n.lua_settop(l, -2);
      writeLine(out, '+', msg);
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "double");
    if (ls.type(l, -1) == LuaState.TNUMBER) {
      double d = ls.n.lua_tonumber(l, -1);
      ls.n.lua_settop(l, -2);
      out.doubleValue(d);
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "big_number");
    if (ls.type(l, -1) == LuaState.TSTRING) {
      byte[] v = ls.toBytes(l, -1);
      ls.n.lua_settop(l, -2);
      if (out.protocol() == 3) {
        writeLine(out, '(', v);
      } else {
        out.bulk(v);
      }
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "map");
    if (ls.type(l, -1) == LuaState.TTABLE) {
      int pairs = countPairs(l);
      out.mapHeader(pairs);
      ls.n.lua_pushnil(l);
      while (ls.n.lua_next(l, -2) != 0) {
        ls.n.lua_pushvalue(l, -2); // key copy for the reply; the original stays for lua_next
        reply(l, out, resp, depth + 1);
        reply(l, out, resp, depth + 1);
      }
      ls.n.lua_settop(l, -2);
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "set");
    if (ls.type(l, -1) == LuaState.TTABLE) {
      int count = countPairs(l);
      out.setHeader(count);
      ls.n.lua_pushnil(l);
      while (ls.n.lua_next(l, -2) != 0) {
        ls.n.lua_settop(l, -2);
        ls.n.lua_pushvalue(l, -1);
        reply(l, out, resp, depth + 1);
      }
      ls.n.lua_settop(l, -2);
      return;
    }
    ls.n.lua_settop(l, -2);
    ls.rawGetField(l, -1, "verbatim_string");
    if (ls.type(l, -1) == LuaState.TTABLE) {
      ls.rawGetField(l, -1, "format");
      ls.rawGetField(l, -2, "string");
      if (ls.type(l, -1) == LuaState.TSTRING && ls.type(l, -2) == LuaState.TSTRING) {
        byte[] text = ls.toBytes(l, -1);
        ls.n.lua_settop(l, -4);
        out.verbatim(new String(text, StandardCharsets.UTF_8));
        return;
      }
      ls.n.lua_settop(l, -3);
    }
    ls.n.lua_settop(l, -2);
    // An array: elements 1..n up to the first nil.
    int count = 0;
    while (true) {
      ls.n.lua_rawgeti(l, -1, count + 1);
      boolean nil = ls.type(l, -1) == LuaState.TNIL;
      ls.n.lua_settop(l, -2);
      if (nil) {
        break;
      }
      count++;
    }
    out.arrayHeader(count);
    for (int i = 1; i <= count; i++) {
      ls.n.lua_rawgeti(l, -1, i);
      reply(l, out, resp, depth + 1);
    }
  }

  /** Pairs in the table at the top of the stack. */
  private int countPairs(long l) {
    int count = 0;
    ls.n.lua_pushnil(l);
    while (ls.n.lua_next(l, -2) != 0) {
      ls.n.lua_settop(l, -2);
      count++;
    }
    return count;
  }

  private static void writeLine(ReplyWriter out, char type, byte[] text) {
    byte[] line = new byte[text.length + 3];
    line[0] = (byte) type;
    for (int i = 0; i < text.length; i++) {
      byte c = text[i];
      line[i + 1] = c == '\r' || c == '\n' ? (byte) ' ' : c;
    }
    line[text.length + 1] = '\r';
    line[text.length + 2] = '\n';
    out.write(line);
  }
}
