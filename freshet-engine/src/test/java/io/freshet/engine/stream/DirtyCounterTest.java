package io.freshet.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How far each stream command moves the dirty counter (rdb_changes_since_last_save, which drives
 * save points), one step of an order pipeline per row. The counts were compared with redis-server
 * 7.0.15; where they differ they follow newer Redis's source: XREADGROUP, XCLAIM and XAUTOCLAIM
 * count the consumer they create (one) even when they deliver nothing (7.2), on top of one per
 * claimed entry (XCLAIM, XAUTOCLAIM) or one per read that delivered (XREADGROUP); and a history
 * read (ID 0) counts nothing (newer Redis counts a group read only when it propagated something;
 * 7.0 counted every group read that replied).
 */
class DirtyCounterTest {
  private static final String[] SETUP = {
      "XADD orders 1-1 sku A", "XADD orders 2-1 sku B", "XADD orders 3-1 sku C",
      "XGROUP CREATE orders billing 0", "XREADGROUP GROUP billing alice COUNT 1 STREAMS orders >",
  };

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "XADD orders 4-1 sku D | 1",
      "XADD orders MAXLEN 1 4-1 sku D | 1",
      "XADD nowhere NOMKSTREAM 4-1 sku D | 0",
      "XDEL orders 2-1 99-1 | 1",
      "XDEL orders 99-1 | 0",
      "XTRIM orders MAXLEN 1 | 1",
      "XTRIM orders MAXLEN 100 | 0",
      "XGROUP CREATE orders shipping $ | 1",
      "XGROUP CREATECONSUMER orders billing bob | 1",
      "XGROUP CREATECONSUMER orders billing alice | 0",
      "XREADGROUP GROUP billing alice STREAMS orders > | 1",
      "XREADGROUP GROUP billing bob STREAMS orders > | 2",
      "XREADGROUP GROUP billing alice STREAMS orders 0 | 0",
      "XACK orders billing 1-1 2-1 | 1",
      "XACK orders billing 9-1 | 0",
      "XCLAIM orders billing bob 0 1-1 | 2",
      "XCLAIM orders billing carol 0 9-1 | 1",
      "XAUTOCLAIM orders billing bob 0 0 | 2",
      "XGROUP SETID orders billing 0 | 1",
      "XGROUP DELCONSUMER orders billing alice | 1",
      "XGROUP DELCONSUMER orders billing nobody | 0",
      "XGROUP DESTROY orders billing | 1",
      "XGROUP DESTROY orders nobody | 0",
      "XSETID orders 100-0 | 1",
      "XINFO STREAM orders | 0",
  })
  void eachCommandMovesTheDirtyCounterAsRedis(String command, long expected) {
    EngineHarness h = new EngineHarness();
    for (String step : SETUP) {
      h.call(step.split(" "));
    }
    long before = h.engine.stats.dirty;
    String reply = h.call(command.split(" "));
    assertThat(reply).as(command).doesNotStartWith("-");
    assertThat(h.engine.stats.dirty - before).as(command).isEqualTo(expected);
  }
}
