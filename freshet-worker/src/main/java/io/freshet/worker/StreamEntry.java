package io.freshet.worker;

import java.util.Map;

/**
 * One stream entry handed to a handler: where it came from, its fields in order, and how many
 * times it has been delivered (1 on first delivery). Immutable; any thread.
 */
public record StreamEntry(String stream, String id, Map<String, String> fields, long deliveries) {
  public StreamEntry {
    fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
  }

  /** A field's value, or null. */
  public String field(String name) {
    return fields.get(name);
  }
}
