package io.freshet.cli;

import io.freshet.worker.Backoff;
import io.freshet.worker.DeadLetter;
import io.freshet.worker.DeadLetterMover;
import io.freshet.worker.StreamEntry;
import io.freshet.worker.StreamProcessor;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The stream subcommands of {@code freshet}: produce, read, group create, consume, reclaim,
 * pending, dlq list|replay, info. Flags follow the seeds' Python tools. They talk to any Redis
 * or Freshet at {@code --url}. Run on the main thread.
 */
final class StreamCommands {
  private StreamCommands() {}

  /** Options every stream command shares, and a connection for the command's lifetime. */
  abstract static class Base implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "redis://127.0.0.1:6379", description = "server: redis://host:port (default: ${DEFAULT-VALUE})")
    String url;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  /** A command about a stream and its dead-letter stream. */
  abstract static class DeadLetterOptions extends Connected {
    @Option(names = "--stream", required = true, description = "the stream whose dead letters these are")
    String stream;

    @Option(names = "--dead-letter", description = "the dead-letter stream (default: <stream>:dlq)")
    String deadLetter;

    String deadLetterStream() {
      return deadLetter != null ? deadLetter : DeadLetter.defaultStream(stream);
    }
  }

  /** A command that runs with one connection for its lifetime. */
  abstract static class Connected extends Base {
    @Override
    public Integer call() throws Exception {
      RedisClient client = RedisClient.create(url);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        return run(connection.sync());
      } catch (RedisCommandExecutionException e) {
        spec.commandLine().getErr().println("(error) " + e.getMessage());
        return 1;
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    abstract int run(RedisCommands<String, String> redis) throws Exception;
  }

  /** One entry as a JSON line: {"stream":..,"id":..,"fields":{..},"deliveries":n}. */
  static String json(String stream, String id, Map<String, String> fields, long deliveries) {
    StringBuilder sb = new StringBuilder("{\"stream\":").append(quote(stream)).append(",\"id\":").append(quote(id))
        .append(",\"fields\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      sb.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      first = false;
    }
    return sb.append("},\"deliveries\":").append(deliveries).append('}').toString();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  static Map<String, String> parseFields(List<String> pairs) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String kv : pairs) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--field wants k=v, got " + kv);
      }
      fields.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return fields;
  }

  @Command(name = "produce", description = "Append entries: --field k=v (with {n} for the entry number) or --file JSONL.")
  static final class Produce extends Connected {
    @Option(names = "--stream", required = true, description = "the stream to append to")
    String stream;

    @Option(names = "--count", defaultValue = "1", description = "entries to append (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--interval", defaultValue = "0", description = "seconds between entries")
    double intervalSeconds;

    @Option(names = "--field", description = "k=v; {n} is replaced by the entry number")
    List<String> fields = List.of();

    @Option(names = "--file", description = "one flat JSON object of strings per line")
    Path file;

    @Option(names = "--maxlen", description = "keep about this many entries (MAXLEN ~)")
    Long maxLen;

    @Override
    int run(RedisCommands<String, String> redis) throws Exception {
      XAddArgs args = new XAddArgs();
      if (maxLen != null) {
        args.maxlen(maxLen).approximateTrimming();
      }
      long added = 0;
      if (file != null) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
              redis.xadd(stream, args, Json.flatObject(line));
              added++;
            }
          }
        }
      } else {
        Map<String, String> template = parseFields(fields.isEmpty() ? List.of("n={n}") : fields);
        Progress progress = new Progress(out(), count);
        for (long n = 1; n <= count; n++) {
          Map<String, String> entry = new LinkedHashMap<>();
          for (Map.Entry<String, String> e : template.entrySet()) {
            entry.put(e.getKey(), e.getValue().replace("{n}", Long.toString(n)));
          }
          String id = redis.xadd(stream, args, entry);
          added++;
          if (count <= 10) {
            out().println(id);
          }
          progress.update(n);
          if (intervalSeconds > 0 && n < count) {
            Thread.sleep((long) (intervalSeconds * 1000));
          }
        }
        progress.done();
      }
      out().println("added " + added + " entries to " + stream);
      return 0;
    }
  }

  @Command(name = "read", description = "Print entries (XRANGE from --from, or XREAD --follow).")
  static final class Read extends Connected {
    @Parameters(index = "0", description = "the stream")
    String stream;

    @Option(names = "--from", defaultValue = "-", description = "first ID (default: the start), or $")
    String from;

    @Option(names = "--count", defaultValue = "100", description = "entries per read (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--follow", description = "keep printing new entries (XREAD BLOCK)")
    boolean follow;

    @Override
    int run(RedisCommands<String, String> redis) {
      String last = from;
      long printed = 0;
      if (!from.equals("$")) {
        for (StreamMessage<String, String> m : redis.xrange(stream, Range.create(from, "+"), Limit.from(count))) {
          out().println(json(stream, m.getId(), m.getBody(), 0));
          last = m.getId();
          printed++;
        }
      }
      if (follow) {
        if (last.equals("-")) {
          last = "0";
        }
        while (true) {
          List<StreamMessage<String, String>> got = redis.xread(XReadArgs.Builder.block(1000).count(count),
              XReadArgs.StreamOffset.from(stream, last));
          for (StreamMessage<String, String> m : got) {
            out().println(json(stream, m.getId(), m.getBody(), 0));
            out().flush();
            last = m.getId();
          }
        }
      }
      return printed >= 0 ? 0 : 1;
    }
  }

  /** A command that only groups subcommands: on its own it prints its usage. */
  abstract static class UsageOnly implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "group", description = "Consumer groups.", subcommands = {GroupCreate.class})
  static final class Group extends UsageOnly {
  }

  @Command(name = "create", description = "XGROUP CREATE ... MKSTREAM.")
  static final class GroupCreate extends Connected {
    @Option(names = "--stream", required = true, description = "the stream (created if missing)")
    String stream;

    @Option(names = "--group", required = true, description = "the group to create")
    String group;

    @Option(names = "--from", defaultValue = "$", description = "ID or $ (default: ${DEFAULT-VALUE})")
    String from;

    @Override
    int run(RedisCommands<String, String> redis) {
      out().println(redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, from), group,
          XGroupCreateArgs.Builder.mkstream()));
      return 0;
    }
  }

  @Command(name = "consume", description = "Process a group's entries: --exec gets one JSON line per entry on stdin; "
      + "exit 0 acks, anything else fails the attempt. Without --exec entries are printed and acked.")
  static final class Consume extends Base {
    @Option(names = "--stream", required = true, description = "the stream to read")
    String stream;

    @Option(names = "--group", required = true, description = "the consumer group (created at the start if missing)")
    String group;

    @Option(names = "--consumer", description = "consumer name (default: host-pid-random)")
    String consumer;

    @Option(names = "--exec", description = "shell command run per entry; its exit status 0 acks the entry")
    String exec;

    @Option(names = "--batch", defaultValue = "100", description = "entries per XREADGROUP (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--concurrency", defaultValue = "1", description = "entries in flight at most (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--min-idle", defaultValue = "60000", description = "ms before a stuck entry is retried")
    long minIdleMs;

    @Option(names = "--max-retries", defaultValue = "5", description = "deliveries before the dead-letter stream")
    long maxRetries;

    @Option(names = "--dead-letter", description = "the dead-letter stream (default: <stream>:dlq)")
    String deadLetter;

    @Option(names = "--idempotent-field", description = "run each value of this field once")
    String idempotentField;

    @Option(names = "--max-entries", defaultValue = "0", description = "stop after this many entries (0: run until killed)")
    long maxEntries;

    @Override
    public Integer call() throws Exception {
      AtomicLong done = new AtomicLong();
      CountDownLatch finished = new CountDownLatch(1);
      PrintWriter out = out();
      StreamProcessor.Builder b = StreamProcessor.builder(url, stream, group).batchSize(batch)
          .concurrency(concurrency).backoff(new Backoff(minIdleMs, Math.max(minIdleMs, 600_000)))
          .maxDeliveries(maxRetries).handler(entry -> {
            handle(entry, out);
            if (maxEntries > 0 && done.incrementAndGet() >= maxEntries) {
              finished.countDown();
            }
          });
      if (consumer != null) {
        b.consumer(consumer);
      }
      if (deadLetter != null) {
        b.deadLetterStream(deadLetter);
      }
      if (idempotentField != null) {
        b.idempotent(idempotentField, 7 * 24 * 3600 * 1000L);
      }
      try (StreamProcessor p = b.start()) {
        Runtime.getRuntime().addShutdownHook(new Thread(p::close));
        finished.await(maxEntries > 0 ? 365 : Long.MAX_VALUE, TimeUnit.DAYS);
      }
      return 0;
    }

    private void handle(StreamEntry e, PrintWriter out) throws Exception {
      String line = json(e.stream(), e.id(), e.fields(), e.deliveries());
      if (exec == null) {
        synchronized (out) {
          out.println(line);
          out.flush();
        }
        return;
      }
      Process p = new ProcessBuilder("sh", "-c", exec).redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (var stdin = p.getOutputStream()) {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      int code = p.waitFor();
      if (code != 0) {
        throw new IllegalStateException(exec + " exited with " + code);
      }
    }
  }

  @Command(name = "reclaim", description = "Claim entries idle past --min-idle for --consumer (XCLAIM), "
      + "sending those past --max-retries to the dead-letter stream.")
  static final class Reclaim extends DeadLetterOptions {
    @Option(names = "--group", required = true, description = "the consumer group")
    String group;

    @Option(names = "--consumer", required = true, description = "the consumer that claims the entries")
    String consumer;

    @Option(names = "--min-idle", required = true, description = "ms an entry must have been idle to be claimed")
    long minIdleMs;

    @Option(names = "--max-retries", defaultValue = "0",
        description = "deliveries after which an entry goes to the dead-letter stream instead (default: 0, never)")
    long maxRetries;

    @Override
    int run(RedisCommands<String, String> redis) {
      // the processor's own move: claimed, then moved only if its XACK took it out of the PEL,
      // so a reclaim racing workers (or another reclaim) moves each entry once
      DeadLetterMover deadLetters = new DeadLetterMover(stream, group, deadLetterStream());
      long claimed = 0;
      long dead = 0;
      for (PendingMessage p : redis.xpending(stream, io.lettuce.core.XPendingArgs.Builder
          .xpending(group, Range.create("-", "+"), Limit.from(10_000)).idle(minIdleMs))) {
        if (maxRetries > 0 && p.getRedeliveryCount() >= maxRetries) {
          if (deadLetters.claimAndMove(redis, consumer, minIdleMs, p.getId(), p.getRedeliveryCount(),
              "reclaimed past " + maxRetries + " deliveries")) {
            dead++;
          }
          continue;
        }
        for (StreamMessage<String, String> m : redis.xclaim(stream, Consumer.from(group, consumer),
            XClaimArgs.Builder.minIdleTime(minIdleMs), p.getId())) {
          out().println(json(stream, m.getId(), m.getBody(), p.getRedeliveryCount() + 1));
          claimed++;
        }
      }
      out().println("claimed " + claimed + ", dead-lettered " + dead);
      return 0;
    }
  }

  @Command(name = "pending", description = "A group's pending entries: summary, then the oldest ones.")
  static final class Pending extends Connected {
    @Option(names = "--stream", required = true, description = "the stream")
    String stream;

    @Option(names = "--group", required = true, description = "the consumer group")
    String group;

    @Option(names = "--count", defaultValue = "20", description = "oldest entries to list (default: ${DEFAULT-VALUE})")
    long count;

    @Override
    int run(RedisCommands<String, String> redis) {
      PendingMessages summary = redis.xpending(stream, group);
      out().println("pending: " + summary.getCount());
      summary.getConsumerMessageCount().forEach((c, n) -> out().println("  " + c + ": " + n));
      out().printf("%-24s %-20s %12s %10s%n", "ID", "CONSUMER", "IDLE MS", "DELIVERIES");
      for (PendingMessage p : redis.xpending(stream, group, Range.create("-", "+"), Limit.from(count))) {
        out().printf("%-24s %-20s %12d %10d%n", p.getId(), p.getConsumer(), p.getMsSinceLastDelivery(),
            p.getRedeliveryCount());
      }
      return 0;
    }
  }

  @Command(name = "dlq", description = "Dead-letter streams.", subcommands = {DlqList.class, DlqReplay.class})
  static final class Dlq extends UsageOnly {
  }

  @Command(name = "list", description = "Print the dead-letter stream of --stream.")
  static final class DlqList extends DeadLetterOptions {
    @Override
    int run(RedisCommands<String, String> redis) {
      String dlq = deadLetterStream();
      for (StreamMessage<String, String> m : redis.xrange(dlq, Range.create("-", "+"))) {
        out().println(json(dlq, m.getId(), m.getBody(), 0));
      }
      return 0;
    }
  }

  @Command(name = "replay", description = "Append dead letters back to --stream (metadata removed) and delete them, "
      + "each once even when two replays race.")
  static final class DlqReplay extends DeadLetterOptions {
    @Override
    int run(RedisCommands<String, String> redis) {
      String dlq = deadLetterStream();
      DeadLetterMover deadLetters = new DeadLetterMover(stream, null, dlq);
      long replayed = 0;
      for (StreamMessage<String, String> m : redis.xrange(dlq, Range.create("-", "+"))) {
        if (deadLetters.replay(redis, m.getId(), m.getBody()) != null) {
          replayed++;
        }
      }
      out().println("replayed " + replayed + " entries into " + stream);
      return 0;
    }
  }

  @Command(name = "info", description = "Streams, their groups, lag, pending and consumers, as a table.")
  static final class Info extends Connected {
    @Parameters(arity = "0..*", description = "streams (default: every stream key)")
    List<String> streams = List.of();

    @Override
    int run(RedisCommands<String, String> redis) {
      List<String> keys = streams;
      if (keys.isEmpty()) {
        keys = new java.util.ArrayList<>();
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
          io.lettuce.core.KeyScanCursor<String> page = redis.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(1000));
          for (String k : page.getKeys()) {
            if (redis.type(k).equals("stream")) {
              keys.add(k);
            }
          }
          cursor = page;
        } while (!cursor.isFinished());
        java.util.Collections.sort(keys);
      }
      out().printf("%-28s %-20s %10s %10s %10s %10s%n", "STREAM", "GROUP", "LENGTH", "LAG", "PENDING", "CONSUMERS");
      for (String key : keys) {
        long length = redis.xlen(key);
        List<Object> groups = redis.xinfoGroups(key);
        if (groups.isEmpty()) {
          out().printf("%-28s %-20s %10d %10s %10s %10s%n", key, "-", length, "-", "-", "-");
        }
        for (Object g : groups) {
          Map<String, Object> info = new LinkedHashMap<>();
          List<?> list = (List<?>) g;
          for (int i = 0; i + 1 < list.size(); i += 2) {
            info.put(String.valueOf(list.get(i)), list.get(i + 1));
          }
          out().printf("%-28s %-20s %10d %10s %10s %10s%n", key, info.get("name"), length, info.get("lag"),
              info.get("pending"), info.get("consumers"));
        }
      }
      return 0;
    }
  }

  /** A one-line progress bar for large counts, on the command's output. */
  static final class Progress {
    private final PrintWriter out;
    private final long total;
    private int shown = -1;

    Progress(PrintWriter out, long total) {
      this.out = out;
      this.total = total;
    }

    void update(long n) {
      if (total < 1000) {
        return;
      }
      int pct = (int) (n * 100 / total);
      if (pct != shown) {
        shown = pct;
        out.print("\r[" + "#".repeat(pct / 5) + " ".repeat(20 - pct / 5) + "] " + pct + "% " + n + "/" + total);
        out.flush();
      }
    }

    void done() {
      if (total >= 1000) {
        out.println();
      }
    }
  }
}
