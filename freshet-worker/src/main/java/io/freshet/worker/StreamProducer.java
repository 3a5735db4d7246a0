package io.freshet.worker;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Appends entries to one stream with a retention policy: at most {@code maxLen} entries, or
 * entries no older than {@code maxAge} (as {@code MINID}), both approximate ({@code ~}) so Redis
 * and Freshet trim whole nodes cheaply. Batches are pipelined in one round trip. The URI names
 * one server or a cluster (see {@link StreamProcessor.Builder}).
 *
 * <p>Thread-safe: Lettuce pipelines concurrent callers on one connection.
 */
public final class StreamProducer implements AutoCloseable {
  private final Links links;
  private final RedisClusterCommands<String, String> sync;
  private final RedisClusterAsyncCommands<String, String> async;
  private final String stream;
  private final long maxLen;
  private final Duration maxAge;
  private final String dedupPrefix;
  private volatile Duration dedupWindow = Duration.ofHours(24);

  /**
   * Idempotent publishing as one script on the server (Freshet or any Redis with Lua): the
   * message's dedup key holds the ID it was published under; a repeat returns that ID and
   * appends nothing.
   */
  private static final ServerScript PUBLISH_ONCE = new ServerScript(
      "local seen = redis.call('GET', KEYS[2])",
      "if seen then return seen end",
      "local args = {'XADD', KEYS[1]}",
      "if ARGV[2] ~= '' then",
      "  args[#args + 1] = 'MAXLEN'; args[#args + 1] = '~'; args[#args + 1] = ARGV[2]",
      "elseif ARGV[3] ~= '' then",
      "  args[#args + 1] = 'MINID'; args[#args + 1] = '~'; args[#args + 1] = ARGV[3]",
      "end",
      "args[#args + 1] = '*'",
      "for i = 4, #ARGV do args[#args + 1] = ARGV[i] end",
      "local id = redis.call(unpack(args))",
      "redis.call('SET', KEYS[2], id, 'PX', ARGV[1])",
      "return id");

  private StreamProducer(String uri, String stream, long maxLen, Duration maxAge) {
    this.links = new Links(uri);
    this.sync = links.open();
    this.async = links.openAsync();
    this.stream = stream;
    this.maxLen = maxLen;
    this.maxAge = maxAge;
    this.dedupPrefix = Links.sameSlotPrefix(stream, links.cluster()) + ":idmp:";
  }

  /** How long {@link #addOnce} remembers a message (default 24 hours). */
  public StreamProducer dedupWindow(Duration window) {
    this.dedupWindow = window;
    return this;
  }

  /**
   * Appends an entry unless {@code producerId}/{@code messageId} was published within the dedup
   * window; returns the entry's ID either way (the first one for a repeat). A producer that
   * retries after a timeout cannot duplicate a message. The dedup key shares the stream's slot.
   */
  public String addOnce(String producerId, String messageId, Map<String, String> fields) {
    List<String> args = new ArrayList<>();
    args.add(Long.toString(Math.max(1, dedupWindow.toMillis())));
    args.add(maxLen > 0 ? Long.toString(maxLen) : "");
    args.add(maxLen <= 0 && maxAge != null ? (System.currentTimeMillis() - maxAge.toMillis()) + "-0" : "");
    fields.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return PUBLISH_ONCE.run(sync, ScriptOutputType.VALUE, new String[] {stream, dedupPrefix + producerId + ":" + messageId},
        args.toArray(new String[0]));
  }

  /** A producer that keeps everything. */
  public static StreamProducer create(String uri, String stream) {
    return new StreamProducer(uri, stream, 0, null);
  }

  /** A producer that keeps about the newest {@code maxLen} entries. */
  public static StreamProducer withMaxLen(String uri, String stream, long maxLen) {
    if (maxLen < 1) {
      throw new IllegalArgumentException("maxLen must be positive");
    }
    return new StreamProducer(uri, stream, maxLen, null);
  }

  /** A producer that drops entries older than {@code maxAge} (by their ID's time). */
  public static StreamProducer withMaxAge(String uri, String stream, Duration maxAge) {
    return new StreamProducer(uri, stream, 0, maxAge);
  }

  private XAddArgs args() {
    XAddArgs args = new XAddArgs();
    if (maxLen > 0) {
      args.maxlen(maxLen).approximateTrimming();
    } else if (maxAge != null) {
      args.minId((System.currentTimeMillis() - maxAge.toMillis()) + "-0").approximateTrimming();
    }
    return args;
  }

  /** Appends one entry; returns its ID. */
  public String add(Map<String, String> fields) {
    return sync.xadd(stream, args(), fields);
  }

  /** Appends entries in one pipelined round trip; returns their IDs in order. */
  public List<String> addAll(List<Map<String, String>> entries) {
    List<RedisFuture<String>> futures = new ArrayList<>(entries.size());
    XAddArgs args = args();
    for (Map<String, String> fields : entries) {
      futures.add(async.xadd(stream, args, fields));
    }
    LettuceFutures.awaitAll(Duration.ofMinutes(1), futures.toArray(new RedisFuture[0]));
    List<String> ids = new ArrayList<>(futures.size());
    for (RedisFuture<String> f : futures) {
      try {
        ids.add(f.get());
      } catch (Exception e) {
        throw new IllegalStateException("XADD failed: " + e.getMessage(), e);
      }
    }
    return ids;
  }

  @Override
  public void close() {
    links.close();
  }
}
