package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Arbitrary bytes, split arbitrarily: the decoder never throws and never leaves a command half-built. */
class RespDecoderFuzzTest {
  @Provide
  Arbitrary<byte[]> respLike() {
    // bias towards RESP structure so the fuzzer reaches deep states, not just "invalid" at byte 0
    Arbitrary<String> token = Arbitraries.of("*", "$", "\r\n", "\r", "\n", "1", "2", "3", "-1", "0", "10", "PING",
        "GET", " ", "\"", "'", "\\x41", "abc", "99999999999", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    return token.list().ofMaxSize(40).map(l -> String.join("", l).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 3000)
  void neverThrows(@ForAll("respLike") byte[] input, @ForAll @IntRange(min = 0, max = 400) int splitSeed,
      @ForAll boolean authenticated) {
    RespDecoder decoder = new RespDecoder(new RespDecoder.Limits() {
      @Override
      public boolean authenticated() {
        return authenticated;
      }

      @Override
      public long maxBulkBytes() {
        return 1 << 20;
      }

      @Override
      public int maxArgs() {
        return 1024;
      }

      @Override
      public long maxQueryBufferBytes() {
        return 1 << 20;
      }
    });
    List<String> errors = new ArrayList<>();
    int[] commands = {0};
    RespDecoder.Sink sink = new RespDecoder.Sink() {
      @Override
      public void command(byte[][] argv) {
        assertThat(argv.length).isPositive();
        for (byte[] a : argv) {
          assertThat(a).isNotNull();
        }
        commands[0]++;
      }

      @Override
      public void protocolError(String message) {
        errors.add(message);
      }
    };
    ByteBuf buf = Unpooled.buffer();
    int split = input.length == 0 ? 0 : splitSeed % (input.length + 1);
    buf.writeBytes(input, 0, split);
    decoder.decode(buf, sink);
    buf.writeBytes(input, split, input.length - split);
    decoder.decode(buf, sink);
    assertThat(errors.size()).isLessThanOrEqualTo(1);
    if (!errors.isEmpty()) {
      assertThat(decoder.failed()).isTrue();
      assertThat(buf.readableBytes()).isZero();
    }
    buf.release();
  }
}
