package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Session;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.protocol.ReplyWriter;
import java.security.MessageDigest;

/** PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET. Engine thread only. */
final class ConnectionCommands {
  /** The Redis version whose behaviour Freshet follows; reported by HELLO and INFO. */
  static final String REDIS_VERSION = CommandTable.REDIS_VERSION;

  private static final byte[] DEFAULT_USER = {'d', 'e', 'f', 'a', 'u', 'l', 't'};

  private ConnectionCommands() {}

  static void register(CommandTable t) {
    t.register("ping", ConnectionCommands::ping);
    t.register("echo", c -> c.out.bulk(c.arg(1)));
    t.register("hello", ConnectionCommands::hello);
    t.register("auth", ConnectionCommands::auth);
    t.register("select", ConnectionCommands::select);
    t.register("quit", ConnectionCommands::quit);
    t.register("reset", ConnectionCommands::reset);
  }

  static void ping(Call c) {
    if (c.argc() > 2) {
      throw Errors.wrongArity("ping");
    }
    if (c.session.inPubSub() && c.session.protocol() == 2) {
      // a RESP2 subscriber reads every reply as a message-shaped array
      c.out.arrayHeader(2);
      c.out.bulk("pong");
      c.out.bulk(c.argc() == 1 ? new byte[0] : c.arg(1));
    } else if (c.argc() == 1) {
      c.out.simple("PONG");
    } else {
      c.out.bulk(c.arg(1));
    }
  }

  static void hello(Call c) {
    int protocol = c.session.protocol();
    int i = 1;
    if (c.argc() >= 2) {
      Long ver = Numbers.parseLong(c.arg(1));
      if (ver == null) {
        throw new CommandError("ERR Protocol version is not an integer or out of range");
      }
      if (ver < 2 || ver > 3) {
        throw new CommandError("NOPROTO unsupported protocol version");
      }
      protocol = ver.intValue();
      i = 2;
    }
    byte[] user = null;
    byte[] pass = null;
    byte[] name = null;
    for (; i < c.argc(); i++) {
      int more = c.argc() - i - 1;
      if (c.argIs(i, "AUTH") && more >= 2) {
        user = c.arg(i + 1);
        pass = c.arg(i + 2);
        i += 2;
      } else if (c.argIs(i, "SETNAME") && more >= 1) {
        name = c.arg(i + 1);
        i += 1;
      } else {
        throw new CommandError("ERR Syntax error in HELLO option '" + c.argString(i) + "'");
      }
    }
    if (user != null && !checkAuth(c, user, pass)) {
      return;
    }
    if (!c.session.authenticated) {
      throw new CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
    }
    if (name != null) {
      ClientCommands.validateName(name);
      c.session.name = name.length == 0 ? null : name;
    }
    c.session.out.setProtocol(protocol);
    ReplyWriter out = c.out;
    out.mapHeader(7);
    out.bulk("server");
    out.bulk("redis");
    out.bulk("version");
    out.bulk(REDIS_VERSION);
    out.bulk("proto");
    out.integer(protocol);
    out.bulk("id");
    out.integer(c.session.id);
    out.bulk("mode");
    out.bulk("standalone");
    out.bulk("role");
    out.bulk("master");
    out.bulk("modules");
    out.arrayHeader(0);
  }

  /** Checks credentials; on failure replies the error and returns false. */
  private static boolean checkAuth(Call c, byte[] user, byte[] pass) {
    byte[] required = c.engine.requirePass();
    boolean ok = java.util.Arrays.equals(user, DEFAULT_USER)
        && (required == null || MessageDigest.isEqual(required, pass));
    if (!ok) {
      c.out.error(Errors.WRONGPASS);
      return false;
    }
    setAuthenticated(c.session, true);
    return true;
  }

  static void setAuthenticated(Session s, boolean value) {
    s.authenticated = value;
    s.connection.authenticated(value);
  }

  static void auth(Call c) {
    if (c.argc() > 3) {
      throw new CommandError(Errors.SYNTAX);
    }
    if (c.argc() == 2 && c.engine.requirePass() == null) {
      throw new CommandError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
    }
    byte[] user = c.argc() == 3 ? c.arg(1) : DEFAULT_USER;
    byte[] pass = c.arg(c.argc() - 1);
    if (checkAuth(c, user, pass)) {
      c.out.ok();
    }
  }

  static void select(Call c) {
    Long idx = Numbers.parseLong(c.arg(1));
    if (idx == null || idx < Integer.MIN_VALUE || idx > Integer.MAX_VALUE) {
      throw new CommandError(Errors.NOT_INTEGER);
    }
    if (idx < 0 || idx >= c.engine.dbCount()) {
      throw new CommandError(Errors.DB_INDEX_RANGE);
    }
    c.session.db = idx.intValue();
    c.out.ok();
  }

  static void quit(Call c) {
    c.out.ok();
    c.engine.close(c.session);
  }

  static void reset(Call c) {
    Session s = c.session;
    c.engine.discardTransaction(s);
    c.engine.pubSub.unsubscribeEverything(s);
    s.db = 0;
    s.out.setProtocol(2);
    s.name = null;
    s.noEvict = false;
    s.noTouch = false;
    setAuthenticated(s, c.engine.requirePass() == null);
    c.out.simple("RESET");
  }
}
