package io.freshet.worker;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections a processor or producer uses, to one server or to a Redis Cluster, chosen by
 * the URI: {@code redis://host:port} (or {@code rediss://}) for one server,
 * {@code redis-cluster://host:port[,host:port...]} (or {@code rediss-cluster://}) for a cluster,
 * where the given nodes are seeds. Each stream key lives in one slot; MULTI/EXEC goes to the node
 * that owns the stream's slot, so everything written with it must share that slot. Not
 * thread-safe beyond what Lettuce's connections are.
 */
final class Links implements AutoCloseable {
  private final RedisClient client;
  private final RedisClusterClient clusterClient;
  private final List<AutoCloseable> connections = new ArrayList<>();

  Links(String uri) {
    String lower = uri.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://")) {
      String scheme = lower.startsWith("rediss") ? "rediss://" : "redis://";
      String rest = uri.substring(uri.indexOf("://") + 3);
      List<RedisURI> seeds = new ArrayList<>();
      for (String hostPort : rest.split(",")) {
        seeds.add(RedisURI.create(scheme + hostPort.trim()));
      }
      this.client = null;
      this.clusterClient = RedisClusterClient.create(seeds);
    } else {
      this.client = RedisClient.create(uri);
      this.clusterClient = null;
    }
  }

  /** True when the URI names a cluster. */
  static boolean isCluster(String uri) {
    String lower = uri.toLowerCase(java.util.Locale.ROOT);
    return lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://");
  }

  boolean cluster() {
    return clusterClient != null;
  }

  /** A new connection for ordinary commands (routed by key in a cluster). */
  RedisClusterCommands<String, String> open() {
    if (client != null) {
      StatefulRedisConnection<String, String> c = client.connect();
      connections.add(c);
      return c.sync();
    }
    StatefulRedisClusterConnection<String, String> c = clusterClient.connect();
    connections.add(c);
    return c.sync();
  }

  /** A new connection for pipelined commands (routed by key in a cluster). */
  RedisClusterAsyncCommands<String, String> openAsync() {
    if (client != null) {
      StatefulRedisConnection<String, String> c = client.connect();
      connections.add(c);
      return c.async();
    }
    StatefulRedisClusterConnection<String, String> c = clusterClient.connect();
    connections.add(c);
    return c.async();
  }

  /** A connection whose MULTI/EXEC reaches the node owning {@code key}'s slot. */
  Transactional openTransactional(String key) {
    if (client != null) {
      StatefulRedisConnection<String, String> c = client.connect();
      connections.add(c);
      return () -> c.sync();
    }
    StatefulRedisClusterConnection<String, String> c = clusterClient.connect();
    connections.add(c);
    int slot = SlotHash.getSlot(key);
    // asked each time: the slot may move to another node (resharding, failover)
    return () -> c.getConnection(c.getPartitions().getPartitionBySlot(slot).getNodeId()).sync();
  }

  /** Where MULTI/EXEC runs. */
  interface Transactional {
    RedisCommands<String, String> sync();
  }

  /**
   * A prefix in {@code stream}'s slot for the keys written with it in one MULTI/EXEC: the stream
   * itself when it has a hash tag (or there is no cluster), else {@code {stream}}.
   */
  static String sameSlotPrefix(String stream, boolean cluster) {
    if (!cluster || hasHashTag(stream)) {
      return stream;
    }
    return "{" + stream + "}";
  }

  /** True when Redis would hash only part of the key ({@code {...}} with something inside). */
  static boolean hasHashTag(String key) {
    int open = key.indexOf('{');
    if (open < 0) {
      return false;
    }
    int close = key.indexOf('}', open + 1);
    return close > open + 1;
  }

  static boolean sameSlot(String a, String b) {
    return SlotHash.getSlot(a) == SlotHash.getSlot(b);
  }

  @Override
  public void close() {
    for (AutoCloseable c : connections) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } else {
      clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
