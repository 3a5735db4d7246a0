package io.freshet.cli.log;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What glibc's {@code syslog()} does for Redis ({@code openlog(ident, LOG_PID|LOG_NDELAY|LOG_NOWAIT,
 * facility)}): one datagram per line to the local syslog socket, {@code <PRI>Mmm dd HH:mm:ss
 * ident[pid]: message}, PRI being the facility plus Redis's level as a syslog severity. The JDK
 * has no Unix datagram sockets, so this uses Netty's epoll transport, which the server already
 * ships. Like glibc, a socket nobody listens on loses the line silently. Any thread.
 */
final class Syslog implements AutoCloseable {
  /** The socket glibc's syslog() writes to. */
  static final String DEFAULT_SOCKET = "/dev/log";
  /** Redis's syslogLevelMap: LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, by Redis level. */
  private static final int[] SEVERITIES = {7, 6, 5, 4};
  /** glibc's "%h %e %T": the day of the month padded with a space. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

  private final String ident;
  private final int facility;
  private final long pid;
  private final Clock clock;
  private final DomainSocketAddress target;
  private final EventLoopGroup group;
  private final Channel channel;

  private Syslog(String ident, int facility, long pid, Clock clock, String socketPath, EventLoopGroup group,
      Channel channel) {
    this.ident = ident;
    this.facility = facility;
    this.pid = pid;
    this.clock = clock;
    this.target = new DomainSocketAddress(socketPath);
    this.group = group;
    this.channel = channel;
  }

  /**
   * A sender to {@code socketPath}; fails (with the reason) where the epoll transport is not
   * available, i.e. off Linux.
   */
  static Syslog open(String ident, String facilityName, long pid, Clock clock, String socketPath) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("syslog needs Netty's epoll transport: " + Epoll.unavailabilityCause());
    }
    EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("freshet-syslog", true));
    try {
      EpollDomainDatagramChannel channel = new EpollDomainDatagramChannel();
      channel.pipeline().addLast(new ChannelInboundHandlerAdapter());
      group.register(channel).syncUninterruptibly();
      return new Syslog(ident, facility(facilityName), pid, clock, socketPath, group, channel);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /** Redis's syslog-facility names as syslog facility codes, shifted as LOG_USER etc. are. */
  static int facility(String name) {
    if (name.equals("user")) {
      return 1 << 3;
    }
    if (name.startsWith("local") && name.length() == 6 && name.charAt(5) >= '0' && name.charAt(5) <= '7') {
      return (16 + name.charAt(5) - '0') << 3;
    }
    throw new IllegalArgumentException("Invalid log facility. Must be one of USER or between LOCAL0-LOCAL7");
  }

  /** The datagram glibc would send for {@code message} at Redis level {@code redisLevel}. */
  static String datagram(int facility, int redisLevel, ZonedDateTime time, String ident, long pid, String message) {
    return "<" + (facility | SEVERITIES[redisLevel]) + ">" + TIME.format(time) + " " + ident + "[" + pid + "]: "
        + message;
  }

  void send(int redisLevel, String message) {
    byte[] bytes = datagram(facility, redisLevel, ZonedDateTime.now(clock), ident, pid, message)
        .getBytes(StandardCharsets.UTF_8);
    channel.writeAndFlush(new DomainDatagramPacket(Unpooled.wrappedBuffer(bytes), target));
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }
}
