package io.freshet.lua;

import java.io.InputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import party.iroiro.luajava.lua51.Lua51;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * The native redis.call bridge (src/main/c/freshet_lua.c), when the build could compile it: one
 * JNI upcall per call with all arguments, the reply parsed into Lua values in C. Without it
 * (no C compiler, another platform, {@code -Dfreshet.lua.native=false}, or the server's
 * {@code freshet-lua-native-bridge no}) scripts use luajava's generic Java functions, with the
 * same results. Engine thread only.
 */
final class NativeBridge {
  private static final Logger LOG = LoggerFactory.getLogger("freshet.script");
  private static final String LIBRARY = "/native/linux-x86_64/libfreshetlua.so";
  static final boolean AVAILABLE = load();
  /** The runtime whose script is running: where the bridge's calls go. */
  static LuaRuntime active;

  private NativeBridge() {}

  private static boolean load() {
    if (!Boolean.parseBoolean(System.getProperty("freshet.lua.native", "true"))) {
      return false;
    }
    URL library = NativeBridge.class.getResource(LIBRARY);
    if (library == null) {
      return false;
    }
    try {
      // The bridge calls the lua_* functions of the Lua that luajava loaded: make them global.
      Lua51 probe = new Lua51();
      ((Lua51Natives) probe.getLuaNatives()).loadAsGlobal();
      probe.close();
      Path copy = Files.createTempFile("freshet-lua-bridge", ".so");
      try (InputStream in = library.openStream()) {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      System.load(copy.toString());
      Files.delete(copy); // loaded; nothing left behind
      return true;
    } catch (Throwable t) {
      LOG.info("native redis.call bridge not used: " + t);
      return false;
    }
  }

  /** Pushes the C functions for redis.call and redis.pcall on the state's stack. */
  static native void pushFunctions(long luaState);

  /** Result codes of {@link #runScript}. */
  static final int ON_STACK = 0;
  static final int ERROR = 1;
  static final int NUMBER = 2;
  static final int STRING = 3;
  static final int TRUE = 4;
  static final int FALSE = 5;
  static final int NIL = 6;

  /**
   * Runs runner(fn, keys, args) with the strings {@link #putStrings} left (also as the KEYS and
   * ARGV globals when {@code globals}); returns a code above.
   */
  static native int runScript(long luaState, int handlerRef, int runnerRef, int fnRef, int numKeys, int numArgs,
      boolean globals);

  /** Writes {@code argv[from, from+count)} into the shared buffer at {@code pos}; returns the end. */
  static int putStrings(byte[][] argv, int from, int count, int pos) {
    int need = pos;
    for (int i = 0; i < count; i++) {
      need += 4 + argv[from + i].length;
    }
    if (need > shared.capacity()) {
      ByteBuffer old = shared;
      grow(need);
      shared.put(0, old, 0, pos);
    }
    for (int i = 0; i < count; i++) {
      byte[] a = argv[from + i];
      shared.putInt(pos, a.length);
      shared.put(pos + 4, a);
      pos += 4 + a.length;
    }
    return pos;
  }

  static double number() {
    return shared.getDouble(0);
  }

  static byte[] string() {
    byte[] s = new byte[shared.getInt(0)];
    shared.get(4, s);
    return s;
  }

  /** Tells C where the shared buffer is. */
  private static native void setBuffer(ByteBuffer buffer);

  /** Memory shared with C: arguments in as (int32 length, bytes)*, the reply out. */
  private static ByteBuffer shared;

  /** Allocates the shared buffer (engine thread, before the first script). */
  static void init() {
    if (shared == null) {
      grow(64 * 1024);
    }
  }

  /** From C (or init): a shared buffer of at least {@code capacity} bytes. */
  static void grow(int capacity) {
    int size = shared == null ? capacity : Math.max(capacity, shared.capacity() * 2);
    shared = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    setBuffer(shared);
  }

  /** redis.call from C: reads the arguments, runs the command, leaves its reply; returns its length. */
  static int call(int argc, int used) {
    try {
      return runCall(argc);
    } catch (Error e) {
      io.freshet.engine.Fatal.exit(e); // C cannot carry a Java error back; the engine is not trustworthy
      throw e;
    }
  }

  private static int runCall(int argc) {
    ByteBuffer b = shared;
    byte[][] argv = new byte[argc][];
    int pos = 0;
    for (int i = 0; i < argc; i++) {
      int len = b.getInt(pos);
      byte[] arg = new byte[len];
      b.get(pos + 4, arg);
      argv[i] = arg;
      pos += 4 + len;
    }
    CaptureWriter reply = active.runCommand(argv);
    if (reply.length > shared.capacity()) {
      grow(reply.length);
    }
    shared.put(0, reply.buf, 0, reply.length);
    return reply.length;
  }
}
