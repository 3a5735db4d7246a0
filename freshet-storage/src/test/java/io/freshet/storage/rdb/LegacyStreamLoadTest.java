package io.freshet.storage.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Config;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.StreamId;
import io.freshet.engine.stream.StreamValue;
import io.freshet.storage.Bytes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A stream from Redis 6.2 (RDB version 9, type STREAM_LISTPACKS, which has no entries-added,
 * first ID, tombstone or entries-read fields) loads as Redis loads it: entries-added is the
 * length and each group's entries-read is estimated from its last ID (rdb.c calls
 * streamEstimateDistanceFromFirstEverEntry), so groups at the first or last entry or behind the
 * stream get a counter and one inside it gets none. The payload is built here byte by byte.
 */
class LegacyStreamLoadTest {
  private final Bytes out = new Bytes(256);

  private void len(long n) {
    if (n < 64) {
      out.write((int) n);
    } else if (n < 16384) {
      out.write(0x40 | (int) (n >>> 8));
      out.write((int) (n & 0xff));
    } else {
      out.write(0x80);
      for (int i = 3; i >= 0; i--) {
        out.write((int) (n >>> (8 * i)) & 0xff);
      }
    }
  }

  private void string(byte[] b) {
    len(b.length);
    for (byte x : b) {
      out.write(x & 0xff);
    }
  }

  private void string(String s) {
    string(s.getBytes(StandardCharsets.UTF_8));
  }

  private void le(long v, int n) {
    for (int i = 0; i < n; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  private void rawId(long ms, long seq) {
    for (long part : new long[] {ms, seq}) {
      for (int i = 7; i >= 0; i--) {
        out.write((int) (part >>> (8 * i)) & 0xff);
      }
    }
  }

  private void group(String name, long lastMs) {
    string(name);
    len(lastMs);
    len(0);
  }

  /** Entries 3-0, 4-0 and 7-0 in one node, as left by a trim; four groups at different places. */
  private byte[] redis62Payload() {
    Listpack.Writer lp = new Listpack.Writer();
    lp.addInt(3); // live entries
    lp.addInt(0); // deleted
    lp.addInt(1); // master fields
    lp.addString("f".getBytes(StandardCharsets.UTF_8));
    lp.addInt(0);
    for (long ms : new long[] {3, 4, 7}) {
      lp.addInt(Rdb.STREAM_ITEM_FLAG_SAMEFIELDS);
      lp.addInt(ms - 3);
      lp.addInt(0);
      lp.addString(("v" + ms).getBytes(StandardCharsets.UTF_8));
      lp.addInt(4); // lp-count: flags, ms, seq, one value
    }
    out.write(Rdb.TYPE_STREAM_LISTPACKS);
    len(1);
    byte[] master = new byte[16];
    master[7] = 3;
    string(master);
    string(lp.finish());
    len(3); // length
    len(7); // last ID 7-0
    len(0);
    len(4); // groups, each: name, last ID, PEL, consumers
    group("atfirst", 3);
    len(1);
    rawId(3, 0);
    le(1_000, 8);
    len(1);
    len(1);
    string("alice");
    le(1_000, 8);
    len(1);
    rawId(3, 0);
    group("behind", 1);
    len(0);
    len(0);
    group("inside", 4);
    len(0);
    len(0);
    group("done", 7);
    len(0);
    len(0);
    out.write(9); // RDB version 9 (Redis 6.2), little-endian
    out.write(0);
    long crc = Crc64.update(0, out.array(), 0, out.size());
    le(crc, 8);
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  private static ConsumerGroup group(StreamValue s, String name) {
    return s.groups.get(name.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void entriesReadIsEstimatedFromEachGroupsLastId() throws Exception {
    StreamValue s = (StreamValue) RdbReader.restore(redis62Payload(), new Config());
    assertThat(s.length()).isEqualTo(3);
    assertThat(s.entriesAdded()).isEqualTo(3);
    assertThat(s.maxDeletedId()).isEqualTo(StreamId.MIN);
    assertThat(group(s, "atfirst").entriesRead).isEqualTo(1);
    assertThat(s.lag(group(s, "atfirst"))).isEqualTo(2);
    assertThat(group(s, "atfirst").pel.size()).isEqualTo(1);
    assertThat(group(s, "behind").entriesRead).isEqualTo(0);
    assertThat(s.lag(group(s, "behind"))).isEqualTo(3);
    assertThat(group(s, "inside").entriesRead).isEqualTo(ConsumerGroup.INVALID_ENTRIES_READ);
    assertThat(s.lag(group(s, "inside"))).isEqualTo(StreamValue.UNKNOWN_LAG);
    assertThat(group(s, "done").entriesRead).isEqualTo(3);
    assertThat(s.lag(group(s, "done"))).isEqualTo(0);
  }
}
