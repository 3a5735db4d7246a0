package io.freshet.storage.rdb;

import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.PendingList;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The entries a stream's groups hold in their NACK zones (XNACK, Redis 8.8), in a snapshot. Redis
 * 7.x loads a PEL entry without an owner as one it cannot serve, so the stream's RDB record leaves
 * them out and they follow it as an auxiliary field (which Redis skips). Layout, big-endian:
 * group count, then per group its name (int length + bytes) and entry count, then per entry in
 * XNACK order ID ms, seq and delivery count. Any thread (pure).
 */
final class NackedAux {
  static final byte[] NAME = "freshet-nacked".getBytes(StandardCharsets.US_ASCII);

  private NackedAux() {}

  /** The field's value, or null when no group has NACKed entries. */
  static byte[] encode(StreamValue s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    int groups = 0;
    try {
      for (ConsumerGroup g : s.groups.values()) {
        if (g.nackedCount() > 0) {
          groups++;
        }
      }
      if (groups == 0) {
        return null;
      }
      out.writeInt(groups);
      for (Map.Entry<byte[], ConsumerGroup> e : s.groups.entrySet()) {
        ConsumerGroup g = e.getValue();
        List<StreamId> ids = g.nackedIds();
        if (ids.isEmpty()) {
          continue;
        }
        out.writeInt(g.name.length);
        out.write(g.name);
        out.writeInt(ids.size());
        for (StreamId id : ids) {
          out.writeLong(id.ms());
          out.writeLong(id.seq());
          out.writeLong(g.pel.find(id).deliveryCount());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** Puts the entries back into the groups' NACK zones, in their order. */
  static void decodeInto(StreamValue s, byte[] data) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      int groups = in.getInt();
      for (int i = 0; i < groups; i++) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
          throw new RdbException("Bad data format: NACK group name length");
        }
        byte[] name = new byte[n];
        in.get(name);
        ConsumerGroup g = s.groups.get(name);
        if (g == null) {
          throw new RdbException("Bad data format: NACKed entries of an unknown group");
        }
        int entries = in.getInt();
        for (int k = 0; k < entries; k++) {
          StreamId id = new StreamId(in.getLong(), in.getLong());
          long count = in.getLong();
          PendingList.Cursor owned = g.pel.find(id);
          if (owned != null) {
            throw new RdbException("Bad data format: a NACKed entry is also owned");
          }
          g.addNacked(id, count);
        }
      }
      if (in.hasRemaining()) {
        throw new RdbException("Bad data format: trailing NACK bytes");
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new RdbException("Bad data format: truncated NACK state");
    }
  }
}
