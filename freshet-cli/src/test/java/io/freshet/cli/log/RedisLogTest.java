package io.freshet.cli.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.engine.Config;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

class RedisLogTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T17:58:19.123Z"), ZoneOffset.UTC);
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();
  private final PrintStream consoleStream = new PrintStream(console, true, StandardCharsets.UTF_8);
  private final RedisLog log = new RedisLog(CLOCK, 12345, () -> consoleStream);

  private String printed() {
    return console.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneLineInRedisFormatPerEvent() {
    log.threshold(RedisLog.DEBUG);
    log.log("io.freshet.server.FreshetServer", Level.INFO, "Ready to accept connections tcp", null);
    log.log("freshet.script", Level.TRACE, "a debug line", null);
    log.log("io.freshet.server.ClientConnection", Level.DEBUG, "a verbose line", null);
    log.log("io.freshet.storage.Store", Level.WARN, "a warning", null);
    log.log("io.freshet.engine.Engine", Level.ERROR, "an error", null);
    assertThat(printed()).isEqualTo(String.join("\n",
        "12345:M 04 Dec 2026 17:58:19.123 * Ready to accept connections tcp",
        "12345:M 04 Dec 2026 17:58:19.123 . a debug line",
        "12345:M 04 Dec 2026 17:58:19.123 - a verbose line",
        "12345:M 04 Dec 2026 17:58:19.123 # a warning",
        "12345:M 04 Dec 2026 17:58:19.123 # an error", ""));
  }

  @Test
  void levelsBelowTheThresholdAreDropped() {
    log.threshold(RedisLog.parseLevel("notice"));
    log.log("io.freshet.x", Level.DEBUG, "verbose", null);
    log.log("io.freshet.x", Level.INFO, "notice", null);
    log.threshold(RedisLog.parseLevel("warning"));
    log.log("io.freshet.x", Level.INFO, "notice dropped", null);
    log.log("io.freshet.x", Level.WARN, "warning", null);
    log.threshold(RedisLog.parseLevel("nothing"));
    log.log("io.freshet.x", Level.ERROR, "error dropped", null);
    assertThat(printed()).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 * notice\n"
        + "12345:M 04 Dec 2026 17:58:19.123 # warning\n");
  }

  @Test
  void aLibrarysDebugIsRedisDebugNotVerbose() {
    log.threshold(RedisLog.VERBOSE);
    assertThat(log.enabled("io.netty.util.internal.PlatformDependent", Level.DEBUG)).isFalse();
    assertThat(log.enabled("io.freshet.server.ClientConnection", Level.DEBUG)).isTrue();
    log.threshold(RedisLog.DEBUG);
    assertThat(log.enabled("io.netty.util.internal.PlatformDependent", Level.DEBUG)).isTrue();
  }

  @Test
  void quietLoggersKeepOnlyErrors() {
    log.quiet("io.lettuce.core.cluster.topology");
    assertThat(log.enabled("io.lettuce.core.cluster.topology.DefaultClusterTopologyRefresh", Level.WARN)).isFalse();
    assertThat(log.enabled("io.lettuce.core.cluster.topology.DefaultClusterTopologyRefresh", Level.ERROR)).isTrue();
    assertThat(log.enabled("io.lettuce.core.RedisClient", Level.WARN)).isTrue();
  }

  @Test
  void aThrowableIsToldOnTheLineAndAnErrorsTraceFollows() {
    log.log("io.freshet.x", Level.WARN, "closing", new IllegalStateException("gone"));
    assertThat(printed()).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 # closing: java.lang.IllegalStateException: gone\n");
    console.reset();
    log.log("io.freshet.x", Level.ERROR, "unexpected error in get", new IllegalStateException("bug"));
    assertThat(printed()).startsWith("12345:M 04 Dec 2026 17:58:19.123 # unexpected error in get: "
        + "java.lang.IllegalStateException: bug\njava.lang.IllegalStateException: bug\n\tat ");
  }

  @Test
  void messagesAreCutAtRedisBufferSize() {
    log.log("io.freshet.x", Level.WARN, "x".repeat(5000), null);
    assertThat(printed()).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 # " + "x".repeat(1023) + "\n");
  }

  @Test
  void theLoggerFormatsSlf4jArguments() {
    RedisLogger logger = new RedisLogger("io.freshet.x", log);
    logger.warn("{} changes in {} seconds", 10, 60);
    assertThat(printed()).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 # 10 changes in 60 seconds\n");
  }

  @Test
  void aLogFileIsAppendedToAndRecreatedWhenMovedAway(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("freshet.log");
    Files.writeString(file, "earlier\n");
    log.file(file.toString());
    log.log("io.freshet.x", Level.WARN, "one", null);
    Files.move(file, dir.resolve("freshet.log.1"));
    log.log("io.freshet.x", Level.WARN, "two", null);
    assertThat(Files.readString(dir.resolve("freshet.log.1")))
        .isEqualTo("earlier\n12345:M 04 Dec 2026 17:58:19.123 # one\n");
    assertThat(Files.readString(file)).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 # two\n");
    assertThat(printed()).isEmpty();
  }

  @Test
  void configurationFollowsLoglevelAtRuntimeAndRefusesAnUnwritableLogfile(@TempDir Path dir) throws Exception {
    Config config = new Config();
    Path file = dir.resolve("server.log");
    config.set("logfile", file.toString(), true);
    config.set("loglevel", "verbose", true);
    RedisStandaloneLog.configure(log, config, dir.resolve("no-syslog").toString());
    assertThat(log.threshold()).isEqualTo(RedisLog.VERBOSE);
    assertThat(config.set("loglevel", "warning", false)).isNull();
    assertThat(log.threshold()).isEqualTo(RedisLog.WARNING);

    Config bad = new Config();
    bad.set("logfile", dir.resolve("missing").resolve("x.log").toString(), true);
    assertThatThrownBy(() -> RedisStandaloneLog.configure(log, bad, "unused"))
        .hasMessage("Can't open the log file: No such file or directory");
  }

  @Test
  void syslogDatagramsAreWhatGlibcSends() {
    ZonedDateTime time = ZonedDateTime.ofInstant(Instant.parse("2026-12-04T17:58:19.123Z"), ZoneOffset.UTC);
    assertThat(Syslog.datagram(Syslog.facility("local0"), RedisLog.NOTICE, time, "redis", 42, "DB saved on disk"))
        .isEqualTo("<133>Dec  4 17:58:19 redis[42]: DB saved on disk");
    assertThat(Syslog.datagram(Syslog.facility("user"), RedisLog.WARNING, time.plusDays(10), "freshet", 7, "w"))
        .isEqualTo("<12>Dec 14 17:58:19 freshet[7]: w");
    assertThat(Syslog.datagram(Syslog.facility("local7"), RedisLog.DEBUG, time, "r", 1, "d")).startsWith("<191>");
  }

  @Test
  void aMissingSyslogSocketLosesOnlyTheSyslogCopy(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "the epoll transport (Linux) carries syslog datagrams");
    Config config = new Config();
    config.set("syslog-enabled", "yes", true);
    Path file = dir.resolve("server.log");
    config.set("logfile", file.toString(), true);
    RedisStandaloneLog.configure(log, config, dir.resolve("nobody-listens").toString());
    log.log("io.freshet.x", Level.WARN, "still logged", null);
    assertThat(Files.readString(file)).isEqualTo("12345:M 04 Dec 2026 17:58:19.123 # still logged\n");
  }

  @Test
  void syslogLinesReachTheSocket(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "the epoll transport (Linux) carries syslog datagrams");
    Path socket = dir.resolve("log.sock");
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    EventLoopGroup group = new EpollEventLoopGroup(1);
    try {
      Channel listener = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
              received.add(packet.content().toString(StandardCharsets.UTF_8));
            }
          }).bind(new DomainSocketAddress(socket.toString())).sync().channel();
      Config config = new Config();
      config.set("syslog-enabled", "yes", true);
      config.set("syslog-ident", "freshet-test", true);
      config.set("syslog-facility", "local3", true);
      RedisStandaloneLog.configure(log, config, socket.toString());
      log.log("io.freshet.storage.Store", Level.INFO, "DB saved on disk", null);
      String datagram = received.poll(10, TimeUnit.SECONDS);
      assertThat(datagram).matches("<157>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d freshet-test\\["
          + ProcessHandle.current().pid() + "\\]: DB saved on disk");
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }
  }
}
