package io.freshet.worker;

import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves a pending entry of one stream and group to its dead-letter stream exactly once, however
 * many processors and {@code freshet reclaim} runs decide to move it at the same moment, and
 * replays dead letters back exactly once. Used by {@link StreamProcessor} and the CLI alike.
 * Stateless but for its names; any thread (the caller's connection decides).
 *
 * <p>Two steps, both needed: the claim (XCLAIM with min-idle, JUSTID so the delivery count stays)
 * lets only one contender past while the entry is idle, and the move itself is one script that
 * adds the dead letter only if its XACK took the entry out of the PEL, so a contender whose claim
 * went stale still cannot move it a second time (a MULTI/EXEC would run both moves).
 */
public final class DeadLetterMover {
  private static final ServerScript MOVE = new ServerScript(
      "if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then",
      "  if #ARGV > 2 then redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3)) end",
      "  return 1",
      "end",
      "return 0");

  /**
   * Deletes a dead letter and, if this XDEL removed it, appends its original fields to the stream.
   * One without fields (its entry was gone when it died) stays: XADD needs a field.
   */
  private static final ServerScript REPLAY = new ServerScript(
      "if #ARGV > 1 and redis.call('XDEL', KEYS[1], ARGV[1]) == 1 then",
      "  return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))",
      "end",
      "return false");

  private final String stream;
  private final String group;
  private final String deadLetterStream;

  /** Moves entries of {@code stream}'s {@code group} to {@code deadLetterStream} (see {@link DeadLetter#defaultStream}). */
  public DeadLetterMover(String stream, String group, String deadLetterStream) {
    this.stream = stream;
    this.group = group;
    this.deadLetterStream = deadLetterStream;
  }

  /**
   * Claims entry {@code id} for {@code consumer} if it has been idle at least {@code minIdleMs},
   * then moves it to the dead-letter stream, recording {@code consumer}, {@code deliveries} and
   * {@code error}. True only for the one call that moved it; false when another consumer claimed
   * or moved it first, or it was acked meanwhile.
   */
  public boolean claimAndMove(RedisClusterCommands<String, String> redis, String consumer, long minIdleMs, String id,
      long deliveries, String error) {
    List<StreamMessage<String, String>> mine = redis.xclaim(stream, Consumer.from(group, consumer),
        XClaimArgs.Builder.minIdleTime(minIdleMs).justid(), id);
    return !mine.isEmpty() && move(redis, consumer, id, deliveries, error);
  }

  private boolean move(RedisClusterCommands<String, String> redis, String consumer, String id, long deliveries,
      String error) {
    List<StreamMessage<String, String>> found = redis.xrange(stream, Range.create(id, id));
    List<String> args = new ArrayList<>(List.of(group, id));
    if (!found.isEmpty() && found.get(0).getBody() != null) {
      addPairs(args, DeadLetter.entry(found.get(0).getBody(), stream, id, group, consumer, deliveries, error));
    }
    Long moved = MOVE.run(redis, ScriptOutputType.INTEGER, new String[] {stream, deadLetterStream},
        args.toArray(new String[0]));
    return moved != null && moved == 1;
  }

  /**
   * Appends dead letter {@code deadLetterId}'s original fields ({@code deadLetter} without the
   * metadata) to the stream and deletes it from the dead-letter stream, once: the new entry's ID,
   * or null when another replay took it first (or it has no original fields, and stays).
   */
  public String replay(RedisClusterCommands<String, String> redis, String deadLetterId, Map<String, String> deadLetter) {
    List<String> args = new ArrayList<>(List.of(deadLetterId));
    addPairs(args, DeadLetter.original(deadLetter));
    return REPLAY.run(redis, ScriptOutputType.VALUE, new String[] {deadLetterStream, stream},
        args.toArray(new String[0]));
  }

  private static void addPairs(List<String> args, Map<String, String> fields) {
    fields.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
  }
}
