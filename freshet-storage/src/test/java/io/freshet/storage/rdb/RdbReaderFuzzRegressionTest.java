package io.freshet.storage.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.engine.Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Inputs the RDB fuzz target (freshet-server's RdbFuzzTest) found, each named after what it broke.
 * Replies checked against redis-server 7.0.15 where RESTORE can send them.
 */
class RdbReaderFuzzRegressionTest {
  private final Config config = new Config();

  /** A DUMP payload: body, RDB version 10, CRC-64 of both. */
  private static byte[] payload(byte[] body) {
    byte[] p = java.util.Arrays.copyOf(body, body.length + 10);
    p[body.length] = 10;
    long crc = Crc64.update(0, p, 0, p.length - 8);
    for (int i = 0; i < 8; i++) {
      p[p.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    return p;
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void restoreOfAnEmptyListSetOrHashIsBadDataFormat() {
    // redis-server 7.0.15 answers "ERR Bad data format" to each; Freshet returned no value
    for (int type : new int[] {Rdb.TYPE_LIST_QUICKLIST_2, Rdb.TYPE_SET, Rdb.TYPE_HASH, Rdb.TYPE_LIST}) {
      assertThatThrownBy(() -> RdbReader.restore(payload(bytes(type, 0)), config))
          .isInstanceOf(RdbException.class).hasMessage("Bad data format");
    }
  }

  @Test
  void restoreIgnoresBytesAfterTheValue() throws Exception {
    // redis-server 7.0.15 answers OK to a string payload with a byte after the string
    Object value = RdbReader.restore(payload(bytes(Rdb.TYPE_STRING, 3, 'a', 'b', 'c', 'X')), config);
    assertThat((byte[]) value).isEqualTo("abc".getBytes());
  }

  @Test
  void ziplistEntryPastItsEndIsBadDataFormat() {
    // found as ArrayIndexOutOfBoundsException in Ziplist.read (a hash ziplist with a damaged entry)
    byte[] found = HexFormat.of().parseHex("0a0e020000000300000001290a8901ff166600000000700100020003000a00a106a253183ef8ad");
    assertThatThrownBy(() -> RdbReader.restore(found, config)).isInstanceOf(RdbException.class)
        .hasMessageStartingWith("Bad data format");
  }

  @Test
  void lzfLengthBeyondWhatLzfCanExpandToIsRefusedBeforeAllocating() {
    // LZF string: clen 2, ulen 500 MB; the declared length used to be allocated first
    byte[] body = bytes(Rdb.TYPE_STRING, 0xC0 | Rdb.ENC_LZF, 2, 0x80, 0x1D, 0xCD, 0x65, 0x00, 0x00, 'a');
    long before = allocatedBytes();
    assertThatThrownBy(() -> RdbReader.restore(payload(body), config)).isInstanceOf(RdbException.class);
    assertThat(allocatedBytes() - before).isLessThan(16 << 20);
  }

  @Test
  void declaredStringLengthPastTheEndOfTheFileIsNotAllocated() throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write("REDIS0011".getBytes());
    file.write(bytes(Rdb.TYPE_STRING, 1, 'k', 0x80, 0x1F, 0xFF, 0xFF, 0xFF)); // a 512 MB value, then nothing
    long before = allocatedBytes();
    assertThatThrownBy(() -> RdbReader.load(new ByteArrayInputStream(file.toByteArray()), config, (db, k, v, e) -> {}))
        .isInstanceOf(EOFException.class);
    assertThat(allocatedBytes() - before).isLessThan(16 << 20);
  }

  @Test
  void streamEntryWithAHugeFieldCountIsBadDataFormat() throws Exception {
    // a stream node whose master entry claims 2^31-1 fields: the reader allocated an array of that size
    Listpack.Writer lp = new Listpack.Writer();
    lp.addInt(1); // count
    lp.addInt(0); // deleted
    lp.addInt(Integer.MAX_VALUE); // master field count
    byte[] node = lp.finish();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(bytes(Rdb.TYPE_STREAM_LISTPACKS_2, 1, 16));
    body.write(new byte[16]);
    body.write(node.length < 64 ? node.length : 0);
    body.write(node);
    long before = allocatedBytes();
    assertThatThrownBy(() -> RdbReader.restore(payload(body.toByteArray()), config))
        .isInstanceOf(RdbException.class).hasMessageStartingWith("Bad data format");
    assertThat(allocatedBytes() - before).isLessThan(16 << 20);
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
