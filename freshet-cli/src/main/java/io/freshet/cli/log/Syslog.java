package io.freshet.cli.log;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
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
  /** Connected to the syslog socket, or null until the next line tries again. */
  private Channel channel;

  private Syslog(String ident, int facility, long pid, Clock clock, String socketPath, EventLoopGroup group) {
    this.ident = ident;
    this.facility = facility;
    this.pid = pid;
    this.clock = clock;
    this.target = new DomainSocketAddress(socketPath);
    this.group = group;
  }

  /**
   * A sender to {@code socketPath}; fails (with the reason) where the epoll transport is not
   * available, i.e. off Linux. A socket that is not there yet is tried again at each line.
   */
  static Syslog open(String ident, String facilityName, long pid, Clock clock, String socketPath) {
    int facility = facility(facilityName);
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("syslog needs Netty's epoll transport: " + Epoll.unavailabilityCause());
    }
    EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("freshet-syslog", true));
    Syslog syslog = new Syslog(ident, facility, pid, clock, socketPath, group);
    syslog.connected(); // LOG_NDELAY: connect at once
    return syslog;
  }

  /**
   * The connected channel, connecting first if needed, or null if the socket is not there: as
   * glibc, which connect()s its datagram socket and reconnects after a failed send.
   */
  private Channel connected() {
    if (channel != null && channel.isActive()) {
      return channel;
    }
    EpollDomainDatagramChannel fresh = new EpollDomainDatagramChannel();
    fresh.pipeline().addLast(new ChannelInboundHandlerAdapter());
    try {
      group.register(fresh).syncUninterruptibly();
      fresh.connect(target).syncUninterruptibly();
      channel = fresh;
      return fresh;
    } catch (Exception e) { // sync() rethrows the connect's IOException unchecked
      fresh.close();
      return null;
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

  /** Sends one line; false if it was lost (no socket, or logged by this sender's own thread). */
  synchronized boolean send(int redisLevel, String message) {
    if (group.next().inEventLoop()) {
      return false; // Netty logging about this very channel: waiting on its loop would deadlock
    }
    Channel ch = connected();
    if (ch == null) {
      return false;
    }
    byte[] bytes = datagram(facility, redisLevel, ZonedDateTime.now(clock), ident, pid, message)
        .getBytes(StandardCharsets.UTF_8);
    ch.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(f -> {
      if (!f.isSuccess()) {
        ch.close(); // e.g. the syslog daemon restarted: the next line reconnects
      }
    });
    return true;
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }
}
