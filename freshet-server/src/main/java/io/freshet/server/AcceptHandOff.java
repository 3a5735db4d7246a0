package io.freshet.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * Sits first in the listening channel's pipeline, on the accept thread, and hands each accepted
 * connection to the engine thread instead of to Netty's own acceptor.
 *
 * <p>Why a thread of its own: while a script runs past busy-reply-threshold the engine's event
 * loop is inside the script, so a listener on that loop would not accept anyone until the script
 * ended, and a client that connects meanwhile could never send SCRIPT KILL. On the accept thread
 * the connection is accepted at once; the engine registers it from its own thread (which Netty
 * does without queuing a task), either at the next loop iteration or from the busy script's hook.
 */
@ChannelHandler.Sharable
final class AcceptHandOff extends ChannelInboundHandlerAdapter {
  private final EngineHost host;
  private final Map<ChannelOption<?>, Object> childOptions;

  AcceptHandOff(EngineHost host, Map<ChannelOption<?>, Object> childOptions) {
    this.host = host;
    this.childOptions = Map.copyOf(childOptions);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    try {
      for (Map.Entry<ChannelOption<?>, Object> e : childOptions.entrySet()) {
        child.config().setOption((ChannelOption) e.getKey(), e.getValue());
      }
    } catch (RuntimeException e) {
      child.unsafe().closeForcibly();
      return;
    }
    host.accepted(child);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (io.freshet.engine.Fatal.isFatal(cause)) {
      io.freshet.engine.Fatal.exit(cause);
    }
    ctx.fireExceptionCaught(cause); // Netty's acceptor pauses accepting on errors such as EMFILE
  }
}
