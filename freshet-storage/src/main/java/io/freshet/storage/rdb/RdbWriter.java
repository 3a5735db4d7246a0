package io.freshet.storage.rdb;

import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.stream.Consumer;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.PendingList;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import io.freshet.storage.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Writes Redis's RDB format: whole snapshots (version 11 as Redis 7.2–7.4 write them, or 10 for
 * Redis 7.0) and DUMP payloads. Strings, lists, sets and hashes use the plain encodings every
 * Redis since 2.x loads; streams use listpack nodes (STREAM_LISTPACKS_3 in version 11,
 * STREAM_LISTPACKS_2 in 10, which lacks consumers' active-time).
 *
 * <p>Reads engine data, so it runs on the engine thread; the bytes it produces can be written to
 * disk from any thread.
 */
public final class RdbWriter {
  /** Stream nodes are cut at this many entries or bytes, as Redis's defaults do. */
  private static final int NODE_MAX_ENTRIES = 100;
  private static final int NODE_MAX_BYTES = 4096;

  /** Redis compresses strings longer than this (rdbSaveRawString). */
  private static final int COMPRESS_OVER_BYTES = 20;

  /**
   * How snapshots and payloads are written: {@code rdbcompression} (LZF for strings over 20
   * bytes) and {@code rdbchecksum} (a zero CRC-64 when off, which readers skip).
   */
  public record Options(boolean compression, boolean checksum) {
    public static final Options DEFAULT = new Options(true, true);
    /** No compression: the bytes of the plain encodings (tests compare these). */
    public static final Options PLAIN = new Options(false, true);
  }

  private final Bytes out;
  private final int version;
  private final boolean compression;
  private byte[] lzfBuffer;

  /** The RDB type streams are written as: 19 or 21 for files, 26 or 27 for some DUMPs. */
  private int streamType;
  /** IDMP settings for a stream without IDMP state written as STREAM_LISTPACKS_5. */
  private io.freshet.engine.stream.Idempotency idmpDefaults;

  public RdbWriter(Bytes out, int version) {
    this(out, version, false);
  }

  private RdbWriter(Bytes out, int version, boolean compression) {
    if (version != 10 && version != 11) {
      throw new IllegalArgumentException("RDB version must be 10 or 11");
    }
    this.out = out;
    this.version = version;
    this.streamType = version >= 11 ? Rdb.TYPE_STREAM_LISTPACKS_3 : Rdb.TYPE_STREAM_LISTPACKS_2;
    this.compression = compression;
  }

  /** A whole snapshot of {@code dbs}: header, aux fields, databases, EOF and checksum. */
  public static void snapshot(Bytes out, int version, Database[] dbs, long nowMs, boolean aofBase) {
    snapshot(out, version, dbs, java.util.List.of(), nowMs, aofBase, Options.PLAIN);
  }

  /** As above, with the function libraries (FUNCTION LOAD codes) before the databases. */
  public static void snapshot(Bytes out, int version, Database[] dbs, java.util.List<byte[]> functions, long nowMs,
      boolean aofBase, Options options) {
    RdbWriter w = new RdbWriter(out, version, options.compression());
    w.raw(String.format("REDIS%04d", version).getBytes(StandardCharsets.US_ASCII));
    w.aux("redis-ver", "7.4.0");
    w.aux("redis-bits", "64");
    w.aux("ctime", Long.toString(nowMs / 1000));
    w.aux("used-mem", Long.toString(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
    w.aux("aof-base", aofBase ? "1" : "0");
    for (byte[] code : functions) {
      w.out.write(Rdb.OPCODE_FUNCTION2);
      w.string(code);
    }
    for (Database db : dbs) {
      if (db.size() == 0) {
        continue;
      }
      w.out.write(Rdb.OPCODE_SELECTDB);
      w.len(db.index);
      w.out.write(Rdb.OPCODE_RESIZEDB);
      w.len(db.size());
      w.len(db.expiresSize());
      for (Dict.Entry<Object> e = db.data.keys.first(); e != null; e = e.after()) {
        long expireAt = db.expireAt(e.key());
        if (expireAt >= 0) {
          w.out.write(Rdb.OPCODE_EXPIRETIME_MS);
          w.millis(expireAt);
        }
        w.out.write(typeOf(e.value(), version));
        w.string(e.key());
        w.value(e.value());
        if (e.value() instanceof StreamValue s) {
          if (s.idempotency() != null) {
            w.out.write(Rdb.OPCODE_AUX);
            w.string(IdempotencyAux.NAME);
            w.string(IdempotencyAux.encode(s.idempotency()));
          }
          byte[] nacked = NackedAux.encode(s);
          if (nacked != null) {
            w.out.write(Rdb.OPCODE_AUX);
            w.string(NackedAux.NAME);
            w.string(nacked);
          }
        }
      }
    }
    w.out.write(Rdb.OPCODE_EOF);
    // rdbchecksum no: Redis writes zero, which loaders take as "not computed"
    long crc = options.checksum() ? Crc64.update(0, out.array(), 0, out.size()) : 0;
    w.millis(crc); // little-endian, as rdbSaveRaw(&cksum) on x86
  }

  /** FUNCTION DUMP's payload: each library as FUNCTION2 + code, RDB version, CRC-64. */
  public static byte[] dumpFunctions(java.util.List<byte[]> codes, int version) {
    Bytes out = new Bytes(256);
    RdbWriter w = new RdbWriter(out, version);
    for (byte[] code : codes) {
      out.write(Rdb.OPCODE_FUNCTION2);
      w.string(code);
    }
    out.write(version & 0xff);
    out.write((version >>> 8) & 0xff);
    long crc = Crc64.update(0, out.array(), 0, out.size());
    w.millis(crc);
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  /**
   * DUMP's payload: type, value, RDB version (2 bytes LE), CRC-64 (8 bytes LE). A stream with
   * XNACKed entries is written as Redis 8.8 does (STREAM_LISTPACKS_5, RDB 14), one with IDMP
   * state as Redis 8.6 (STREAM_LISTPACKS_4, RDB 13), so that RESTORE keeps that state; Redis 7.x
   * refuses such a payload by its version, as it would refuse Redis 8's. Everything else keeps
   * {@code version}, so plain streams still travel to Redis 7.
   */
  public static byte[] dump(Object value, int version) {
    return dump(value, version, 100, 100, false);
  }

  /**
   * As above; a stream written with NACK state but no IDMP state of its own reports the {@code
   * stream-idmp-*} configs, as it does in XINFO, and carries them. {@code compression} as
   * rdbcompression (DUMP always carries its CRC, as in Redis).
   */
  public static byte[] dump(Object value, int version, int idmpDurationS, int idmpMaxSize, boolean compression) {
    Bytes out = new Bytes(64);
    RdbWriter w = new RdbWriter(out, version, compression);
    w.idmpDefaults = new io.freshet.engine.stream.Idempotency(idmpDurationS, idmpMaxSize);
    if (value instanceof StreamValue s && hasNacked(s)) {
      w.streamType = Rdb.TYPE_STREAM_LISTPACKS_5;
      version = Rdb.VERSION_STREAM_LISTPACKS_5;
    } else if (value instanceof StreamValue s && s.idempotency() != null) {
      w.streamType = Rdb.TYPE_STREAM_LISTPACKS_4;
      version = Rdb.VERSION_STREAM_LISTPACKS_4;
    }
    out.write(value instanceof StreamValue ? w.streamType : typeOf(value, version));
    w.value(value);
    out.write(version & 0xff);
    out.write((version >> 8) & 0xff);
    long crc = Crc64.update(0, out.array(), 0, out.size());
    w.millis(crc);
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  private static boolean hasNacked(StreamValue s) {
    for (ConsumerGroup g : s.groups.values()) {
      if (g.nackedCount() > 0) {
        return true;
      }
    }
    return false;
  }

  static int typeOf(Object value, int version) {
    if (value instanceof byte[]) {
      return Rdb.TYPE_STRING;
    } else if (value instanceof ListValue) {
      return Rdb.TYPE_LIST;
    } else if (value instanceof SetValue) {
      return Rdb.TYPE_SET;
    } else if (value instanceof HashValue) {
      return Rdb.TYPE_HASH;
    } else if (value instanceof StreamValue) {
      return version >= 11 ? Rdb.TYPE_STREAM_LISTPACKS_3 : Rdb.TYPE_STREAM_LISTPACKS_2;
    }
    throw new IllegalArgumentException("no RDB type for " + value.getClass());
  }

  void value(Object value) {
    if (value instanceof byte[] b) {
      string(b);
    } else if (value instanceof ListValue l) {
      len(l.size());
      for (int i = 0; i < l.size(); i++) {
        string(l.get(i));
      }
    } else if (value instanceof SetValue s) {
      len(s.members.size());
      for (Dict.Entry<Boolean> e = s.members.first(); e != null; e = e.after()) {
        string(e.key());
      }
    } else if (value instanceof HashValue h) {
      len(h.fields.size());
      for (Dict.Entry<byte[]> e = h.fields.first(); e != null; e = e.after()) {
        string(e.key());
        string(e.value());
      }
    } else if (value instanceof StreamValue s) {
      stream(s);
    } else {
      throw new IllegalArgumentException("no RDB encoding for " + value.getClass());
    }
  }

  private void stream(StreamValue s) {
    // Nodes cut at Redis's default node size, so Redis loads them into nodes of the shape it
    // would have built itself.
    NodeEncoder nodes = new NodeEncoder();
    s.forward(StreamId.MIN, StreamId.MAX, nodes);
    nodes.flush();
    len(nodes.count);
    out.write(nodes.body.array(), 0, nodes.body.size());
    len(s.length());
    len(s.lastId().ms());
    len(s.lastId().seq());
    StreamId first = s.length() == 0 ? StreamId.MIN : s.firstId();
    len(first.ms());
    len(first.seq());
    len(s.maxDeletedId().ms());
    len(s.maxDeletedId().seq());
    len(s.entriesAdded());
    len(s.groups.size());
    for (ConsumerGroup g : s.groups.values()) {
      string(g.name);
      len(g.lastId.ms());
      len(g.lastId.seq());
      len(g.entriesRead);
      // XNACKed entries have no owner: Redis 7.x cannot load such PEL entries, so before
      // STREAM_LISTPACKS_5 they travel in Freshet's AUX field instead (see NackedAux)
      boolean withNacked = streamType >= Rdb.TYPE_STREAM_LISTPACKS_5;
      long written = 0;
      for (PendingList.Cursor c = g.pel.first(); c.valid(); c.next()) {
        written += c.owner() != null || withNacked ? 1 : 0; // counted: must match what follows
      }
      len(written);
      for (PendingList.Cursor c = g.pel.first(); c.valid(); c.next()) {
        if (c.owner() == null && !withNacked) {
          continue;
        }
        id(c.id());
        millis(c.deliveryTimeMs());
        len(c.deliveryCount());
      }
      len(g.consumers.size());
      for (Consumer consumer : g.consumers.values()) {
        string(consumer.name);
        millis(consumer.seenTimeMs);
        if (streamType >= Rdb.TYPE_STREAM_LISTPACKS_3) { // the type, not the file version, decides
          millis(consumer.activeTimeMs);
        }
        len(consumer.pel.size());
        for (PendingList.Cursor c = consumer.pel.first(); c.valid(); c.next()) {
          id(c.id());
        }
      }
      if (withNacked) {
        java.util.List<StreamId> nacked = g.nackedIds(); // the NACK zone, in XNACK order
        len(nacked.size());
        for (StreamId id : nacked) {
          id(id);
        }
      }
    }
    if (streamType >= Rdb.TYPE_STREAM_LISTPACKS_4) {
      idempotency(s.idempotency());
    }
  }

  /**
   * STREAM_LISTPACKS_4's IDMP section: duration s, max size, then per producer its ID and its
   * idempotent IDs oldest first, each with its entry ID; then the two lifetime counters.
   */
  private void idempotency(io.freshet.engine.stream.Idempotency idmp) {
    if (idmp == null) {
      idmp = idmpDefaults; // only with NACK state: nothing recorded
    }
    java.util.LinkedHashMap<String, java.util.List<Object[]>> producers = new java.util.LinkedHashMap<>();
    idmp.forEach((pid, iid, id) -> producers
        .computeIfAbsent(new String(pid, StandardCharsets.ISO_8859_1), k -> new java.util.ArrayList<>())
        .add(new Object[] {iid, id}));
    len(idmp.durationS());
    len(idmp.maxSize());
    len(producers.size());
    for (var e : producers.entrySet()) {
      string(e.getKey().getBytes(StandardCharsets.ISO_8859_1));
      len(e.getValue().size());
      for (Object[] record : e.getValue()) {
        string((byte[]) record[0]);
        StreamId id = (StreamId) record[1];
        len(id.ms());
        len(id.seq());
      }
    }
    len(idmp.iidsAdded());
    len(idmp.iidsDuplicates());
  }

  /** Turns the stream's live entries into listpack nodes as Redis's streamAppendItem builds them. */
  /**
   * Packs entries into listpack nodes cut by Redis's default limits only, so the encoding does
   * not depend on the engine's chunk layout (the same data always gives the same bytes).
   */
  private final class NodeEncoder implements StreamValue.Visitor {
    final Bytes body = new Bytes(256);
    int count;
    private Listpack.Writer lp;
    private long masterMs;
    private long masterSeq;
    private byte[][] masterFields;
    private int entries;
    private final FieldCollector fields = new FieldCollector();

    @Override
    public boolean visit(EntryCursor e) {
      fields.reset();
      e.visit(fields);
      int n = e.fieldCount();
      if (lp != null && (entries >= NODE_MAX_ENTRIES || lp.bytes() >= NODE_MAX_BYTES)) {
        flush();
      }
      if (lp == null) {
        start(e, n);
      }
      boolean same = masterFields.length == n;
      for (int i = 0; same && i < n; i++) {
        same = fields.fieldEquals(i, masterFields[i]);
      }
      lp.addInt(same ? Rdb.STREAM_ITEM_FLAG_SAMEFIELDS : 0);
      lp.addInt(e.ms() - masterMs);
      lp.addInt(e.seq() - masterSeq);
      if (same) {
        for (int i = 0; i < n; i++) {
          fields.addValue(lp, i);
        }
      } else {
        lp.addInt(n);
        for (int i = 0; i < n; i++) {
          fields.addField(lp, i);
          fields.addValue(lp, i);
        }
      }
      lp.addInt(same ? n + 3 : 2L * n + 4);
      entries++;
      return true;
    }

    private void start(EntryCursor e, int n) {
      lp = new Listpack.Writer();
      masterMs = e.ms();
      masterSeq = e.seq();
      masterFields = new byte[n][];
      for (int i = 0; i < n; i++) {
        masterFields[i] = fields.copy(2 * i);
      }
      entries = 0;
      lp.addInt(0); // count, patched in flush()
      lp.addInt(0); // deleted
      lp.addInt(n);
      for (byte[] f : masterFields) {
        lp.addString(f);
      }
      lp.addInt(0); // master entry terminator
    }

    void flush() {
      if (lp == null) {
        return;
      }
      // The count is the first element, a one-byte integer while NODE_MAX_ENTRIES <= 127.
      byte[] done = lp.finish();
      done[6] = (byte) entries;
      Bytes key = new Bytes(16);
      key.skip(16);
      putLongBe(key.array(), 0, masterMs);
      putLongBe(key.array(), 8, masterSeq);
      RdbWriter.this.rawString(body, key.array(), 16);
      RdbWriter.this.rawString(body, done, done.length);
      count++;
      lp = null;
    }
  }

  /** Collects an entry's fields and values as ranges of the chunk's bytes (valid during one visit). */
  private static final class FieldCollector implements EntryCursor.ByteSink {
    private byte[][] arrays = new byte[8][];
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];
    private int n;

    void reset() {
      n = 0;
    }

    @Override
    public void bytes(byte[] b, int offset, int length) {
      if (n == arrays.length) {
        arrays = java.util.Arrays.copyOf(arrays, n * 2);
        offsets = java.util.Arrays.copyOf(offsets, n * 2);
        lengths = java.util.Arrays.copyOf(lengths, n * 2);
      }
      arrays[n] = b;
      offsets[n] = offset;
      lengths[n] = length;
      n++;
    }

    byte[] copy(int part) {
      return java.util.Arrays.copyOfRange(arrays[part], offsets[part], offsets[part] + lengths[part]);
    }

    boolean fieldEquals(int i, byte[] name) {
      int p = 2 * i;
      return java.util.Arrays.equals(arrays[p], offsets[p], offsets[p] + lengths[p], name, 0, name.length);
    }

    void addField(Listpack.Writer lp, int i) {
      lp.addString(arrays[2 * i], offsets[2 * i], lengths[2 * i]);
    }

    void addValue(Listpack.Writer lp, int i) {
      lp.addString(arrays[2 * i + 1], offsets[2 * i + 1], lengths[2 * i + 1]);
    }
  }

  // ---- primitives --------------------------------------------------------------------------

  private void raw(byte[] b) {
    out.write(b);
  }

  private void aux(String key, String value) {
    out.write(Rdb.OPCODE_AUX);
    string(key.getBytes(StandardCharsets.US_ASCII));
    string(value.getBytes(StandardCharsets.US_ASCII));
  }

  private void id(StreamId id) {
    out.skip(16);
    putLongBe(out.array(), out.size() - 16, id.ms());
    putLongBe(out.array(), out.size() - 8, id.seq());
  }

  private static void putLongBe(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  void millis(long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)));
    }
  }

  void len(long v) {
    len(out, v);
  }

  private static void len(Bytes out, long v) {
    if (v >= 0 && v < 64) {
      out.write((int) v);
    } else if (v >= 0 && v < 16384) {
      out.write(0x40 | (int) (v >> 8));
      out.write((int) v);
    } else if (v >= 0 && v <= 0xffffffffL) {
      out.write(0x80);
      for (int i = 3; i >= 0; i--) {
        out.write((int) (v >>> (8 * i)));
      }
    } else {
      out.write(0x81);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (v >>> (8 * i)));
      }
    }
  }

  /** A string, integer-encoded when Redis would (rdbTryIntegerEncoding). */
  void string(byte[] b) {
    if (b.length <= 11 && Listpack.isCanonicalInt(b, 0, b.length)) {
      long v = Listpack.parseCanonical(b, 0, b.length);
      {
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
          out.write(0xC0 | Rdb.ENC_INT8);
          out.write((int) v);
          return;
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
          out.write(0xC0 | Rdb.ENC_INT16);
          out.write((int) v);
          out.write((int) (v >> 8));
          return;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
          out.write(0xC0 | Rdb.ENC_INT32);
          for (int i = 0; i < 4; i++) {
            out.write((int) (v >> (8 * i)));
          }
          return;
        }
      }
    }
    rawString(out, b, b.length);
  }

  private void rawString(Bytes to, byte[] b, int length) {
    if (compression && length > COMPRESS_OVER_BYTES && lzfString(to, b, length)) {
      return;
    }
    len(to, length);
    to.write(b, 0, length);
  }

  /** Redis's rdbSaveLzfStringObject: only when LZF saves more than 4 bytes. */
  private boolean lzfString(Bytes to, byte[] b, int length) {
    int limit = length - 4;
    if (lzfBuffer == null || lzfBuffer.length < limit) {
      lzfBuffer = new byte[Math.max(limit, 256)];
    }
    int compressed = Lzf.compress(b, length, lzfBuffer, limit);
    if (compressed == 0) {
      return false;
    }
    to.write(0xC0 | Rdb.ENC_LZF);
    len(to, compressed);
    len(to, length);
    to.write(lzfBuffer, 0, compressed);
    return true;
  }
}
