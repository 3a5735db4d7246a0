package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.freshet.server.fuzz.Fuzzing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the request decoder: any bytes, with random limits, fed whole and again cut at
 * random points. The decoder must finish, throw nothing, and parse the same commands and the same
 * (single, final) protocol error however the bytes arrive; after an error it consumes everything.
 * Jazzer replays {@code RespDecoderFuzzTestInputs/decode} under {@code mvn verify} and fuzzes it
 * with coverage from {@code bench/fuzz.sh}.
 */
class RespDecoderFuzzTest {
  static final long BOUND_MS = 10_000; // generous: the first input pays for class loading on a busy machine

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    boolean authenticated = data.consumeBoolean();
    int maxArgs = data.consumeInt(1, 64);
    long maxBulkBytes = data.consumeLong(1, 4096);
    long maxQueryBufferBytes = data.consumeLong(1, 1 << 17);
    int[] cuts = new int[data.consumeInt(0, 6)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 1000);
    }
    byte[] input = data.consumeRemainingAsBytes();
    RespDecoder.Limits limits = new RespDecoder.Limits() {
      @Override
      public boolean authenticated() {
        return authenticated;
      }

      @Override
      public long maxBulkBytes() {
        return maxBulkBytes;
      }

      @Override
      public int maxArgs() {
        return maxArgs;
      }

      @Override
      public long maxQueryBufferBytes() {
        return maxQueryBufferBytes;
      }
    };
    Fuzzing.bounded(BOUND_MS, input, () -> {
      Decoded whole = decode(limits, input, new int[0]);
      Decoded cut = decode(limits, input, cuts);
      String cutAt = Arrays.toString(cuts);
      if (whole.closedSilently() || cut.closedSilently()) {
        // The query-buffer limit depends on how much of a command has arrived when it is checked
        // (in Redis, on how much sits in the buffer after a read), so only the commands before the
        // close are the same.
        Decoded shorter = whole.commands.size() <= cut.commands.size() ? whole : cut;
        Decoded longer = shorter == whole ? cut : whole;
        assertThat(longer.commands.subList(0, shorter.commands.size())).as("commands, cut at %s", cutAt)
            .isEqualTo(shorter.commands);
      } else {
        assertThat(cut.commands).as("commands, cut at %s", cutAt).isEqualTo(whole.commands);
        assertThat(cut.errors).as("protocol errors, cut at %s", cutAt).isEqualTo(whole.errors);
      }
    });
  }

  /** What one decoder made of the input: each command's arguments joined for comparison. */
  record Decoded(List<String> commands, List<String> errors) {
    /** Closed for the query-buffer limit, which Redis does without a reply. */
    boolean closedSilently() {
      return errors.contains("null");
    }
  }

  private static Decoded decode(RespDecoder.Limits limits, byte[] input, int[] cutsPerMille) {
    RespDecoder decoder = new RespDecoder(limits);
    List<String> commands = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    RespDecoder.Sink sink = new RespDecoder.Sink() {
      @Override
      public void command(byte[][] argv) {
        assertThat(errors).as("a command after the protocol error").isEmpty();
        assertThat(argv.length).isPositive();
        if (!limits.authenticated()) {
          assertThat(argv.length).isLessThanOrEqualTo(Math.max(RespDecoder.UNAUTHENTICATED_MAX_ARGS,
              RespDecoder.INLINE_MAX_BYTES));
        }
        StringBuilder sb = new StringBuilder();
        for (byte[] a : argv) {
          assertThat(a).isNotNull();
          assertThat((long) a.length).isLessThanOrEqualTo(Math.max(limits.maxBulkBytes(), RespDecoder.INLINE_MAX_BYTES));
          sb.append(a.length).append(':').append(new String(a, java.nio.charset.StandardCharsets.ISO_8859_1)).append(' ');
        }
        commands.add(sb.toString());
      }

      @Override
      public void protocolError(String message) {
        errors.add(String.valueOf(message));
      }
    };
    ByteBuf buf = Unpooled.buffer();
    try {
      int from = 0;
      int[] ends = cutsPerMille.clone();
      Arrays.sort(ends);
      for (int c : ends) {
        int to = Math.max(from, (int) ((long) input.length * c / 1000));
        buf.writeBytes(input, from, to - from);
        decoder.decode(buf, sink);
        buf.discardReadBytes();
        from = to;
      }
      buf.writeBytes(input, from, input.length - from);
      decoder.decode(buf, sink);
      assertThat(errors.size()).isLessThanOrEqualTo(1);
      if (!errors.isEmpty()) {
        assertThat(decoder.failed()).isTrue();
        assertThat(buf.readableBytes()).as("bytes left after the protocol error").isZero();
      }
      return new Decoded(commands, errors);
    } finally {
      buf.release();
    }
  }

  @FuzzTest
  void decode(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }

  @Test
  void shortRandomRun() {
    long runs = Fuzzing.shortRun(16, 4_000, Fuzzing.seeds(getClass(), "decode"), RespDecoderFuzzTest::fuzzerTestOneInput);
    assertThat(runs).isPositive();
  }
}
