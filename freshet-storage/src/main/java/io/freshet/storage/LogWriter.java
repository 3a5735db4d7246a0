package io.freshet.storage;

import io.freshet.engine.Journal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the engine's changes to one log segment. Records collect in memory while a batch runs;
 * {@link #commit} writes them with one {@code write} and, under {@code appendfsync always}, one
 * fsync for the whole batch (group commit) before the engine releases any reply of that batch.
 * Under {@code everysec} a background thread syncs once a second; under {@code no} the kernel
 * decides.
 *
 * <p>Owned by the engine thread, except {@link #syncIfDirty}, which the fsync thread calls.
 */
public final class LogWriter implements Journal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
  private static final int BUFFER_KEEP_BYTES = 1 << 20;

  public enum Fsync { ALWAYS, EVERYSEC, NO }

  private final Path file;
  private final FileChannel channel;
  private final Bytes buf = new Bytes(64 * 1024);
  private final Runnable onFailure;
  private volatile Fsync fsync;
  private int atomicStart = -1;
  private int atomicCount;
  private int atomicDepth;
  private long fileBytes;
  private volatile long writtenBytes;
  private volatile long syncedBytes;
  private volatile boolean lastWriteOk = true;
  private volatile long lastFsyncMs;

  /**
   * Opens {@code file} for appending after its first {@code validBytes} (anything after them
   * is cut off: a torn tail that recovery decided to drop).
   */
  public LogWriter(Path file, long validBytes, Fsync fsync, Runnable onFailure) throws IOException {
    this.file = file;
    this.fsync = fsync;
    this.onFailure = onFailure;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (channel.size() > validBytes) {
      channel.truncate(validBytes);
      channel.force(true);
    }
    channel.position(validBytes);
    this.fileBytes = validBytes;
    this.writtenBytes = validBytes;
    this.syncedBytes = validBytes;
  }

  public Path file() {
    return file;
  }

  public void setFsync(Fsync fsync) {
    this.fsync = fsync;
  }

  public Fsync fsync() {
    return fsync;
  }

  /** Bytes in the segment, including records not yet written out. */
  public long sizeBytes() {
    return fileBytes + buf.size();
  }

  public boolean lastWriteOk() {
    return lastWriteOk;
  }

  @Override
  public void command(int db, long nowMs, byte[][] argv) {
    if (atomicStart >= 0) {
      LogRecord.encodeCommand(buf, db, nowMs, argv);
      atomicCount++;
      return;
    }
    int start = buf.size();
    buf.skip(LogRecord.HEADER_BYTES);
    buf.write(LogRecord.OP_COMMAND);
    LogRecord.encodeCommand(buf, db, nowMs, argv);
    LogRecord.seal(buf, start);
  }

  @Override
  public void beginAtomic() {
    if (atomicDepth++ > 0) {
      return; // EVAL inside EXEC: the outer group holds both
    }
    atomicStart = buf.size();
    atomicCount = 0;
    buf.skip(LogRecord.HEADER_BYTES);
    buf.write(LogRecord.OP_ATOMIC);
    buf.skip(4);
  }

  @Override
  public void endAtomic() {
    if (--atomicDepth > 0) {
      return;
    }
    int start = atomicStart;
    atomicStart = -1;
    if (atomicCount == 0) {
      buf.truncate(start);
      return;
    }
    buf.putInt(start + LogRecord.HEADER_BYTES + 1, atomicCount);
    LogRecord.seal(buf, start);
  }

  @Override
  public boolean hasPending() {
    return committableBytes() > 0;
  }

  /** Bytes of complete records: all of the buffer, or what precedes an open atomic group. */
  private int committableBytes() {
    return atomicStart < 0 ? buf.size() : atomicStart;
  }

  @Override
  public void commit() {
    int committable = committableBytes();
    if (committable == 0) {
      return;
    }
    try {
      ByteBuffer bb = ByteBuffer.wrap(buf.array(), 0, committable);
      while (bb.hasRemaining()) {
        channel.write(bb);
      }
      fileBytes += committable;
      writtenBytes = fileBytes;
      if (atomicStart < 0) {
        buf.clear();
        buf.trimTo(BUFFER_KEEP_BYTES);
      } else {
        // a busy script's open group stays: it moves to the front of the buffer
        buf.dropFront(committable);
        atomicStart = 0;
      }
      if (fsync == Fsync.ALWAYS) {
        channel.force(false);
        syncedBytes = fileBytes;
        lastFsyncMs = System.currentTimeMillis();
      }
      lastWriteOk = true;
    } catch (IOException e) {
      lastWriteOk = false;
      LOG.error("Error writing to the append only file " + file + ": " + e.getMessage(), e);
      onFailure.run();
      throw new UncheckedIOException(e);
    }
  }

  /** Called once a second under {@code everysec} (from the fsync thread). */
  public void syncIfDirty() {
    long written = writtenBytes;
    if (written == syncedBytes) {
      return;
    }
    try {
      channel.force(false);
      syncedBytes = written;
      lastFsyncMs = System.currentTimeMillis();
    } catch (IOException e) {
      if (channel.isOpen()) {
        lastWriteOk = false;
        LOG.error("Can't fsync the append only file " + file + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (buf.size() > 0 && atomicStart < 0) {
      commit();
    }
    if (channel.isOpen()) {
      channel.force(false);
      channel.close();
    }
  }
}
