package io.freshet.storage;

import io.freshet.engine.CommandError;
import io.freshet.engine.Config;
import io.freshet.engine.Engine;
import io.freshet.engine.Persistence;
import io.freshet.engine.keyspace.Database;
import io.freshet.storage.rdb.RdbException;
import io.freshet.storage.rdb.RdbReader;
import io.freshet.storage.rdb.RdbWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data directory: the manifest, the base snapshot and the log segments under
 * {@code appenddirname}, plus {@code dump.rdb} for SAVE and BGSAVE. Recovers the engine from
 * them, journals every change, writes snapshots and compacts the log.
 *
 * <p>Owned by the engine thread. Snapshots are serialized on the engine thread (a short pause,
 * measured in bench/recovery.sh) and written to disk by a background thread; the background
 * thread hands its result back through the host's engine executor.
 */
public final class Store implements Persistence, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  private final Engine engine;
  private final Config config;
  private final Path dir;
  private final java.util.concurrent.Executor engineThread;
  private final Runnable onFatal;
  private final ExecutorService background = Executors.newSingleThreadExecutor(daemon("freshet-bgsave"));
  private final ScheduledExecutorService fsyncThread = Executors.newSingleThreadScheduledExecutor(daemon("freshet-fsync"));
  private final AtomicReference<LogWriter> writer = new AtomicReference<>();
  private Manifest manifest;

  private long lastSaveMs;
  private boolean lastBgsaveOk = true;
  private boolean bgsaveInProgress;
  private boolean bgsaveScheduled;
  private long bgsaveStartMs = -1;
  private long lastBgsaveSeconds = -1;
  private long dirtyAtSnapshot;
  private boolean rewriteInProgress;
  private boolean rewriteScheduled;
  private long rewriteStartMs = -1;
  private long lastRewriteSeconds = -1;
  private boolean lastRewriteOk = true;
  private long rewrites;
  private long baseBytes;

  public Store(Engine engine, java.util.concurrent.Executor engineThread, Runnable onFatal) {
    this.engine = engine;
    this.config = engine.config;
    this.dir = Path.of(config.get("dir"));
    this.engineThread = engineThread;
    this.onFatal = onFatal;
    this.lastSaveMs = engine.now();
    fsyncThread.scheduleAtFixedRate(this::fsyncEverySecond, 1, 1, TimeUnit.SECONDS);
    config.onChange("appendfsync", v -> {
      LogWriter w = writer.get();
      if (w != null) {
        w.setFsync(fsyncOf(v));
      }
    });
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static LogWriter.Fsync fsyncOf(String v) {
    return switch (v) {
      case "always" -> LogWriter.Fsync.ALWAYS;
      case "no" -> LogWriter.Fsync.NO;
      default -> LogWriter.Fsync.EVERYSEC;
    };
  }

  private void fsyncEverySecond() {
    LogWriter w = writer.get();
    if (w != null && w.fsync() == LogWriter.Fsync.EVERYSEC) {
      w.syncIfDirty();
    }
  }

  Path logDir() {
    return dir.resolve(config.get("appenddirname"));
  }

  private Path manifestFile() {
    return logDir().resolve(config.get("appendfilename") + ".manifest");
  }

  private Path rdbFile() {
    return dir.resolve(config.get("dbfilename"));
  }

  private boolean logEnabled() {
    return config.getBool("appendonly");
  }

  // ---- recovery ----------------------------------------------------------------------------

  /**
   * Loads the data directory into the (empty) engine and starts journaling. Refuses, with the
   * file and offset, when the log is damaged anywhere but at its tail.
   */
  public void open() throws IOException {
    Files.createDirectories(dir);
    long started = System.nanoTime();
    long keys;
    if (logEnabled() && Files.exists(manifestFile())) {
      keys = recoverFromLog();
    } else {
      keys = Files.exists(rdbFile()) ? loadRdb(rdbFile()) : 0;
      if (logEnabled()) {
        startFreshLog();
      }
    }
    engine.stats.dirty = 0;
    LOG.info(String.format("Done loading %d keys in %.3f seconds", keys, (System.nanoTime() - started) / 1e9));
  }

  /** Base snapshot, then every log segment in order. Opens the last segment for appending. */
  private long recoverFromLog() throws IOException {
    manifest = Manifest.read(manifestFile());
    Manifest.Entry base = manifest.base();
    if (base != null) {
      Path baseFile = logDir().resolve(base.name());
      if (base.name().endsWith(COMMAND_BASE_SUFFIX)) {
        loadCommandBase(baseFile);
      } else {
        loadRdb(baseFile);
      }
      baseBytes = Files.size(baseFile);
    }
    List<Manifest.Entry> incrs = manifest.incrs();
    long goodBytes = 0;
    for (int i = 0; i < incrs.size(); i++) {
      Path file = logDir().resolve(incrs.get(i).name());
      boolean last = i == incrs.size() - 1;
      if (!Files.exists(file)) {
        if (last) {
          goodBytes = 0;
          continue;
        }
        throw new IOException("The AOF file " + file + " doesn't exist");
      }
      long[] replayed = new long[1];
      LogScanner.Result r = LogScanner.scan(file, commands -> replayed[0] += replay(commands));
      if (r.problem() == LogScanner.Problem.CORRUPT) {
        throw new IOException("Bad file format reading the append only file " + r.describe()
            + ". Run 'freshet log repair " + dir + "' to cut the log at the damage (losing what follows).");
      }
      if (r.problem() == LogScanner.Problem.TORN_TAIL) {
        if (!last || !config.getBool("aof-load-truncated")) {
          throw new IOException("Unexpected end of file reading the append only file " + r.describe()
              + (last ? ". Set aof-load-truncated yes or run 'freshet log repair " + dir + "'." : ""));
        }
        LOG.warn("!!! Warning: short read while loading the AOF file " + file + "!!! " + r.describe()
            + ". AOF loaded anyway because aof-load-truncated is enabled; the tail is cut off.");
      }
      goodBytes = r.goodBytes();
      LOG.info("Replayed " + replayed[0] + " commands from " + file);
    }
    Manifest.Entry lastIncr = incrs.isEmpty() ? null : incrs.get(incrs.size() - 1);
    if (lastIncr == null) {
      lastIncr = new Manifest.Entry(incrName(1), 1, Manifest.Type.INCR);
      List<Manifest.Entry> entries = new ArrayList<>(manifest.entries());
      entries.add(lastIncr);
      manifest = new Manifest(entries);
      manifest.write(manifestFile());
      goodBytes = 0;
    }
    openWriter(logDir().resolve(lastIncr.name()), goodBytes);
    return countKeys();
  }

  /** A base written as commands (aof-use-rdb-preamble no): every record must be whole. */
  private void loadCommandBase(Path file) throws IOException {
    long[] replayed = new long[1];
    LogScanner.Result r = LogScanner.scan(file, commands -> replayed[0] += replay(commands));
    if (r.problem() != LogScanner.Problem.NONE) {
      throw new IOException("Bad file format reading the append only file base " + r.describe());
    }
    LOG.info("Replayed " + replayed[0] + " commands from the base " + file);
  }

  private long replay(List<LogRecord.Command> commands) {
    for (LogRecord.Command c : commands) {
      String error = engine.replay(c.db(), c.nowMs(), c.argv());
      if (error != null) {
        LOG.warn("replaying " + new String(c.argv()[0], java.nio.charset.StandardCharsets.UTF_8) + " gave: " + error);
      }
    }
    return commands.size();
  }

  private long countKeys() {
    long n = 0;
    for (Database db : dbs()) {
      n += db.size();
    }
    return n;
  }

  private Database[] dbs() {
    Database[] out = new Database[engine.dbCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = engine.db(i);
    }
    return out;
  }

  /** Loads an RDB file into the engine, skipping keys that have already expired. */
  private long loadRdb(Path file) throws IOException {
    long nowMs = engine.now();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      RdbReader.load(in, config, new RdbReader.Sink() {
        @Override
        public void key(int db, byte[] key, Object value, long expireAt) {
          if (expireAt >= 0 && expireAt <= nowMs) {
            return;
          }
          Database d = engine.db(db);
          d.add(key, value);
          if (expireAt >= 0) {
            d.setExpire(key, expireAt);
          }
        }

        @Override
        public void function(byte[] code) {
          if (engine.functions != null) {
            engine.functions.restoreLibrary(code);
          }
        }
      });
    } catch (RdbException e) {
      throw new IOException("Can't load " + file + ": " + e.getMessage(), e);
    }
    return countKeys();
  }

  /** A new log: a base snapshot of what is loaded (if anything) and an empty first segment. */
  private void startFreshLog() throws IOException {
    Files.createDirectories(logDir());
    List<Manifest.Entry> entries = new ArrayList<>();
    if (countKeys() > 0) {
      boolean commands = !config.getBool("aof-use-rdb-preamble");
      Manifest.Entry base = new Manifest.Entry(baseName(1, commands), 1, Manifest.Type.BASE);
      Bytes snapshot = commands ? commandBase(dbs(), functionCodes(), engine.now()) : snapshot(true);
      writeFile(logDir().resolve(base.name()), snapshot);
      baseBytes = snapshot.size();
      entries.add(base);
    }
    Manifest.Entry incr = new Manifest.Entry(incrName(1), 1, Manifest.Type.INCR);
    entries.add(incr);
    manifest = new Manifest(entries);
    Files.deleteIfExists(logDir().resolve(incr.name()));
    manifest.write(manifestFile());
    openWriter(logDir().resolve(incr.name()), 0);
  }

  /** A base written as commands ends so (Redis names its command base {@code .base.aof}). */
  static final String COMMAND_BASE_SUFFIX = ".base.flog";

  private String baseName(long seq, boolean commands) {
    return config.get("appendfilename") + "." + seq + (commands ? COMMAND_BASE_SUFFIX : ".base.rdb");
  }

  private static Bytes commandBase(Database[] dbs, List<byte[]> functions, long nowMs) {
    Bytes out = new Bytes(1 << 16);
    CommandBase.write(out, dbs, functions, nowMs);
    return out;
  }

  private String incrName(long seq) {
    return config.get("appendfilename") + "." + seq + ".incr.flog";
  }

  private void openWriter(Path file, long validBytes) throws IOException {
    LogWriter w = new LogWriter(file, validBytes, fsyncOf(config.get("appendfsync")), onFatal);
    LogWriter old = writer.getAndSet(w);
    if (old != null) {
      old.close();
    }
    engine.setJournal(w);
  }

  // ---- snapshots ---------------------------------------------------------------------------

  private Bytes snapshot(boolean aofBase) {
    return encode(dbs(), functionCodes(), aofBase, config.getInt("freshet-rdb-version"), engine.now(), rdbOptions());
  }

  /** The function libraries' code (byte arrays never change, so a list copy is a snapshot). */
  private List<byte[]> functionCodes() {
    return engine.functions == null ? List.of() : List.copyOf(engine.functions.codes());
  }

  private static Bytes encode(Database[] dbs, List<byte[]> functions, boolean aofBase, int version, long nowMs,
      RdbWriter.Options options) {
    Bytes out = new Bytes(1 << 16);
    RdbWriter.snapshot(out, version, dbs, functions, nowMs, aofBase, options);
    return out;
  }

  /** rdbcompression and rdbchecksum as they are now (read on the engine thread). */
  private RdbWriter.Options rdbOptions() {
    return new RdbWriter.Options(config.getBool("rdbcompression"), config.getBool("rdbchecksum"));
  }

  /**
   * The data as of now, copied so another thread can encode it while the engine goes on: the
   * engine's pause is the copy (chunk bytes are copied wholesale), not the encoding.
   */
  private Database[] copyForBackground() {
    long started = System.nanoTime();
    Database[] copies = new Database[engine.dbCount()];
    for (int i = 0; i < copies.length; i++) {
      Database from = engine.db(i);
      Database to = new Database(i);
      for (io.freshet.engine.keyspace.Dict.Entry<Object> e = from.data.keys.first(); e != null; e = e.after()) {
        to.add(e.key(), copyValue(e.value()));
        long at = from.expireAt(e.key());
        if (at >= 0) {
          to.setExpire(e.key(), at);
        }
      }
      copies[i] = to;
    }
    LOG.info(String.format("snapshot copy of %d keys taken in %.1f ms on the engine thread", countKeys(),
        (System.nanoTime() - started) / 1e6));
    return copies;
  }

  private static Object copyValue(Object v) {
    if (v instanceof io.freshet.engine.stream.StreamValue s) {
      return s.copy();
    } else if (v instanceof io.freshet.engine.keyspace.HashValue h) {
      return h.copy();
    } else if (v instanceof io.freshet.engine.keyspace.SetValue s) {
      return s.copy();
    } else if (v instanceof io.freshet.engine.keyspace.ListValue l) {
      return l.copy();
    }
    return v; // strings are never modified in place
  }

  /** Writes {@code content} to a temporary file, fsyncs, renames it over {@code file}. */
  private static void writeFile(Path file, Bytes content) throws IOException {
    Path tmp = file.resolveSibling("temp-" + ProcessHandle.current().pid() + "-" + file.getFileName());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bb = ByteBuffer.wrap(content.array(), 0, content.size());
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
      ch.force(true);
    }
    Manifest.moveAtomically(tmp, file);
  }

  @Override
  public void save() {
    if (bgsaveInProgress) {
      throw new CommandError("ERR Background save already in progress");
    }
    long dirtyBefore = engine.stats.dirty;
    try {
      writeFile(rdbFile(), snapshot(false));
    } catch (IOException e) {
      LOG.warn("Failed opening the temp RDB file for saving: " + e.getMessage());
      throw new CommandError("ERR");
    }
    engine.stats.dirty -= dirtyBefore;
    lastSaveMs = System.currentTimeMillis();
    lastBgsaveOk = true;
    LOG.info("DB saved on disk");
  }

  @Override
  public String bgsave(boolean schedule) {
    if (bgsaveInProgress) {
      throw new CommandError("ERR Background save already in progress");
    }
    if (rewriteInProgress) {
      if (schedule) {
        bgsaveScheduled = true;
        return "Background saving scheduled";
      }
      throw new CommandError("ERR Another child process is active (AOF?): can't BGSAVE right now. "
          + "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    startBgsave();
    return "Background saving started";
  }

  private void startBgsave() {
    bgsaveInProgress = true;
    bgsaveStartMs = System.currentTimeMillis();
    dirtyAtSnapshot = engine.stats.dirty;
    Database[] copy = copyForBackground();
    List<byte[]> functions = functionCodes();
    int version = config.getInt("freshet-rdb-version");
    RdbWriter.Options options = rdbOptions();
    long nowMs = engine.now();
    Path file = rdbFile();
    background.execute(() -> {
      boolean ok;
      try {
        writeFile(file, encode(copy, functions, false, version, nowMs, options));
        ok = true;
      } catch (IOException | RuntimeException e) {
        LOG.warn("Background saving error: " + e.getMessage());
        ok = false;
      }
      boolean done = ok;
      engineThread.execute(() -> finishBgsave(done));
    });
  }

  private void finishBgsave(boolean ok) {
    bgsaveInProgress = false;
    lastBgsaveOk = ok;
    lastBgsaveSeconds = (System.currentTimeMillis() - bgsaveStartMs) / 1000;
    bgsaveStartMs = -1;
    if (ok) {
      engine.stats.dirty -= dirtyAtSnapshot;
      lastSaveMs = System.currentTimeMillis();
      LOG.info("Background saving terminated with success");
    }
  }

  @Override
  public long lastSaveSeconds() {
    return lastSaveMs / 1000;
  }

  // ---- log rewrite -------------------------------------------------------------------------

  @Override
  public String rewriteLog() {
    if (rewriteInProgress) {
      throw new CommandError("ERR Background append only file rewriting already in progress");
    }
    if (bgsaveInProgress) {
      rewriteScheduled = true;
      return "Background append only file rewriting scheduled";
    }
    startRewrite();
    return "Background append only file rewriting started";
  }

  /**
   * Compaction: new writes go to a new segment at once (listed in the manifest before anything
   * else happens), a snapshot of the data as of that moment becomes the new base in the
   * background, and a second manifest swap drops the old base and segments.
   */
  private void startRewrite() {
    try {
      Files.createDirectories(logDir());
      LogWriter old = writer.get();
      if (old != null) {
        old.commit();
      }
      long incrSeq = (manifest == null ? 0 : manifest.lastIncrSeq()) + 1;
      long baseSeq = (manifest == null ? 0 : manifest.lastBaseSeq()) + 1;
      Manifest.Entry incr = new Manifest.Entry(incrName(incrSeq), incrSeq, Manifest.Type.INCR);
      List<Manifest.Entry> entries = new ArrayList<>(manifest == null ? List.of() : manifest.entries());
      entries.add(incr);
      Files.deleteIfExists(logDir().resolve(incr.name()));
      Manifest during = new Manifest(entries);
      during.write(manifestFile());
      manifest = during;
      if (logEnabled()) {
        openWriter(logDir().resolve(incr.name()), 0);
      }
      rewriteInProgress = true;
      rewriteStartMs = System.currentTimeMillis();
      Database[] copy = copyForBackground();
      List<byte[]> functions = functionCodes();
      int version = config.getInt("freshet-rdb-version");
      RdbWriter.Options options = rdbOptions();
      boolean commands = !config.getBool("aof-use-rdb-preamble");
      long nowMs = engine.now();
      Manifest.Entry base = new Manifest.Entry(baseName(baseSeq, commands), baseSeq, Manifest.Type.BASE);
      Path baseFile = logDir().resolve(base.name());
      background.execute(() -> {
        long size = -1;
        try {
          Bytes snapshot = commands ? commandBase(copy, functions, nowMs)
              : encode(copy, functions, true, version, nowMs, options);
          writeFile(baseFile, snapshot);
          size = snapshot.size();
        } catch (IOException | RuntimeException e) {
          LOG.warn("Background AOF rewrite failed: " + e);
        }
        long written = size;
        engineThread.execute(() -> finishRewrite(written >= 0, base, incrSeq, written));
      });
    } catch (IOException e) {
      lastRewriteOk = false;
      LOG.warn("Can't rewrite append only file in background: " + e.getMessage());
      throw new CommandError("ERR Can't rewrite append only file in background: " + e.getMessage());
    }
  }

  private void finishRewrite(boolean ok, Manifest.Entry base, long firstIncrSeq, long size) {
    rewriteInProgress = false;
    lastRewriteSeconds = (System.currentTimeMillis() - rewriteStartMs) / 1000;
    rewriteStartMs = -1;
    lastRewriteOk = ok;
    if (!ok) {
      return;
    }
    List<Manifest.Entry> keep = new ArrayList<>();
    keep.add(base);
    List<Manifest.Entry> dropped = new ArrayList<>();
    for (Manifest.Entry e : manifest.entries()) {
      if (e.type() == Manifest.Type.INCR && e.seq() >= firstIncrSeq) {
        keep.add(e);
      } else {
        dropped.add(e);
      }
    }
    try {
      Manifest after = new Manifest(keep);
      after.write(manifestFile());
      manifest = after;
      for (Manifest.Entry e : dropped) {
        Files.deleteIfExists(logDir().resolve(e.name()));
      }
      baseBytes = size;
      rewrites++;
      LOG.info("Background AOF rewrite finished successfully");
    } catch (IOException e) {
      lastRewriteOk = false;
      LOG.warn("Error trying to rename the temporary AOF manifest: " + e.getMessage());
    }
    if (bgsaveScheduled) {
      bgsaveScheduled = false;
      startBgsave();
    }
  }

  /** CONFIG SET appendonly: start a log from a snapshot, or stop logging. */
  public void appendOnlyChanged(boolean on) {
    LogWriter w = writer.get();
    if (!on && w != null) {
      engine.setJournal(null);
      writer.set(null);
      try {
        w.close();
      } catch (IOException e) {
        LOG.warn("closing the log: " + e.getMessage());
      }
    } else if (on && w == null && !rewriteInProgress) {
      startRewrite();
    }
  }

  // ---- periodic ----------------------------------------------------------------------------

  @Override
  public void cron() {
    if (bgsaveInProgress || rewriteInProgress) {
      return;
    }
    if (rewriteScheduled) {
      rewriteScheduled = false;
      startRewrite();
      return;
    }
    if (bgsaveScheduled) {
      bgsaveScheduled = false;
      startBgsave();
      return;
    }
    LogWriter w = writer.get();
    long pct = config.getLong("auto-aof-rewrite-percentage");
    if (w != null && pct > 0) {
      long size = w.sizeBytes() + baseBytes;
      long base = Math.max(1, baseBytes);
      if (size >= config.getLong("auto-aof-rewrite-min-size") && (size - base) * 100 / base >= pct) {
        LOG.info("Starting automatic rewriting of AOF on " + ((size - base) * 100 / base) + "% growth");
        startRewrite();
        return;
      }
    }
    long dirty = engine.stats.dirty;
    if (dirty > 0) {
      String[] points = config.get("save").trim().split("\\s+");
      long sinceSec = (System.currentTimeMillis() - lastSaveMs) / 1000;
      for (int i = 0; i + 1 < points.length; i += 2) {
        try {
          long seconds = Long.parseLong(points[i]);
          long changes = Long.parseLong(points[i + 1]);
          if (dirty >= changes && sinceSec >= seconds) {
            LOG.info(changes + " changes in " + seconds + " seconds. Saving...");
            startBgsave();
            return;
          }
        } catch (NumberFormatException e) {
          return;
        }
      }
    }
  }

  // ---- DEBUG RELOAD / LOADAOF, SHUTDOWN ----------------------------------------------------

  @Override
  public void debugReload() {
    save();
    clearAll();
    try {
      loadRdb(rdbFile());
    } catch (IOException e) {
      LOG.error("Error trying to load the RDB dump: " + e.getMessage());
      onFatal.run();
      throw new CommandError("ERR Error trying to load the RDB dump, check server logs.");
    }
    engine.stats.dirty = 0;
  }

  @Override
  public void debugLoadLog() {
    if (!logEnabled()) {
      throw new CommandError("ERR AOF is not enabled");
    }
    LogWriter w = writer.get();
    if (w != null) {
      w.commit();
      w.syncIfDirty();
    }
    clearAll();
    engine.setJournal(null);
    try {
      recoverFromLog();
    } catch (IOException e) {
      LOG.error("Error trying to load the AOF: " + e.getMessage());
      onFatal.run();
      throw new CommandError("ERR Error reloading AOF, check server logs.");
    }
    engine.stats.dirty = 0;
  }

  private void clearAll() {
    for (Database db : dbs()) {
      db.clear();
    }
    if (engine.functions != null) {
      engine.functions.clear();
    }
  }

  @Override
  public void shutdown(boolean save, boolean noSave) {
    boolean savePoints = !config.get("save").isBlank();
    if (save || (savePoints && !noSave && engine.stats.dirty > 0)) {
      save();
    }
    try {
      close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- DUMP / RESTORE ----------------------------------------------------------------------

  @Override
  public byte[] dump(Object value) {
    return RdbWriter.dump(value, config.getInt("freshet-rdb-version"), config.getInt("stream-idmp-duration"),
        config.getInt("stream-idmp-maxsize"), config.getBool("rdbcompression"));
  }

  @Override
  public byte[] dumpFunctions(List<byte[]> codes) {
    return RdbWriter.dumpFunctions(codes, config.getInt("freshet-rdb-version"));
  }

  @Override
  public List<byte[]> restoreFunctions(byte[] payload) {
    try {
      return RdbReader.restoreFunctions(payload, config);
    } catch (RdbException | IOException e) {
      throw new CommandError(e instanceof RdbException ? "ERR " + e.getMessage() : "ERR Bad data format");
    }
  }

  @Override
  public Object restore(byte[] payload) {
    try {
      return RdbReader.restore(payload, config);
    } catch (RdbException | IOException e) {
      throw new CommandError(e.getMessage().startsWith("DUMP payload") ? "ERR " + e.getMessage()
          : "ERR Bad data format");
    }
  }

  // ---- INFO --------------------------------------------------------------------------------

  @Override
  public void info(StringBuilder sb) {
    LogWriter w = writer.get();
    long now = System.currentTimeMillis();
    sb.append("loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n")
        .append("current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n")
        .append("current_save_keys_total:0\r\n")
        .append("rdb_changes_since_last_save:").append(engine.stats.dirty).append("\r\n")
        .append("rdb_bgsave_in_progress:").append(bgsaveInProgress ? 1 : 0).append("\r\n")
        .append("rdb_last_save_time:").append(lastSaveMs / 1000).append("\r\n")
        .append("rdb_last_bgsave_status:").append(lastBgsaveOk ? "ok" : "err").append("\r\n")
        .append("rdb_last_bgsave_time_sec:").append(lastBgsaveSeconds).append("\r\n")
        .append("rdb_current_bgsave_time_sec:").append(bgsaveStartMs < 0 ? -1 : (now - bgsaveStartMs) / 1000)
        .append("\r\n")
        .append("rdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\n")
        .append("aof_enabled:").append(w != null ? 1 : 0).append("\r\n")
        .append("aof_rewrite_in_progress:").append(rewriteInProgress ? 1 : 0).append("\r\n")
        .append("aof_rewrite_scheduled:").append(rewriteScheduled ? 1 : 0).append("\r\n")
        .append("aof_last_rewrite_time_sec:").append(lastRewriteSeconds).append("\r\n")
        .append("aof_current_rewrite_time_sec:").append(rewriteStartMs < 0 ? -1 : (now - rewriteStartMs) / 1000)
        .append("\r\n")
        .append("aof_last_bgrewrite_status:").append(lastRewriteOk ? "ok" : "err").append("\r\n")
        .append("aof_rewrites:").append(rewrites).append("\r\n")
        .append("aof_rewrites_consecutive_failures:0\r\n")
        .append("aof_last_write_status:").append(w == null || w.lastWriteOk() ? "ok" : "err").append("\r\n")
        .append("aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
    if (w != null) {
      sb.append("aof_current_size:").append(w.sizeBytes() + baseBytes).append("\r\n")
          .append("aof_base_size:").append(baseBytes).append("\r\n")
          .append("aof_pending_rewrite:0\r\naof_buffer_length:0\r\n")
          .append("aof_pending_bio_fsync:0\r\naof_delayed_fsync:0\r\n");
    }
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /** Makes the log durable and stops the background threads. Engine thread. */
  @Override
  public void close() throws IOException {
    engine.setJournal(null);
    LogWriter w = writer.getAndSet(null);
    if (w != null) {
      w.close();
    }
    fsyncThread.shutdownNow();
    background.shutdown();
    try {
      background.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Offline check of a data directory's log (freshet log check): one line per file. */
  public static List<LogScanner.Result> check(Path logDir, String manifestName) throws IOException {
    Manifest m = Manifest.read(logDir.resolve(manifestName));
    List<LogScanner.Result> out = new ArrayList<>();
    for (Manifest.Entry e : m.incrs()) {
      Path f = logDir.resolve(e.name());
      if (Files.exists(f)) {
        out.add(LogScanner.scan(f, null));
      }
    }
    return out;
  }

  /** Offline repair (freshet log repair): cuts each damaged segment at its first bad record. */
  public static List<LogScanner.Result> repair(Path logDir, String manifestName, Consumer<String> report)
      throws IOException {
    List<LogScanner.Result> results = check(logDir, manifestName);
    for (LogScanner.Result r : results) {
      if (r.problem() != LogScanner.Problem.NONE) {
        try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.WRITE)) {
          ch.truncate(r.goodBytes());
          ch.force(true);
        }
        report.accept("cut " + r.file() + " at offset " + r.goodBytes() + ", dropping "
            + (r.fileBytes() - r.goodBytes()) + " bytes");
      }
    }
    return results;
  }
}
