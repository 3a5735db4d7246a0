package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class RespDecoderTest {
  /** Collects what the decoder produced, as readable strings. */
  private static final class Collector implements RespDecoder.Sink {
    final List<String> commands = new ArrayList<>();
    String error;
    boolean closedSilently;

    @Override
    public void command(byte[][] argv) {
      List<String> parts = new ArrayList<>();
      for (byte[] a : argv) {
        parts.add(new String(a, StandardCharsets.UTF_8));
      }
      commands.add(String.join("|", parts));
    }

    @Override
    public void protocolError(String message) {
      if (message == null) {
        closedSilently = true;
      } else {
        error = message;
      }
    }
  }

  private static RespDecoder.Limits limits(boolean authenticated, long maxBulk) {
    return new RespDecoder.Limits() {
      @Override
      public boolean authenticated() {
        return authenticated;
      }

      @Override
      public long maxBulkBytes() {
        return maxBulk;
      }

      @Override
      public int maxArgs() {
        return 1024 * 1024;
      }

      @Override
      public long maxQueryBufferBytes() {
        return 1 << 20;
      }
    };
  }

  /** Feeds {@code input} in two writes split at {@code split}; returns what was decoded. */
  private static Collector feed(byte[] input, int split, RespDecoder.Limits limits) {
    return feed(input, split, limits, true);
  }

  private static Collector feed(byte[] input, int split, RespDecoder.Limits limits, boolean complete) {
    RespDecoder decoder = new RespDecoder(limits);
    Collector c = new Collector();
    ByteBuf buf = Unpooled.buffer();
    buf.writeBytes(input, 0, split);
    decoder.decode(buf, c);
    buf.writeBytes(input, split, input.length - split);
    decoder.decode(buf, c);
    if (c.error == null && complete) {
      assertThat(buf.readableBytes()).as("bytes left undecoded").isZero();
    }
    buf.release();
    return c;
  }

  private static final String PIPELINE = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
      + "PING\r\n"
      + "*0\r\n"
      + "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n"
      + "  set   \"q\\x41\\n\" 'it\\'s'  \r\n"
      + "\r\n"
      + "*-1\r\n"
      + "ECHO x\n"
      + "*1\r\n$4\r\nPING\r\n";

  @Test
  void everySplitPointDecodesTheSameCommands() {
    byte[] input = PIPELINE.getBytes(StandardCharsets.UTF_8);
    List<String> expected = List.of("GET|key", "PING", "SET||a\r\nb", "set|qA\n|it's", "ECHO|x", "PING");
    for (int split = 0; split <= input.length; split++) {
      Collector c = feed(input, split, limits(true, 512L << 20));
      assertThat(c.error).as("split at %d", split).isNull();
      assertThat(c.commands.toString().replace("\r", "\\r").replace("\n", "\\n")).as("split at %d", split)
          .isEqualTo(expected.toString().replace("\r", "\\r").replace("\n", "\\n"));
    }
  }

  @Test
  void everySingleByteWriteDecodesTheSameCommands() {
    byte[] input = PIPELINE.getBytes(StandardCharsets.UTF_8);
    RespDecoder decoder = new RespDecoder(limits(true, 512L << 20));
    Collector c = new Collector();
    ByteBuf buf = Unpooled.buffer();
    for (byte x : input) {
      buf.writeByte(x);
      decoder.decode(buf, c);
    }
    assertThat(c.commands).hasSize(6);
    assertThat(buf.readableBytes()).isZero();
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> protocolErrors() {
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("*abc\r\n", "invalid multibulk length"),
        org.junit.jupiter.params.provider.Arguments.of("*2\r\n$3\r\nGET\r\n+foo\r\n", "expected '$', got '+'"),
        org.junit.jupiter.params.provider.Arguments.of("*1\r\n$-5\r\n", "invalid bulk length"),
        org.junit.jupiter.params.provider.Arguments.of("*1\r\n$x\r\n", "invalid bulk length"),
        org.junit.jupiter.params.provider.Arguments.of("*1\r\n$600000000\r\n", "invalid bulk length"),
        org.junit.jupiter.params.provider.Arguments.of("*2000000\r\n", "invalid multibulk length"),
        org.junit.jupiter.params.provider.Arguments.of("set \"a\r\n", "unbalanced quotes in request"),
        org.junit.jupiter.params.provider.Arguments.of("set 'a\r\n", "unbalanced quotes in request"),
        org.junit.jupiter.params.provider.Arguments.of("set \"a\"b\r\n", "unbalanced quotes in request"));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("protocolErrors")
  void protocolErrorsUseRedisWording(String input, String error) {
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      Collector c = feed(bytes, split, limits(true, 512L << 20));
      assertThat(c.error).as("split at %d", split).isEqualTo(error);
    }
  }

  @Test
  void unauthenticatedClientsGetSmallLimits() {
    Collector c = feed("*11\r\n".getBytes(StandardCharsets.UTF_8), 0, limits(false, 512L << 20));
    assertThat(c.error).isEqualTo("unauthenticated multibulk length");
    c = feed("*1\r\n$16385\r\n".getBytes(StandardCharsets.UTF_8), 0, limits(false, 512L << 20));
    assertThat(c.error).isEqualTo("unauthenticated bulk length");
    c = feed("*10\r\n".getBytes(StandardCharsets.UTF_8), 0, limits(false, 512L << 20));
    assertThat(c.error).isNull();
  }

  @Test
  void aNulBeforeTheNewlineHoldsTheInlineRequestUntilItIsTooBig() {
    // Redis looks for the newline with strchr, which stops at the NUL: no line, no reply
    for (String input : List.of("\0\r\n", "\0\r\nPING\r\n", "ab\0cd\r\n", "PING\0x\r\n")) {
      byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
      for (int split = 0; split <= bytes.length; split++) {
        Collector c = feed(bytes, split, limits(true, 1 << 20), false);
        assertThat(c.commands).as(input).isEmpty();
        assertThat(c.error).as(input).isNull();
      }
    }
    byte[] flood = ("\0" + "\r\n".repeat(40 * 1024)).getBytes(StandardCharsets.ISO_8859_1);
    assertThat(feed(flood, 1, limits(true, 1 << 20)).error).isEqualTo("too big inline request");
  }

  @Test
  void inlineArgumentsSplitAtCSpacesOnly() {
    // 0x1c-0x1f are whitespace to Java but not to C's isspace; \v and \f separate only between words
    Collector c = feed("PING\u001c\r\n\u000b\fECHO a\u000bb\r\n".getBytes(StandardCharsets.ISO_8859_1), 0,
        limits(true, 1 << 20));
    assertThat(c.commands).containsExactly("PING\u001c", "ECHO|a\u000bb");
    assertThat(feed("\"ab\"\u001c\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, limits(true, 1 << 20)).error)
        .isEqualTo("unbalanced quotes in request");
  }

  @Test
  void overlongLinesAreRejected() {
    byte[] inline = ("x".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
    assertThat(feed(inline, inline.length, limits(true, 1 << 20)).error).isEqualTo("too big inline request");
    byte[] mbulk = ("*" + "1".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
    assertThat(feed(mbulk, mbulk.length, limits(true, 1 << 20)).error).isEqualTo("too big mbulk count string");
    byte[] bulk = ("*1\r\n$" + "1".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
    assertThat(feed(bulk, bulk.length, limits(true, 1 << 20)).error).isEqualTo("too big bulk count string");
  }

  @Test
  void declaredLengthsAreNotTrustedForAllocation() {
    // a 500 MB bulk header alone allocates nothing; the decoder waits for the bytes
    Collector c = feed("*1\r\n$500000000\r\nabc".getBytes(StandardCharsets.UTF_8), 5, limits(true, 512L << 20),
        false);
    assertThat(c.error).isNull();
    assertThat(c.commands).isEmpty();
  }

  @Test
  void afterAnErrorNothingMoreIsDecoded() {
    Collector c = feed("*x\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.UTF_8), 0, limits(true, 1 << 20));
    assertThat(c.error).isEqualTo("invalid multibulk length");
    assertThat(c.commands).isEmpty();
  }
}
