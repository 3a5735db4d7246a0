package io.freshet.engine.stream;

import java.util.Arrays;

/**
 * Up to {@code stream-node-max-entries} entries packed in one byte array, like one of Redis's
 * listpack nodes. No object per entry. Owned by the engine thread.
 *
 * <pre>
 * entry  := header:varint  [bigMsDelta:varint]  seq:varint  [fieldCount:varint (field)*]  (value)*
 * header := msDelta &lt;&lt; 3 | flags      (msDelta = ms - chunk.baseMs, when it fits in 58 bits)
 * flags  : bit 0 DELETED, bit 1 SAME_FIELDS (fields are the chunk's master fields, omitted),
 *          bit 2 BIG_DELTA (msDelta did not fit: header holds 0 and bigMsDelta follows)
 * seq    := seq - chunk.baseSeq when ms == baseMs, else seq
 * field, value := length:varint bytes
 * </pre>
 *
 * For the seeds' order entry this is 14 bytes (1 header, 1 seq, 4 length-prefixed values).
 * Every field is relative to the chunk's first ID, never to the previous entry, so any entry can
 * be decoded from its position alone. DELETED is bit 0 of the header's first byte, so deleting
 * flips one bit in place.
 *
 * The master fields are the first entry's; a stream of uniform entries (the common case) stores
 * each field name once per chunk. Deleting flips the DELETED bit in place.
 */
public final class Chunk {
  static final int DELETED = 1;
  static final int SAME_FIELDS = 2;
  static final int BIG_DELTA = 4;
  private static final long MAX_SMALL_DELTA = (1L << 58) - 1;

  final long baseMs;
  final long baseSeq;
  final byte[][] masterFields;
  byte[] data;
  int used;
  int count;
  int deleted;
  /** ID of the last entry appended (deleted or not). */
  long lastMs;
  long lastSeq;

  Chunk(long baseMs, long baseSeq, byte[][] masterFields, int initialBytes) {
    this.baseMs = baseMs;
    this.baseSeq = baseSeq;
    this.masterFields = masterFields;
    this.data = new byte[Math.max(16, initialBytes)];
  }

  /** An independent copy of the packed bytes and counters, for snapshots. */
  Chunk copy() {
    Chunk c = new Chunk(baseMs, baseSeq, masterFields, 0);
    c.data = java.util.Arrays.copyOf(data, used);
    c.used = used;
    c.count = count;
    c.deleted = deleted;
    c.lastMs = lastMs;
    c.lastSeq = lastSeq;
    return c;
  }

  int live() {
    return count - deleted;
  }

  /** Bytes this chunk holds on the heap (array, object, master fields). */
  long memoryBytes() {
    long m = 16 + data.length + 48 + 16 + 4L * masterFields.length;
    for (byte[] f : masterFields) {
      m += 16 + f.length;
    }
    return m;
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Encoded size of an entry, to decide whether it fits the byte limit. */
  private long seqField(long ms, long seq) {
    return ms == baseMs ? seq - baseSeq : seq;
  }

  private static boolean small(long delta) {
    return Long.compareUnsigned(delta, MAX_SMALL_DELTA) <= 0;
  }

  int encodedSize(long ms, long seq, byte[][] fields, byte[][] values, boolean same) {
    long delta = ms - baseMs;
    int size = small(delta) ? varintSize(delta << 3) : 1 + varintSize(delta);
    size += varintSize(seqField(ms, seq));
    if (!same) {
      size += varintSize(fields.length);
      for (byte[] f : fields) {
        size += varintSize(f.length) + f.length;
      }
    }
    for (byte[] v : values) {
      size += varintSize(v.length) + v.length;
    }
    return size;
  }

  boolean sameAsMaster(byte[][] fields) {
    if (fields.length != masterFields.length) {
      return false;
    }
    for (int i = 0; i < fields.length; i++) {
      if (!Arrays.equals(fields[i], masterFields[i])) {
        return false;
      }
    }
    return true;
  }

  void append(long ms, long seq, byte[][] fields, byte[][] values, boolean same, int size) {
    if (used + size > data.length) {
      data = Arrays.copyOf(data, Math.max(used + size, data.length * 2));
    }
    int flags = same ? SAME_FIELDS : 0;
    long delta = ms - baseMs;
    if (small(delta)) {
      writeVarint(delta << 3 | flags);
    } else {
      writeVarint(flags | BIG_DELTA);
      writeVarint(delta);
    }
    writeVarint(seqField(ms, seq));
    if (!same) {
      writeVarint(fields.length);
      for (byte[] f : fields) {
        writeBytes(f);
      }
    }
    for (byte[] v : values) {
      writeBytes(v);
    }
    count++;
    lastMs = ms;
    lastSeq = seq;
  }

  /** Shrinks the array to what is used: called when the chunk stops receiving entries. */
  void seal() {
    if (data.length != used) {
      data = Arrays.copyOf(data, used);
    }
  }

  private void writeVarint(long v) {
    while ((v & ~0x7FL) != 0) {
      data[used++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    data[used++] = (byte) v;
  }

  private void writeBytes(byte[] b) {
    writeVarint(b.length);
    System.arraycopy(b, 0, data, used, b.length);
    used += b.length;
  }

  /** Reads the entry at {@code pos} into the cursor; returns the next entry's position. */
  int read(int pos, EntryCursor c) {
    c.chunk = this;
    c.pos = pos;
    long[] tmp = c.tmp;
    pos = readVarint(pos, tmp);
    long header = tmp[0];
    int flags = (int) (header & 7);
    c.deleted = (flags & DELETED) != 0;
    if ((flags & BIG_DELTA) != 0) {
      pos = readVarint(pos, tmp);
      c.ms = baseMs + tmp[0];
    } else {
      c.ms = baseMs + (header >>> 3);
    }
    pos = readVarint(pos, tmp);
    c.seq = c.ms == baseMs ? baseSeq + tmp[0] : tmp[0];
    if ((flags & SAME_FIELDS) != 0) {
      c.fieldCount = masterFields.length;
      c.ownFields = -1;
    } else {
      pos = readVarint(pos, tmp);
      c.fieldCount = (int) tmp[0];
      c.ownFields = pos;
      for (int i = 0; i < c.fieldCount; i++) {
        pos = skipBytes(pos, tmp);
      }
    }
    c.values = pos;
    for (int i = 0; i < c.fieldCount; i++) {
      pos = skipBytes(pos, tmp);
    }
    c.next = pos;
    return pos;
  }

  int readVarint(int pos, long[] out) {
    long v = 0;
    int shift = 0;
    while (true) {
      byte b = data[pos++];
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    out[0] = v;
    return pos;
  }

  private int skipBytes(int pos, long[] tmp) {
    pos = readVarint(pos, tmp);
    return pos + (int) tmp[0];
  }

  void markDeleted(int pos) {
    data[pos] |= DELETED;
    deleted++;
  }
}
