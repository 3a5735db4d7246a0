package io.freshet.server;

import io.freshet.engine.Connection;
import io.freshet.engine.Engine;
import io.freshet.engine.Session;
import io.freshet.engine.protocol.ReplyWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes requests and hands each command to the engine; the engine
 * writes replies into this connection's buffer, flushed once per event-loop iteration (see
 * {@link EngineHost#endBatch}).
 *
 * <p>The engine runs on the same event loop as every connection (one thread, as Redis does), so
 * commands execute straight from the decoder without a hand-off; see docs/design.md for the
 * measurement behind this choice. Owned by that event-loop thread.
 */
final class ClientConnection extends ByteToMessageDecoder implements Connection, RespDecoder.Sink,
    RespDecoder.Limits {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
  private static final byte[] MAX_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

  private final EngineHost host;
  private final Engine engine;
  private final RespDecoder decoder = new RespDecoder(this);
  private ChannelHandlerContext ctx;
  private ByteBufReplyWriter out;
  private Session session;
  private volatile boolean authenticated;
  private String remote;
  private String local;

  ClientConnection(EngineHost host) {
    this.host = host;
    this.engine = host.engine();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    this.out = new ByteBufReplyWriter(ctx.alloc());
    remote = format(ctx.channel().remoteAddress());
    local = format(ctx.channel().localAddress());
    session = engine.connect(this);
    if (session != null) {
      host.connections.add(this);
      if (LOG.isDebugEnabled()) {
        LOG.debug("Accepted " + remote); // Redis's verbose line
      }
    }
    if (session == null) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  private static String format(SocketAddress a) {
    if (a instanceof InetSocketAddress i) {
      String host = i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
      return host + ":" + i.getPort();
    }
    return String.valueOf(a);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> unused) {
    if (session == null || session.closed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    engine.stats.netInputBytes += in.readableBytes();
    decoder.decode(in, this);
  }

  @Override
  public void command(byte[][] argv) {
    engine.submit(session, argv);
  }

  @Override
  public void protocolError(String message) {
    if (message == null) {
      LOG.warn("Closing client that reached max query buffer length: " + remote);
      engine.close(session);
    } else {
      engine.submitProtocolError(session, message);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    host.endBatch();
    super.channelReadComplete(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    // Backpressure: a client that does not read its replies stops being read from.
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    host.connections.remove(this);
    if (session != null) {
      if (!session.closed && LOG.isDebugEnabled()) {
        // the client went away (the server closing it has marked the session closed first);
        // Redis's verbose line, with the start of its CLIENT LIST line
        LOG.debug("Client closed connection id=" + session.id + " addr=" + remote + " laddr=" + local);
      }
      engine.disconnect(session);
    }
    if (out != null) {
      out.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (io.freshet.engine.Fatal.isFatal(cause)) {
      io.freshet.engine.Fatal.exit(cause); // the engine's state cannot be trusted any more
    }
    if (!(cause instanceof java.io.IOException)) {
      LOG.warn("closing " + remote + ": " + cause);
    }
    ctx.close();
  }

  /**
   * While a script runs past busy-reply-threshold the event loop is inside it, so the engine
   * reads this client's socket directly (one non-blocking read, level-triggered epoll sees any
   * rest later) and decodes it as usual; its commands get BUSY. Not for the script's own client,
   * whose decoder is the one running. Linux epoll transport only.
   */
  void readWhileBusy() {
    if (session == null || session.closed || session == engine.busySession()
        || !(ctx.channel() instanceof io.netty.channel.unix.UnixChannel unix) || !ctx.channel().isActive()) {
      return;
    }
    ByteBuf buf = ctx.alloc().directBuffer(16 * 1024);
    try {
      java.nio.ByteBuffer nio = buf.internalNioBuffer(0, buf.capacity());
      int n = unix.fd().read(nio, nio.position(), nio.limit());
      if (n > 0) {
        buf.writerIndex(n);
        ByteBuf taken = buf;
        buf = null;
        channelRead(ctx, taken); // the decoder releases it
      }
    } catch (Exception e) {
      LOG.trace("read while busy failed for " + remote + ": " + e);
    } finally {
      if (buf != null) {
        buf.release();
      }
    }
  }

  // ---- Connection (engine side) -----------------------------------------------------------

  @Override
  public ReplyWriter output() {
    return out;
  }

  @Override
  public void flush() {
    ByteBuf b = out.take();
    if (b != null) {
      engine.stats.netOutputBytes += b.readableBytes();
      ctx.writeAndFlush(b, ctx.voidPromise());
    }
  }

  @Override
  public void close() {
    ByteBuf b = out.take();
    if (b != null) {
      ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  @Override
  public String remoteAddress() {
    return remote;
  }

  @Override
  public String localAddress() {
    return local;
  }

  @Override
  public long networkPendingBytes() {
    ChannelOutboundBuffer buf = ctx.channel().unsafe().outboundBuffer();
    return buf == null ? 0 : buf.totalPendingWriteBytes();
  }

  @Override
  public void authenticated(boolean value) {
    authenticated = value;
  }

  @Override
  public void requestShutdown() {
    LOG.warn("User requested shutdown..."); // SHUTDOWN, in Redis's words
    host.shutdownRequested();
  }

  // ---- decoder limits ---------------------------------------------------------------------

  @Override
  public boolean authenticated() {
    return authenticated;
  }

  @Override
  public long maxBulkBytes() {
    return host.maxBulkBytes;
  }

  @Override
  public int maxArgs() {
    return 1024 * 1024;
  }

  @Override
  public long maxQueryBufferBytes() {
    return host.maxQueryBufferBytes;
  }
}
