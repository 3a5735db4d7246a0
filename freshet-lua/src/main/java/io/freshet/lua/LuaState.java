package io.freshet.lua;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import party.iroiro.luajava.lua51.Lua51;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * Binary-safe moves of values between Java and one PUC-Rio Lua 5.1 state, over luajava's raw
 * natives. Owned by the engine thread.
 *
 * <p>luajava passes strings through JNI's modified UTF-8, which is only byte-exact for ASCII
 * without NUL. Other strings go in as the one constant of a tiny precompiled chunk (Lua's own
 * undump reads it byte for byte) and come out through a direct buffer over Lua's memory.
 */
final class LuaState {
  static final int TNIL = 0;
  static final int TBOOLEAN = 1;
  static final int TNUMBER = 3;
  static final int TSTRING = 4;
  static final int TTABLE = 5;
  static final int TFUNCTION = 6;

  /** Lua 5.1 chunk header for this build: little endian, int 4, size_t 8, Instruction 4, double. */
  private static final byte[] HEADER = {0x1b, 'L', 'u', 'a', 0x51, 0, 1, 4, 8, 4, 8, 0};
  private static final int LOADK_0_0 = 1;
  private static final int RETURN_0_2 = 30 | (2 << 23);

  final Lua51 lua;
  final Lua51Natives n;
  final int registry;
  private ByteBuffer direct = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);

  LuaState() {
    this.lua = new Lua51();
    this.n = (Lua51Natives) lua.getLuaNatives();
    this.registry = n.getRegistryIndex();
  }

  long main() {
    return lua.getPointer();
  }

  ByteBuffer directBuffer(int size) {
    if (direct.capacity() < size) {
      direct = ByteBuffer.allocateDirect(Math.max(size, direct.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
    }
    direct.clear();
    return direct;
  }

  /** Pushes {@code b[off, off+len)} as a Lua string. */
  void pushBytes(long l, byte[] b, int off, int len) {
    boolean plain = true;
    for (int i = off, end = off + len; i < end; i++) {
      if (b[i] <= 0) { // NUL or a byte >= 0x80
        plain = false;
        break;
      }
    }
    if (plain) {
      n.luaJ_pushstring(l, new String(b, off, len, StandardCharsets.ISO_8859_1));
      return;
    }
    ByteBuffer buf = directBuffer(HEADER.length + 64 + len);
    buf.put(HEADER);
    buf.putLong(0); // source: none
    buf.putInt(0).putInt(0); // linedefined, lastlinedefined
    buf.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 2); // nups, params, vararg, maxstack
    buf.putInt(2).putInt(LOADK_0_0).putInt(RETURN_0_2);
    buf.putInt(1).put((byte) TSTRING).putLong(len + 1L).put(b, off, len).put((byte) 0);
    buf.putInt(0); // protos
    buf.putInt(0).putInt(0).putInt(0); // lineinfo, locvars, upvalues
    int size = buf.position();
    if (n.luaJ_loadbuffer(l, buf, size, "=bytes") != 0 || n.lua_pcall(l, 0, 1, 0) != 0) {
      n.lua_settop(l, -2);
      throw new IllegalStateException("cannot push a binary string into Lua");
    }
  }

  void pushBytes(long l, byte[] b) {
    pushBytes(l, b, 0, b.length);
  }

  void pushString(long l, String s) {
    pushBytes(l, s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The bytes of the string (or number, converted by Lua) at {@code index}; null otherwise.
   * ASCII strings come through lua_tostring (a JNI string: two cheap calls); when the decoded
   * string is shorter than Lua's length or has a char outside 1..127 (NUL, multi-byte, invalid
   * UTF-8) the bytes are read exactly through a direct buffer over Lua's memory.
   */
  byte[] toBytes(long l, int index) {
    String s = n.lua_tostring(l, index);
    if (s == null) {
      return null;
    }
    int len = s.length();
    if (len == n.lua_objlen(l, index)) {
      byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
      boolean ascii = true;
      for (int i = 0; i < len; i++) {
        if (b[i] <= 0) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        return b;
      }
    }
    ByteBuffer bb = (ByteBuffer) n.luaJ_todirectbuffer(l, index);
    byte[] out = new byte[bb.remaining()];
    bb.get(out);
    return out;
  }

  String toJavaString(long l, int index) {
    byte[] b = toBytes(l, index);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  int type(long l, int index) {
    return n.lua_type(l, index);
  }

  /** Registry references of the constant keys the conversions use, so no JNI string per use. */
  private final java.util.Map<String, Integer> keyRefs = new java.util.HashMap<>();

  private void pushKey(long l, String key) {
    Integer ref = keyRefs.get(key);
    if (ref == null) {
      long main = main();
      n.luaJ_pushstring(main, key);
      ref = n.luaL_ref(main, registry);
      keyRefs.put(key, ref);
    }
    n.lua_rawgeti(l, registry, ref);
  }

  /** Pushes {@code t[key]} without metamethods, for a table at {@code index} (negative ok). */
  void rawGetField(long l, int index, String key) {
    int abs = index < 0 && index > registry ? n.lua_gettop(l) + index + 1 : index;
    pushKey(l, key);
    n.lua_rawget(l, abs);
  }

  /** Sets {@code t[key] = top} without metamethods and pops the value. */
  void rawSetField(long l, int index, String key) {
    int abs = index < 0 && index > registry ? n.lua_gettop(l) + index + 1 : index;
    pushKey(l, key);
    n.lua_insert(l, -2);
    n.lua_rawset(l, abs);
  }

  void close() {
    lua.close();
  }
}
