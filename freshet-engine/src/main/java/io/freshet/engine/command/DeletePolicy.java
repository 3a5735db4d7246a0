package io.freshet.engine.command;

import io.freshet.engine.Call;

/**
 * Redis 8.2's deletion policies for XDELEX, XACKDEL and trimming: what happens to consumer
 * groups' references to the entries that go. Immutable.
 */
enum DeletePolicy {
  /** Delete the entries; pending references stay (XDEL's behaviour, the default). */
  KEEPREF,
  /** Delete the entries and every group's pending reference to them. */
  DELREF,
  /** Delete only entries no group still needs: none has them pending or unread. */
  ACKED;

  final byte[] keyword = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The policy this argument names, or null. */
  static DeletePolicy parse(byte[] arg) {
    for (DeletePolicy p : values()) {
      if (Call.is(arg, p.name())) {
        return p;
      }
    }
    return null;
  }
}
