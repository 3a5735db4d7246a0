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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import party.iroiro.luajava.JFunction;

/**
 * EVAL, EVALSHA, their _RO forms and SCRIPT, on one PUC-Rio Lua 5.1 state. A script runs on the
 * engine thread from start to end, so nothing else runs while it does; the commands it calls go
 * through {@link Engine#callFromScript}, which journals each change, so the log holds a script's
 * effects and replays without Lua.
 *
 * <p>Owned by the engine thread.
 */
public final class LuaScripting {
  private static final Logger LOG = Logger.getLogger("freshet.script");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  final Engine engine;
  final ScriptLibraries libraries = new ScriptLibraries();
  private LuaState ls;
  private Conversions conv;
  private int runRef;
  private int errHandlerRef;
  /** Compiled scripts by SHA-1, as references into the Lua registry. */
  private final Map<String, Integer> scripts = new HashMap<>();
  private final CaptureWriter capture = new CaptureWriter();

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
      return false;
    }

    @Override
    public String kill() {
      if (engine.stats.dirty != dirtyAtStart) {
        return "UNKILLABLE Sorry the script already executed write commands against the dataset. "
            + "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
      }
      LOG.warning("Lua script killed by user with SCRIPT KILL.");
      stopError = "ERR Script killed by user with SCRIPT KILL...";
      return null;
    }

    @Override
    public void abort() {
      stopError = "ERR Script killed by SHUTDOWN NOSAVE";
    }
  };

  private LuaScripting(Engine engine) {
    this.engine = engine;
    open();
  }

  /** Adds the scripting commands to {@code engine}'s table. Call before serving clients. */
  public static LuaScripting install(Engine engine) {
    LuaScripting s = new LuaScripting(engine);
    ScriptCommands.register(engine.commands(), s);
    return s;
  }

  boolean isRunning() {
    return running;
  }

  // ---- state ---------------------------------------------------------------------------------

  private void open() {
    ls = new LuaState();
    conv = new Conversions(ls);
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
    if (ls.n.lua_pcall(l, 1, 3, 0) != 0) {
      throw new IllegalStateException("sandbox.lua: " + ls.toJavaString(l, -1));
    }
    ls.n.lua_settop(l, -2); // the real globals table: not needed from Java
    errHandlerRef = ls.n.luaL_ref(l, ls.registry);
    runRef = ls.n.luaL_ref(l, ls.registry);
    ls.n.lua_settop(l, 0);
  }

  private void pushJavaTable(long l) {
    ls.n.lua_createtable(l, 0, 16);
    function(l, "call", lua -> redisCall(lua, true));
    function(l, "pcall", lua -> redisCall(lua, false));
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
      LOG.log(level < 1 ? Level.FINE : level < 2 ? Level.CONFIG : level < 3 ? Level.INFO : Level.WARNING, msg.toString());
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
    ls.lua.push(f);
    ls.rawSetField(l, -2, name);
  }

  private static double versionNum(String version) {
    String[] p = version.split("\\.");
    return (Integer.parseInt(p[0]) << 16) | (Integer.parseInt(p[1]) << 8) | Integer.parseInt(p[2]);
  }

  /** SCRIPT FLUSH: a fresh Lua state, as Redis does. */
  void flush() {
    scripts.clear();
    ls.close();
    open();
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

  /** Compiles {@code body} once and returns its SHA-1; throws Redis's compile error. */
  String load(byte[] body) {
    String sha = sha1hex(body);
    if (!scripts.containsKey(sha)) {
      scripts.put(sha, compile(body, "@user_script", "ERR Error compiling script (new function): "));
    }
    return sha;
  }

  private int compile(byte[] body, String chunkName, String errorPrefix) {
    long l = ls.main();
    ByteBuffer buf = ls.directBuffer(body.length);
    buf.put(body);
    if (ls.n.luaJ_loadbuffer(l, buf, body.length, chunkName) != 0) {
      String msg = ls.toJavaString(l, -1);
      ls.n.lua_settop(l, 0);
      throw new CommandError(errorPrefix + msg);
    }
    return ls.n.luaL_ref(l, ls.registry);
  }

  boolean exists(String sha) {
    return scripts.containsKey(sha.toLowerCase(Locale.ROOT));
  }

  // ---- running -------------------------------------------------------------------------------

  /** EVAL and friends: arguments are {@code script-or-sha numkeys key... arg...}. */
  void eval(Call c, boolean bySha, boolean readOnly) {
    long numKeys = c.longArg(2);
    if (numKeys > c.argc() - 3) {
      throw new CommandError("ERR Number of keys can't be greater than number of args");
    }
    if (numKeys < 0) {
      throw new CommandError("ERR Number of keys can't be negative");
    }
    String sha;
    if (bySha) {
      sha = c.argString(1).toLowerCase(Locale.ROOT);
      if (!scripts.containsKey(sha)) {
        throw new CommandError("NOSCRIPT No matching script. Please use EVAL.");
      }
    } else {
      sha = load(c.arg(1));
    }
    run(c, scripts.get(sha), sha, 3, (int) numKeys, readOnly);
  }

  private void run(Call c, int fnRef, String name, int firstKey, int numKeys, boolean readOnly) {
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
    startMs = System.currentTimeMillis();
    dirtyAtStart = engine.stats.dirty;
    slowLogged = false;
    stopError = null;
    running = true;
    Journal journal = engine.journal();
    if (journal != null) {
      journal.beginAtomic();
    }
    try {
      ls.n.lua_settop(l, 0);
      ls.n.lua_checkstack(l, 10);
      ls.n.lua_rawgeti(l, ls.registry, errHandlerRef);
      ls.n.lua_rawgeti(l, ls.registry, runRef);
      ls.n.lua_rawgeti(l, ls.registry, fnRef);
      pushStrings(l, c, firstKey, numKeys);
      pushStrings(l, c, firstKey + numKeys, c.argc() - firstKey - numKeys);
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

  /**
   * Runs every 100,000 Lua instructions: past busy-reply-threshold, serves other clients (BUSY)
   * and returns the error that stops a killed script.
   */
  private int hook(party.iroiro.luajava.Lua lua) {
    long l = lua.getPointer();
    if (!running) {
      return 0;
    }
    long elapsedMs = System.currentTimeMillis() - startMs;
    if (elapsedMs >= engine.config.getLong("busy-reply-threshold")) {
      if (!slowLogged) {
        slowLogged = true;
        LOG.warning("Slow script detected: still in execution after " + elapsedMs + " milliseconds. "
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
      out.error("ERR Error running script " + name + ", " + (msg.length() > 100 ? msg.substring(0, 100) : msg));
      return;
    }
    ls.rawGetField(l, -1, "err");
    String msg = ls.type(l, -1) == LuaState.TSTRING ? ls.toJavaString(l, -1) : "(null)";
    ls.rawGetField(l, -2, "source");
    String source = ls.type(l, -1) == LuaState.TSTRING ? ls.toJavaString(l, -1) : null;
    ls.rawGetField(l, -3, "line");
    String line = ls.type(l, -1) == LuaState.TNUMBER ? Long.toString((long) ls.n.lua_tonumber(l, -1)) : null;
    ls.n.lua_settop(l, -4);
    if (source != null && line != null) {
      msg = msg + " script: " + name + ", on " + source + ":" + line + ".";
    }
    out.error(msg);
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
    if (current == null) {
      return fail(l, "ERR redis.call can only be used while a script runs", raise);
    }
    capture.reset();
    String refused = engine.callFromScript(current, argv, currentNowMs, capture, currentReadOnly);
    if (refused != null) {
      return fail(l, refused, raise);
    }
    ls.n.lua_settop(l, 0);
    ls.n.lua_checkstack(l, 20);
    if (capture.length > 0 && capture.buf[0] == '-') {
      return fail(l, errorText(capture.buf, capture.length), raise);
    }
    conv.push(l, capture.buf, 0, 0);
    return 1;
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

  List<String> loadedShas() {
    return new ArrayList<>(scripts.keySet());
  }
}
