package io.freshet.storage.rdb;

import io.freshet.engine.Config;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.stream.Consumer;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.Idempotency;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads Redis's RDB format (versions 1–11): snapshots written by Redis 7.x or by Freshet, and
 * DUMP payloads. Loads strings, lists, sets, hashes and streams in every encoding Redis 7 writes
 * (plus ziplist-era encodings of lists and hashes); sorted sets and module types are refused
 * with a clear error, since Freshet has no such types. Builds engine values, so its results are
 * handed to the engine thread; reading itself may run on any thread.
 */
public final class RdbReader {
  public static final int MAX_VERSION = 11;
  /**
   * DUMP payloads up to Redis 8.8's version are accepted: Freshet's own DUMP writes 13 or 14 for
   * streams with IDMP or NACK state. Newer versions are refused with Redis's error.
   */
  public static final int MAX_PAYLOAD_VERSION = Rdb.VERSION_STREAM_LISTPACKS_5;

  /** Receives each key as it is read. */
  public interface Sink {
    void key(int db, byte[] key, Object value, long expireAtMs);

    /** A function library's code (FUNCTION2 record). */
    default void function(byte[] code) {}
  }

  private final Source in;
  private final Config config;
  private int version;

  private RdbReader(Source in, Config config) {
    this.in = in;
    this.config = config;
  }

  /** Reads a whole RDB file, checking its checksum; returns the number of keys read. */
  public static long load(InputStream stream, Config config, Sink sink) throws IOException {
    RdbReader r = new RdbReader(new Source(stream), config);
    try {
      return r.loadFile(sink);
    } catch (IndexOutOfBoundsException | NegativeArraySizeException | IllegalArgumentException
        | ArithmeticException | IllegalStateException e) {
      throw malformed(e);
    }
  }

  /**
   * A structure whose parts do not fit (an offset past its end, a negative count, an ID the
   * stream cannot take): Redis's "Bad data format" rather than an exception from deep inside.
   * Found by RdbFuzzTest; each shape it found also has its own check or regression test.
   */
  private static RdbException malformed(RuntimeException e) {
    RdbException bad = new RdbException("Bad data format");
    bad.initCause(e);
    return bad;
  }

  /** A reader over a DUMP-style payload's body, after checking its RDB version and CRC-64. */
  private static RdbReader payloadReader(byte[] payload, Config config) throws IOException {
    if (payload.length < 10) {
      throw new RdbException("DUMP payload version or checksum are wrong");
    }
    int footer = payload.length - 10;
    int version = (payload[footer] & 0xff) | (payload[footer + 1] & 0xff) << 8;
    long crc = 0;
    for (int i = 0; i < 8; i++) {
      crc |= (long) (payload[footer + 2 + i] & 0xff) << (8 * i);
    }
    if (version > MAX_PAYLOAD_VERSION || Crc64.update(0, payload, 0, payload.length - 8) != crc) {
      throw new RdbException("DUMP payload version or checksum are wrong");
    }
    RdbReader r = new RdbReader(new Source(new java.io.ByteArrayInputStream(payload, 0, footer)), config);
    r.version = version;
    return r;
  }

  /** The library codes of a FUNCTION DUMP payload, after checking its version and checksum. */
  public static java.util.List<byte[]> restoreFunctions(byte[] payload, Config config) throws IOException {
    RdbReader r = payloadReader(payload, config);
    java.util.List<byte[]> codes = new java.util.ArrayList<>();
    int type;
    while ((type = r.in.read()) != -1) {
      if (type != Rdb.OPCODE_FUNCTION2) {
        throw new RdbException("given type is not a function");
      }
      codes.add(r.string());
    }
    return codes;
  }

  /** Decodes a DUMP payload after checking its version and checksum (RESTORE). */
  public static Object restore(byte[] payload, Config config) throws IOException {
    RdbReader r = payloadReader(payload, config);
    try {
      int type = r.in.u8();
      Object value = r.value(type);
      if (value == null) {
        // an empty list, set or hash: Redis refuses to create an empty key
        throw new RdbException("Bad data format");
      }
      // bytes after the value are ignored, as Redis's RESTORE does
      return value;
    } catch (IndexOutOfBoundsException | NegativeArraySizeException | IllegalArgumentException
        | ArithmeticException | IllegalStateException e) {
      throw malformed(e);
    }
  }

  /** The value read last, for an auxiliary field that belongs to it. */
  private Object lastValue;

  private long loadFile(Sink sink) throws IOException {
    byte[] magic = in.bytes(9);
    String head = new String(magic, StandardCharsets.US_ASCII);
    if (!head.startsWith("REDIS")) {
      throw new RdbException("Wrong signature trying to load DB from file");
    }
    try {
      version = Integer.parseInt(head.substring(5));
    } catch (NumberFormatException e) {
      throw new RdbException("Wrong signature trying to load DB from file");
    }
    if (version < 1 || version > MAX_VERSION) {
      throw new RdbException("Can't handle RDB format version " + version);
    }
    int db = 0;
    long expireAt = -1;
    long keys = 0;
    while (true) {
      int type = in.u8();
      switch (type) {
        case Rdb.OPCODE_EXPIRETIME -> {
          expireAt = in.le(4) * 1000;
          continue;
        }
        case Rdb.OPCODE_EXPIRETIME_MS -> {
          expireAt = in.le(8);
          continue;
        }
        case Rdb.OPCODE_FREQ -> {
          in.u8();
          continue;
        }
        case Rdb.OPCODE_IDLE -> {
          len();
          continue;
        }
        case Rdb.OPCODE_EOF -> {
          long computed = in.crcSoFar();
          if (version >= 5) {
            long stored = in.le(8);
            if (stored != 0 && stored != computed) {
              throw new RdbException("Wrong RDB checksum");
            }
          }
          return keys;
        }
        case Rdb.OPCODE_SELECTDB -> {
          long n = len();
          if (n >= config.getInt("databases")) {
            throw new RdbException("FATAL: Data file was created with a Redis server configured to handle more than "
                + config.getInt("databases") + " databases. Exiting");
          }
          db = (int) n;
          continue;
        }
        case Rdb.OPCODE_RESIZEDB -> {
          len();
          len();
          continue;
        }
        case Rdb.OPCODE_AUX -> {
          byte[] name = string();
          byte[] data = string();
          if (java.util.Arrays.equals(name, IdempotencyAux.NAME) && lastValue instanceof StreamValue s) {
            IdempotencyAux.decodeInto(s, data); // follows the stream it belongs to
          } else if (java.util.Arrays.equals(name, NackedAux.NAME) && lastValue instanceof StreamValue s) {
            NackedAux.decodeInto(s, data);
          }
          continue;
        }
        case Rdb.OPCODE_MODULE_AUX -> throw new RdbException("Module auxiliary data is not supported");
        case Rdb.OPCODE_FUNCTION2 -> {
          sink.function(string());
          continue;
        }
        case Rdb.OPCODE_FUNCTION -> throw new RdbException("Pre-release function format not supported");
        default -> { }
      }
      byte[] key = string();
      Object value = value(type);
      lastValue = value;
      if (value != null) {
        sink.key(db, key, value, expireAt);
        keys++;
      }
      expireAt = -1;
    }
  }

  // ---- values ------------------------------------------------------------------------------

  private Object value(int type) throws IOException {
    switch (type) {
      case Rdb.TYPE_STRING:
        return string();
      case Rdb.TYPE_LIST: {
        long n = len();
        ListValue l = new ListValue();
        for (long i = 0; i < n; i++) {
          l.pushLast(string());
        }
        return n == 0 ? null : l;
      }
      case Rdb.TYPE_SET: {
        long n = len();
        SetValue s = new SetValue();
        for (long i = 0; i < n; i++) {
          addMember(s, string());
        }
        return n == 0 ? null : s;
      }
      case Rdb.TYPE_HASH: {
        long n = len();
        HashValue h = new HashValue();
        for (long i = 0; i < n; i++) {
          putField(h, string(), string());
        }
        return n == 0 ? null : h;
      }
      case Rdb.TYPE_SET_INTSET: {
        byte[] blob = string();
        SetValue s = new SetValue();
        for (byte[] m : intset(blob)) {
          addMember(s, m);
        }
        return s.members.isEmpty() ? null : s;
      }
      case Rdb.TYPE_SET_LISTPACK: {
        SetValue s = new SetValue();
        Listpack.Reader r = new Listpack.Reader(string());
        while (r.hasNext()) {
          addMember(s, r.next());
        }
        return s.members.isEmpty() ? null : s;
      }
      case Rdb.TYPE_HASH_LISTPACK:
      case Rdb.TYPE_HASH_ZIPLIST: {
        List<byte[]> items = type == Rdb.TYPE_HASH_LISTPACK ? listpack(string()) : Ziplist.read(string());
        if (items.size() % 2 != 0) {
          throw new RdbException("Bad data format: odd hash listpack");
        }
        HashValue h = new HashValue();
        for (int i = 0; i < items.size(); i += 2) {
          putField(h, items.get(i), items.get(i + 1));
        }
        return h.fields.isEmpty() ? null : h;
      }
      case Rdb.TYPE_LIST_ZIPLIST: {
        ListValue l = new ListValue();
        Ziplist.read(string()).forEach(l::pushLast);
        return l.size() == 0 ? null : l;
      }
      case Rdb.TYPE_LIST_QUICKLIST:
      case Rdb.TYPE_LIST_QUICKLIST_2: {
        long nodes = len();
        ListValue l = new ListValue();
        for (long i = 0; i < nodes; i++) {
          long container = type == Rdb.TYPE_LIST_QUICKLIST_2 ? len() : Rdb.QUICKLIST_NODE_PACKED;
          byte[] blob = string();
          if (container == Rdb.QUICKLIST_NODE_PLAIN) {
            l.pushLast(blob);
          } else if (type == Rdb.TYPE_LIST_QUICKLIST_2) {
            listpack(blob).forEach(l::pushLast);
          } else {
            Ziplist.read(blob).forEach(l::pushLast);
          }
        }
        return l.size() == 0 ? null : l;
      }
      case Rdb.TYPE_STREAM_LISTPACKS:
      case Rdb.TYPE_STREAM_LISTPACKS_2:
      case Rdb.TYPE_STREAM_LISTPACKS_3:
      case Rdb.TYPE_STREAM_LISTPACKS_4:
      case Rdb.TYPE_STREAM_LISTPACKS_5:
        return stream(type);
      case Rdb.TYPE_ZSET:
      case Rdb.TYPE_ZSET_2:
      case Rdb.TYPE_ZSET_ZIPLIST:
      case Rdb.TYPE_ZSET_LISTPACK:
        throw new RdbException("sorted sets are not supported by Freshet (RDB type " + type + ")");
      case Rdb.TYPE_MODULE:
      case Rdb.TYPE_MODULE_2:
        throw new RdbException("module types are not supported by Freshet");
      default:
        throw new RdbException("Unknown RDB encoding type " + type);
    }
  }

  private void addMember(SetValue s, byte[] m) {
    s.add(m, config.getInt("set-max-intset-entries"), config.getInt("set-max-listpack-entries"),
        config.getInt("set-max-listpack-value"));
  }

  private void putField(HashValue h, byte[] f, byte[] v) {
    h.put(f, v, config.getInt("hash-max-listpack-entries"), config.getInt("hash-max-listpack-value"));
  }

  private static List<byte[]> listpack(byte[] blob) {
    Listpack.Reader r = new Listpack.Reader(blob);
    List<byte[]> out = new ArrayList<>();
    while (r.hasNext()) {
      out.add(r.next());
    }
    return out;
  }

  private static List<byte[]> intset(byte[] blob) {
    if (blob.length < 8) {
      throw new RdbException("Bad data format: intset");
    }
    int enc = (int) leAt(blob, 0, 4);
    long n = leAt(blob, 4, 4);
    if ((enc != 2 && enc != 4 && enc != 8) || 8 + n * enc != blob.length) {
      throw new RdbException("Bad data format: intset");
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long v = leAt(blob, 8 + i * enc, enc);
      v = (v << (64 - 8 * enc)) >> (64 - 8 * enc);
      out.add(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
    }
    return out;
  }

  private static long leAt(byte[] b, int at, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (b[at + i] & 0xff) << (8 * i);
    }
    return v;
  }

  private StreamValue stream(int type) throws IOException {
    long nodes = len();
    StreamValue s = new StreamValue();
    long maxEntries = config.getLong("stream-node-max-entries");
    long maxBytes = config.getLong("stream-node-max-bytes");
    for (long i = 0; i < nodes; i++) {
      byte[] key = string();
      if (key.length != 16) {
        throw new RdbException("Stream node key entry is not the size of a stream ID");
      }
      long masterMs = beAt(key, 0);
      long masterSeq = beAt(key, 8);
      Listpack.Reader lp = new Listpack.Reader(string());
      if (!lp.hasNext()) {
        throw new RdbException("Empty listpack inside stream");
      }
      long count = lp.nextInt();
      long deleted = lp.nextInt();
      int masterFieldCount = checkedCount(lp.nextInt(), lp);
      byte[][] masterFields = new byte[masterFieldCount][];
      for (int f = 0; f < masterFieldCount; f++) {
        masterFields[f] = lp.nextShared();
      }
      lp.nextInt(); // master entry terminator
      for (long e = 0; e < count + deleted; e++) {
        int flags = (int) lp.nextInt();
        long ms = masterMs + lp.nextInt();
        long seq = masterSeq + lp.nextInt();
        int n;
        byte[][] fields;
        byte[][] values;
        if ((flags & Rdb.STREAM_ITEM_FLAG_SAMEFIELDS) != 0) {
          n = masterFieldCount;
          fields = masterFields;
          values = new byte[n][];
          for (int f = 0; f < n; f++) {
            values[f] = lp.nextShared();
          }
        } else {
          n = checkedCount(lp.nextInt(), lp);
          fields = new byte[n][];
          values = new byte[n][];
          for (int f = 0; f < n; f++) {
            fields[f] = lp.nextShared();
            values[f] = lp.nextShared();
          }
        }
        lp.nextInt(); // lp-count
        if ((flags & Rdb.STREAM_ITEM_FLAG_DELETED) == 0) {
          StreamId id = new StreamId(ms, seq);
          if (s.length() > 0 && id.compareTo(s.lastId()) <= 0) {
            throw new RdbException("Stream entries out of order");
          }
          s.append(id, fields, values, maxEntries, maxBytes);
        }
      }
      if (lp.hasNext()) {
        throw new RdbException("Stream listpack has trailing elements");
      }
    }
    long length = len();
    if (length != s.length()) {
      throw new RdbException("Stream length " + length + " does not match its " + s.length() + " entries");
    }
    StreamId last = new StreamId(len(), len());
    StreamId maxDeleted = StreamId.MIN;
    long entriesAdded = length;
    if (type >= Rdb.TYPE_STREAM_LISTPACKS_2) {
      len(); // first ID: derived from the entries
      len();
      maxDeleted = new StreamId(len(), len());
      entriesAdded = len();
    }
    s.setLastId(last);
    s.setMaxDeletedId(maxDeleted);
    s.setEntriesAdded(entriesAdded);
    long groups = len();
    for (long g = 0; g < groups; g++) {
      byte[] name = string();
      StreamId lastId = new StreamId(len(), len());
      // RDB before 10 (Redis 6.2) has no counter: estimated from the group's last ID, as Redis does
      long entriesRead = type >= Rdb.TYPE_STREAM_LISTPACKS_2 ? len() : s.estimateDistanceFromFirstEverEntry(lastId);
      ConsumerGroup group = new ConsumerGroup(name, lastId, entriesRead);
      if (s.groups.put(name, group) != null) {
        throw new RdbException("Duplicated consumer group name");
      }
      long pending = len();
      TreeMap<StreamId, long[]> pel = new TreeMap<>();
      for (long p = 0; p < pending; p++) {
        StreamId id = rawId();
        long time = in.le(8);
        long deliveries = len();
        pel.put(id, new long[] {time, deliveries});
      }
      TreeMap<StreamId, Consumer> owners = new TreeMap<>();
      long consumers = len();
      for (long c = 0; c < consumers; c++) {
        byte[] cname = string();
        long seen = in.le(8);
        Consumer consumer = group.getOrCreateConsumer(cname, seen, null);
        consumer.seenTimeMs = seen;
        consumer.activeTimeMs = type >= Rdb.TYPE_STREAM_LISTPACKS_3 ? in.le(8) : seen;
        long own = len();
        for (long p = 0; p < own; p++) {
          StreamId id = rawId();
          if (!pel.containsKey(id)) {
            throw new RdbException("Consumer PEL entry not found in the group PEL");
          }
          owners.put(id, consumer);
          consumer.pel.put(id, 0, 0, null);
        }
      }
      for (var e : pel.entrySet()) {
        Consumer owner = owners.get(e.getKey());
        if (owner != null) { // Redis's own loader rejects ownerless entries under deep checks
          group.pel.put(e.getKey(), e.getValue()[0], e.getValue()[1], owner);
        }
      }
      if (type >= Rdb.TYPE_STREAM_LISTPACKS_5) {
        // the NACK zone in XNACK order: group PEL entries that no consumer owns
        long nacked = len();
        for (long n = 0; n < nacked; n++) {
          StreamId id = rawId();
          long[] entry = pel.get(id);
          if (entry == null || owners.containsKey(id) || group.isNacked(id)) {
            throw new RdbException("Stream NACK entry inconsistent with the group PEL");
          }
          group.addNacked(id, entry[1]);
        }
      }
    }
    if (type >= Rdb.TYPE_STREAM_LISTPACKS_4) {
      idempotency(s);
    }
    return s;
  }

  /** STREAM_LISTPACKS_4's IDMP section (Redis 8.6): settings, producers' records, counters. */
  private void idempotency(StreamValue s) throws IOException {
    long durationS = len();
    long maxSize = len();
    long producers = len();
    List<Object[]> records = new ArrayList<>();
    for (long p = 0; p < producers; p++) {
      byte[] pid = string();
      long count = len();
      for (long r = 0; r < count; r++) {
        byte[] iid = string();
        records.add(new Object[] {pid, iid, new StreamId(len(), len())});
      }
    }
    long added = len();
    long duplicates = len();
    boolean inRange = durationS >= Idempotency.DURATION_MIN_S && durationS <= Idempotency.DURATION_MAX_S
        && maxSize >= Idempotency.MAXSIZE_MIN && maxSize <= Idempotency.MAXSIZE_MAX;
    if (!inRange) {
      throw new RdbException("Stream IDMP settings out of range");
    }
    // a stream that never used IDMP keeps reporting the configs (Redis writes settings anyway)
    boolean used = !records.isEmpty() || added > 0 || duplicates > 0
        || durationS != config.getInt("stream-idmp-duration") || maxSize != config.getInt("stream-idmp-maxsize");
    if (!used) {
      return;
    }
    Idempotency idmp = s.idempotency((int) durationS, (int) maxSize);
    idmp.setCounters(added, duplicates);
    for (Object[] r : records) {
      if (!idmp.restore((byte[]) r[0], (byte[]) r[1], (StreamId) r[2])) {
        throw new RdbException("Stream IDMP record duplicated");
      }
    }
  }

  /** A count of listpack elements still to come: at most the elements the listpack has left. */
  private static int checkedCount(long n, Listpack.Reader lp) {
    if (n < 0 || n > lp.remainingBytes()) {
      throw new RdbException("Bad data format: stream entry field count " + n);
    }
    return (int) n;
  }

  private StreamId rawId() throws IOException {
    byte[] b = in.bytes(16);
    return new StreamId(beAt(b, 0), beAt(b, 8));
  }

  private static long beAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  // ---- primitives --------------------------------------------------------------------------

  /** A length; encoded strings are read by {@link #string()}. */
  private long len() throws IOException {
    int b = in.u8();
    int kind = (b & 0xC0) >> 6;
    switch (kind) {
      case 0:
        return b & 0x3F;
      case 1:
        return ((b & 0x3F) << 8) | in.u8();
      case 2:
        if (b == 0x80) {
          return in.be(4);
        } else if (b == 0x81) {
          return in.be(8);
        }
        throw new RdbException("Unknown length encoding " + b);
      default:
        throw new RdbException("Unexpected encoded string where a length was expected");
    }
  }

  private byte[] string() throws IOException {
    int b = in.u8();
    if ((b & 0xC0) != 0xC0) {
      long n = decodeLen(b);
      return in.bytes(checkedLength(n));
    }
    switch (b & 0x3F) {
      case Rdb.ENC_INT8:
        return Long.toString((byte) in.u8()).getBytes(StandardCharsets.US_ASCII);
      case Rdb.ENC_INT16:
        return Long.toString((short) in.le(2)).getBytes(StandardCharsets.US_ASCII);
      case Rdb.ENC_INT32:
        return Long.toString((int) in.le(4)).getBytes(StandardCharsets.US_ASCII);
      case Rdb.ENC_LZF: {
        int clen = checkedLength(len());
        int ulen = checkedLength(len());
        if (ulen > (long) clen * Lzf.MAX_EXPANSION + Lzf.MAX_EXPANSION) {
          // more than LZF can expand to: refuse before allocating what the length claims
          throw new RdbException("invalid LZF data");
        }
        return Lzf.decompress(in.bytes(clen), ulen);
      }
      default:
        throw new RdbException("Unknown RDB string encoding type " + (b & 0x3F));
    }
  }

  private long decodeLen(int b) throws IOException {
    int kind = (b & 0xC0) >> 6;
    if (kind == 0) {
      return b & 0x3F;
    } else if (kind == 1) {
      return ((b & 0x3F) << 8) | in.u8();
    } else if (b == 0x80) {
      return in.be(4);
    } else if (b == 0x81) {
      return in.be(8);
    }
    throw new RdbException("Unknown length encoding " + b);
  }

  private static int checkedLength(long n) {
    if (n < 0 || n > 512L * 1024 * 1024) {
      throw new RdbException("String length " + n + " out of range");
    }
    return (int) n;
  }

  /** Buffered input that keeps a running CRC-64 of every byte consumed. */
  private static final class Source {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    long crc;

    Source(InputStream in) {
      this.in = in;
    }

    private boolean fill() throws IOException {
      crc = Crc64.update(crc, buf, 0, pos);
      pos = 0;
      limit = in.read(buf);
      if (limit <= 0) {
        limit = 0;
        return false;
      }
      return true;
    }

    int read() throws IOException {
      if (pos == limit && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    int u8() throws IOException {
      int b = read();
      if (b < 0) {
        throw new EOFException("Short read or OOM loading DB. Unrecoverable error, aborting now.");
      }
      return b;
    }

    /**
     * The next {@code n} bytes. A declared length is not an allocation: past 1 MB the array grows
     * as the bytes arrive, so a damaged length costs at most about twice the input that is there.
     */
    byte[] bytes(int n) throws IOException {
      if (n > GROW_FROM_BYTES) {
        return bytesGrowing(n);
      }
      byte[] out = new byte[n];
      int off = 0;
      while (off < n) {
        if (pos == limit && !fill()) {
          throw new EOFException("Short read or OOM loading DB. Unrecoverable error, aborting now.");
        }
        int k = Math.min(n - off, limit - pos);
        System.arraycopy(buf, pos, out, off, k);
        pos += k;
        off += k;
      }
      return out;
    }

    private static final int GROW_FROM_BYTES = 1 << 20;

    private byte[] bytesGrowing(int n) throws IOException {
      byte[] out = new byte[GROW_FROM_BYTES];
      int off = 0;
      while (off < n) {
        if (pos == limit && !fill()) {
          throw new EOFException("Short read or OOM loading DB. Unrecoverable error, aborting now.");
        }
        if (off == out.length) {
          out = java.util.Arrays.copyOf(out, (int) Math.min(n, 2L * out.length));
        }
        int k = Math.min(out.length - off, limit - pos);
        System.arraycopy(buf, pos, out, off, k);
        pos += k;
        off += k;
      }
      return out;
    }

    long le(int n) throws IOException {
      long v = 0;
      for (int i = 0; i < n; i++) {
        v |= (long) u8() << (8 * i);
      }
      return v;
    }

    long be(int n) throws IOException {
      long v = 0;
      for (int i = 0; i < n; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    /** CRC of everything consumed so far (the checksum itself is read after this is taken). */
    long crcSoFar() {
      return Crc64.update(crc, buf, 0, pos);
    }
  }
}
