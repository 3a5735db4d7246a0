package io.freshet.engine.stream;

import io.freshet.engine.protocol.ReplyWriter;

/**
 * A reusable view of one entry inside a {@link Chunk}; reading never allocates. Engine thread.
 */
public final class EntryCursor {
  Chunk chunk;
  int pos;
  int next;
  long ms;
  long seq;
  boolean deleted;
  int fieldCount;
  /** Position of the entry's own field list, or -1 when it uses the chunk's master fields. */
  int ownFields;
  int values;
  final long[] tmp = new long[1];

  public StreamId id() {
    return new StreamId(ms, seq);
  }

  public long ms() {
    return ms;
  }

  public long seq() {
    return seq;
  }

  public int compareTo(StreamId id) {
    int c = Long.compareUnsigned(ms, id.ms());
    return c != 0 ? c : Long.compareUnsigned(seq, id.seq());
  }

  public int fieldCount() {
    return fieldCount;
  }

  /** Approximate encoded bytes of this entry (for MAXSIZE-style accounting). */
  public int encodedBytes() {
    return next - pos;
  }

  /** Writes {@code [id, [field, value, ...]]}. */
  public void writeEntry(ReplyWriter out) {
    out.arrayHeader(2);
    writeId(out);
    writeFields(out);
  }

  public void writeId(ReplyWriter out) {
    out.bulk(new StreamId(ms, seq).toBytes());
  }

  public void writeFields(ReplyWriter out) {
    out.arrayHeader(fieldCount * 2L);
    byte[] data = chunk.data;
    int fp = ownFields;
    int vp = values;
    for (int i = 0; i < fieldCount; i++) {
      if (fp < 0) {
        out.bulk(chunk.masterFields[i]);
      } else {
        fp = chunk.readVarint(fp, tmp);
        int len = (int) tmp[0];
        out.bulk(data, fp, len);
        fp += len;
      }
      vp = chunk.readVarint(vp, tmp);
      int len = (int) tmp[0];
      out.bulk(data, vp, len);
      vp += len;
    }
  }

  /** Receives byte ranges without copying them. */
  public interface ByteSink {
    void bytes(byte[] b, int offset, int length);
  }

  /** Hands the field names and values to {@code sink}, without copying: f1 v1 f2 v2 ... */
  public void visit(ByteSink sink) {
    byte[] data = chunk.data;
    int fp = ownFields;
    int vp = values;
    for (int i = 0; i < fieldCount; i++) {
      if (fp < 0) {
        byte[] f = chunk.masterFields[i];
        sink.bytes(f, 0, f.length);
      } else {
        fp = chunk.readVarint(fp, tmp);
        sink.bytes(data, fp, (int) tmp[0]);
        fp += (int) tmp[0];
      }
      vp = chunk.readVarint(vp, tmp);
      sink.bytes(data, vp, (int) tmp[0]);
      vp += (int) tmp[0];
    }
  }

  /** Copies the entry's fields and values as {@code [f1, v1, f2, v2, ...]} (for DLQs, DUMP). */
  public byte[][] copyFieldsAndValues() {
    byte[][] out = new byte[fieldCount * 2][];
    byte[] data = chunk.data;
    int fp = ownFields;
    int vp = values;
    for (int i = 0; i < fieldCount; i++) {
      if (fp < 0) {
        out[2 * i] = chunk.masterFields[i];
      } else {
        fp = chunk.readVarint(fp, tmp);
        out[2 * i] = java.util.Arrays.copyOfRange(data, fp, fp + (int) tmp[0]);
        fp += (int) tmp[0];
      }
      vp = chunk.readVarint(vp, tmp);
      out[2 * i + 1] = java.util.Arrays.copyOfRange(data, vp, vp + (int) tmp[0]);
      vp += (int) tmp[0];
    }
    return out;
  }
}
