package io.freshet.engine.command;

import io.freshet.engine.protocol.RespValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command Freshet implements, with metadata captured from Redis's own COMMAND INFO and
 * COMMAND DOCS (resources {@code command-info.resp3} and {@code command-docs.resp3}, written by
 * {@code tools/capture-commands.py}). Built once at start; read by the engine thread.
 */
public final class CommandTable {
  /** The Redis version Freshet reports (HELLO, INFO, redis.REDIS_VERSION). */
  public static final String REDIS_VERSION = "7.4.0";

  private final Map<String, RespValue> redisInfo = new HashMap<>();
  private final Map<String, RespValue> redisDocs = new HashMap<>();
  private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
  private CommandSpec[] slots = new CommandSpec[1024];

  public CommandTable() {
    for (RespValue entry : load("command-info.resp3").get(0).children) {
      redisInfo.put(entry.children.get(0).string(), entry);
      RespValue subs = entry.children.get(9);
      for (RespValue sub : subs.children) {
        redisInfo.put(sub.children.get(0).string(), sub);
      }
    }
    RespValue docs = load("command-docs.resp3").get(0);
    for (int i = 0; i < docs.children.size(); i += 2) {
      String name = docs.children.get(i).string();
      RespValue doc = docs.children.get(i + 1);
      redisDocs.put(name, doc);
      RespValue subs = doc.get("subcommands");
      if (subs != null) {
        for (int j = 0; j < subs.children.size(); j += 2) {
          redisDocs.put(subs.children.get(j).string(), subs.children.get(j + 1));
        }
      }
    }
  }

  private static List<RespValue> load(String resource) {
    try (InputStream in = CommandTable.class.getResourceAsStream("/io/freshet/engine/" + resource)) {
      return RespValue.parseAll(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers a command ({@code "get"}) or subcommand ({@code "client|kill"}). */
  public void register(String fullName, Handler handler) {
    RespValue info = redisInfo.get(fullName);
    if (info == null) {
      throw new IllegalArgumentException("no Redis metadata for " + fullName);
    }
    CommandSpec spec = new CommandSpec(fullName, info, redisDocs.get(fullName), handler);
    int bar = fullName.indexOf('|');
    if (bar < 0) {
      commands.put(fullName, spec);
      insert(spec);
    } else {
      CommandSpec container = commands.get(fullName.substring(0, bar));
      if (container == null) {
        container = new CommandSpec(fullName.substring(0, bar), redisInfo.get(fullName.substring(0, bar)),
            redisDocs.get(fullName.substring(0, bar)), null);
        commands.put(container.fullName, container);
        insert(container);
      }
      container.subcommands.put(fullName.substring(bar + 1), spec);
    }
  }

  /**
   * The editable argument list of a command's captured COMMAND DOCS, for options added after
   * Redis 7.0 (the registered command shares the same reply tree).
   */
  List<RespValue> docsArguments(String fullName) {
    return redisDocs.get(fullName).get("arguments").children;
  }

  /** Registers a command Redis 7.0 does not have, with hand-written metadata. */
  public void register(String fullName, RespValue info, RespValue docs, Handler handler) {
    redisInfo.put(fullName, info);
    if (docs != null) {
      redisDocs.put(fullName, docs);
    }
    register(fullName, handler);
  }

  private void insert(CommandSpec spec) {
    byte[] name = spec.fullName.getBytes(StandardCharsets.US_ASCII);
    if (commands.size() * 2 > slots.length) {
      CommandSpec[] old = slots;
      slots = new CommandSpec[old.length * 2];
      for (CommandSpec s : old) {
        if (s != null) {
          insert(s);
        }
      }
    }
    int i = hashIgnoreCase(name, 0, name.length) & (slots.length - 1);
    while (slots[i] != null && !slots[i].fullName.equals(spec.fullName)) {
      i = (i + 1) & (slots.length - 1);
    }
    slots[i] = spec;
  }

  private static int hashIgnoreCase(byte[] b, int off, int len) {
    int h = 0;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + (b[i] | 0x20);
    }
    return h ^ (h >>> 16);
  }

  /** Case-insensitive lookup of a top-level command; no allocation. */
  public CommandSpec lookup(byte[] name) {
    int mask = slots.length - 1;
    for (int i = hashIgnoreCase(name, 0, name.length) & mask; slots[i] != null; i = (i + 1) & mask) {
      String candidate = slots[i].fullName;
      if (candidate.length() == name.length && equalsIgnoreCase(candidate, name)) {
        return slots[i];
      }
    }
    return null;
  }

  private static boolean equalsIgnoreCase(String lower, byte[] name) {
    for (int i = 0; i < name.length; i++) {
      int c = name[i];
      if (c >= 'A' && c <= 'Z') {
        c |= 0x20;
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  public CommandSpec get(String lowerName) {
    return commands.get(lowerName);
  }

  public Collection<CommandSpec> all() {
    return commands.values();
  }

  /** COMMAND INFO entry restricted to the subcommands Freshet implements. */
  public RespValue infoOf(CommandSpec spec) {
    if (!spec.isContainer()) {
      return spec.info;
    }
    List<RespValue> items = new ArrayList<>(spec.info.children);
    List<RespValue> subs = new ArrayList<>();
    spec.subcommands.values().forEach(s -> subs.add(s.info));
    items.set(9, RespValue.array(subs));
    return RespValue.array(items);
  }

  /** COMMAND DOCS entry restricted to the subcommands Freshet implements. */
  public RespValue docsOf(CommandSpec spec) {
    RespValue doc = spec.docs;
    if (doc == null || !spec.isContainer()) {
      return doc;
    }
    List<RespValue> items = new ArrayList<>();
    for (int i = 0; i < doc.children.size(); i += 2) {
      if ("subcommands".equals(doc.children.get(i).string())) {
        List<RespValue> subs = new ArrayList<>();
        for (CommandSpec s : spec.subcommands.values()) {
          if (s.docs != null) {
            subs.add(RespValue.bulk(s.fullName));
            subs.add(s.docs);
          }
        }
        items.add(doc.children.get(i));
        items.add(RespValue.map(subs));
      } else {
        items.add(doc.children.get(i));
        items.add(doc.children.get(i + 1));
      }
    }
    return RespValue.map(items);
  }
}
