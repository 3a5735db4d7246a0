package io.freshet.engine.command;

import io.freshet.engine.Call;
import io.freshet.engine.CommandError;
import io.freshet.engine.Errors;
import io.freshet.engine.protocol.Numbers;
import io.freshet.engine.stream.Idempotency;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import java.util.ArrayList;
import java.util.List;

/** XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID. Engine thread only. */
final class StreamCommands {
  static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

  private StreamCommands() {}

  static void register(CommandTable t) {
    t.register("xadd", StreamCommands::xadd);
    t.register("xrange", c -> range(c, false));
    t.register("xrevrange", c -> range(c, true));
    t.register("xlen", c -> {
      StreamValue s = c.getStream(c.arg(1), false);
      c.out.integer(s == null ? 0 : s.length());
    });
    t.register("xdel", StreamCommands::xdel);
    t.register("xtrim", StreamCommands::xtrim);
    t.register("xsetid", StreamCommands::xsetid);
  }

  /** An ID argument, strict (no "-"/"+" shortcuts) as streamParseStrictIDOrReply. */
  static StreamId strictId(Call c, int i, long missingSeq) {
    byte[] b = c.arg(i);
    if (b.length == 1 && (b[0] == '-' || b[0] == '+')) {
      throw new CommandError(INVALID_ID);
    }
    return id(c, i, missingSeq);
  }

  /** An ID argument where "-" and "+" mean the smallest and largest IDs. */
  static StreamId id(Call c, int i, long missingSeq) {
    byte[] b = c.arg(i);
    if (b.length == 1 && b[0] == '-') {
      return StreamId.MIN;
    }
    if (b.length == 1 && b[0] == '+') {
      return StreamId.MAX;
    }
    StreamId id = StreamId.parse(b, missingSeq);
    if (id == null) {
      throw new CommandError(INVALID_ID);
    }
    return id;
  }

  /** Trimming options of XADD and XTRIM, parsed as streamParseAddOrTrimArgsOrReply does. */
  static final class TrimArgs {
    boolean byMaxLen;
    boolean byMinId;
    long maxLen;
    StreamId minId;
    boolean approx;
    long limit;
    boolean noMkStream;
    /** What trimming does to consumer groups' references (Redis 8.2). */
    DeletePolicy policy = DeletePolicy.KEEPREF;
    /** The newest entry an ACKED trim removed, for the exact form that is logged. */
    StreamId lastRemoved;
    boolean policyGiven;
    /** XADD: index of the ID argument, and the ID parsed there. */
    int idIndex;
    XaddId xaddId;
    /** XADD IDMP/IDMPAUTO (Redis 8.6): the producer, and the idempotent ID (null for IDMPAUTO). */
    byte[] idmpProducer;
    byte[] idmpId;
    /** Where the IDMP option's words are in argv, to log them again with a rewritten XADD. */
    int idmpFrom;
    int idmpWords;

    boolean any() {
      return byMaxLen || byMinId;
    }

    static TrimArgs parse(Call c, boolean xadd) {
      TrimArgs a = new TrimArgs();
      boolean limitGiven = false;
      int i = 2;
      for (; i < c.argc(); i++) {
        int more = c.argc() - 1 - i;
        DeletePolicy policy = DeletePolicy.parse(c.arg(i));
        if (xadd && c.argIs(i, "NOMKSTREAM")) {
          a.noMkStream = true;
        } else if (xadd && ((c.argIs(i, "IDMP") && more >= 2) || (c.argIs(i, "IDMPAUTO") && more >= 1))) {
          boolean auto = c.argIs(i, "IDMPAUTO");
          if (a.idmpProducer != null) {
            throw new CommandError("ERR IDMP/IDMPAUTO specified multiple times");
          }
          String option = auto ? "IDMPAUTO" : "IDMP";
          if (c.arg(i + 1).length == 0) {
            throw new CommandError("ERR " + option + " requires a non-empty producer ID");
          }
          if (!auto && c.arg(i + 2).length == 0) {
            throw new CommandError("ERR IDMP requires a non-empty idempotent ID");
          }
          a.idmpProducer = c.arg(i + 1);
          a.idmpId = auto ? null : c.arg(i + 2);
          a.idmpFrom = i;
          a.idmpWords = auto ? 2 : 3;
          i += a.idmpWords - 1;
        } else if (policy != null) {
          if (a.policyGiven) {
            throw new CommandError(Errors.SYNTAX);
          }
          a.policy = policy;
          a.policyGiven = true;
        } else if ((c.argIs(i, "MAXLEN") || c.argIs(i, "MINID")) && more >= 1) {
          boolean maxlen = c.argIs(i, "MAXLEN");
          boolean approx = false;
          byte[] next = c.arg(i + 1);
          if (more >= 2 && next.length == 1 && (next[0] == '~' || next[0] == '=')) {
            approx = next[0] == '~';
            i++;
          }
          if ((maxlen && a.byMinId) || (!maxlen && a.byMaxLen)) {
            throw new CommandError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
          }
          a.approx = approx;
          if (maxlen) {
            a.byMaxLen = true;
            long v = c.longArg(i + 1);
            if (v < 0) {
              throw new CommandError("ERR The MAXLEN argument must be >= 0.");
            }
            a.maxLen = v;
          } else {
            a.byMinId = true;
            a.minId = strictId(c, i + 1, 0);
          }
          i++;
        } else if (c.argIs(i, "LIMIT") && more >= 1) {
          Long v = Numbers.parseLong(c.arg(i + 1));
          if (v == null || v < 0) {
            throw new CommandError("ERR The LIMIT argument must be >= 0.");
          }
          a.limit = v;
          limitGiven = true;
          i++;
        } else if (xadd) {
          break; // the ID
        } else {
          throw new CommandError(Errors.SYNTAX);
        }
      }
      a.idIndex = i;
      if (xadd && i < c.argc()) {
        a.xaddId = parseXaddId(c, i); // Redis parses the ID before judging LIMIT
      }
      if (limitGiven && !a.any()) {
        throw new CommandError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
      }
      if (!xadd && !a.any()) {
        throw new CommandError(Errors.SYNTAX);
      }
      if (a.approx) {
        if (!limitGiven) {
          long nodeMax = c.engine.config.getLong("stream-node-max-entries");
          a.limit = nodeMax * 100;
          if (a.limit <= 0) {
            a.limit = 10000;
          }
          if (a.limit > 1_000_000) {
            a.limit = 1_000_000;
          }
        }
      } else {
        if (limitGiven) {
          throw new CommandError("ERR syntax error, LIMIT cannot be used without the special ~ option");
        }
        a.limit = 0;
      }
      return a;
    }
  }

  static long trim(Call c, StreamValue s, TrimArgs a) {
    if (!a.any()) {
      return 0;
    }
    return switch (a.policy) {
      case KEEPREF -> s.trim(a.byMaxLen, a.maxLen, a.minId, a.approx, a.limit);
      case DELREF -> s.trim(a.byMaxLen, a.maxLen, a.minId, a.approx, a.limit, s::removeReferences);
      // whole-node removal would need every entry unreferenced: ACKED looks at each entry
      case ACKED -> s.trimAcked(a.byMaxLen, a.maxLen, a.minId, a.approx, a.limit, id -> a.lastRemoved = id);
    };
  }

  /**
   * The trimming arguments to log for an approximate trim: exact, so replay needs no layout.
   * KEEPREF and DELREF remove a prefix of the stream, so "MINID = first kept" says it. ACKED
   * skips referenced entries, which may stay before removed ones; but every unreferenced entry
   * up to the last one removed was removed (chunks are examined whole, in order), so "ACKED
   * MINID = just after the last removed" removes exactly the same entries from the same state.
   */
  private static byte[][] exactTrimArgs(StreamValue s, TrimArgs a) {
    if (a.policy == DeletePolicy.ACKED) {
      StreamId bound = a.lastRemoved.next();
      return new byte[][] {a.policy.keyword, MINID, EXACT,
          (bound == null ? a.lastRemoved : bound).toBytes()};
    }
    byte[][] exact = exactTrim(s);
    if (a.policy == DeletePolicy.KEEPREF) {
      return exact;
    }
    byte[][] out = new byte[exact.length + 1][];
    out[0] = a.policy.keyword;
    System.arraycopy(exact, 0, out, 1, exact.length);
    return out;
  }

  /** XADD's ID argument: "*", "ms-*" or an explicit ID. */
  record XaddId(boolean auto, boolean autoSeq, StreamId given) {}

  static XaddId parseXaddId(Call c, int idIndex) {
    byte[] idArg = c.arg(idIndex);
    if (idArg.length == 1 && idArg[0] == '*') {
      return new XaddId(true, false, null);
    }
    int dash = indexOf(idArg, (byte) '-');
    if (dash >= 0 && dash == idArg.length - 2 && idArg[idArg.length - 1] == '*' && idArg.length <= 127) {
      Long ms = StreamId.parseUnsigned(idArg, 0, dash);
      if (ms == null) {
        throw new CommandError(INVALID_ID);
      }
      return new XaddId(false, true, new StreamId(ms, 0));
    }
    return new XaddId(false, false, strictId(c, idIndex, 0));
  }

  private static void xadd(Call c) {
    TrimArgs a = TrimArgs.parse(c, true);
    int idIndex = a.idIndex;
    int fieldsFrom = idIndex + 1;
    XaddId parsed = a.xaddId != null ? a.xaddId : new XaddId(false, false, null);
    boolean auto = parsed.auto();
    boolean autoSeq = parsed.autoSeq();
    StreamId given = parsed.given();
    if (c.argc() - fieldsFrom < 2 || (c.argc() - fieldsFrom) % 2 == 1) {
      throw Errors.wrongArity("xadd");
    }
    boolean idmp = a.idmpProducer != null;
    if (idmp && !auto) {
      throw new CommandError("ERR IDMP/IDMPAUTO can be used only with auto-generated IDs");
    }
    if (given != null && !autoSeq && given.isZero()) {
      throw new CommandError("ERR The ID specified in XADD must be greater than 0-0");
    }
    byte[] key = c.arg(1);
    StreamValue s = c.getStream(key, true);
    if (s == null && a.noMkStream) {
      c.out.nullBulk();
      return;
    }
    int n = (c.argc() - fieldsFrom) / 2;
    byte[][] fields = new byte[n][];
    byte[][] values = new byte[n][];
    for (int i = 0; i < n; i++) {
      fields[i] = c.arg(fieldsFrom + 2 * i);
      values[i] = c.arg(fieldsFrom + 2 * i + 1);
    }
    byte[] iid = null;
    if (idmp) {
      iid = a.idmpId != null ? a.idmpId : Idempotency.autoId(fields, values);
      Idempotency known = s == null ? null : s.idempotency();
      StreamId original = known == null ? null : known.find(a.idmpProducer, iid, c.nowMs);
      if (original != null) {
        // a retried XADD: the entry it added, and nothing added; logged so the counter replays
        known.countDuplicate();
        c.engine.stats.dirty++;
        c.out.bulk(original.toBytes());
        return;
      }
    }
    StreamId last = s == null ? StreamId.MIN : s.lastId();
    if (last.equals(StreamId.MAX)) {
      throw new CommandError("ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    StreamId id;
    if (auto) {
      long ms = c.nowMs;
      if (Long.compareUnsigned(ms, last.ms()) > 0) {
        id = new StreamId(ms, 0);
      } else {
        id = last.next();
      }
    } else if (autoSeq) {
      int cmp = Long.compareUnsigned(given.ms(), last.ms());
      if (cmp > 0) {
        id = new StreamId(given.ms(), 0);
      } else if (cmp == 0 && last.seq() != -1L) {
        id = new StreamId(given.ms(), last.seq() + 1);
      } else {
        throw new CommandError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
      }
    } else {
      if (given.compareTo(last) <= 0) {
        throw new CommandError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
      }
      id = given;
    }
    if (s == null) {
      s = new StreamValue();
      c.db().add(key, s);
    }
    s.append(id, fields, values, c.engine.config.getLong("stream-node-max-entries"),
        c.engine.config.getLong("stream-node-max-bytes"));
    if (idmp) {
      s.idempotency(c.configInt("stream-idmp-duration"), c.configInt("stream-idmp-maxsize"))
          .record(a.idmpProducer, iid, id);
    }
    byte[] idBytes = id.toBytes();
    c.out.bulk(idBytes);
    long removed = trim(c, s, a);
    c.modified(key);
    c.signalReady(key);
    if (a.approx) {
      // What "~" removes depends on the node layout, so the log gets the exact result. With
      // IDMP the ID stays "*" (IDMP refuses explicit IDs): replay at the logged time gives the same.
      byte[][] trimArgs = removed == 0 ? new byte[0][] : exactTrimArgs(s, a);
      int idmpWords = idmp ? a.idmpWords : 0;
      byte[][] argv = new byte[2 + idmpWords + trimArgs.length + 1 + 2 * n][];
      argv[0] = c.arg(0);
      argv[1] = key;
      System.arraycopy(c.argv, a.idmpFrom, argv, 2, idmpWords);
      System.arraycopy(trimArgs, 0, argv, 2 + idmpWords, trimArgs.length);
      argv[2 + idmpWords + trimArgs.length] = idmp ? c.arg(idIndex) : idBytes;
      System.arraycopy(c.argv, fieldsFrom, argv, 3 + idmpWords + trimArgs.length, 2 * n);
      c.propagateAs(argv);
    }
  }

  private static final byte[] MINID = {'M', 'I', 'N', 'I', 'D'};
  private static final byte[] MAXLEN = {'M', 'A', 'X', 'L', 'E', 'N'};
  private static final byte[] EXACT = {'='};

  /** Trimming arguments that leave exactly the entries {@code s} has now. */
  private static byte[][] exactTrim(StreamValue s) {
    StreamId first = s.firstId();
    return s.length() == 0 ? new byte[][] {MAXLEN, EXACT, {(byte) 0x30}} : new byte[][] {MINID, EXACT, first.toBytes()};
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /** XRANGE/XREVRANGE bounds: "-", "+", incomplete IDs, and "(" for exclusive. */
  static StreamId rangeStart(Call c, int i, boolean reverseEnd) {
    byte[] b = c.arg(i);
    boolean exclusive = b.length > 1 && b[0] == '(';
    if (exclusive) {
      StreamId id = StreamId.parse(java.util.Arrays.copyOfRange(b, 1, b.length), reverseEnd ? -1L : 0);
      if (id == null) {
        throw new CommandError(INVALID_ID);
      }
      StreamId moved = reverseEnd ? id.previous() : id.next();
      if (moved == null) {
        throw new CommandError(reverseEnd ? "ERR invalid end ID for the interval" : "ERR invalid start ID for the interval");
      }
      return moved;
    }
    return id(c, i, reverseEnd ? -1L : 0);
  }

  private static void range(Call c, boolean reverse) {
    int startArg = reverse ? 3 : 2;
    int endArg = reverse ? 2 : 3;
    StreamId start = rangeStart(c, startArg, false);
    StreamId end = rangeStart(c, endArg, true);
    long count = -1;
    for (int i = 4; i < c.argc(); i++) {
      if (c.argIs(i, "COUNT") && i + 1 < c.argc()) {
        count = c.longArg(i + 1);
        if (count < 0) {
          count = 0;
        }
        i++;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    StreamValue s = c.getStream(c.arg(1), false);
    if (s == null) {
      c.out.arrayHeader(0);
      return;
    }
    if (count == 0) {
      c.out.nullArray();
      return;
    }
    writeRange(c, s, start, end, count < 0 ? Long.MAX_VALUE : count, reverse);
  }

  /** Writes {@code [[id, [f, v, ...]], ...]} for a range; the header is counted first. */
  static void writeRange(Call c, StreamValue s, StreamId start, StreamId end, long count, boolean reverse) {
    long[] n = {0};
    StreamValue.Visitor counter = e -> ++n[0] < count;
    if (reverse) {
      s.backward(start, end, counter);
    } else {
      s.forward(start, end, counter);
    }
    c.out.arrayHeader(n[0]);
    long[] left = {n[0]};
    StreamValue.Visitor writer = e -> {
      e.writeEntry(c.out);
      return --left[0] > 0;
    };
    if (n[0] > 0) {
      if (reverse) {
        s.backward(start, end, writer);
      } else {
        s.forward(start, end, writer);
      }
    }
  }

  private static void xdel(Call c) {
    StreamValue s = c.getStream(c.arg(1), true);
    if (s == null) {
      c.out.integer(0);
      return;
    }
    List<StreamId> ids = new ArrayList<>();
    for (int i = 2; i < c.argc(); i++) {
      ids.add(strictId(c, i, 0));
    }
    long deleted = 0;
    {
      for (StreamId id : ids) {
        if (s.delete(id)) {
          deleted++;
        }
      }
      if (deleted > 0) {
        c.modified(c.arg(1));
      }
    }
    c.out.integer(deleted);
  }

  private static void xtrim(Call c) {
    TrimArgs a = TrimArgs.parse(c, false);
    StreamValue s = c.getStream(c.arg(1), true);
    if (s == null) {
      c.out.integer(0);
      return;
    }
    long removed = trim(c, s, a);
    if (removed > 0) {
      c.modified(c.arg(1));
      if (a.approx) {
        byte[][] exact = exactTrimArgs(s, a);
        byte[][] argv = new byte[2 + exact.length][];
        argv[0] = c.arg(0);
        argv[1] = c.arg(1);
        System.arraycopy(exact, 0, argv, 2, exact.length);
        c.propagateAs(argv);
      }
    }
    c.out.integer(removed);
  }

  private static void xsetid(Call c) {
    StreamId id = strictId(c, 2, 0);
    long entriesAdded = -1;
    StreamId maxDeleted = null;
    for (int i = 3; i < c.argc(); i++) {
      int more = c.argc() - 1 - i;
      if (c.argIs(i, "ENTRIESADDED") && more >= 1) {
        entriesAdded = c.longArg(i + 1);
        if (entriesAdded < 0) {
          throw new CommandError("ERR entries_added must be positive");
        }
        i++;
      } else if (c.argIs(i, "MAXDELETEDID") && more >= 1) {
        maxDeleted = strictId(c, i + 1, 0);
        if (id.compareTo(maxDeleted) < 0) {
          throw new CommandError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        }
        i++;
      } else {
        throw new CommandError(Errors.SYNTAX);
      }
    }
    StreamValue s = c.getStream(c.arg(1), true);
    if (s == null) {
      throw new CommandError(Errors.NO_SUCH_KEY);
    }
    if (maxDeleted != null && maxDeleted.isZero()) {
      maxDeleted = null; // Redis reads 0-0 as "not given"
    }
    if (id.compareTo(s.maxDeletedId()) < 0) {
      // newer Redis (PR 11444): the last ID may not go below an entry already deleted, whatever
      // MAXDELETEDID says (the check reads the stream's current value before anything is set)
      throw new CommandError("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
    }
    if (s.length() > 0) {
      io.freshet.engine.stream.EntryCursor last = new io.freshet.engine.stream.EntryCursor();
      s.last(last);
      if (id.compareTo(last.id()) < 0) {
        throw new CommandError("ERR The ID specified in XSETID is smaller than the target stream top item");
      }
      if (entriesAdded != -1 && s.length() > entriesAdded) {
        throw new CommandError("ERR The entries_added specified in XSETID is smaller than the target stream length");
      }
    }
    s.setLastId(id);
    if (entriesAdded != -1) {
      s.setEntriesAdded(entriesAdded);
      // newer Redis (PR 15489): a group cannot have read more than was ever added, or its lag
      // would go negative and the snapshot would not load; its counter comes down with it
      for (io.freshet.engine.stream.ConsumerGroup g : s.groups.values()) {
        g.entriesRead = s.clampEntriesRead(g.entriesRead);
      }
    }
    if (maxDeleted != null) {
      s.setMaxDeletedId(maxDeleted);
    }
    c.modified(c.arg(1));
    c.out.ok();
  }
}
