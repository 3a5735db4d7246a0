package io.freshet.engine.command;

import io.freshet.engine.protocol.RespValue;
import java.nio.charset.StandardCharsets;

/**
 * COMMAND INFO and COMMAND DOCS for commands newer than the Redis 7.0 metadata captured in the
 * resources, written from Redis's command documentation in the captured format. Immutable.
 */
final class ExtraCommands {
  private ExtraCommands() {}

  static RespValue info(String name) {
    return parse(switch (name) {
      case "xdelex" -> commandInfo("xdelex", -5, set("write", "fast"), 1, 1, 1, set("@write", "@stream", "@fast"),
          keySpec(set("RW", "delete"), 1));
      case "xackdel" -> commandInfo("xackdel", -6, set("write", "fast"), 1, 1, 1, set("@write", "@stream", "@fast"),
          keySpec(set("RW", "update", "delete"), 1));
      case "xcfgset" -> commandInfo("xcfgset", -2, set("write", "fast"), 1, 1, 1, set("@write", "@stream", "@fast"),
          keySpec(set("RW", "update"), 1));
      case "xnack" -> commandInfo("xnack", -7, set("write", "fast"), 1, 1, 1, set("@write", "@stream", "@fast"),
          keySpec(set("RW", "update"), 1));
      case "xidmprecord" -> commandInfo("xidmprecord", 5, set("write", "denyoom", "fast"), 1, 1, 1,
          set("@write", "@stream", "@fast"), keySpec(set("RW", "update"), 1));
      default -> throw new IllegalArgumentException(name);
    });
  }

  static RespValue docs(String name) {
    String policies = policies();
    String ids = arg("ids", "block", "IDS", null, arg("numids", "integer", null, null),
        arg("id", "string", null, set("multiple")));
    return parse(switch (name) {
      case "xdelex" -> docs("Deletes one or multiple entries from the stream.", "8.2.0",
          "O(1) for each single item to delete in the stream, regardless of the stream size.",
          keyArg(), policies, ids);
      case "xackdel" -> docs("Acknowledges and deletes one or multiple messages for a stream consumer group.", "8.2.0",
          "O(1) for each message ID processed.", keyArg(), arg("group", "string", null, null), policies, ids);
      case "xcfgset" -> docs("Sets the IDMP configuration parameters for a stream.", "8.6.0", "O(1)", keyArg(),
          arg("idmp-duration", "integer", "IDMP-DURATION", set("optional")),
          arg("idmp-maxsize", "integer", "IDMP-MAXSIZE", set("optional")));
      case "xnack" -> docs("Releases pending messages back to the group's PEL without acknowledging them, making them "
          + "available for re-delivery.", "8.8.0", "O(1) for each message ID processed.", keyArg(),
          arg("group", "string", null, null),
          arg("mode", "oneof", null, null, pureToken("silent", "SILENT"), pureToken("fail", "FAIL"),
              pureToken("fatal", "FATAL")),
          ids, arg("count", "integer", "RETRYCOUNT", set("optional")), pureTokenOptional("force", "FORCE"));
      case "xidmprecord" -> docs("An internal command for setting IDMP metadata on an existing stream message.",
          "8.8.0", "O(1)", keyArg(), arg("pid", "string", null, null), arg("iid", "string", null, null),
          arg("stream-id", "string", null, null));
      default -> throw new IllegalArgumentException(name);
    });
  }

  /** Adds the 8.x options Freshet implements to the captured 7.0 docs of XADD, XTRIM and XREADGROUP. */
  static void amendStreamDocs(CommandTable t) {
    RespValue policy = parse(policies());
    insertAfter(t.docsArguments("xadd"), "nomkstream", policy);
    insertAfter(t.docsArguments("xadd"), "condition", parse(arg("idmp", "oneof", null, set("optional"),
        arg("idmpauto-with-pid", "block", null, null, pureToken("idmpauto-token", "IDMPAUTO"),
            arg("pid", "string", null, null)),
        arg("idmp-with-pid-iid", "block", null, null, pureToken("idmp-token", "IDMP"),
            arg("pid", "string", null, null), arg("iid", "string", null, null)))));
    t.docsArguments("xtrim").add(policy);
    insertBefore(t.docsArguments("xreadgroup"), "noack",
        parse(arg("min-idle-time", "integer", "CLAIM", set("optional"))));
    for (String read : new String[] {"xread", "xreadgroup"}) {
      insertAfter(t.docsArguments(read), "count", parse(arg("maxcount", "integer", "MAXCOUNT", set("optional"))));
      insertAfter(t.docsArguments(read), "maxcount", parse(arg("maxsize", "integer", "MAXSIZE", set("optional"))));
    }
  }

  private static int indexOf(java.util.List<RespValue> args, String name) {
    for (int i = 0; i < args.size(); i++) {
      RespValue n = args.get(i).get("name");
      if (n != null && n.string().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no argument " + name);
  }

  private static void insertAfter(java.util.List<RespValue> args, String name, RespValue arg) {
    args.add(indexOf(args, name) + 1, arg);
  }

  private static void insertBefore(java.util.List<RespValue> args, String name, RespValue arg) {
    args.add(indexOf(args, name), arg);
  }

  private static String policies() {
    return arg("condition", "oneof", null, set("optional"),
        pureToken("keepref", "KEEPREF"), pureToken("delref", "DELREF"), pureToken("acked", "ACKED"));
  }

  // ---- RESP3 text builders, shaped like Redis's own COMMAND INFO / COMMAND DOCS replies ----

  private static RespValue parse(String resp) {
    return RespValue.parseAll(resp.getBytes(StandardCharsets.UTF_8)).get(0);
  }

  private static String bulk(String s) {
    return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
  }

  private static String set(String... items) {
    StringBuilder sb = new StringBuilder("~" + items.length + "\r\n");
    for (String s : items) {
      sb.append('+').append(s).append("\r\n");
    }
    return sb.toString();
  }

  private static String commandInfo(String name, int arity, String flags, int first, int last, int step,
      String categories, String... keySpecs) {
    StringBuilder sb = new StringBuilder("*10\r\n").append(bulk(name)).append(':').append(arity).append("\r\n")
        .append(flags).append(':').append(first).append("\r\n:").append(last).append("\r\n:").append(step)
        .append("\r\n").append(categories).append("~0\r\n~").append(keySpecs.length).append("\r\n");
    for (String k : keySpecs) {
      sb.append(k);
    }
    return sb.append("~0\r\n").toString();
  }

  /** A key spec found at a fixed index, one key. */
  private static String keySpec(String flags, int index) {
    return "%3\r\n" + bulk("flags") + flags
        + bulk("begin_search") + "%2\r\n" + bulk("type") + bulk("index") + bulk("spec") + "%1\r\n" + bulk("index")
        + ":" + index + "\r\n"
        + bulk("find_keys") + "%2\r\n" + bulk("type") + bulk("range") + bulk("spec") + "%3\r\n" + bulk("lastkey")
        + ":0\r\n" + bulk("keystep") + ":1\r\n" + bulk("limit") + ":0\r\n";
  }

  private static String docs(String summary, String since, String complexity, String... args) {
    StringBuilder sb = new StringBuilder("%5\r\n").append(bulk("summary")).append(bulk(summary))
        .append(bulk("since")).append(bulk(since)).append(bulk("group")).append(bulk("stream"))
        .append(bulk("complexity")).append(bulk(complexity)).append(bulk("arguments"))
        .append('*').append(args.length).append("\r\n");
    for (String a : args) {
      sb.append(a);
    }
    return sb.toString();
  }

  private static String keyArg() {
    return "%3\r\n" + bulk("name") + bulk("key") + bulk("type") + bulk("key") + bulk("key_spec_index") + ":0\r\n";
  }

  private static String pureTokenOptional(String name, String token) {
    return arg(name, "pure-token", token, set("optional"));
  }

  private static String pureToken(String name, String token) {
    return arg(name, "pure-token", token, null);
  }

  private static String arg(String name, String type, String token, String flags, String... children) {
    int fields = 2 + (token != null ? 1 : 0) + (flags != null ? 1 : 0) + (children.length > 0 ? 1 : 0);
    StringBuilder sb = new StringBuilder("%" + fields + "\r\n").append(bulk("name")).append(bulk(name))
        .append(bulk("type")).append(bulk(type));
    if (token != null) {
      sb.append(bulk("token")).append(bulk(token));
    }
    if (flags != null) {
      sb.append(bulk("flags")).append(flags);
    }
    if (children.length > 0) {
      sb.append(bulk("arguments")).append('*').append(children.length).append("\r\n");
      for (String c : children) {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
