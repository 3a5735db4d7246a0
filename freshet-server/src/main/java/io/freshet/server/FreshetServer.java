package io.freshet.server;

import io.freshet.engine.Config;
import io.freshet.engine.Engine;
import io.freshet.storage.Store;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Freshet server: Redis's protocol and commands on a TCP port. Start one with the builder and
 * close it when done; it is safe to share and to close from any thread.
 *
 * <pre>{@code
 * try (FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start()) {
 *   int port = server.port(); // connect any Redis client here
 * }
 * }</pre>
 *
 * <p>All commands run on one thread, the engine thread, which is also the single event loop that
 * reads and writes every connection (as Redis's main thread does).
 */
public final class FreshetServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FreshetServer.class);

  private final Config config;
  private final EventLoopGroup loop;
  /** Accepts connections only; see {@link AcceptHandOff} for why it is not the engine's loop. */
  private final EventLoopGroup acceptLoop;
  private final Engine engine;
  private final List<Channel> listeners = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Host host = new Host();
  private final Store store;
  private volatile boolean closing;
  private int port;

  private final class Host extends EngineHost {
    @Override
    Engine engine() {
      return engine;
    }

    @Override
    io.netty.channel.EventLoop engineLoop() {
      return loop.next();
    }

    @Override
    void shutdownRequested() {
      Thread t = new Thread(FreshetServer.this::close, "freshet-shutdown");
      t.start();
    }
  }

  private FreshetServer(Config config, Path configFile) {
    this.config = config;
    boolean epoll = Epoll.isAvailable();
    DefaultThreadFactory threads = new DefaultThreadFactory("freshet-engine", false);
    BusyPollStrategy busyPoll = new BusyPollStrategy(0);
    config.onChange("freshet-busy-poll-us", v -> busyPoll.windowNs = Long.parseLong(v) * 1000);
    this.loop = epoll
        ? new EpollEventLoopGroup(1, threads, () -> busyPoll)
        : new NioEventLoopGroup(1, threads, java.nio.channels.spi.SelectorProvider.provider(), () -> busyPoll);
    this.engine = new Engine(config, System::currentTimeMillis);
    try {
      io.freshet.lua.LuaScripting.install(engine);
    } catch (LinkageError | RuntimeException e) {
      // Lua's natives do not load on this platform: serve everything else, say why EVAL is missing
      LOG.warn("Lua scripting unavailable (EVAL, FUNCTION): " + e);
    }
    engine.setWhileBusy(host::serveWhileBusy);
    if (configFile != null) {
      engine.configRewriter = values -> ConfigRewrite.rewrite(configFile, values);
    }
    config.onChange("proto-max-bulk-len", v -> host.maxBulkBytes = Long.parseLong(v));
    config.onChange("client-query-buffer-limit", v -> host.maxQueryBufferBytes = Long.parseLong(v));
    try {
      Files.createDirectories(Path.of(config.get("dir")));
    } catch (IOException e) {
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new UncheckedIOException("cannot create data directory " + config.get("dir"), e);
    }
    java.util.concurrent.Executor engineThread = loop.next();
    this.store = new Store(engine, task -> engineThread.execute(io.freshet.engine.Fatal.guard(task)),
        host::shutdownRequested);
    try {
      // Recovery runs on the engine thread, like everything that touches data.
      loop.next().submit(() -> {
        store.open();
        engine.persistence = store;
        config.onChange("appendonly", v -> store.appendOnlyChanged(config.getBool("appendonly")));
        return null;
      }).get();
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("cannot load data from " + config.get("dir") + ": " + cause.getMessage(), cause);
    }
    Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Map<ChannelOption<?>, Object> childOptions = new LinkedHashMap<>();
    childOptions.put(ChannelOption.TCP_NODELAY, true);
    childOptions.put(ChannelOption.MAX_MESSAGES_PER_READ, 1);
    childOptions.put(ChannelOption.SO_KEEPALIVE, true);
    childOptions.put(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 4 * 1024 * 1024));
    if (epoll) {
      // Level-triggered, as Redis's ae: one read() per readiness instead of reading until
      // EAGAIN, which costs an extra syscall per request on unpipelined traffic.
      childOptions.put(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
    }
    DefaultThreadFactory acceptThreads = new DefaultThreadFactory("freshet-accept", true);
    this.acceptLoop = epoll ? new EpollEventLoopGroup(1, acceptThreads) : new NioEventLoopGroup(1, acceptThreads);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptLoop, loop)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, config.getInt("tcp-backlog"))
        .option(ChannelOption.SO_REUSEADDR, true)
        .handler(new AcceptHandOff(host, childOptions))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            throw new IllegalStateException("connections are registered by AcceptHandOff");
          }
        });
    int wanted = config.getInt("port");
    try {
      for (String addr : config.get("bind").trim().split("\\s+")) {
        boolean optional = addr.startsWith("-");
        String hostName = optional ? addr.substring(1) : addr;
        try {
          Channel ch = bootstrap.bind(new InetSocketAddress(hostName, port == 0 ? wanted : port)).sync().channel();
          listeners.add(ch);
          if (port == 0) {
            port = ((InetSocketAddress) ch.localAddress()).getPort();
          }
        } catch (Exception e) {
          if (!optional) {
            throw new IllegalStateException("Could not create server TCP listening socket " + hostName + ":"
                + wanted + ": " + e.getMessage(), e);
          }
        }
      }
      if (listeners.isEmpty()) {
        throw new IllegalStateException("Failed listening on port " + wanted + " (tcp), aborting.");
      }
    } catch (RuntimeException e) {
      listeners.forEach(Channel::close);
      acceptLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    config.set("port", Integer.toString(port), true);
    // One tick drives both timers, so CONFIG SET hz takes effect at once.
    loop.scheduleAtFixedRate(io.freshet.engine.Fatal.guard(this::tick), 2, 2, TimeUnit.MILLISECONDS);
    LOG.info("Running mode=standalone, port=" + port + ".");
    LOG.debug("Event loop: " + (epoll ? "epoll" : "nio"));
    // Redis 7.2's words: tools that wait for a Redis to be ready watch for this line
    LOG.info("Ready to accept connections tcp");
  }

  private long nextCronMs;

  /** Every 2 ms on the engine thread: block deadlines, and {@code hz} times a second the cron. */
  private void tick() {
    try {
      long now = engine.now();
      if (engine.nextDeadlineMs() <= now) {
        engine.expireWaiters();
      }
      if (now >= nextCronMs) {
        nextCronMs = now + Math.max(1, 1000 / Math.max(1, config.getInt("hz")));
        engine.cron();
      }
      engine.endBatch();
    } catch (RuntimeException e) {
      LOG.error("timer failed: " + e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The TCP port the server listens on (the chosen one when started with port 0). */
  public int port() {
    return port;
  }

  public String host() {
    return ((InetSocketAddress) listeners.get(0).localAddress()).getHostString();
  }

  /** Runs {@code task} on the engine thread and waits for it; for tests and tools. */
  public <T> T onEngineThread(java.util.concurrent.Callable<T> task) throws Exception {
    return loop.next().submit(task).get(30, TimeUnit.SECONDS);
  }

  /** Blocks until the server has shut down (SHUTDOWN or {@link #close()}). */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    for (Channel ch : listeners) {
      ch.close().syncUninterruptibly();
    }
    acceptLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    try {
      loop.next().submit(() -> {
        store.close();
        return null;
      }).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing the data directory: " + e);
    }
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    // Redis logs this at warning; a server an application closes is no cause for one
    LOG.info("Freshet is now ready to exit, bye bye...");
    closed.countDown();
  }

  /** Builds a server from Redis-style configuration parameters. */
  public static final class Builder {
    private final Map<String, String> params = new LinkedHashMap<>();
    private Path configFile;
    private java.util.function.Consumer<Config> beforeStart = config -> {};

    /** Runs {@code hook} on the validated configuration before the server starts (and logs). */
    Builder beforeStart(java.util.function.Consumer<Config> hook) {
      this.beforeStart = hook;
      return this;
    }

    /** The file CONFIG REWRITE writes to (its parameters are not read here). */
    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    public Builder port(int port) {
      return config("port", Integer.toString(port));
    }

    public Builder bind(String addresses) {
      return config("bind", addresses);
    }

    public Builder dataDir(Path dir) {
      return config("dir", dir.toString());
    }

    public Builder requirePass(String password) {
      return config("requirepass", password);
    }

    /** Any parameter redis.conf would take, e.g. {@code config("appendfsync", "always")}. */
    public Builder config(String name, String value) {
      params.put(name.toLowerCase(java.util.Locale.ROOT), value);
      return this;
    }

    public Builder config(Map<String, String> values) {
      values.forEach(this::config);
      return this;
    }

    /** Validates the configuration, binds the port and starts serving. */
    public FreshetServer start() {
      Config config = new Config();
      for (Map.Entry<String, String> e : params.entrySet()) {
        if (!config.exists(e.getKey())) {
          throw new IllegalArgumentException("Bad directive or wrong number of arguments: '" + e.getKey() + "'");
        }
        String error = config.set(e.getKey(), e.getValue(), true);
        if (error != null) {
          throw new IllegalArgumentException("Invalid value for '" + e.getKey() + "': " + error);
        }
      }
      beforeStart.accept(config);
      return new FreshetServer(config, configFile);
    }
  }
}
