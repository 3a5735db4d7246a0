package io.freshet.lua;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Engine;
import io.freshet.engine.Journal;
import io.freshet.engine.Session;
import io.freshet.engine.command.CommandTable;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.protocol.ReplyWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import party.iroiro.luajava.JFunction;

/**
 * One PUC-Rio Lua 5.1 state with Redis's sandbox: EVAL scripts run in one, FUNCTION libraries
 * in another, as in Redis. A script runs on the engine thread from start to end, so nothing
 * else runs while it does; the commands it calls go through {@link Engine#callFromScript},
 * which journals each change, so the log holds a script's effects and replays without Lua.
 *
 * <p>Owned by the engine thread.
 */
final class LuaRuntime {
  private static final Logger LOG = LoggerFactory.getLogger("freshet.script");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  final Engine engine;
  /** True for the state that holds FUNCTION libraries (FCALL), false for EVAL's. */
  final boolean functionMode;
  private final Rand48 random;
  /** redis.call through the C bridge (see NativeBridge) rather than luajava's Java functions. */
  private final boolean nativeBridge;
  final ScriptLibraries libraries = new ScriptLibraries();
  final LuaState ls;
  private final Conversions conv;
  private int runRef;
  private int errHandlerRef;
  private int setLoadingRef;
  private int sandboxChunkRef;
  private final CaptureWriter capture = new CaptureWriter();
  /** Receives redis.register_function calls while a library loads (function mode only). */
  FunctionRegistry.Loading loading;

  // The running script's context, read by the functions Lua calls back.
  private Session current;
  private long currentNowMs;
  private boolean currentReadOnly;
  private int currentResp = 2;
  private boolean running;
  private String currentName;
  private long startMs;
  private long dirtyAtStart;
  private boolean slowLogged;
  /** Set by SCRIPT KILL or SHUTDOWN NOSAVE while busy: the hook then raises this error. */
  private String stopError;
  private final Engine.BusyScript busy = new Engine.BusyScript() {
    @Override
    public Session session() {
      return current;
    }

    @Override
    public boolean isFunction() {
      return functionMode;
    }

    @Override
    public String kill(boolean byFunctionKill) {
      if (engine.stats.dirty != dirtyAtStart) {
        return "UNKILLABLE Sorry the script already executed write commands against the dataset. "
            + "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
      }
      if (byFunctionKill != functionMode) {
        return "BUSY Redis is busy running a script. You can only call " + (functionMode ? "FUNCTION" : "SCRIPT")
            + " KILL or SHUTDOWN NOSAVE.";
      }
      LOG.warn("Lua script killed by user with SCRIPT KILL.");
      stopError = "ERR Script killed by user with SCRIPT KILL...";
      return null;
    }

    @Override
    public void abort() {
      stopError = "ERR Script killed by SHUTDOWN NOSAVE";
    }
  };

  LuaRuntime(Engine engine, boolean functionMode, Rand48 random) {
    this.engine = engine;
    this.functionMode = functionMode;
    this.random = random;
    this.nativeBridge = engine.config.getBool("freshet-lua-native-bridge") && NativeBridge.AVAILABLE;
    this.ls = new LuaState();
    this.conv = new Conversions(ls);
    conv.errorCounter = engine::countError;
    open();
  }

  // ---- state ---------------------------------------------------------------------------------

  private void open() {
    long l = ls.main();
    ls.n.luaL_openlibs(l);
    byte[] sandbox;
    try (InputStream in = LuaScripting.class.getResourceAsStream("sandbox.lua")) {
      sandbox = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteBuffer buf = ls.directBuffer(sandbox.length);
    buf.put(sandbox);
    if (ls.n.luaJ_loadbuffer(l, buf, sandbox.length, "=freshet") != 0) {
      throw new IllegalStateException("sandbox.lua: " + ls.toJavaString(l, -1));
    }
    pushJavaTable(l);
    if (ls.n.lua_pcall(l, 1, 4, 0) != 0) {
      throw new IllegalStateException("sandbox.lua: " + ls.toJavaString(l, -1));
    }
    sandboxChunkRef = ls.n.luaL_ref(l, ls.registry);
    setLoadingRef = ls.n.luaL_ref(l, ls.registry);
    errHandlerRef = ls.n.luaL_ref(l, ls.registry);
    runRef = ls.n.luaL_ref(l, ls.registry);
    ls.n.lua_settop(l, 0);
  }

  private void pushJavaTable(long l) {
    ls.n.lua_createtable(l, 0, 16);
    ls.n.lua_pushboolean(l, functionMode ? 1 : 0);
    ls.rawSetField(l, -2, "functions");
    function(l, "register_function", lua -> {
      long p = lua.getPointer();
      if (loading == null) {
        return fail(p, "ERR redis.register_function can only be called on FUNCTION LOAD command", true);
      }
      String error = loading.register(this, p);
      return error == null ? 0 : fail(p, error, true);
    });
    function(l, "random", lua -> {
      long p = lua.getPointer();
      double r = (double) (random.next() % Rand48.MAX) / Rand48.MAX;
      int argc = ls.n.lua_gettop(p);
      double result;
      if (argc == 0) {
        result = r;
      } else if (argc <= 2) {
        for (int i = 1; i <= argc; i++) {
          if (ls.n.lua_isnumber(p, i) == 0) {
            return libraries.argError(p, i, "random", "number");
          }
        }
        int lo = argc == 1 ? 1 : (int) ls.n.lua_tonumber(p, 1);
        int hi = (int) ls.n.lua_tonumber(p, argc);
        if (lo > hi) {
          return libraries.error(p, "bad argument #" + argc + " to 'random' (interval is empty)");
        }
        result = Math.floor(r * ((double) hi - lo + 1)) + lo;
      } else {
        return libraries.error(p, "wrong number of arguments");
      }
      ls.n.lua_settop(p, 0);
      ls.n.lua_pushnumber(p, result);
      return 1;
    });
    function(l, "randomseed", lua -> {
      long p = lua.getPointer();
      if (ls.n.lua_isnumber(p, 1) == 0) {
        return libraries.argError(p, 1, "randomseed", "number");
      }
      random.seed((int) ls.n.lua_tonumber(p, 1));
      return 0;
    });
    if (nativeBridge) {
      NativeBridge.init();
      NativeBridge.pushFunctions(l);
      ls.rawSetField(l, -3, "pcall");
      ls.rawSetField(l, -2, "call");
    } else {
      function(l, "call", lua -> redisCall(lua, true));
      function(l, "pcall", lua -> redisCall(lua, false));
    }
    function(l, "sha1hex", lua -> {
      long p = lua.getPointer();
      if (ls.n.lua_gettop(p) != 1) {
        return fail(p, "ERR wrong number of arguments", true);
      }
      byte[] b = ls.toBytes(p, 1);
      ls.pushString(p, sha1hex(b == null ? new byte[0] : b));
      return 1;
    });
    function(l, "log", lua -> {
      long p = lua.getPointer();
      int argc = ls.n.lua_gettop(p);
      if (argc < 2) {
        return fail(p, "ERR redis.log() requires two arguments or more.", true);
      }
      if (ls.n.lua_isnumber(p, 1) == 0) {
        return fail(p, "ERR First argument must be a number (log level).", true);
      }
      double level = ls.n.lua_tonumber(p, 1);
      if (level < 0 || level > 3) {
        return fail(p, "ERR Invalid debug level.", true);
      }
      StringBuilder msg = new StringBuilder();
      for (int i = 2; i <= argc; i++) {
        String part = ls.type(p, i) == LuaState.TSTRING || ls.type(p, i) == LuaState.TNUMBER ? ls.toJavaString(p, i) : null;
        if (part != null) {
          msg.append(i == 2 ? "" : " ").append(part);
        }
      }
      // redis.LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING as Freshet maps Redis's levels
      // (see docs/design.md, "Logging")
      String text = msg.toString();
      if (level < 1) {
        LOG.trace(text);
      } else if (level < 2) {
        LOG.debug(text);
      } else if (level < 3) {
        LOG.info(text);
      } else {
        LOG.warn(text);
      }
      return 0;
    });
    function(l, "setresp", lua -> {
      long p = lua.getPointer();
      if (ls.n.lua_gettop(p) != 1) {
        return fail(p, "ERR redis.setresp() requires one argument.", true);
      }
      double resp = ls.n.lua_tonumber(p, 1);
      if (resp != 2 && resp != 3) {
        return fail(p, "ERR RESP version must be 2 or 3.", true);
      }
      currentResp = (int) resp;
      capture.setProtocol(currentResp);
      return 0;
    });
    function(l, "set_repl", lua -> {
      long p = lua.getPointer();
      if (ls.n.lua_gettop(p) != 1) {
        return fail(p, "ERR redis.set_repl() requires one argument.", true);
      }
      long flags = (long) ls.n.lua_tonumber(p, 1);
      if ((flags & ~3L) != 0) {
        return fail(p, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.", true);
      }
      return 0;
    });
    function(l, "acl_check_cmd", lua -> {
      long p = lua.getPointer();
      byte[] name = ls.toBytes(p, 1);
      boolean known = name != null && engine.commands().lookup(name) != null;
      if (!known) {
        return fail(p, "ERR Invalid command passed to redis.acl_check_cmd()", true);
      }
      ls.n.lua_pushboolean(p, 1);
      return 1;
    });
    function(l, "hook", this::hook);
    ls.pushString(l, CommandTable.REDIS_VERSION);
    ls.rawSetField(l, -2, "version");
    ls.n.lua_pushnumber(l, versionNum(CommandTable.REDIS_VERSION));
    ls.rawSetField(l, -2, "version_num");
    ls.n.lua_pushlightuserdata(l, 0);
    ls.rawSetField(l, -2, "cjson_null");
    for (Map.Entry<String, Map<String, JFunction>> lib : libraries.all(ls).entrySet()) {
      ls.n.lua_createtable(l, 0, lib.getValue().size());
      for (Map.Entry<String, JFunction> f : lib.getValue().entrySet()) {
        function(l, f.getKey(), f.getValue());
      }
      ls.rawSetField(l, -2, lib.getKey());
    }
  }

  private void function(long l, String name, JFunction f) {
    // luajava turns a Java exception into a Lua error; an Error must end the process instead
    JFunction guarded = lua -> {
      try {
        return f.__call(lua);
      } catch (Error e) {
        io.freshet.engine.Fatal.exit(e);
        throw e;
      }
    };
    ls.lua.push(guarded);
    ls.rawSetField(l, -2, name);
  }

  private static double versionNum(String version) {
    String[] p = version.split("\\.");
    return (Integer.parseInt(p[0]) << 16) | (Integer.parseInt(p[1]) << 8) | Integer.parseInt(p[2]);
  }

  void close() {
    ls.close();
  }

  // ---- compiling -----------------------------------------------------------------------------

  static String sha1hex(byte[] body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(body);
      char[] out = new char[40];
      for (int i = 0; i < 20; i++) {
        out[i * 2] = HEX[(d[i] >> 4) & 15];
        out[i * 2 + 1] = HEX[d[i] & 15];
      }
      return new String(out);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compiles {@code body}; returns its registry reference or throws Redis's compile error. */
  int compile(byte[] body, String chunkName, String errorPrefix) {
    long l = ls.main();
    ByteBuffer buf = ls.directBuffer(body.length);
    buf.put(body);
    ls.n.lua_settop(l, 0);
    ls.n.lua_rawgeti(l, ls.registry, sandboxChunkRef);
    if (ls.n.luaJ_loadbuffer(l, buf, body.length, chunkName) != 0) {
      String msg = ls.toJavaString(l, -1);
      ls.n.lua_settop(l, 0);
      throw new CommandError(errorPrefix + msg);
    }
    ls.n.lua_pushvalue(l, -1);
    int ref = ls.n.luaL_ref(l, ls.registry);
    ls.n.lua_pcall(l, 1, 0, 0); // sandbox_chunk(f): the read-only globals
    ls.n.lua_settop(l, 0);
    return ref;
  }


  /** Pushes the registered value {@code ref} (a compiled chunk, a callback). */
  void pushRef(long l, int ref) {
    ls.n.lua_rawgeti(l, ls.registry, ref);
  }

  void unref(int ref) {
    ls.n.luaL_unref(ls.main(), ls.registry, ref);
  }

  /**
   * Runs a library's code with only the load-time API visible (redis.register_function, log,
   * versions), as FUNCTION LOAD does. Returns null or the error message.
   */
  String runLoader(int chunkRef, FunctionRegistry.Loading registration) {
    long l = ls.main();
    loading = registration;
    ls.n.lua_settop(l, 0);
    ls.n.lua_rawgeti(l, ls.registry, setLoadingRef);
    ls.n.lua_pushboolean(l, 1);
    ls.n.lua_pcall(l, 1, 0, 0);
    try {
      ls.n.lua_rawgeti(l, ls.registry, chunkRef);
      if (ls.n.lua_pcall(l, 0, 0, 0) != 0) {
        boolean wasTable = ls.type(l, -1) == LuaState.TTABLE;
        if (wasTable) {
          ls.rawGetField(l, -1, "err");
        }
        if (ls.type(l, -1) != LuaState.TSTRING) {
          return "ERR execution failure";
        }
        String msg = ls.toJavaString(l, -1);
        return wasTable ? msg : "ERR " + msg; // luaExtractErrorInformation
      }
      return null;
    } finally {
      loading = null;
      ls.n.lua_settop(l, 0);
      ls.n.lua_rawgeti(l, ls.registry, setLoadingRef);
      ls.n.lua_pushboolean(l, 0);
      ls.n.lua_pcall(l, 1, 0, 0);
      ls.n.lua_settop(l, 0);
    }
  }

  /** Runs {@code fnRef} (a script, or a function given keys and args) and replies to {@code c}. */
  void run(Call c, int fnRef, String name, int firstKey, int numKeys, boolean readOnly) {
    Session s = c.session;
    ReplyWriter out = c.out;
    long l = ls.main();
    int savedDb = s.db;
    current = s;
    currentNowMs = c.nowMs;
    currentReadOnly = readOnly;
    currentResp = 2;
    capture.setProtocol(2);
    currentName = name;
    startMs = c.nowMs; // the command's clock reading: one less clock call per script
    dirtyAtStart = engine.stats.dirty;
    slowLogged = false;
    stopError = null;
    running = true;
    Journal journal = engine.journal();
    if (journal != null) {
      journal.beginAtomic();
    }
    try {
      if (nativeBridge) {
        runNative(c, l, out, fnRef, name, firstKey, numKeys);
        return;
      }
      ls.n.lua_settop(l, 0);
      ls.n.lua_checkstack(l, 10);
      ls.n.lua_rawgeti(l, ls.registry, errHandlerRef);
      ls.n.lua_rawgeti(l, ls.registry, runRef);
      ls.n.lua_rawgeti(l, ls.registry, fnRef);
      pushStrings(l, c, firstKey, numKeys);
      pushStrings(l, c, firstKey + numKeys, c.argc() - firstKey - numKeys);
      if (!functionMode) { // EVAL's KEYS and ARGV: globals of the thread's plain global table
        ls.n.lua_pushvalue(l, -2);
        ls.n.lua_setglobal(l, "KEYS");
        ls.n.lua_pushvalue(l, -1);
        ls.n.lua_setglobal(l, "ARGV");
      }
      NativeBridge.active = this;
      int status = ls.n.lua_pcall(l, 3, 1, 1);
      if (status == 0) {
        conv.reply(l, out, currentResp, 0);
      } else {
        replyError(l, out, name);
      }
    } finally {
      ls.n.lua_settop(l, 0);
      running = false;
      current = null;
      s.db = savedDb;
      if (journal != null) {
        journal.endAtomic();
      }
    }
  }

  /** {@link #run} through the bridge: one JNI call, common results come back without more. */
  private void runNative(Call c, long l, ReplyWriter out, int fnRef, String name, int firstKey, int numKeys) {
    int numArgs = c.argc() - firstKey - numKeys;
    int pos = NativeBridge.putStrings(c.argv, firstKey, numKeys, 0);
    NativeBridge.putStrings(c.argv, firstKey + numKeys, numArgs, pos);
    NativeBridge.active = this;
    int result = NativeBridge.runScript(l, errHandlerRef, runRef, fnRef, numKeys, numArgs, !functionMode);
    switch (result) {
      case NativeBridge.NUMBER -> out.integer(Conversions.toLongLikeC(NativeBridge.number()));
      case NativeBridge.STRING -> out.bulk(NativeBridge.string());
      case NativeBridge.TRUE, NativeBridge.FALSE -> Conversions.replyBoolean(out, result == NativeBridge.TRUE, currentResp);
      case NativeBridge.NIL -> out.nullBulk();
      case NativeBridge.ERROR -> replyError(l, out, name);
      default -> conv.reply(l, out, currentResp, 0);
    }
  }

  /**
   * Runs every 100,000 Lua instructions: past busy-reply-threshold, serves other clients (BUSY)
   * and returns the error that stops a killed script.
   */
  private int hook(party.iroiro.luajava.Lua lua) {
    long l = lua.getPointer();
    if (!running) {
      return 0;
    }
    long elapsedMs = engine.now() - startMs;
    if (elapsedMs >= engine.config.getLong("busy-reply-threshold")) {
      if (!slowLogged) {
        slowLogged = true;
        LOG.warn("Slow script detected: still in execution after " + elapsedMs + " milliseconds. "
            + "You can try killing the script using the SCRIPT KILL command. Script name is: " + currentName + ".");
      }
      engine.serveWhileBusy(busy);
    }
    if (stopError != null) {
      ls.n.lua_settop(l, 0);
      ls.pushString(l, stopError);
      return 1;
    }
    return 0;
  }

  private void pushStrings(long l, Call c, int from, int count) {
    ls.n.lua_createtable(l, count, 0);
    for (int i = 0; i < count; i++) {
      ls.pushBytes(l, c.arg(from + i));
      ls.n.lua_rawseti(l, -2, i + 1);
    }
  }

  /** Redis's luaCallFunction error reply: the message, then where the script failed. */
  private void replyError(long l, ReplyWriter out, String name) {
    if (ls.type(l, -1) != LuaState.TTABLE) {
      String msg = ls.type(l, -1) == LuaState.TSTRING ? ls.toJavaString(l, -1) : "execution failure";
      scriptError(out, "ERR Error running script " + name + ", " + (msg.length() > 100 ? msg.substring(0, 100) : msg));
      return;
    }
    ls.rawGetField(l, -1, "err");
    if (ls.type(l, -1) != LuaState.TSTRING && ls.type(l, -1) != LuaState.TNUMBER) {
      // Redis 7.0 crashes here (a NULL message); say what happened instead
      scriptError(out, "ERR Error running script " + name + ", execution failure (error object without an err field)");
      return;
    }
    String msg = ls.toJavaString(l, -1);
    ls.n.lua_settop(l, -2);
    boolean counted = conv.countedAlready(l);
    ls.rawGetField(l, -1, "err");
    ls.rawGetField(l, -2, "source");
    String source = ls.type(l, -1) == LuaState.TSTRING ? ls.toJavaString(l, -1) : null;
    ls.rawGetField(l, -3, "line");
    String line = ls.type(l, -1) == LuaState.TNUMBER ? Long.toString((long) ls.n.lua_tonumber(l, -1)) : null;
    ls.n.lua_settop(l, -4);
    if (source != null && line != null) {
      msg = msg + " script: " + name + ", on " + source + ":" + line + ".";
    }
    if (counted) {
      out.error(msg);
    } else {
      scriptError(out, msg);
    }
  }

  /** A script's failure is an error reply of EVAL/FCALL: counted in errorstats like any other. */
  private void scriptError(ReplyWriter out, String message) {
    engine.countError(message);
    out.error(message);
  }

  /** redis.call (raise) / redis.pcall: the reply, or the error as {err = "CODE message"}. */
  private int redisCall(party.iroiro.luajava.Lua lua, boolean raise) {
    long l = lua.getPointer();
    int argc = ls.n.lua_gettop(l);
    if (argc == 0) {
      return fail(l, "ERR Please specify at least one argument for this redis lib call", raise);
    }
    byte[][] argv = new byte[argc][];
    for (int i = 1; i <= argc; i++) {
      int t = ls.type(l, i);
      if (t == LuaState.TNUMBER) {
        argv[i - 1] = Numbers.formatG17(ls.n.lua_tonumber(l, i)).getBytes(StandardCharsets.US_ASCII);
      } else if (t == LuaState.TSTRING) {
        argv[i - 1] = ls.toBytes(l, i);
      } else {
        return fail(l, "ERR Lua redis lib command arguments must be strings or integers", raise);
      }
    }
    CaptureWriter reply = runCommand(argv);
    ls.n.lua_settop(l, 0);
    ls.n.lua_checkstack(l, 20);
    if (reply.length > 0 && reply.buf[0] == '-') {
      fail(l, errorText(reply.buf, reply.length), raise);
      ls.n.lua_pushboolean(l, 1); // counted by the command (or its refusal) already
      ls.rawSetField(l, -2, Conversions.IGNORE_ERROR_STATS);
      return raise ? -1 : 1;
    }
    conv.push(l, reply.buf, 0, 0);
    return 1;
  }

  /** A command a script runs (both redis.call paths): its reply, or the refusal as an error line. */
  CaptureWriter runCommand(byte[][] argv) {
    capture.reset();
    String refused = current == null ? "ERR redis.call can only be used while a script runs"
        : engine.callFromScript(current, argv, currentNowMs, capture, currentReadOnly);
    if (refused != null) {
      // Counted here, as the command's own errors are by the engine: both reach the script as
      // error tables marked as counted. (Redis counts a refusal only if the script's reply is it.)
      engine.countError(refused);
      capture.reset();
      capture.error(refused);
    }
    return capture;
  }

  /** An error reply as Redis's luaPushErrorBuff keeps it: "CODE message" without CRLF. */
  private static String errorText(byte[] b, int length) {
    String s = new String(b, 1, length - 3, StandardCharsets.UTF_8);
    int space = s.indexOf(' ');
    return space < 0 ? "ERR " + s : s;
  }

  /** Pushes {err = error}: returned (pcall) or raised (call; luajava raises on -1). */
  private int fail(long l, String error, boolean raise) {
    ls.n.lua_settop(l, 0);
    ls.n.lua_createtable(l, 0, 1);
    ls.pushString(l, error);
    ls.rawSetField(l, -2, "err");
    return raise ? -1 : 1;
  }

}
