package io.freshet.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a dead-letter entry: the original fields plus where the entry came from and why
 * it failed. Shared by the processor and the CLI's reclaim and replay. Stateless; any thread.
 */
public final class DeadLetter {
  /** The fields a dead letter adds; replay removes them again. */
  public static final List<String> METADATA_FIELDS = List.of("original_stream", "original_id", "group", "consumer",
      "deliveries", "error", "failed_at");

  private DeadLetter() {}

  /** The dead-letter stream a stream's failures go to unless told otherwise. */
  public static String defaultStream(String stream) {
    return defaultStream(stream, false);
  }

  /**
   * As {@link #defaultStream(String)}; on a cluster, in the stream's slot: {@code orders:{0}}
   * gives {@code orders:{0}:dlq}, an untagged {@code orders} gives {@code {orders}:dlq}.
   */
  public static String defaultStream(String stream, boolean cluster) {
    return Links.sameSlotPrefix(stream, cluster) + ":dlq";
  }

  /** The dead-letter entry for an entry with {@code fields} (null when the entry is gone). */
  public static Map<String, String> entry(Map<String, String> fields, String stream, String id, String group,
      String consumer, long deliveries, String error) {
    Map<String, String> body = new LinkedHashMap<>(fields == null ? Map.of() : fields);
    body.put("original_stream", stream);
    body.put("original_id", id);
    body.put("group", group);
    body.put("consumer", consumer);
    body.put("deliveries", Long.toString(deliveries));
    body.put("error", error);
    body.put("failed_at", Long.toString(System.currentTimeMillis()));
    return body;
  }

  /** The original fields of a dead-letter entry. */
  public static Map<String, String> original(Map<String, String> deadLetter) {
    Map<String, String> body = new LinkedHashMap<>(deadLetter);
    METADATA_FIELDS.forEach(body::remove);
    return body;
  }
}
