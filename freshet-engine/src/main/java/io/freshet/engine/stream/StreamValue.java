package io.freshet.engine.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream: entries packed in {@link Chunk}s ordered by their first ID (as Redis's radix tree of
 * listpacks), plus the metadata Redis keeps (last ID, entries added, max deleted ID) and the
 * consumer groups. Owned by the engine thread.
 */
public final class StreamValue {
  final TreeMap<StreamId, Chunk> chunks = new TreeMap<>();
  long length;
  StreamId lastId = StreamId.MIN;
  StreamId maxDeletedId = StreamId.MIN;
  long entriesAdded;
  /** The chunk new entries go to, while it is still in the map (cleared when removed). */
  private Chunk tail;
  /** Consumer groups by name, in byte order (Redis keeps them in a radix tree). */
  public final TreeMap<byte[], ConsumerGroup> groups = new TreeMap<>(Arrays::compareUnsigned);
  /** IDMP state (Redis 8.6), created by the first IDMP XADD or XCFGSET; null until then. */
  private Idempotency idempotency;

  /** Visits entries; returns false to stop. */
  public interface Visitor {
    boolean visit(EntryCursor entry);
  }

  /**
   * An independent copy for a snapshot written on another thread: chunk bytes, metadata,
   * groups, consumers and PELs are copied (a memcpy per chunk, no per-entry work).
   */
  public StreamValue copy() {
    StreamValue s = new StreamValue();
    for (Map.Entry<StreamId, Chunk> e : chunks.entrySet()) {
      s.chunks.put(e.getKey(), e.getValue().copy());
    }
    s.length = length;
    s.lastId = lastId;
    s.maxDeletedId = maxDeletedId;
    s.entriesAdded = entriesAdded;
    s.idempotency = idempotency == null ? null : idempotency.copy();
    for (ConsumerGroup g : groups.values()) {
      ConsumerGroup cg = new ConsumerGroup(g.name, g.lastId, g.entriesRead);
      cg.pel.copyFrom(g.pel);
      cg.copyNackedFrom(g);
      for (Consumer c : g.consumers.values()) {
        Consumer cc = cg.getOrCreateConsumer(c.name, c.seenTimeMs, null);
        cc.activeTimeMs = c.activeTimeMs;
        cc.pel.copyFrom(c.pel);
      }
      s.groups.put(g.name, cg);
    }
    return s;
  }

  public Idempotency idempotency() {
    return idempotency;
  }

  /** The IDMP state, created with these settings when the stream has none yet. */
  public Idempotency idempotency(int defaultDurationS, int defaultMaxSize) {
    if (idempotency == null) {
      idempotency = new Idempotency(defaultDurationS, defaultMaxSize);
    }
    return idempotency;
  }

  public long length() {
    return length;
  }

  public StreamId lastId() {
    return lastId;
  }

  public StreamId maxDeletedId() {
    return maxDeletedId;
  }

  public long entriesAdded() {
    return entriesAdded;
  }

  public void setLastId(StreamId id) {
    lastId = id;
  }

  public void setEntriesAdded(long n) {
    entriesAdded = n;
  }

  public void setMaxDeletedId(StreamId id) {
    maxDeletedId = id;
  }

  public int chunkCount() {
    return chunks.size();
  }

  public void append(StreamId id, byte[][] fields, byte[][] values, long maxEntries, long maxBytes) {
    Chunk chunk = tail;
    if (chunk == null) {
      // as Redis, new entries go to the last node, even one that was not the tail before
      Map.Entry<StreamId, Chunk> last = chunks.lastEntry();
      chunk = last == null ? null : last.getValue();
    }
    boolean same = false;
    int size = 0;
    if (chunk != null) {
      same = chunk.sameAsMaster(fields);
      size = chunk.encodedSize(id.ms(), id.seq(), fields, values, same);
      if ((maxBytes > 0 && chunk.used + size >= maxBytes) || (maxEntries > 0 && chunk.count >= maxEntries)) {
        chunk.seal();
        chunk = null;
      }
    }
    if (chunk == null) {
      chunk = new Chunk(id.ms(), id.seq(), fields, 64);
      chunks.put(id, chunk);
      tail = chunk;
      same = true;
      size = chunk.encodedSize(id.ms(), id.seq(), fields, values, true);
    }
    chunk.append(id.ms(), id.seq(), fields, values, same, size);
    tail = chunk;
    if (length == 0) {
      firstIdCache = null;
    }
    length++;
    lastId = id;
    entriesAdded++;
  }

  /** Entries with start <= id <= end in ascending order. */
  public void forward(StreamId start, StreamId end, Visitor visitor) {
    if (start.compareTo(end) > 0) {
      return;
    }
    StreamId from = chunks.floorKey(start);
    EntryCursor c = new EntryCursor();
    for (Chunk chunk : (from == null ? chunks : chunks.tailMap(from, true)).values()) {
      for (int pos = 0; pos < chunk.used; ) {
        pos = chunk.read(pos, c);
        if (c.deleted || c.compareTo(start) < 0) {
          continue;
        }
        if (c.compareTo(end) > 0 || !visitor.visit(c)) {
          return;
        }
      }
    }
  }

  /** Entries with start <= id <= end in descending order. */
  public void backward(StreamId start, StreamId end, Visitor visitor) {
    if (start.compareTo(end) > 0) {
      return;
    }
    StreamId from = chunks.floorKey(end);
    if (from == null) {
      return;
    }
    EntryCursor c = new EntryCursor();
    int[] positions = new int[16];
    for (Chunk chunk : chunks.headMap(from, true).descendingMap().values()) {
      int n = 0;
      for (int pos = 0; pos < chunk.used; ) {
        if (n == positions.length) {
          positions = Arrays.copyOf(positions, n * 2);
        }
        positions[n++] = pos;
        pos = chunk.read(pos, c);
      }
      for (int i = n - 1; i >= 0; i--) {
        chunk.read(positions[i], c);
        if (c.deleted || c.compareTo(end) > 0) {
          continue;
        }
        if (c.compareTo(start) < 0 || !visitor.visit(c)) {
          return;
        }
      }
    }
  }

  /** A live entry found by a scan: where it is, to be written or re-read later in the command. */
  public record EntryRef(Chunk chunk, int pos, StreamId id) {
    public void write(io.freshet.engine.protocol.ReplyWriter out, EntryCursor c) {
      chunk.read(pos, c);
      c.writeEntry(out);
    }
  }

  /** Up to {@code count} live entries in [start, end], ascending (count 0 = no limit). */
  public java.util.List<EntryRef> collect(StreamId start, StreamId end, long count) {
    java.util.List<EntryRef> out = new java.util.ArrayList<>();
    forward(start, end, e -> {
      out.add(new EntryRef(e.chunk, e.pos, e.id()));
      return count <= 0 || out.size() < count;
    });
    return out;
  }

  /**
   * Redis's streamRangeHasTombstones as fixed in 8.0 (PR 13338): might [start, end] contain
   * deleted entries? (7.0 also answered no when the latest tombstone was before the first entry,
   * which hid tombstones after a group's last ID.)
   */
  public boolean rangeHasTombstones(StreamId start, StreamId end) {
    if (length == 0 || maxDeletedId.isZero()) {
      return false;
    }
    StreamId from = start == null ? StreamId.MIN : start;
    StreamId to = end == null ? StreamId.MAX : end;
    return from.compareTo(maxDeletedId) <= 0 && maxDeletedId.compareTo(to) <= 0;
  }

  /** Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read counter of an ID, or -1. */
  public long estimateDistanceFromFirstEverEntry(StreamId id) {
    if (entriesAdded == 0) {
      return 0;
    }
    if (length == 0 && id.compareTo(lastId) < 1) {
      return entriesAdded;
    }
    int cmpLast = id.compareTo(lastId);
    if (cmpLast == 0) {
      return entriesAdded;
    } else if (cmpLast > 0) {
      return ConsumerGroup.INVALID_ENTRIES_READ;
    }
    StreamId first = firstId();
    int cmpIdFirst = id.compareTo(first);
    int cmpXdelFirst = maxDeletedId.compareTo(first);
    if (maxDeletedId.isZero() || cmpXdelFirst < 0) {
      if (cmpIdFirst < 0) {
        return entriesAdded - length;
      } else if (cmpIdFirst == 0) {
        return entriesAdded - length + 1;
      }
    }
    return ConsumerGroup.INVALID_ENTRIES_READ;
  }

  /**
   * An entries-read counter no larger than the entries ever added (newer Redis, PR 14259, for
   * XGROUP CREATE/SETID ... ENTRIESREAD; PR 15489 for XSETID ... ENTRIESADDED): a group cannot
   * have read more than was added, so its lag never goes negative. -1 (unknown) stays.
   */
  public long clampEntriesRead(long entriesRead) {
    return entriesRead != ConsumerGroup.INVALID_ENTRIES_READ && entriesRead > entriesAdded ? entriesAdded : entriesRead;
  }

  /** Lag that cannot be known (Redis replies null). */
  public static final long UNKNOWN_LAG = Long.MIN_VALUE;

  /** Redis's lag of a group (8.0 rules): entries not yet delivered, or {@link #UNKNOWN_LAG}. */
  public long lag(ConsumerGroup g) {
    if (entriesAdded == 0 || length == 0) {
      return 0; // nothing was ever added, or everything is gone (trimmed or deleted)
    }
    StreamId first = firstId();
    if (g.lastId.compareTo(first) < 0 && maxDeletedId.compareTo(first) < 0) {
      // PR 13473: group and every tombstone are behind the first entry (trimmed away):
      // everything left is still to be read
      return length;
    }
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ && !rangeHasTombstones(g.lastId, null)) {
      return entriesAdded - g.entriesRead;
    }
    long read = estimateDistanceFromFirstEverEntry(g.lastId);
    return read == ConsumerGroup.INVALID_ENTRIES_READ ? UNKNOWN_LAG : entriesAdded - read;
  }

  /**
   * The group's entries-read counter after delivering {@code id} (8.0 rules, PRs 13338 and
   * 13958): it simply counts on only while the group's last ID is not behind the first entry and
   * no tombstone lies after it; otherwise it is re-estimated from the start of the stream.
   */
  public long entriesReadAfterDelivering(ConsumerGroup g, StreamId id) {
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ && g.lastId.compareTo(firstId()) >= 0
        && !rangeHasTombstones(g.lastId, null)) {
      return g.entriesRead + 1;
    }
    return entriesAdded > 0 ? estimateDistanceFromFirstEverEntry(id) : g.entriesRead;
  }

  /** ID of the last live entry, or 0-0. */
  public StreamId lastValidId() {
    EntryCursor c = new EntryCursor();
    return last(c) ? c.id() : StreamId.MIN;
  }

  /** Positions the cursor on the live entry with this ID; false if there is none. */
  public boolean find(StreamId id, EntryCursor c) {
    Map.Entry<StreamId, Chunk> e = chunks.floorEntry(id);
    if (e == null) {
      return false;
    }
    Chunk chunk = e.getValue();
    for (int pos = 0; pos < chunk.used; ) {
      pos = chunk.read(pos, c);
      int cmp = c.compareTo(id);
      if (cmp == 0) {
        return !c.deleted;
      }
      if (cmp > 0) {
        return false;
      }
    }
    return false;
  }

  /** XDEL of one ID; true if a live entry was deleted. */
  public boolean delete(StreamId id) {
    EntryCursor c = new EntryCursor();
    if (!find(id, c)) {
      return false;
    }
    Chunk chunk = c.chunk;
    chunk.markDeleted(c.pos);
    length--;
    firstIdCache = null;
    if (chunk.live() == 0) {
      removeChunk(chunk);
    }
    if (id.compareTo(maxDeletedId) > 0) {
      maxDeletedId = id;
    }
    return true;
  }

  private void removeChunk(Chunk chunk) {
    if (chunk == tail) {
      tail = null;
    }
    Iterator<Map.Entry<StreamId, Chunk>> it = chunks.entrySet().iterator();
    while (it.hasNext()) {
      if (it.next().getValue() == chunk) {
        it.remove();
        return;
      }
    }
  }

  /** First live entry into the cursor; false if empty. */
  public boolean first(EntryCursor c) {
    boolean[] found = {false};
    forward(StreamId.MIN, StreamId.MAX, e -> {
      copy(e, c);
      found[0] = true;
      return false;
    });
    return found[0];
  }

  /** Last live entry into the cursor; false if empty. */
  public boolean last(EntryCursor c) {
    boolean[] found = {false};
    backward(StreamId.MIN, StreamId.MAX, e -> {
      copy(e, c);
      found[0] = true;
      return false;
    });
    return found[0];
  }

  private static void copy(EntryCursor from, EntryCursor to) {
    from.chunk.read(from.pos, to);
  }

  /** Cached first live ID; null when it must be recomputed (after deletes and trims). */
  private StreamId firstIdCache;

  /** ID of the first live entry, or 0-0 when empty. */
  public StreamId firstId() {
    if (firstIdCache == null) {
      EntryCursor c = new EntryCursor();
      firstIdCache = first(c) ? c.id() : StreamId.MIN;
    }
    return firstIdCache;
  }

  /**
   * Redis's streamTrim: whole chunks go first; with {@code approx} it stops at the first chunk
   * that cannot go entirely, otherwise it deletes entries inside that chunk. {@code limit} caps
   * the entries removed (0 = no cap). Returns the number of entries removed.
   */
  public long trim(boolean byMaxLen, long maxLen, StreamId minId, boolean approx, long limit) {
    return trim(byMaxLen, maxLen, minId, approx, limit, null);
  }

  /** As {@link #trim}, telling {@code removed} each entry it removes (DELREF cleans PELs with it). */
  public long trim(boolean byMaxLen, long maxLen, StreamId minId, boolean approx, long limit,
      java.util.function.Consumer<StreamId> onRemoved) {
    firstIdCache = null;
    long removed = 0;
    Iterator<Map.Entry<StreamId, Chunk>> it = chunks.entrySet().iterator();
    EntryCursor c = new EntryCursor();
    while (it.hasNext()) {
      if (byMaxLen && length <= maxLen) {
        break;
      }
      Chunk chunk = it.next().getValue();
      long entries = chunk.live();
      if (limit > 0 && removed + entries > limit) {
        break;
      }
      boolean removeWhole = trimTakesWholeChunk(chunk, entries, byMaxLen, maxLen, minId);
      if (removeWhole) {
        if (onRemoved != null) {
          for (int pos = 0; pos < chunk.used; ) {
            pos = chunk.read(pos, c);
            if (!c.deleted) {
              onRemoved.accept(c.id());
            }
          }
        }
        dropChunk(it, chunk);
        length -= entries;
        removed += entries;
        continue;
      }
      if (approx) {
        break;
      }
      for (int pos = 0; pos < chunk.used; ) {
        int at = pos;
        pos = chunk.read(pos, c);
        if (c.deleted) {
          continue;
        }
        if (trimReachedItsPoint(c, byMaxLen, maxLen, minId)) {
          break;
        }
        if (onRemoved != null) {
          onRemoved.accept(c.id());
        }
        chunk.markDeleted(at);
        length--;
        removed++;
      }
      break;
    }
    return removed;
  }

  /**
   * Trimming under the ACKED policy, as Redis's streamTrim does it (8.2, with PR 14623's fix for
   * {@code ~}): chunk by chunk, oldest first; a chunk is examined entry by entry, and an entry
   * the trim would remove goes only if no group still references it ({@link #isReferenced}),
   * otherwise it stays and the scan goes on past it. With {@code approx} the scan stops at the
   * first chunk that exact trimming would not remove whole; {@code limit} (0 = none) stops it
   * before a chunk whose live entries would take the removed count past it. A chunk left with no
   * live entry is freed. {@code onRemoved} hears each removed ID, oldest first.
   */
  public long trimAcked(boolean byMaxLen, long maxLen, StreamId minId, boolean approx, long limit,
      java.util.function.Consumer<StreamId> onRemoved) {
    firstIdCache = null;
    long removed = 0;
    EntryCursor c = new EntryCursor();
    Iterator<Map.Entry<StreamId, Chunk>> it = chunks.entrySet().iterator();
    boolean done = false;
    while (!done && it.hasNext()) {
      if (byMaxLen && length <= maxLen) {
        break;
      }
      Chunk chunk = it.next().getValue();
      long entries = chunk.live();
      if (limit > 0 && removed + entries > limit) {
        break;
      }
      boolean wholeChunk = trimTakesWholeChunk(chunk, entries, byMaxLen, maxLen, minId);
      if (approx && !wholeChunk) {
        break;
      }
      for (int pos = 0; pos < chunk.used; ) {
        int at = pos;
        pos = chunk.read(pos, c);
        if (c.deleted) {
          continue;
        }
        if (trimReachedItsPoint(c, byMaxLen, maxLen, minId)) {
          done = true;
          break;
        }
        StreamId id = c.id();
        if (isReferenced(id)) {
          continue;
        }
        chunk.markDeleted(at);
        length--;
        removed++;
        if (onRemoved != null) {
          onRemoved.accept(id);
        }
      }
      if (chunk.live() == 0) {
        dropChunk(it, chunk);
      }
    }
    return removed;
  }

  /** Would trimming to MAXLEN {@code maxLen} or MINID {@code minId} remove all of {@code chunk}? */
  private boolean trimTakesWholeChunk(Chunk chunk, long entries, boolean byMaxLen, long maxLen, StreamId minId) {
    return byMaxLen ? length - entries >= maxLen : new StreamId(chunk.lastMs, chunk.lastSeq).compareTo(minId) < 0;
  }

  /** Has trimming reached the entry under {@code c} (the stream is short enough, or it is at MINID)? */
  private boolean trimReachedItsPoint(EntryCursor c, boolean byMaxLen, long maxLen, StreamId minId) {
    return byMaxLen ? length <= maxLen : c.compareTo(minId) >= 0;
  }

  private void dropChunk(Iterator<Map.Entry<StreamId, Chunk>> it, Chunk chunk) {
    it.remove();
    if (chunk == tail) {
      tail = null;
    }
  }

  /**
   * True when some consumer group still needs the entry: it is pending in a group, or a group
   * has not read that far yet. With no groups at all an entry counts as referenced, as Redis's
   * documentation for ACKED says.
   */
  public boolean isReferenced(StreamId id) {
    if (groups.isEmpty()) {
      return true;
    }
    for (ConsumerGroup g : groups.values()) {
      if (id.compareTo(g.lastId) > 0 || g.pel.contains(id)) {
        return true;
      }
    }
    return false;
  }

  /** Removes every group's and consumer's PEL reference to {@code id} (DELREF); true if any. */
  public boolean removeReferences(StreamId id) {
    boolean any = false;
    for (ConsumerGroup g : groups.values()) {
      any |= g.removePending(id);
    }
    return any;
  }

  /** Heap bytes of entries and groups, for MEMORY USAGE. */
  public long memoryBytes() {
    long m = 96;
    for (Chunk chunk : chunks.values()) {
      m += 40 + 32 + chunk.memoryBytes();
    }
    for (ConsumerGroup g : groups.values()) {
      m += g.memoryBytes();
    }
    return m;
  }
}
