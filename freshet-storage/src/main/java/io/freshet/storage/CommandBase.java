package io.freshet.storage;

import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.keyspace.HashValue;
import io.freshet.engine.keyspace.ListValue;
import io.freshet.engine.keyspace.SetValue;
import io.freshet.engine.stream.Consumer;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.EntryCursor;
import io.freshet.engine.stream.Idempotency;
import io.freshet.engine.stream.PendingList;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The base of a log rewrite as commands ({@code aof-use-rdb-preamble no}): log records, in the
 * segments' own format, whose replay recreates every key, as Redis's rewriteAppendOnlyFile
 * writes commands instead of an RDB preamble. Streams follow Redis's rewriteStreamObject: XADD
 * of every entry, XSETID with the last ID, entries-added and max-deleted ID, then per group
 * XGROUP CREATE ... ENTRIESREAD and one {@code XCLAIM ... TIME RETRYCOUNT JUSTID FORCE} per
 * pending entry (a consumer without pending entries: XGROUP CREATECONSUMER). Unlike an AOF, each
 * record carries its clock, so consumers' commands are written at their seen-time and keep it.
 * NACKed entries become XNACK ... FORCE and IDMP state XCFGSET + XIDMPRECORD.
 *
 * <p>Reads engine data (or a copy of it) from one thread at a time.
 */
final class CommandBase {
  /** Elements per RPUSH/SADD/HSET, as Redis's AOF_REWRITE_ITEMS_PER_CMD. */
  private static final int ITEMS_PER_COMMAND = 64;
  /** Creates an empty stream when it has no entries (removed again at once). */
  private static final byte[] SCRATCH_GROUP = ascii("freshet-rewrite-scratch");

  private final Bytes out;
  private final long nowMs;
  private int db;

  private CommandBase(Bytes out, long nowMs) {
    this.out = out;
    this.nowMs = nowMs;
  }

  /** Appends the records that recreate {@code dbs} and the function libraries. */
  static void write(Bytes out, Database[] dbs, List<byte[]> functions, long nowMs) {
    CommandBase w = new CommandBase(out, nowMs);
    for (byte[] code : functions) {
      w.command(nowMs, ascii("FUNCTION"), ascii("LOAD"), code);
    }
    for (Database d : dbs) {
      w.db = d.index;
      for (Dict.Entry<Object> e = d.data.keys.first(); e != null; e = e.after()) {
        w.key(e.key(), e.value());
        long expireAt = d.expireAt(e.key());
        if (expireAt >= 0) {
          w.command(nowMs, ascii("PEXPIREAT"), e.key(), ascii(Long.toString(expireAt)));
        }
      }
    }
  }

  private void key(byte[] key, Object value) {
    if (value instanceof byte[] s) {
      command(nowMs, ascii("SET"), key, s);
    } else if (value instanceof ListValue l) {
      List<byte[]> items = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        items.add(l.get(i));
      }
      batched("RPUSH", key, items);
    } else if (value instanceof SetValue s) {
      List<byte[]> items = new ArrayList<>();
      for (Dict.Entry<Boolean> e = s.members.first(); e != null; e = e.after()) {
        items.add(e.key());
      }
      batched("SADD", key, items);
    } else if (value instanceof HashValue h) {
      List<byte[]> items = new ArrayList<>();
      for (Dict.Entry<byte[]> e = h.fields.first(); e != null; e = e.after()) {
        items.add(e.key());
        items.add(e.value());
      }
      batched("HSET", key, items);
    } else if (value instanceof StreamValue s) {
      stream(key, s);
    } else {
      throw new IllegalArgumentException("no commands for " + value.getClass());
    }
  }

  private void batched(String command, byte[] key, List<byte[]> items) {
    int step = command.equals("HSET") ? 2 * ITEMS_PER_COMMAND : ITEMS_PER_COMMAND;
    for (int from = 0; from < items.size(); from += step) {
      List<byte[]> argv = new ArrayList<>();
      argv.add(ascii(command));
      argv.add(key);
      argv.addAll(items.subList(from, Math.min(items.size(), from + step)));
      command(nowMs, argv.toArray(new byte[0][]));
    }
  }

  private void stream(byte[] key, StreamValue s) {
    if (s.length() == 0) {
      // no entry to XADD: create the stream empty (Redis's XADD MAXLEN 0 trick would leave a
      // max-deleted ID that XSETID cannot take back to 0-0)
      command(nowMs, ascii("XGROUP"), ascii("CREATE"), key, SCRATCH_GROUP, ascii("0"), ascii("MKSTREAM"));
      command(nowMs, ascii("XGROUP"), ascii("DESTROY"), key, SCRATCH_GROUP);
    }
    s.forward(StreamId.MIN, StreamId.MAX, (EntryCursor e) -> {
      List<byte[]> argv = new ArrayList<>();
      argv.add(ascii("XADD"));
      argv.add(key);
      argv.add(e.id().toBytes());
      e.visit((b, offset, length) -> argv.add(java.util.Arrays.copyOfRange(b, offset, offset + length)));
      command(nowMs, argv.toArray(new byte[0][]));
      return true;
    });
    List<byte[]> setId = new ArrayList<>(List.of(ascii("XSETID"), key, s.lastId().toBytes(),
        ascii("ENTRIESADDED"), ascii(Long.toString(s.entriesAdded()))));
    if (!s.maxDeletedId().isZero()) {
      setId.add(ascii("MAXDELETEDID"));
      setId.add(s.maxDeletedId().toBytes());
    }
    command(nowMs, setId.toArray(new byte[0][]));
    for (ConsumerGroup g : s.groups.values()) {
      group(key, s, g);
    }
    Idempotency idmp = s.idempotency();
    if (idmp != null) {
      command(nowMs, ascii("XCFGSET"), key, ascii("IDMP-DURATION"), ascii(Integer.toString(idmp.durationS())),
          ascii("IDMP-MAXSIZE"), ascii(Integer.toString(idmp.maxSize())));
      EntryCursor probe = new EntryCursor();
      idmp.forEach((pid, iid, id) -> {
        if (s.find(id, probe)) { // XIDMPRECORD needs the entry; a record of a deleted one is dropped
          command(nowMs, ascii("XIDMPRECORD"), key, pid, iid, id.toBytes());
        }
      });
    }
  }

  private void group(byte[] key, StreamValue s, ConsumerGroup g) {
    List<byte[]> create = new ArrayList<>(List.of(ascii("XGROUP"), ascii("CREATE"), key, g.name, g.lastId.toBytes()));
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ) {
      create.add(ascii("ENTRIESREAD"));
      create.add(ascii(Long.toString(g.entriesRead)));
    }
    command(nowMs, create.toArray(new byte[0][]));
    EntryCursor probe = new EntryCursor();
    java.util.Map<StreamId, Long> nackedCounts = new java.util.HashMap<>();
    for (PendingList.Cursor c = g.pel.first(); c.valid(); c.next()) {
      Consumer owner = c.owner();
      if (owner == null) {
        nackedCounts.put(c.id(), c.deliveryCount()); // NACKed: written below, in NACK order
        continue;
      }
      if (!s.find(c.id(), probe)) {
        continue; // XCLAIM drops entries no longer in the stream, as in Redis's rewrite
      }
      long at = Math.max(owner.seenTimeMs, c.deliveryTimeMs());
      command(at, ascii("XCLAIM"), key, g.name, owner.name, ascii("0"), c.id().toBytes(), ascii("TIME"),
          ascii(Long.toString(c.deliveryTimeMs())), ascii("RETRYCOUNT"), ascii(Long.toString(c.deliveryCount())),
          ascii("JUSTID"), ascii("FORCE"));
    }
    for (Consumer consumer : g.consumers.values()) {
      if (consumer.pel.isEmpty()) {
        command(consumer.seenTimeMs, ascii("XGROUP"), ascii("CREATECONSUMER"), key, g.name, consumer.name);
      }
    }
    for (StreamId id : g.nackedIds()) {
      Long count = nackedCounts.get(id);
      if (count != null && s.find(id, probe)) {
        command(nowMs, ascii("XNACK"), key, g.name, ascii("FAIL"), ascii("RETRYCOUNT"), ascii(Long.toString(count)),
            ascii("FORCE"), ascii("IDS"), ascii("1"), id.toBytes());
      }
    }
  }

  private void command(long atMs, byte[]... argv) {
    int start = out.size();
    out.skip(LogRecord.HEADER_BYTES);
    out.write(LogRecord.OP_COMMAND);
    LogRecord.encodeCommand(out, db, atMs, argv);
    LogRecord.seal(out, start);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
