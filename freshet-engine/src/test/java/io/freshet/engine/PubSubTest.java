package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Publish/subscribe in the engine with a manual clock: delivery order and framing, counts after
 * unsubscribing, what disconnecting leaves behind, and the pubsub output-buffer limit's hard
 * limit and soft-limit timer. The wire behaviour against redis-server is PubSubIT's.
 */
class PubSubTest {
  private final EngineHarness h = new EngineHarness();
  private final TestConnection subOut = new TestConnection();
  private final Session sub = h.engine.connect(subOut);

  private String sub(String... args) {
    return h.call(sub, subOut, args);
  }

  @Test
  void messagesArriveInPublishOrderDirectBeforePattern() {
    sub("SUBSCRIBE", "orders");
    sub("PSUBSCRIBE", "ord*");
    assertThat(h.call("PUBLISH", "orders", "1")).isEqualTo(":2\r\n");
    assertThat(h.call("PUBLISH", "orders", "2")).isEqualTo(":2\r\n");
    assertThat(subOut.take()).isEqualTo(
        "*3\r\n$7\r\nmessage\r\n$6\r\norders\r\n$1\r\n1\r\n"
            + "*4\r\n$8\r\npmessage\r\n$4\r\nord*\r\n$6\r\norders\r\n$1\r\n1\r\n"
            + "*3\r\n$7\r\nmessage\r\n$6\r\norders\r\n$1\r\n2\r\n"
            + "*4\r\n$8\r\npmessage\r\n$4\r\nord*\r\n$6\r\norders\r\n$1\r\n2\r\n");
  }

  @Test
  void shardChannelsAreTheirOwnNamespaceWithoutPatterns() {
    sub("SSUBSCRIBE", "s1");
    assertThat(subOut.take()).isEmpty();
    sub("PSUBSCRIBE", "*");
    assertThat(h.call("SPUBLISH", "s1", "x")).isEqualTo(":1\r\n");
    assertThat(h.call("PUBLISH", "s1", "y")).isEqualTo(":1\r\n"); // the pattern only
    assertThat(subOut.take()).isEqualTo("*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nx\r\n"
        + "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$2\r\ns1\r\n$1\r\ny\r\n");
    assertThat(h.call("PUBSUB", "SHARDNUMSUB", "s1", "none")).isEqualTo("*4\r\n$2\r\ns1\r\n:1\r\n$4\r\nnone\r\n:0\r\n");
    assertThat(h.call("PUBSUB", "NUMSUB", "s1")).isEqualTo("*2\r\n$2\r\ns1\r\n:0\r\n");
  }

  @Test
  void confirmationsCountChannelsAndPatternsButShardChannelsApart() {
    assertThat(sub("SUBSCRIBE", "a", "b")).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        + "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
    assertThat(sub("PSUBSCRIBE", "p")).isEqualTo("*3\r\n$10\r\npsubscribe\r\n$1\r\np\r\n:3\r\n");
    assertThat(sub("SSUBSCRIBE", "s")).isEqualTo("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    assertThat(sub("SUBSCRIBE", "a")).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:3\r\n");
    assertThat(sub("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
        + "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n");
    assertThat(sub("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
    assertThat(sub("PUNSUBSCRIBE", "nope")).isEqualTo("*3\r\n$12\r\npunsubscribe\r\n$4\r\nnope\r\n:1\r\n");
    assertThat(h.call("INFO", "clients")).contains("pubsub_clients:1\r\n");
    sub("PUNSUBSCRIBE");
    assertThat(h.call("INFO", "clients")).contains("pubsub_clients:1\r\n"); // the shard channel
    assertThat(sub("SUNSUBSCRIBE")).isEqualTo("*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n");
    assertThat(h.call("INFO", "clients")).contains("pubsub_clients:0\r\n");
    assertThat(sub("GET", "k")).isEqualTo("$-1\r\n"); // out of subscriber mode
  }

  @Test
  void disconnectingLeavesNoChannelBehind() {
    sub("SUBSCRIBE", "a");
    sub("PSUBSCRIBE", "a*");
    sub("SSUBSCRIBE", "a");
    h.engine.disconnect(sub);
    assertThat(h.call("PUBSUB", "CHANNELS")).isEqualTo("*0\r\n");
    assertThat(h.call("PUBSUB", "SHARDCHANNELS")).isEqualTo("*0\r\n");
    assertThat(h.call("PUBSUB", "NUMPAT")).isEqualTo(":0\r\n");
    assertThat(h.call("PUBLISH", "a", "x")).isEqualTo(":0\r\n");
    assertThat(h.call("INFO", "stats")).contains("pubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n");
  }

  @Test
  void aSubscriberPastTheHardLimitIsClosedAfterTheDelivery() {
    h.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1000 0 0");
    TestConnection otherOut = new TestConnection();
    Session other = h.engine.connect(otherOut);
    sub("SUBSCRIBE", "c");
    h.call(other, otherOut, "SUBSCRIBE", "c");
    String payload = "x".repeat(600);
    assertThat(h.call("PUBLISH", "c", payload)).isEqualTo(":2\r\n");
    otherOut.take(); // this one reads
    // the second message takes the non-reader past 1000 bytes: it still counts as a receiver
    assertThat(h.call("PUBLISH", "c", payload)).isEqualTo(":2\r\n");
    assertThat(sub.closed).isTrue();
    otherOut.take();
    assertThat(h.call("PUBLISH", "c", payload)).isEqualTo(":1\r\n");
    assertThat(h.call("PUBSUB", "NUMSUB", "c")).isEqualTo("*2\r\n$1\r\nc\r\n:1\r\n");
  }

  @Test
  void aSubscriberOverTheSoftLimitIsClosedOnlyAfterItsSeconds() {
    h.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 500 10");
    sub("SUBSCRIBE", "c");
    String payload = "x".repeat(600);
    h.call("PUBLISH", "c", payload); // over the soft limit: the timer starts
    h.nowMs += 10_000;
    h.call("PUBLISH", "c", payload);
    assertThat(sub.closed).isFalse();
    subOut.take(); // it read everything: under the limit, the timer stops
    h.call("PUBLISH", "c", "small");
    h.nowMs += 20_000;
    h.call("PUBLISH", "c", payload); // over again: a new timer
    assertThat(sub.closed).isFalse();
    h.nowMs += 10_001;
    h.call("PUBLISH", "c", "more");
    assertThat(sub.closed).isTrue();
  }
}
