package io.freshet.engine;

import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.protocol.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publish/subscribe (Redis's pubsub.c): who is subscribed to which channel, pattern and shard
 * channel, and delivery of published messages. Each client's own subscriptions are on its
 * {@link Session}; this keeps the reverse maps that PUBLISH walks. Outside cluster mode shard
 * channels behave as Redis's do on a single node: their own namespace, no patterns.
 *
 * <p>A message is encoded once per publish (and once per matching pattern), in RESP2 and RESP3
 * form as subscribers need them, and the same bytes are copied into every subscriber's output;
 * there is no object per message per subscriber. A subscriber whose output passes the pubsub
 * class of {@code client-output-buffer-limit} (hard at once, soft after its seconds) is closed
 * after the delivery, as Redis closes it asynchronously. Engine thread only.
 */
public final class PubSub {
  private static final Logger LOG = LoggerFactory.getLogger(PubSub.class);
  private static final byte[] MESSAGE = bytes("message");
  private static final byte[] PMESSAGE = bytes("pmessage");
  private static final byte[] SMESSAGE = bytes("smessage");

  /** The two kinds of channel namespace; patterns apply to global channels only. */
  public enum Kind {
    GLOBAL("subscribe", "unsubscribe", MESSAGE),
    SHARD("ssubscribe", "sunsubscribe", SMESSAGE);

    final String subscribeReply;
    final String unsubscribeReply;
    final byte[] messageType;

    Kind(String subscribeReply, String unsubscribeReply, byte[] messageType) {
      this.subscribeReply = subscribeReply;
      this.unsubscribeReply = unsubscribeReply;
      this.messageType = messageType;
    }
  }

  private final Engine engine;
  private final Dict<LinkedHashSet<Session>> channels = new Dict<>();
  private final Dict<LinkedHashSet<Session>> shardChannels = new Dict<>();
  private final Dict<LinkedHashSet<Session>> patterns = new Dict<>();
  /** Clients with at least one subscription (INFO pubsub_clients). */
  private int pubsubClients;
  /** The pubsub class of client-output-buffer-limit: hard bytes, soft bytes, soft seconds. */
  private long hardLimitBytes = 32L << 20;
  private long softLimitBytes = 8L << 20;
  private long softLimitSeconds = 60;

  PubSub(Engine engine) {
    this.engine = engine;
    engine.config.onChange("client-output-buffer-limit", this::readLimits);
  }

  /** Takes the pubsub class from "normal h s t slave h s t pubsub h s t". */
  private void readLimits(String value) {
    String[] parts = value.split(" ");
    for (int i = 0; i + 3 < parts.length; i += 4) {
      if (parts[i].equals("pubsub")) {
        hardLimitBytes = Long.parseUnsignedLong(parts[i + 1]);
        softLimitBytes = Long.parseUnsignedLong(parts[i + 2]);
        softLimitSeconds = Long.parseLong(parts[i + 3]);
      }
    }
  }

  private Dict<LinkedHashSet<Session>> serverChannels(Kind kind) {
    return kind == Kind.SHARD ? shardChannels : channels;
  }

  // ---- subscribing -------------------------------------------------------------------------

  /** SUBSCRIBE / SSUBSCRIBE of one channel, with its confirmation. */
  public void subscribe(Session s, Kind kind, byte[] channel) {
    Dict<Boolean> mine = s.subscriptions(kind);
    if (!mine.containsKey(channel)) {
      wasSubscribing(s);
      mine.put(channel, Boolean.TRUE);
      add(serverChannels(kind), channel, s);
    }
    confirm(s, kind.subscribeReply, channel, kind == Kind.SHARD ? s.shardSubscriptionCount() : s.subscriptionCount());
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE of one channel, with its confirmation. */
  public void unsubscribe(Session s, Kind kind, byte[] channel) {
    Dict<Boolean> mine = s.subscriptions(kind);
    if (mine.remove(channel) != null) {
      remove(serverChannels(kind), channel, s);
      leftIfLast(s);
    }
    confirm(s, kind.unsubscribeReply, channel, kind == Kind.SHARD ? s.shardSubscriptionCount() : s.subscriptionCount());
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE without channels: every one, or one confirmation with a null channel. */
  public void unsubscribeAll(Session s, Kind kind, boolean notify) {
    Dict<Boolean> mine = s.subscriptions(kind);
    List<byte[]> all = keys(mine);
    for (byte[] channel : all) {
      if (notify) {
        unsubscribe(s, kind, channel);
      } else {
        mine.remove(channel);
        remove(serverChannels(kind), channel, s);
        leftIfLast(s);
      }
    }
    if (notify && all.isEmpty()) {
      confirm(s, kind.unsubscribeReply, null, kind == Kind.SHARD ? s.shardSubscriptionCount() : s.subscriptionCount());
    }
  }

  public void psubscribe(Session s, byte[] pattern) {
    Dict<Boolean> mine = s.patternSubscriptions();
    if (!mine.containsKey(pattern)) {
      wasSubscribing(s);
      mine.put(pattern, Boolean.TRUE);
      add(patterns, pattern, s);
    }
    confirm(s, "psubscribe", pattern, s.subscriptionCount());
  }

  public void punsubscribe(Session s, byte[] pattern) {
    if (s.patternSubscriptions().remove(pattern) != null) {
      remove(patterns, pattern, s);
      leftIfLast(s);
    }
    confirm(s, "punsubscribe", pattern, s.subscriptionCount());
  }

  public void punsubscribeAll(Session s, boolean notify) {
    Dict<Boolean> mine = s.patternSubscriptions();
    List<byte[]> all = keys(mine);
    for (byte[] pattern : all) {
      if (notify) {
        punsubscribe(s, pattern);
      } else {
        mine.remove(pattern);
        remove(patterns, pattern, s);
        leftIfLast(s);
      }
    }
    if (notify && all.isEmpty()) {
      confirm(s, "punsubscribe", null, s.subscriptionCount());
    }
  }

  /** RESET and disconnection: every subscription goes, silently. */
  public void unsubscribeEverything(Session s) {
    if (s.totalSubscriptionCount() == 0) {
      return;
    }
    unsubscribeAll(s, Kind.GLOBAL, false);
    unsubscribeAll(s, Kind.SHARD, false);
    punsubscribeAll(s, false);
  }

  private void wasSubscribing(Session s) {
    if (s.totalSubscriptionCount() == 0) {
      pubsubClients++;
    }
  }

  private void leftIfLast(Session s) {
    if (s.totalSubscriptionCount() == 0) {
      pubsubClients--;
    }
  }

  private static void add(Dict<LinkedHashSet<Session>> map, byte[] name, Session s) {
    LinkedHashSet<Session> subscribers = map.get(name);
    if (subscribers == null) {
      subscribers = new LinkedHashSet<>();
      map.put(name, subscribers);
    }
    subscribers.add(s);
  }

  private static void remove(Dict<LinkedHashSet<Session>> map, byte[] name, Session s) {
    LinkedHashSet<Session> subscribers = map.get(name);
    if (subscribers != null && subscribers.remove(s) && subscribers.isEmpty()) {
      map.remove(name); // so that abandoned channels do not pile up, as Redis frees them
    }
  }

  private static List<byte[]> keys(Dict<Boolean> d) {
    List<byte[]> out = new ArrayList<>(d.size());
    for (Dict.Entry<Boolean> e = d.first(); e != null; e = e.after()) {
      out.add(e.key());
    }
    return out;
  }

  /** A (un)subscribe confirmation: a push in RESP3, a three-element array in RESP2. */
  private static void confirm(Session s, String type, byte[] name, int count) {
    ReplyWriter out = s.out;
    if (out.protocol() == 3) {
      out.pushHeader(3);
    } else {
      out.arrayHeader(3);
    }
    out.bulk(type);
    if (name == null) {
      out.nullBulk();
    } else {
      out.bulk(name);
    }
    out.integer(count);
  }

  // ---- publishing --------------------------------------------------------------------------

  /** PUBLISH / SPUBLISH: delivers to every subscriber and returns how many received it. */
  public int publish(Kind kind, byte[] channel, byte[] message) {
    List<Session> overLimit = null;
    int receivers = 0;
    LinkedHashSet<Session> direct = serverChannels(kind).get(channel);
    if (direct != null) {
      Encoded encoded = new Encoded(kind.messageType, null, channel, message);
      for (Session s : direct) {
        overLimit = deliver(s, encoded, overLimit);
        receivers++;
      }
    }
    if (kind == Kind.GLOBAL && patterns.size() > 0) {
      for (Dict.Entry<LinkedHashSet<Session>> e = patterns.first(); e != null; e = e.after()) {
        byte[] pattern = e.key();
        if (!Glob.matches(pattern, channel, false)) {
          continue;
        }
        Encoded encoded = new Encoded(PMESSAGE, pattern, channel, message);
        for (Session s : e.value()) {
          overLimit = deliver(s, encoded, overLimit);
          receivers++;
        }
      }
    }
    if (overLimit != null) {
      overLimit.forEach(this::closeOverLimit);
    }
    return receivers;
  }

  private void closeOverLimit(Session s) {
    if (!s.closed) {
      LOG.warn("Client id=" + s.id + " addr=" + s.connection.remoteAddress()
          + " scheduled to be closed ASAP for overcoming of output buffer limits.");
      engine.close(s);
    }
  }

  private List<Session> deliver(Session s, Encoded encoded, List<Session> overLimit) {
    if (s.closing || s.closed) {
      return overLimit;
    }
    s.out.write(encoded.bytes(s.out.protocol()));
    engine.markDirty(s);
    if (overOutputLimit(s)) {
      if (overLimit == null) {
        overLimit = new ArrayList<>();
      }
      s.closing = true; // nothing more is delivered to it; closed once this publish is done
      overLimit.add(s);
    }
    return overLimit;
  }

  /**
   * Redis's checkClientOutputBufferLimits for the pubsub class: over the hard limit, or over the
   * soft limit for longer than its seconds (the timer starts when the soft limit is first passed
   * and stops when the output falls below it).
   */
  private boolean overOutputLimit(Session s) {
    long used = s.out.pendingBytes() + s.connection.networkPendingBytes();
    if (hardLimitBytes > 0 && used >= hardLimitBytes) {
      return true;
    }
    if (softLimitBytes > 0 && used >= softLimitBytes) {
      long nowMs = engine.now();
      if (s.softLimitSinceMs == 0) {
        s.softLimitSinceMs = nowMs;
        return false;
      }
      return nowMs - s.softLimitSinceMs > softLimitSeconds * 1000;
    }
    s.softLimitSinceMs = 0;
    return false;
  }

  /** One message in RESP2 and RESP3 form, each encoded on first use. */
  private static final class Encoded {
    private final byte[] type;
    private final byte[] pattern;
    private final byte[] channel;
    private final byte[] message;
    private byte[] resp2;
    private byte[] resp3;

    Encoded(byte[] type, byte[] pattern, byte[] channel, byte[] message) {
      this.type = type;
      this.pattern = pattern;
      this.channel = channel;
      this.message = message;
    }

    byte[] bytes(int protocol) {
      if (protocol == 3) {
        return resp3 != null ? resp3 : (resp3 = encode('>'));
      }
      return resp2 != null ? resp2 : (resp2 = encode('*'));
    }

    private byte[] encode(char header) {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(
          32 + type.length + channel.length + message.length + (pattern == null ? 0 : pattern.length));
      ascii(b, header + (pattern == null ? "3" : "4") + "\r\n");
      bulk(b, type);
      if (pattern != null) {
        bulk(b, pattern);
      }
      bulk(b, channel);
      bulk(b, message);
      return b.toByteArray();
    }

    private static void bulk(java.io.ByteArrayOutputStream b, byte[] value) {
      ascii(b, "$" + value.length + "\r\n");
      b.write(value, 0, value.length);
      ascii(b, "\r\n");
    }

    private static void ascii(java.io.ByteArrayOutputStream b, String s) {
      byte[] a = s.getBytes(StandardCharsets.US_ASCII);
      b.write(a, 0, a.length);
    }
  }

  // ---- introspection (PUBSUB, INFO) --------------------------------------------------------

  /** PUBSUB CHANNELS / SHARDCHANNELS: active channels matching {@code pattern} (null: all). */
  public List<byte[]> channels(Kind kind, byte[] pattern) {
    List<byte[]> out = new ArrayList<>();
    for (Dict.Entry<LinkedHashSet<Session>> e = serverChannels(kind).first(); e != null; e = e.after()) {
      if (pattern == null || Glob.matches(pattern, e.key(), false)) {
        out.add(e.key());
      }
    }
    return out;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: direct subscribers of one channel (patterns not counted). */
  public int subscribers(Kind kind, byte[] channel) {
    LinkedHashSet<Session> subscribers = serverChannels(kind).get(channel);
    return subscribers == null ? 0 : subscribers.size();
  }

  /** PUBSUB NUMPAT and INFO pubsub_patterns: patterns with at least one subscriber. */
  public int patternCount() {
    return patterns.size();
  }

  /** INFO pubsub_channels / pubsubshard_channels. */
  public int channelCount(Kind kind) {
    return serverChannels(kind).size();
  }

  /** INFO pubsub_clients. */
  public int clientCount() {
    return pubsubClients;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
