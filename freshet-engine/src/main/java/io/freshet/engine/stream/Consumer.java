package io.freshet.engine.stream;

/** A consumer of a group: its name, activity times and its own PEL. Engine thread. */
public final class Consumer {
  public final byte[] name;
  /** Last time the consumer was seen by any command (XINFO CONSUMERS idle). */
  public long seenTimeMs;
  /** Last time it read or claimed entries (7.2's inactive); -1 never. */
  public long activeTimeMs = -1;
  /** IDs this consumer has pending; delivery time and count live in the group's list. */
  public final PendingList pel = new PendingList(false);

  Consumer(byte[] name, long nowMs) {
    this.name = name;
    this.seenTimeMs = nowMs;
  }

  public String nameString() {
    return new String(name, java.nio.charset.StandardCharsets.UTF_8);
  }
}
