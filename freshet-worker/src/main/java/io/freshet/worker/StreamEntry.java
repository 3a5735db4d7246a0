package io.freshet.worker;

import java.util.Map;

/**
 * One stream entry handed to a handler: where it came from, its fields in order, and how many
 * times it has been delivered (1 on first delivery). Immutable; any thread.
 */
public record StreamEntry(String stream, String id, Map<String, String> fields, long deliveries) {
  public StreamEntry {
    // Lettuce hands over a fresh LinkedHashMap per entry: wrapping it is enough
    fields = java.util.Collections.unmodifiableMap(fields);
  }

  /** A field's value, or null. */
  public String field(String name) {
    return fields.get(name);
  }
}
