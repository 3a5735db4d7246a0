package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two connections' writers share the thread's staging array; interleaved replies of every size
 * (short bulks written in one step, long ones, values larger than the array) must each come out
 * byte for byte as RESP says, however the staging array fills and changes owner.
 */
class ByteBufReplyWriterTest {
  private static byte[] expectedBulk(byte[] value) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(value);
    b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  private static byte[] drain(ByteBufReplyWriter w) {
    ByteBuf b = w.take();
    if (b == null) {
      return new byte[0];
    }
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  @Test
  void interleavedRepliesOfEverySizeComeOutExactly() {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      ByteBufReplyWriter[] writers = {new ByteBufReplyWriter(alloc), new ByteBufReplyWriter(alloc)};
      ByteArrayOutputStream[] expected = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
      ByteArrayOutputStream[] actual = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
      for (int step = 0; step < 3000; step++) {
        int w = r.nextInt(8) == 0 ? 1 - (step & 1) : step % 2 == 0 ? 0 : r.nextInt(2);
        int kind = r.nextInt(20);
        int length = kind == 0 ? 9000 + r.nextInt(9000) : kind < 3 ? 128 + r.nextInt(2000) : r.nextInt(128);
        byte[] value = new byte[length + 6];
        r.nextBytes(value);
        int offset = r.nextInt(6);
        writers[w].bulk(value, offset, length);
        expected[w].writeBytes(expectedBulk(java.util.Arrays.copyOfRange(value, offset, offset + length)));
        if (r.nextInt(50) == 0) {
          writers[w].integer(step);
          expected[w].writeBytes((":" + step + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        if (r.nextInt(100) == 0) {
          actual[w].writeBytes(drain(writers[w]));
        }
      }
      for (int w = 0; w < 2; w++) {
        assertThat(writers[w].pendingBytes()).isEqualTo(expected[w].size() - actual[w].size());
        actual[w].writeBytes(drain(writers[w]));
        assertThat(actual[w].toByteArray()).as("seed %d writer %d", seed, w).isEqualTo(expected[w].toByteArray());
      }
    }
  }
}
