package io.freshet.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The log's record format: {@code length u32 | crc32c u32 | opcode u8 | payload}, big-endian,
 * where length counts opcode and payload and the CRC covers them too. Opcodes are append-only
 * numbers, frozen by {@code LogRecordTest}; never renumber one.
 *
 * <ul>
 *   <li>{@link #OP_COMMAND}: one command: {@code varint db | varint nowMs | varint argc | (varint
 *       len | bytes)*}.
 *   <li>{@link #OP_ATOMIC}: a MULTI/EXEC block applied all or none: {@code u32 count} then
 *       that many command payloads.
 * </ul>
 *
 * <p>Stateless; any thread.
 */
public final class LogRecord {
  public static final int OP_COMMAND = 1;
  public static final int OP_ATOMIC = 2;

  public static final int HEADER_BYTES = 8;
  /** Larger records are corruption: no command carries more (512 MB bulk, plus framing). */
  public static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

  /** One command of a record. */
  public record Command(int db, long nowMs, byte[][] argv) {}

  private LogRecord() {}

  /** Appends one command's payload (no header) to {@code out}. */
  static void encodeCommand(Bytes out, int db, long nowMs, byte[][] argv) {
    out.varint(db);
    out.varint(nowMs);
    out.varint(argv.length);
    for (byte[] a : argv) {
      out.varint(a.length);
      out.write(a, 0, a.length);
    }
  }

  /** Fills in the header of the record that starts at {@code start} and ends at the buffer's end. */
  static void seal(Bytes out, int start) {
    int length = out.size() - start - HEADER_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(out.array(), start + HEADER_BYTES, length);
    out.putInt(start, length);
    out.putInt(start + 4, (int) crc.getValue());
  }

  /** Decodes the payload of a checked record into its commands. */
  public static List<Command> decode(byte[] buf, int offset, int length) {
    Reader r = new Reader(buf, offset, offset + length);
    int opcode = r.u8();
    List<Command> out = new ArrayList<>(1);
    switch (opcode) {
      case OP_COMMAND -> out.add(r.command());
      case OP_ATOMIC -> {
        long count = r.u32();
        for (long i = 0; i < count; i++) {
          out.add(r.command());
        }
      }
      default -> throw new IllegalArgumentException("unknown opcode " + opcode);
    }
    if (r.pos != r.end) {
      throw new IllegalArgumentException("trailing bytes in record");
    }
    return out;
  }

  private static final class Reader {
    final byte[] buf;
    int pos;
    final int end;

    Reader(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    int u8() {
      need(1);
      return buf[pos++] & 0xff;
    }

    long u32() {
      need(4);
      long v = Bytes.getInt(buf, pos) & 0xffffffffL;
      pos += 4;
      return v;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint too long");
    }

    int length() {
      long v = varint();
      if (v < 0 || v > end - pos) {
        throw new IllegalArgumentException("length " + v + " beyond record");
      }
      return (int) v;
    }

    Command command() {
      long db = varint();
      long nowMs = varint();
      int argc = length();
      if (db < 0 || db > Integer.MAX_VALUE || argc == 0) {
        throw new IllegalArgumentException("bad command header");
      }
      byte[][] argv = new byte[argc][];
      for (int i = 0; i < argc; i++) {
        int n = length();
        argv[i] = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
      }
      return new Command((int) db, nowMs, argv);
    }

    void need(int n) {
      if (end - pos < n) {
        throw new IllegalArgumentException("record ends early");
      }
    }
  }
}
