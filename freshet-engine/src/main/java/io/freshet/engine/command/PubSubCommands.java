package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.PubSub;
import io.freshet.engine.PubSub.Kind;
import java.util.List;
import java.util.Locale;

/**
 * SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH, SPUBLISH and PUBSUB
 * (Redis's pubsub.c commands); the state and delivery are {@link PubSub}'s. Redis refuses
 * subscribing to clients that must get one reply per command (its DENY_BLOCKING, scripts and
 * modules); here the subscribe commands' noscript flag already keeps scripts out, and inside
 * EXEC they are allowed, as Redis allows them for backward compatibility. Engine thread only.
 */
final class PubSubCommands {
  private PubSubCommands() {}

  static void register(CommandTable t) {
    t.register("subscribe", c -> {
      for (int i = 1; i < c.argc(); i++) {
        pubSub(c).subscribe(c.session, Kind.GLOBAL, c.arg(i));
      }
    });
    t.register("ssubscribe", c -> {
      for (int i = 1; i < c.argc(); i++) {
        pubSub(c).subscribe(c.session, Kind.SHARD, c.arg(i));
      }
    });
    t.register("psubscribe", c -> {
      for (int i = 1; i < c.argc(); i++) {
        pubSub(c).psubscribe(c.session, c.arg(i));
      }
    });
    t.register("unsubscribe", c -> unsubscribe(c, Kind.GLOBAL));
    t.register("sunsubscribe", c -> unsubscribe(c, Kind.SHARD));
    t.register("punsubscribe", c -> {
      if (c.argc() == 1) {
        pubSub(c).punsubscribeAll(c.session, true);
      }
      for (int i = 1; i < c.argc(); i++) {
        pubSub(c).punsubscribe(c.session, c.arg(i));
      }
    });
    t.register("publish", c -> c.out.integer(pubSub(c).publish(Kind.GLOBAL, c.arg(1), c.arg(2))));
    t.register("spublish", c -> c.out.integer(pubSub(c).publish(Kind.SHARD, c.arg(1), c.arg(2))));
    t.register("pubsub|channels", c -> channels(c, Kind.GLOBAL));
    t.register("pubsub|shardchannels", c -> channels(c, Kind.SHARD));
    t.register("pubsub|numsub", c -> numsub(c, Kind.GLOBAL));
    t.register("pubsub|shardnumsub", c -> numsub(c, Kind.SHARD));
    t.register("pubsub|numpat", c -> c.out.integer(pubSub(c).patternCount()));
    t.register("pubsub|help", c -> c.out.statusLines(
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help."));
  }

  private static PubSub pubSub(Call c) {
    return c.engine.pubSub;
  }

  private static void unsubscribe(Call c, Kind kind) {
    if (c.argc() == 1) {
      pubSub(c).unsubscribeAll(c.session, kind, true);
    }
    for (int i = 1; i < c.argc(); i++) {
      pubSub(c).unsubscribe(c.session, kind, c.arg(i));
    }
  }

  /** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
  private static void channels(Call c, Kind kind) {
    if (c.argc() > 3) {
      throw subcommandSyntax(c);
    }
    List<byte[]> found = pubSub(c).channels(kind, c.argc() == 3 ? c.arg(2) : null);
    c.out.arrayHeader(found.size());
    for (byte[] channel : found) {
      c.out.bulk(channel);
    }
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB channel...: pairs of channel and subscriber count. */
  private static void numsub(Call c, Kind kind) {
    c.out.arrayHeader((c.argc() - 2) * 2L);
    for (int i = 2; i < c.argc(); i++) {
      c.out.bulk(c.arg(i));
      c.out.integer(pubSub(c).subscribers(kind, c.arg(i)));
    }
  }

  /** Redis's addReplySubcommandSyntaxError. */
  private static CommandError subcommandSyntax(Call c) {
    return new CommandError("ERR unknown subcommand or wrong number of arguments for '" + c.argString(1)
        + "'. Try " + c.argString(0).toUpperCase(Locale.ROOT) + " HELP.");
  }
}
