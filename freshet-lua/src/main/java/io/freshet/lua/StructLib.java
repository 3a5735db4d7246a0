package io.freshet.lua;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.JFunction;

/**
 * Roberto Ierusalimschy's struct library ({@code struct}) as Redis bundles it: pack, unpack and
 * size with the x86-64 sizes (short 2, int 4, long and size_t 8), endianness and alignment
 * options, and the same error messages. Engine thread only.
 */
final class StructLib {
  private static final int MAX_INT_SIZE = 32;
  private static final int MAX_ALIGN = 8;

  private final ScriptLibraries lib;
  private final LuaState ls;

  private StructLib(ScriptLibraries lib) {
    this.lib = lib;
    this.ls = lib.ls;
  }

  static Map<String, JFunction> functions(ScriptLibraries lib) {
    StructLib s = new StructLib(lib);
    Map<String, JFunction> f = new LinkedHashMap<>();
    f.put("pack", lua -> s.run(lua.getPointer(), 0));
    f.put("unpack", lua -> s.run(lua.getPointer(), 1));
    f.put("size", lua -> s.run(lua.getPointer(), 2));
    return f;
  }

  /** A luaL_error (with the caller's position) or argument error raised inside an operation. */
  private static final class StructError extends RuntimeException {
    StructError(String message) {
      super(message, null, false, false);
    }
  }

  private static StructError argError(int arg, String fn, String message) {
    return new StructError("bad argument #" + arg + " to '" + fn + "' (" + message + ")");
  }

  /** The format cursor plus the header options (endianness, maximum alignment). */
  private static final class Format {
    final byte[] fmt;
    int at;
    boolean little = true;
    int align = 1;

    Format(byte[] fmt) {
      this.fmt = fmt;
    }

    boolean more() {
      return at < fmt.length && fmt[at] != 0;
    }

    int getNum(int df) {
      if (!more() || !Character.isDigit(fmt[at])) {
        return df;
      }
      int a = 0;
      do {
        int d = fmt[at++] - '0';
        if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) {
          throw new StructError("integral size overflow");
        }
        a = a * 10 + d;
      } while (more() && Character.isDigit(fmt[at]));
      return a;
    }

    int optSize(int opt) {
      return switch (opt) {
        case 'B', 'b' -> 1;
        case 'H', 'h' -> 2;
        case 'L', 'l', 'T', 'd' -> 8;
        case 'f' -> 4;
        case 'x' -> 1;
        case 'c' -> getNum(1);
        case 'i', 'I' -> {
          int sz = getNum(4);
          if (sz > MAX_INT_SIZE) {
            throw new StructError("integral size " + sz + " is larger than limit of " + MAX_INT_SIZE);
          }
          yield sz;
        }
        default -> 0;
      };
    }

    int toAlign(long len, int opt, int size) {
      if (size == 0 || opt == 'c') {
        return 0;
      }
      if (size > align) {
        size = align;
      }
      return (int) ((size - (len & (size - 1))) & (size - 1));
    }

    void control(int opt, String fn) {
      switch (opt) {
        case ' ' -> { }
        case '>' -> little = false;
        case '<' -> little = true;
        case '=' -> little = true;
        case '!' -> {
          int a = getNum(MAX_ALIGN);
          if (a == 0 || (a & (a - 1)) != 0) {
            throw new StructError("alignment " + a + " is not a power of 2");
          }
          align = a;
        }
        default -> throw argError(1, fn, "invalid format option '" + (char) opt + "'");
      }
    }
  }

  private int run(long l, int op) {
    String fn = op == 0 ? "pack" : op == 1 ? "unpack" : "size";
    if (ls.type(l, 1) != LuaState.TSTRING && ls.type(l, 1) != LuaState.TNUMBER) {
      return lib.argError(l, 1, fn, "string");
    }
    try {
      return switch (op) {
        case 0 -> pack(l);
        case 1 -> unpack(l);
        default -> size(l);
      };
    } catch (StructError e) {
      return lib.error(l, e.getMessage());
    }
  }

  private double checkNumber(long l, int arg) {
    if (ls.n.lua_isnumber(l, arg) == 0) {
      throw argError(arg, "pack", "number expected, got " + lib.typeName(l, arg));
    }
    return ls.n.lua_tonumber(l, arg);
  }

  private int pack(long l) {
    Format f = new Format(ls.toBytes(l, 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int arg = 2;
    long total = 0;
    while (f.more()) {
      int opt = f.fmt[f.at++];
      int size = f.optSize(opt);
      int toAlign = f.toAlign(total, opt, size);
      total += toAlign;
      while (toAlign-- > 0) {
        out.write(0);
      }
      switch (opt) {
        case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
          double n = checkNumber(l, arg++);
          long value = n < 0 ? Conversions.toLongLikeC(n) : unsignedLikeC(n);
          byte[] buf = new byte[size];
          for (int i = 0; i < size; i++) {
            buf[f.little ? i : size - 1 - i] = (byte) (value & 0xff);
            value = i < 7 ? value >>> 8 : 0;
          }
          out.write(buf, 0, size);
        }
        case 'x' -> out.write(0);
        case 'f' -> write(out, Float.floatToRawIntBits((float) checkNumber(l, arg++)), 4, f.little);
        case 'd' -> write(out, Double.doubleToRawLongBits(checkNumber(l, arg++)), 8, f.little);
        case 'c', 's' -> {
          if (ls.type(l, arg) != LuaState.TSTRING && ls.type(l, arg) != LuaState.TNUMBER) {
            throw argError(arg, "pack", "string expected, got " + lib.typeName(l, arg));
          }
          byte[] s = ls.toBytes(l, arg++);
          if (size == 0) {
            size = s.length;
          }
          if (s.length < size) {
            throw argError(arg, "pack", "string too short");
          }
          out.write(s, 0, size);
          if (opt == 's') {
            out.write(0);
            size++;
          }
        }
        default -> f.control(opt, "pack");
      }
      total += size;
    }
    byte[] packed = out.toByteArray();
    ls.n.lua_settop(l, 0);
    ls.pushBytes(l, packed);
    return 1;
  }

  /** C's (unsigned long) cast of a non-negative double. */
  private static long unsignedLikeC(double n) {
    if (n >= 9.223372036854775807E18) {
      return n >= 1.8446744073709552E19 ? 0 : (long) (n - 9.223372036854775807E18) + Long.MIN_VALUE;
    }
    return (long) n;
  }

  private static void write(ByteArrayOutputStream out, long bits, int size, boolean little) {
    for (int i = 0; i < size; i++) {
      int shift = little ? 8 * i : 8 * (size - 1 - i);
      out.write((int) (bits >>> shift) & 0xff);
    }
  }

  private static long read(byte[] data, int pos, int size, boolean little) {
    long v = 0;
    for (int i = 0; i < size; i++) {
      int b = data[little ? pos + size - 1 - i : pos + i] & 0xff;
      v = (v << 8) | b;
    }
    return v;
  }

  private int unpack(long l) {
    Format f = new Format(ls.toBytes(l, 1));
    if (ls.type(l, 2) != LuaState.TSTRING && ls.type(l, 2) != LuaState.TNUMBER) {
      throw argError(2, "unpack", "string expected, got " + lib.typeName(l, 2));
    }
    byte[] data = ls.toBytes(l, 2);
    long pos = 1;
    if (ls.type(l, 3) > LuaState.TNIL) {
      if (ls.n.lua_isnumber(l, 3) == 0) {
        throw argError(3, "unpack", "number expected, got " + lib.typeName(l, 3));
      }
      pos = (long) ls.n.lua_tonumber(l, 3);
    }
    if (pos <= 0) {
      throw argError(3, "unpack", "offset must be 1 or greater");
    }
    pos--;
    ls.n.lua_settop(l, 0);
    int n = 0;
    while (f.more()) {
      int opt = f.fmt[f.at++];
      int size = f.optSize(opt);
      pos += f.toAlign(pos, opt, size);
      if (size > data.length || pos > data.length - size) {
        throw argError(2, "unpack", "data string too short");
      }
      ls.n.lua_checkstack(l, 2);
      int p = (int) pos;
      switch (opt) {
        case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
          boolean signed = Character.isLowerCase(opt);
          long v = size > 8 ? read(data, f.little ? p : p + size - 8, 8, f.little) : read(data, p, size, f.little);
          double res;
          if (!signed) {
            res = v >= 0 ? (double) v : (double) (v >>> 1) * 2 + (v & 1);
          } else {
            int bits = Math.min(size, 8) * 8;
            res = bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
          }
          ls.n.lua_pushnumber(l, res);
          n++;
        }
        case 'x' -> { }
        case 'f' -> {
          ls.n.lua_pushnumber(l, Float.intBitsToFloat((int) read(data, p, 4, f.little)));
          n++;
        }
        case 'd' -> {
          ls.n.lua_pushnumber(l, Double.longBitsToDouble(read(data, p, 8, f.little)));
          n++;
        }
        case 'c' -> {
          if (size == 0) {
            if (n == 0 || ls.n.lua_isnumber(l, -1) == 0) {
              throw new StructError("format 'c0' needs a previous size");
            }
            size = (int) ls.n.lua_tonumber(l, -1);
            ls.n.lua_settop(l, -2);
            n--;
            if (size > data.length || pos > data.length - size) {
              throw argError(2, "unpack", "data string too short");
            }
          }
          ls.pushBytes(l, data, p, size);
          n++;
        }
        case 's' -> {
          int end = p;
          while (end < data.length && data[end] != 0) {
            end++;
          }
          if (end == data.length) {
            throw new StructError("unfinished string in data");
          }
          size = end - p + 1;
          ls.pushBytes(l, data, p, size - 1);
          n++;
        }
        default -> f.control(opt, "unpack");
      }
      pos += size;
    }
    ls.n.lua_pushnumber(l, pos + 1);
    return n + 1;
  }

  private int size(long l) {
    Format f = new Format(ls.toBytes(l, 1));
    long pos = 0;
    while (f.more()) {
      int opt = f.fmt[f.at++];
      int size = f.optSize(opt);
      pos += f.toAlign(pos, opt, size);
      if (opt == 's') {
        throw argError(1, "size", "option 's' has no fixed size");
      } else if (opt == 'c' && size == 0) {
        throw argError(1, "size", "option 'c0' has no fixed size");
      }
      if (!Character.isLetterOrDigit(opt)) {
        f.control(opt, "size");
      }
      pos += size;
    }
    ls.n.lua_settop(l, 0);
    ls.n.lua_pushnumber(l, pos);
    return 1;
  }
}
