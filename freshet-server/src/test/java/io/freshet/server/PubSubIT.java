package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Pub/Sub over TCP, on Freshet and redis-server alike: framing in RESP2 and RESP3, subscriber
 * mode, PUBSUB introspection, shard channels, PUBLISH from MULTI and Lua, the pubsub output
 * limit, and the Jedis and Lettuce listeners. The servers are shared between tests, so every
 * test uses channel names of its own.
 */
class PubSubIT {
  private static String bulk(String s) {
    return "$" + s.length() + "\r\n" + s + "\r\n";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void resp2SubscriberGetsMessagesAndOnlyItsCommands(String name, int port) throws Exception {
    try (RawClient sub = new RawClient(port); RawClient pub = new RawClient(port)) {
      assertThat(sub.call("SUBSCRIBE", "it2:a")).isEqualTo("*3\r\n$9\r\nsubscribe\r\n" + bulk("it2:a") + ":1\r\n");
      assertThat(sub.call("PSUBSCRIBE", "it2:*")).isEqualTo("*3\r\n$10\r\npsubscribe\r\n" + bulk("it2:*") + ":2\r\n");
      assertThat(pub.call("PUBLISH", "it2:a", "hello")).isEqualTo(":2\r\n");
      assertThat(sub.readReply()).isEqualTo("*3\r\n$7\r\nmessage\r\n" + bulk("it2:a") + bulk("hello"));
      assertThat(sub.readReply()).isEqualTo("*4\r\n$8\r\npmessage\r\n" + bulk("it2:*") + bulk("it2:a") + bulk("hello"));
      assertThat(pub.call("PUBLISH", "it2:b", "")).isEqualTo(":1\r\n");
      assertThat(sub.readReply()).isEqualTo("*4\r\n$8\r\npmessage\r\n" + bulk("it2:*") + bulk("it2:b") + "$0\r\n\r\n");

      assertThat(sub.call("GET", "it2:k")).isEqualTo("-ERR Can't execute 'get': only (P|S)SUBSCRIBE /"
          + " (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
      assertThat(sub.call("CONFIG", "GET", "port")).startsWith("-ERR Can't execute 'config|get'");
      assertThat(sub.call("PING")).isEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
      assertThat(sub.call("PING", "hi")).isEqualTo("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");

      assertThat(sub.call("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n" + bulk("it2:a") + ":1\r\n");
      assertThat(sub.call("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
      assertThat(sub.call("PUNSUBSCRIBE", "it2:*")).isEqualTo("*3\r\n$12\r\npunsubscribe\r\n" + bulk("it2:*") + ":0\r\n");
      assertThat(sub.call("PING")).isEqualTo("+PONG\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void resp3SubscriberGetsPushesAndMayRunAnyCommand(String name, int port) throws Exception {
    try (RawClient sub = new RawClient(port); RawClient pub = new RawClient(port)) {
      sub.call("HELLO", "3");
      assertThat(sub.call("SUBSCRIBE", "it3:a")).isEqualTo(">3\r\n$9\r\nsubscribe\r\n" + bulk("it3:a") + ":1\r\n");
      assertThat(sub.call("SET", "it3:k", "v")).isEqualTo("+OK\r\n");
      assertThat(sub.call("PING")).isEqualTo("+PONG\r\n");
      assertThat(pub.call("PUBLISH", "it3:a", "m1")).isEqualTo(":1\r\n");
      assertThat(sub.readReply()).isEqualTo(">3\r\n$7\r\nmessage\r\n" + bulk("it3:a") + bulk("m1"));
      // publishing to its own channel: the push comes before the reply
      sub.sendRaw(RawClient.encode("PUBLISH", "it3:a", "m2"));
      assertThat(sub.readReply()).isEqualTo(">3\r\n$7\r\nmessage\r\n" + bulk("it3:a") + bulk("m2"));
      assertThat(sub.readReply()).isEqualTo(":1\r\n");
      assertThat(sub.call("UNSUBSCRIBE", "it3:a", "it3:none")).isEqualTo(
          ">3\r\n$11\r\nunsubscribe\r\n" + bulk("it3:a") + ":0\r\n");
      assertThat(sub.readReply()).isEqualTo(">3\r\n$11\r\nunsubscribe\r\n" + bulk("it3:none") + ":0\r\n");
      sub.call("DEL", "it3:k");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void pubsubIntrospectsChannelsPatternsAndShardChannels(String name, int port) throws Exception {
    try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient q = new RawClient(port)) {
      a.call("SUBSCRIBE", "itq:x");
      b.call("SUBSCRIBE", "itq:x");
      b.call("SSUBSCRIBE", "itq:s");
      assertThat(q.call("PUBSUB", "CHANNELS", "itq:*")).isEqualTo("*1\r\n" + bulk("itq:x"));
      assertThat(q.call("PUBSUB", "NUMSUB", "itq:x", "itq:y")).isEqualTo(
          "*4\r\n" + bulk("itq:x") + ":2\r\n" + bulk("itq:y") + ":0\r\n");
      assertThat(q.call("PUBSUB", "NUMSUB")).isEqualTo("*0\r\n");
      assertThat(q.call("PUBSUB", "SHARDCHANNELS", "itq:*")).isEqualTo("*1\r\n" + bulk("itq:s"));
      assertThat(q.call("PUBSUB", "SHARDNUMSUB", "itq:s")).isEqualTo("*2\r\n" + bulk("itq:s") + ":1\r\n");
      assertThat(q.call("PUBSUB", "CHANNELS", "a", "b")).isEqualTo(
          "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n");
      assertThat(q.call("PUBSUB")).isEqualTo("-ERR wrong number of arguments for 'pubsub' command\r\n");
      assertThat(q.call("SPUBLISH", "itq:s", "m")).isEqualTo(":1\r\n");
      assertThat(b.readReply()).isEqualTo("*3\r\n$8\r\nsmessage\r\n" + bulk("itq:s") + bulk("m"));
      assertThat(q.call("CLIENT", "LIST", "TYPE", "pubsub")).contains("flags=P ")
          .contains(" sub=1 psub=0 ssub=1 ");
      assertThat(a.call("RESET")).isEqualTo("+RESET\r\n");
      assertThat(a.call("GET", "itq:k")).isEqualTo("$-1\r\n");
      assertThat(q.call("PUBSUB", "NUMSUB", "itq:x")).isEqualTo("*2\r\n" + bulk("itq:x") + ":1\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void publishWorksInsideMultiAndFromScripts(String name, int port) throws Exception {
    try (RawClient sub = new RawClient(port); RawClient c = new RawClient(port)) {
      sub.call("SUBSCRIBE", "itm:a");
      c.call("MULTI");
      c.call("PUBLISH", "itm:a", "in-multi");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n:1\r\n");
      assertThat(sub.readReply()).isEqualTo("*3\r\n$7\r\nmessage\r\n" + bulk("itm:a") + bulk("in-multi"));
      assertThat(c.call("EVAL", "return redis.call('publish', ARGV[1], ARGV[2])", "0", "itm:a", "from-lua"))
          .isEqualTo(":1\r\n");
      assertThat(sub.readReply()).isEqualTo("*3\r\n$7\r\nmessage\r\n" + bulk("itm:a") + bulk("from-lua"));
      assertThat(c.call("EVAL", "return redis.call('subscribe', 'x')", "0"))
          .startsWith("-ERR This Redis command is not allowed from script");
      // MULTI lets SUBSCRIBE through, as Redis does for backward compatibility
      c.call("MULTI");
      c.call("SUBSCRIBE", "itm:b");
      assertThat(c.call("EXEC")).isEqualTo("*1\r\n*3\r\n$9\r\nsubscribe\r\n" + bulk("itm:b") + ":1\r\n");
      assertThat(c.call("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n" + bulk("itm:b") + ":0\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void aSubscriberThatNeverReadsIsCutOffAtTheHardLimit(String name, int port) throws Exception {
    try (RawClient admin = new RawClient(port); RawClient lazy = new RawClient(port)) {
      String before = admin.call("CONFIG", "GET", "client-output-buffer-limit");
      admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0");
      try {
        lazy.call("SUBSCRIBE", "itl:flood");
        String message = "x".repeat(64 * 1024);
        // the kernel's socket buffers take a few MB first; 64 MB in all is far past any of them
        int published = 0;
        while (published < 1024 && admin.call("PUBSUB", "NUMSUB", "itl:flood").endsWith(":1\r\n")) {
          admin.call("PUBLISH", "itl:flood", message);
          published++;
        }
        assertThat(admin.call("PUBSUB", "NUMSUB", "itl:flood")).endsWith(":0\r\n");
        assertThat(published).isLessThan(1024);
        assertThat(admin.call("CLIENT", "LIST", "TYPE", "pubsub")).doesNotContain("itl:");
      } finally {
        String[] lines = before.split("\r\n");
        admin.call("CONFIG", "SET", "client-output-buffer-limit", lines[lines.length - 1]);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void jedisPubSubReceivesMessagesAndPatternMessages(String name, int port) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(2);
    JedisPubSub listener = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        received.add(channel + "=" + message);
      }

      @Override
      public void onPMessage(String pattern, String channel, String message) {
        received.add(pattern + ":" + channel + "=" + message);
        if (message.equals("last")) {
          punsubscribe();
          unsubscribe();
        }
      }

      @Override
      public void onSubscribe(String channel, int count) {
        subscribed.countDown();
      }

      @Override
      public void onPSubscribe(String pattern, int count) {
        subscribed.countDown();
      }
    };
    Thread listening = new Thread(() -> {
      try (Jedis j = new Jedis("127.0.0.1", port)) {
        j.subscribe(listener, "itj:a");
      }
    });
    listening.start();
    try (Jedis pub = new Jedis("127.0.0.1", port)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!listener.isSubscribed() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      listener.psubscribe("itj:*");
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pub.publish("itj:a", "one")).isEqualTo(2);
      assertThat(pub.publish("itj:b", "last")).isEqualTo(1);
      listening.join(10_000);
    }
    assertThat(listening.isAlive()).isFalse();
    assertThat(List.copyOf(received)).containsExactly("itj:a=one", "itj:*:itj:a=one", "itj:*:itj:b=last");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void lettuceListenerOnResp3(String name, int port) throws Exception {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
        var pub = client.connect()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      AtomicInteger confirmations = new AtomicInteger();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(channel + "=" + message);
        }

        @Override
        public void message(String pattern, String channel, String message) {
          received.add(pattern + ":" + channel + "=" + message);
        }

        @Override
        public void subscribed(String channel, long count) {
          confirmations.incrementAndGet();
        }
      });
      sub.sync().subscribe("itl3:a");
      sub.sync().psubscribe("itl3:*");
      // on RESP3 a subscribed connection still runs ordinary commands
      assertThat(sub.sync().ping()).isEqualTo("PONG");
      assertThat(pub.sync().publish("itl3:a", "m")).isEqualTo(2);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("itl3:a=m");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("itl3:*:itl3:a=m");
      assertThat(confirmations.get()).isEqualTo(1);
      assertThat(pub.sync().pubsubNumsub("itl3:a")).containsEntry("itl3:a", 1L);
    } finally {
      client.shutdown();
    }
  }
}
