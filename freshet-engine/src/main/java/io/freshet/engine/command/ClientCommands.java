package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.Session;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.protocol.RespValue;
import java.util.ArrayList;
import java.util.List;

/** CLIENT subcommands. Engine thread only. */
final class ClientCommands {
  private ClientCommands() {}

  static void register(CommandTable t) {
    t.register("client|id", c -> c.out.integer(c.session.id));
    t.register("client|setname", ClientCommands::setName);
    t.register("client|getname", c -> c.out.bulk(c.session.name));
    t.register("client|list", ClientCommands::list);
    t.register("client|info", c -> c.out.verbatim(describe(c, c.session) + "\n"));
    t.register("client|kill", ClientCommands::kill);
    t.register("client|no-evict", c -> c.session.noEvict = onOff(c));
    t.register("client|help", ClientCommands::help);
    t.register("client|setinfo", info("client|setinfo", 4, "@slow", "@connection"), null, ClientCommands::setInfo);
    t.register("client|no-touch", info("client|no-touch", 3, "@fast", "@connection"), null,
        c -> c.session.noTouch = onOff(c));
  }

  /** COMMAND INFO entry for subcommands added after Redis 7.0 (so not captured). */
  static RespValue info(String name, int arity, String... categories) {
    StringBuilder resp = new StringBuilder("*10\r\n$" + name.length() + "\r\n" + name + "\r\n:" + arity
        + "\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~" + categories.length + "\r\n");
    for (String category : categories) {
      resp.append('+').append(category).append("\r\n");
    }
    resp.append("~0\r\n*0\r\n*0\r\n");
    return RespValue.parseAll(resp.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get(0);
  }

  private static boolean onOff(Call c) {
    boolean on;
    if (c.argIs(2, "on")) {
      on = true;
    } else if (c.argIs(2, "off")) {
      on = false;
    } else {
      throw new CommandError(Errors.SYNTAX);
    }
    c.out.ok();
    return on;
  }

  static void validateName(byte[] name) {
    for (byte b : name) {
      if (b < '!' || b > '~') {
        throw new CommandError("ERR Client names cannot contain spaces, newlines or special characters.");
      }
    }
  }

  private static void setName(Call c) {
    byte[] name = c.arg(2);
    validateName(name);
    c.session.name = name.length == 0 ? null : name;
    c.out.ok();
  }

  private static void setInfo(Call c) {
    String attr = c.argString(2);
    boolean libName = c.argIs(2, "lib-name");
    if (!libName && !c.argIs(2, "lib-ver")) {
      throw new CommandError("ERR Unrecognized option '" + attr + "'");
    }
    for (byte b : c.arg(3)) {
      if (b < '!' || b > '~') {
        throw new CommandError("ERR " + attr + " cannot contain spaces, newlines or special characters.");
      }
    }
    if (libName) {
      c.session.libName = c.argString(3);
    } else {
      c.session.libVersion = c.argString(3);
    }
    c.out.ok();
  }

  static String describe(Call c, Session s) {
    long ageSec = (c.nowMs - s.createdMs) / 1000;
    long idleSec = (c.nowMs - s.lastInteractionMs) / 1000;
    StringBuilder flags = new StringBuilder();
    // in Redis's order (networking.c getClientInfoString)
    if (s.inPubSub()) {
      flags.append('P');
    }
    if (s.inMulti) {
      flags.append('x');
    }
    if (s.isBlocked()) {
      flags.append('b');
    }
    if (s.dirtyCas) {
      flags.append('d');
    }
    if (s.noEvict) {
      flags.append('e');
    }
    if (s.noTouch) {
      flags.append('T');
    }
    if (flags.length() == 0) {
      flags.append('N');
    }
    long omem = s.out.pendingBytes() + s.connection.networkPendingBytes();
    return "id=" + s.id + " addr=" + s.connection.remoteAddress() + " laddr=" + s.connection.localAddress()
        + " fd=" + (7 + s.id) + " name=" + s.nameString() + " age=" + ageSec + " idle=" + idleSec
        + " flags=" + flags + " db=" + s.db + " sub=" + s.channelCount() + " psub=" + s.patternCount()
        + " ssub=" + s.shardSubscriptionCount() + " multi=" + (s.inMulti ? s.queued.size() : -1)
        + " watch=" + s.watched.size() + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0"
        + " omem=" + omem + " tot-mem=" + (omem + 16384) + " events=r cmd=" + s.lastCommand + " user=default"
        + " redir=-1 resp=" + s.protocol() + " lib-name=" + s.libName + " lib-ver=" + s.libVersion;
  }

  /** Redis's getClientType as CLIENT LIST/KILL TYPE name it (no replicas or masters yet). */
  private static String typeOf(Session s) {
    return s.inPubSub() ? "pubsub" : "normal";
  }

  private static void list(Call c) {
    List<Long> ids = null;
    String type = null;
    for (int i = 2; i < c.argc(); i++) {
      if (c.argIs(i, "TYPE") && i + 1 < c.argc()) {
        type = c.argString(i + 1).toLowerCase();
        if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
          throw new CommandError("ERR Unknown client type '" + c.argString(i + 1) + "'");
        }
        i++;
      } else if (c.argIs(i, "ID") && i + 1 < c.argc()) {
        ids = ids == null ? new ArrayList<>() : new ArrayList<>(ids);
        for (i = i + 1; i < c.argc(); i++) {
          Long id = Numbers.parseLong(c.arg(i));
          if (id == null || id <= 0) {
            throw new CommandError("ERR Invalid client ID");
          }
          ids.add(id);
        }
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Session s : c.engine.sessions()) {
      if ((ids == null || ids.contains(s.id)) && (type == null || type.equals(typeOf(s)))) {
        sb.append(describe(c, s)).append('\n');
      }
    }
    c.out.verbatim(sb.toString());
  }

  private static void kill(Call c) {
    if (c.argc() == 3) {
      String addr = c.argString(2);
      for (Session s : c.engine.sessions()) {
        if (s.connection.remoteAddress().equals(addr)) {
          c.out.ok();
          c.engine.close(s);
          return;
        }
      }
      throw new CommandError("ERR No such client");
    }
    if (c.argc() % 2 != 0) {
      throw new CommandError(Errors.SYNTAX);
    }
    Long id = null;
    String addr = null;
    String laddr = null;
    String type = null;
    boolean skipMe = true;
    Long maxAge = null;
    for (int i = 2; i < c.argc(); i += 2) {
      String value = c.argString(i + 1);
      if (c.argIs(i, "ID")) {
        Long v = Numbers.parseLong(c.arg(i + 1));
        if (v == null || v <= 0) {
          throw new CommandError("ERR client-id should be greater than 0");
        }
        id = v;
      } else if (c.argIs(i, "TYPE")) {
        type = value.toLowerCase();
        if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
          throw new CommandError("ERR Unknown client type '" + value + "'");
        }
      } else if (c.argIs(i, "ADDR")) {
        addr = value;
      } else if (c.argIs(i, "LADDR")) {
        laddr = value;
      } else if (c.argIs(i, "USER")) {
        if (!value.equals("default")) {
          throw new CommandError("ERR No such user '" + value + "'");
        }
      } else if (c.argIs(i, "SKIPME")) {
        if (c.argIs(i + 1, "yes")) {
          skipMe = true;
        } else if (c.argIs(i + 1, "no")) {
          skipMe = false;
        } else {
          throw new CommandError(Errors.SYNTAX);
        }
      } else if (c.argIs(i, "MAXAGE")) {
        maxAge = c.longArg(i + 1);
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    List<Session> victims = new ArrayList<>();
    for (Session s : c.engine.sessions()) {
      if ((id != null && s.id != id) || (addr != null && !s.connection.remoteAddress().equals(addr))
          || (laddr != null && !s.connection.localAddress().equals(laddr))
          || (type != null && !type.equals(typeOf(s)))
          || (maxAge != null && (c.nowMs - s.createdMs) / 1000 < maxAge)
          || (skipMe && s == c.session)) {
        continue;
      }
      victims.add(s);
    }
    c.out.integer(victims.size());
    // the caller itself (SKIPME no) is closed after this reply: close flushes it first
    victims.forEach(c.engine::close);
  }


  private static void help(Call c) {
    String[] lines = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME", "    Return the name of the current connection.",
      "ID", "    Return the ID of the current connection.",
      "INFO", "    Return information about the current client connection.",
      "KILL <ip:port>", "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
      "    * USER <username>", "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
      "    * ID <client-id>", "      Kill connections by client id.",
      "    * MAXAGE <maxage>", "      Kill connections older than the specified age.",
      "LIST [options ...]", "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
      "    * ID <client-id> [<client-id> ...]", "      Return clients of specified IDs only.",
      "SETNAME <name>", "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>", "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
      "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP", "    Print this help."
    };
    c.out.statusLines(lines);
  }
}
