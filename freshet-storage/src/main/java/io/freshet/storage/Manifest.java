package io.freshet.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The list of files that make up the data: at most one base snapshot (RDB) and the log segments
 * written after it, in order. Same line syntax as Redis 7's AOF manifest
 * ({@code file NAME seq N type b|i}). Replaced atomically: write a temporary file, fsync, rename,
 * fsync the directory.
 *
 * <p>Immutable; any thread.
 */
public record Manifest(List<Entry> entries) {
  public enum Type { BASE, INCR }

  public record Entry(String name, long seq, Type type) {}

  public Manifest {
    entries = List.copyOf(entries);
  }

  public Entry base() {
    for (Entry e : entries) {
      if (e.type == Type.BASE) {
        return e;
      }
    }
    return null;
  }

  public List<Entry> incrs() {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.type == Type.INCR) {
        out.add(e);
      }
    }
    return out;
  }

  public long lastIncrSeq() {
    long seq = 0;
    for (Entry e : incrs()) {
      seq = Math.max(seq, e.seq);
    }
    return seq;
  }

  public long lastBaseSeq() {
    Entry b = base();
    return b == null ? 0 : b.seq;
  }

  public static Manifest read(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      line = line.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      String name = null;
      Long seq = null;
      Type type = null;
      for (int i = 0; i + 1 < f.length; i += 2) {
        switch (f[i]) {
          case "file" -> name = f[i + 1];
          case "seq" -> seq = Long.parseLong(f[i + 1]);
          case "type" -> type = switch (f[i + 1]) {
            case "b" -> Type.BASE;
            case "i" -> Type.INCR;
            default -> null;
          };
          default -> { }
        }
      }
      if (name == null || seq == null || type == null || name.contains("/") || f.length % 2 != 0) {
        throw new IOException("Invalid manifest " + file + " at line " + lineNo + ": " + line);
      }
      entries.add(new Entry(name, seq, type));
    }
    return new Manifest(entries);
  }

  public String render() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      sb.append("file ").append(e.name).append(" seq ").append(e.seq).append(" type ")
          .append(e.type == Type.BASE ? 'b' : 'i').append('\n');
    }
    return sb.toString();
  }

  /** Replaces {@code file} with this manifest, atomically and durably. */
  public void write(Path file) throws IOException {
    writeAtomically(file, render().getBytes(StandardCharsets.UTF_8));
  }

  /** Write a temporary file, fsync it, rename it over {@code file}, fsync the directory. */
  public static void writeAtomically(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling("temp-" + file.getFileName());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(content);
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
      ch.force(true);
    }
    moveAtomically(tmp, file);
  }

  /** Renames {@code from} over {@code to} and fsyncs the directory so the rename survives a crash. */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(to.toAbsolutePath().getParent());
  }

  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open directories; the rename is still atomic there.
    }
  }
}
