package io.freshet.engine;

import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.protocol.ReplyWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's state: selected database, protocol, auth, transaction, watches, blocking.
 * Owned by the engine thread.
 */
public final class Session {
  public final long id;
  public final Connection connection;
  public final ReplyWriter out;
  public final long createdMs;
  public long lastInteractionMs;
  public int db;
  public boolean authenticated;
  public byte[] name;
  public String libName = "";
  public String libVersion = "";
  public String lastCommand = "NULL";
  public boolean noEvict;
  public boolean noTouch;
  public boolean closing;
  public boolean closed;

  // MULTI/EXEC
  public boolean inMulti;
  public boolean multiError;
  public boolean inExec;
  public final List<byte[][]> queued = new ArrayList<>();
  public final List<WatchedKey> watched = new ArrayList<>();
  public boolean dirtyCas;

  // Blocking: the parked command, and commands that arrived while it was parked.
  Waiter waiter;
  final ArrayDeque<byte[][]> pending = new ArrayDeque<>();
  boolean dirtyOutput;

  // Pub/Sub: this client's subscriptions (null until its first), insertion-ordered; the reverse
  // maps are PubSub's.
  private Dict<Boolean> channels;
  private Dict<Boolean> shardChannels;
  private Dict<Boolean> patterns;
  /** When the output first passed its class's soft limit (0: it is under it). */
  long softLimitSinceMs;

  Session(long id, Connection connection, long nowMs) {
    this.id = id;
    this.connection = connection;
    this.out = connection.output();
    this.createdMs = nowMs;
    this.lastInteractionMs = nowMs;
  }

  public int protocol() {
    return out.protocol();
  }

  Dict<Boolean> subscriptions(PubSub.Kind kind) {
    if (kind == PubSub.Kind.SHARD) {
      return shardChannels != null ? shardChannels : (shardChannels = new Dict<>());
    }
    return channels != null ? channels : (channels = new Dict<>());
  }

  Dict<Boolean> patternSubscriptions() {
    return patterns != null ? patterns : (patterns = new Dict<>());
  }

  /** Channels and patterns (what SUBSCRIBE and PSUBSCRIBE confirmations count; CLIENT LIST sub/psub). */
  public int subscriptionCount() {
    return channelCount() + patternCount();
  }

  public int channelCount() {
    return channels == null ? 0 : channels.size();
  }

  public int patternCount() {
    return patterns == null ? 0 : patterns.size();
  }

  public int shardSubscriptionCount() {
    return shardChannels == null ? 0 : shardChannels.size();
  }

  public int totalSubscriptionCount() {
    return subscriptionCount() + shardSubscriptionCount();
  }

  /** Redis's CLIENT_PUBSUB: subscribed to anything (in RESP2 only a few commands are then allowed). */
  public boolean inPubSub() {
    return totalSubscriptionCount() > 0;
  }

  public boolean isBlocked() {
    return waiter != null;
  }

  public String nameString() {
    return name == null ? "" : new String(name, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A key this client WATCHes, and whether it was already logically expired when watched. */
  public record WatchedKey(int db, byte[] key, boolean expiredAtWatch) {}
}
