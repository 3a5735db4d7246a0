package io.freshet.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Config;
import io.freshet.engine.DiscardingConnection;
import io.freshet.engine.Engine;
import io.freshet.engine.Journal;
import io.freshet.engine.Session;
import io.freshet.engine.keyspace.Database;
import io.freshet.engine.keyspace.Dict;
import io.freshet.engine.stream.ConsumerGroup;
import io.freshet.engine.stream.StreamValue;
import io.freshet.storage.rdb.RdbWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The log is deterministic: for random command sequences (random SPOP, approximate trims, group
 * reads, claims, expiry, transactions), replaying what the journal recorded into an empty engine
 * yields the same data, compared through the RDB encoding of every key. Runs at
 * stream-node-max-entries 2 so chunk boundaries are hit constantly, and replays with a
 * different node size to prove the log does not depend on the layout.
 */
class ReplayPropertyTest {
  private static final String[] TEMPLATES = {
      "SET s{k} {v}", "INCR n{k}", "APPEND s{k} {v}", "DEL s{k}", "PEXPIRE s{k} {ms}", "SET s{k} {v} PX {ms}",
      "HSET h{k} f{k} {v}", "HINCRBYFLOAT h{k} x 1.5", "HDEL h{k} f{k}",
      "SADD t{k} a b c d e {v}", "SPOP t{k}", "SPOP t{k} 2", "SREM t{k} a",
      "RPUSH l{k} {v} {v}", "LPOP l{k}", "RPOP l{k} 2", "LTRIM l{k} 0 2",
      "XADD x * f {v}", "XADD x MAXLEN ~ 3 * f {v} g {v}", "XADD x MINID ~ {id} * a {v}", "XTRIM x MAXLEN ~ 2",
      "XTRIM x MAXLEN 4", "XDEL x {id}", "XGROUP CREATE x g{k} 0 MKSTREAM", "XGROUP CREATE x g{k} $",
      "XREADGROUP GROUP g{k} c{k} COUNT 2 STREAMS x >", "XREADGROUP GROUP g{k} c{k} NOACK COUNT 1 STREAMS x >",
      "XACK x g{k} {id}", "XCLAIM x g{k} c{k} 0 {id}", "XAUTOCLAIM x g{k} c{k} 5 0-0 COUNT 2",
      "XGROUP SETID x g{k} 0", "XGROUP DELCONSUMER x g{k} c{k}", "XGROUP CREATECONSUMER x g{k} d{k}",
      "XSETID x 999999999999", "PERSIST s{k}", "EXPIRE s{k} 100", "RENAMENX s{k} s8", "HSETNX h{k} z {v}",
      "LSET l{k} 0 {v}", "LPUSHX l{k} {v}", "GETDEL s{k}", "GETEX s{k} PX {ms}", "SETRANGE s{k} 2 ab",
      "INCRBYFLOAT n{k} 1.5", "MSET s1 a s2 b", "SMISMEMBER t{k} a", "XGROUP DESTROY x g{k}", "XDELEX x ACKED IDS 1 {id}", "XDELEX x DELREF IDS 1 {id}",
      "XACKDEL x g{k} ACKED IDS 1 {id}", "XACKDEL x g{k} DELREF IDS 1 {id}", "XTRIM x MAXLEN ~ 2 DELREF",
      "XTRIM x MAXLEN 1 ACKED", "XADD x DELREF MAXLEN ~ 2 * f {v}", "XTRIM x MINID ~ {id} ACKED",
      "XTRIM x MAXLEN ~ 1 ACKED", "XADD x ACKED MINID ~ {id} * f {v}", "XTRIM x MINID ~ {id} ACKED LIMIT 3",
      "XTRIM x MINID ~ {id} DELREF",
      "XREADGROUP GROUP g{k} c{k} COUNT 2 CLAIM 5 STREAMS x >", "XREADGROUP GROUP g{k} c{k} NOACK CLAIM 0 STREAMS x >", "MULTI", "EXEC", "SELECT {db}", "SWAPDB 0 1", "RENAME s{k} s9", "FLUSHDB",
  };

  @Property(tries = 60)
  void replayGivesTheSameState(@ForAll long seed) {
    long[] clock = {1_000_000};
    Config config = new Config();
    config.set("stream-node-max-entries", "2", true);
    Engine live = new Engine(config, () -> clock[0]);
    List<Object[]> records = new ArrayList<>();
    live.setJournal(new Recorder(records));
    Session s = live.connect(new DiscardingConnection());
    Random r = new Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      clock[0] += r.nextInt(4) == 0 ? r.nextInt(50) : 0;
      String cmd = TEMPLATES[r.nextInt(TEMPLATES.length)]
          .replace("{k}", Integer.toString(r.nextInt(3)))
          .replace("{v}", Integer.toString(r.nextInt(1000)))
          .replace("{ms}", Integer.toString(1 + r.nextInt(60)))
          .replace("{db}", Integer.toString(r.nextInt(2)))
          .replace("{id}", ids.isEmpty() ? "0-1" : ids.get(r.nextInt(ids.size())));
      live.submit(s, argv(cmd));
      if (cmd.startsWith("XADD")) {
        ids.add((clock[0]) + "-" + r.nextInt(3));
      }
      if (r.nextInt(20) == 0) {
        live.cron(); // active expiry logs DELs of its own
      }
      live.endBatch();
    }
    Config replayConfig = new Config();
    replayConfig.set("stream-node-max-entries", "3", true);
    boolean[] replaying = {false};
    Engine replayed = new Engine(replayConfig, () -> {
      if (replaying[0]) {
        throw new AssertionError("replay must not read the clock");
      }
      return 0;
    });
    replaying[0] = true;
    for (Object[] rec : records) {
      assertThat(replayed.replay((Integer) rec[0], (Long) rec[1], (byte[][]) rec[2])).isNull();
    }
    assertThat(state(replayed)).isEqualTo(state(live));
  }

  private static byte[][] argv(String cmd) {
    String[] parts = cmd.split(" ");
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Every key's RDB encoding and expiry; consumers' seen-time masked (reads that change nothing are not logged). */
  private static TreeMap<String, String> state(Engine e) {
    TreeMap<String, String> out = new TreeMap<>();
    for (int i = 0; i < e.dbCount(); i++) {
      Database db = e.db(i);
      for (Dict.Entry<Object> k = db.data.keys.first(); k != null; k = k.after()) {
        Object v = k.value();
        if (v instanceof StreamValue sv) {
          for (ConsumerGroup g : sv.groups.values()) {
            g.consumers.values().forEach(c -> c.seenTimeMs = 0);
          }
        }
        out.put(i + ":" + new String(k.key(), StandardCharsets.UTF_8),
            HexFormat.of().formatHex(RdbWriter.dump(v, 11)) + " ttl " + db.expireAt(k.key()));
      }
    }
    return out;
  }

  private record Recorder(List<Object[]> records) implements Journal {
    @Override
    public void command(int db, long nowMs, byte[][] argv) {
      records.add(new Object[] {db, nowMs, argv});
    }

    @Override
    public void beginAtomic() {}

    @Override
    public void endAtomic() {}

    @Override
    public boolean hasPending() {
      return false;
    }

    @Override
    public void commit() {}
  }
}
