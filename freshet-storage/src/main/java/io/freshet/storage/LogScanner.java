package io.freshet.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads a log segment record by record, checking each CRC, and says where the good prefix ends
 * and why. A bad record followed only by an incomplete record or zeros is a <em>torn tail</em>
 * (a crash during a write: safe to cut off); a bad record followed by a good one is
 * <em>corruption</em> in the middle, which must never be cut off silently.
 *
 * <p>Stateless; any thread (recovery and the offline {@code freshet log} tools use it).
 */
public final class LogScanner {
  private static final int READ_BYTES = 1 << 20;

  public enum Problem { NONE, TORN_TAIL, CORRUPT }

  /** What a scan found: the good prefix, the record count, and the first problem. */
  public record Result(Path file, long goodBytes, long fileBytes, long records, Problem problem, String detail) {
    public String describe() {
      return switch (problem) {
        case NONE -> file + ": " + records + " records, " + goodBytes + " bytes, OK";
        case TORN_TAIL -> file + ": " + records + " good records in " + goodBytes + " bytes, then a torn tail of "
            + (fileBytes - goodBytes) + " bytes at offset " + goodBytes + " (" + detail + ")";
        case CORRUPT -> file + ": corrupt record at offset " + goodBytes + " (" + detail + ") with good records after it";
      };
    }
  }

  private LogScanner() {}

  /** Scans {@code file}, handing every good record's commands to {@code sink} (may be null). */
  public static Result scan(Path file, Consumer<List<LogRecord.Command>> sink) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long pos = 0;
      long records = 0;
      Window w = new Window(ch);
      CRC32C crc = new CRC32C();
      while (pos < size) {
        if (size - pos < LogRecord.HEADER_BYTES) {
          return bad(file, ch, pos, size, records, "incomplete header");
        }
        int at = w.at(pos, LogRecord.HEADER_BYTES);
        long length = Bytes.getInt(w.buf, at) & 0xffffffffL;
        int expectedCrc = Bytes.getInt(w.buf, at + 4);
        if (length == 0 || length > LogRecord.MAX_RECORD_BYTES) {
          return bad(file, ch, pos, size, records, "bad length " + length);
        }
        if (pos + LogRecord.HEADER_BYTES + length > size) {
          return bad(file, ch, pos, size, records, "record of " + length + " bytes runs past the end");
        }
        int body = w.at(pos + LogRecord.HEADER_BYTES, (int) length);
        crc.reset();
        crc.update(w.buf, body, (int) length);
        if ((int) crc.getValue() != expectedCrc) {
          return bad(file, ch, pos, size, records, "checksum mismatch");
        }
        List<LogRecord.Command> commands;
        try {
          commands = LogRecord.decode(w.buf, body, (int) length); // copies what it keeps
        } catch (IllegalArgumentException e) {
          // The checksum matched, so the writer wrote this: a bug or an unknown (newer) opcode.
          return new Result(file, pos, size, records, Problem.CORRUPT, "undecodable record: " + e.getMessage());
        }
        if (sink != null) {
          sink.accept(commands);
        }
        records++;
        pos += LogRecord.HEADER_BYTES + length;
      }
      return new Result(file, pos, size, records, Problem.NONE, "");
    }
  }

  /**
   * A window on the file read a megabyte at a time: records are small (often under 100 bytes),
   * and two positioned reads per record made recovery mostly system calls.
   */
  private static final class Window {
    private final FileChannel ch;
    byte[] buf = new byte[READ_BYTES];
    private long start;
    private int length;

    Window(FileChannel ch) {
      this.ch = ch;
    }

    /** Makes {@code [pos, pos + len)} readable in {@link #buf}; returns where it starts there. */
    int at(long pos, int len) throws IOException {
      if (pos >= start && pos + len <= start + length) {
        return (int) (pos - start);
      }
      if (buf.length < len) {
        buf = new byte[len];
      }
      int want = (int) Math.min(buf.length, Math.max(len, ch.size() - pos));
      readFully(ch, pos, buf, want);
      start = pos;
      length = want;
      return 0;
    }
  }

  /** Classifies the bad record at {@code at}: torn tail unless a good record follows it. */
  private static Result bad(Path file, FileChannel ch, long at, long size, long records, String why)
      throws IOException {
    long next = findGoodRecord(ch, at + 1, size);
    if (next >= 0) {
      return new Result(file, at, size, records, Problem.CORRUPT, why + "; next good record at offset " + next);
    }
    return new Result(file, at, size, records, Problem.TORN_TAIL, why);
  }

  /** Offset of the first position at or after {@code from} where a CRC-valid record starts, or -1. */
  private static long findGoodRecord(FileChannel ch, long from, long size) throws IOException {
    if (from >= size) {
      return -1;
    }
    long tailBytes = size - from;
    if (tailBytes > Integer.MAX_VALUE - 16) {
      return from; // too large a damaged region to search: never call it a tail
    }
    byte[] tail = new byte[(int) tailBytes];
    readFully(ch, from, tail, tail.length);
    CRC32C crc = new CRC32C();
    for (int i = 0; i + LogRecord.HEADER_BYTES < tail.length; i++) {
      long length = Bytes.getInt(tail, i) & 0xffffffffL;
      if (length == 0 || length > tail.length - i - LogRecord.HEADER_BYTES) {
        continue;
      }
      crc.reset();
      crc.update(tail, i + LogRecord.HEADER_BYTES, (int) length);
      if ((int) crc.getValue() == Bytes.getInt(tail, i + 4)) {
        return from + i;
      }
    }
    return -1;
  }

  private static void readFully(FileChannel ch, long pos, byte[] dst, int len) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(dst, 0, len);
    while (bb.hasRemaining()) {
      int n = ch.read(bb, pos + bb.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
