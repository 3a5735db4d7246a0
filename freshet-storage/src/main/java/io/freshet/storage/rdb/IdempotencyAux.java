package io.freshet.storage.rdb;

import io.freshet.engine.stream.Idempotency;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A stream's IDMP state in a snapshot. Redis 7.x's RDB stream types have no room for it, so it
 * travels as an auxiliary field written right after the stream's key: Redis loads such a file
 * and skips the field (it ignores AUX fields it does not know), Freshet attaches it to the stream
 * just read. Layout, big-endian: duration s, maxsize, iids-added, iids-duplicates, record count,
 * then per record pid, iid (each int length + bytes), entry ID ms and seq. Any thread (pure).
 */
final class IdempotencyAux {
  static final byte[] NAME = "freshet-idmp".getBytes(StandardCharsets.US_ASCII);

  private IdempotencyAux() {}

  static byte[] encode(Idempotency idmp) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(idmp.durationS());
      out.writeInt(idmp.maxSize());
      out.writeLong(idmp.iidsAdded());
      out.writeLong(idmp.iidsDuplicates());
      int[] count = {0};
      idmp.forEach((pid, iid, id) -> count[0]++);
      out.writeInt(count[0]);
      idmp.forEach((pid, iid, id) -> {
        try {
          out.writeInt(pid.length);
          out.write(pid);
          out.writeInt(iid.length);
          out.write(iid);
          out.writeLong(id.ms());
          out.writeLong(id.seq());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** Gives {@code stream} the state in {@code data}. */
  static void decodeInto(StreamValue stream, byte[] data) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      int durationS = in.getInt();
      int maxSize = in.getInt();
      if (durationS < Idempotency.DURATION_MIN_S || durationS > Idempotency.DURATION_MAX_S
          || maxSize < Idempotency.MAXSIZE_MIN || maxSize > Idempotency.MAXSIZE_MAX) {
        throw new RdbException("Bad data format: IDMP settings out of range");
      }
      Idempotency idmp = stream.idempotency(durationS, maxSize);
      idmp.setCounters(in.getLong(), in.getLong());
      int n = in.getInt();
      for (int i = 0; i < n; i++) {
        byte[] pid = bytes(in);
        byte[] iid = bytes(in);
        idmp.restore(pid, iid, new StreamId(in.getLong(), in.getLong()));
      }
      if (in.hasRemaining()) {
        throw new RdbException("Bad data format: trailing IDMP bytes");
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new RdbException("Bad data format: truncated IDMP state");
    }
  }

  private static byte[] bytes(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new RdbException("Bad data format: IDMP string length");
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }
}
