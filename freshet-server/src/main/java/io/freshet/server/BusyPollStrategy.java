package io.freshet.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How the event loop waits for I/O: under load it polls without blocking for a short while
 * ({@code freshet-busy-poll-us}) after the last event before it sleeps in {@code epoll_wait}.
 *
 * <p>Why: a server that sleeps between requests makes the client's next write pay for waking it
 * (a scheduler wake-up and, on a VM, an interrupt to an idle vCPU). Unpipelined, that cost lands
 * on the client's core, which is the bottleneck, so polling raises throughput there (see
 * docs/design.md for the figures).
 *
 * <p>Polling burns CPU, so it is bounded twice: it only happens while the average gap between
 * events (a moving average) is shorter than the window, so a server that sees a request every
 * few milliseconds sleeps as before; and the loop polls no longer than it has just worked (a
 * credit earned by busy time, spent by polling) plus an eighth of the window, so polling fills
 * otherwise idle time at high load and adds little at low load.
 *
 * <p>Thread: owned by the engine thread (the event loop calls it); {@link #windowNs} is set by
 * CONFIG SET on that thread too, and is volatile only because start-up sets it from another.
 */
final class BusyPollStrategy implements SelectStrategy {
  volatile long windowNs;
  /** When the loop last started working; 0 while it is idle. */
  private long busySinceNs;
  /** When the loop last found nothing to do; 0 while it is busy. */
  private long idleSinceNs;
  /** Moving average of idle gaps (1/8 weight per gap, each capped at 4 windows); -1 before the first. */
  private long gapAverageNs = -1;
  /** Polling time earned by work and not yet spent, at most one window. */
  private long creditNs;
  /** The last decision was to sleep in epoll_wait. */
  private boolean slept;

  private final LongSupplier nanoClock;

  BusyPollStrategy(long windowNs) {
    this(windowNs, System::nanoTime);
  }

  BusyPollStrategy(long windowNs, LongSupplier nanoClock) {
    this.windowNs = windowNs;
    this.nanoClock = nanoClock;
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    long window = windowNs;
    if (window == 0) {
      return hasTasks ? selectNow.get() : SELECT;
    }
    long now = nanoClock.getAsLong();
    if (slept) {
      // back from epoll_wait (an event, a timer or a task): that idle gap has ended
      slept = false;
      recordGap(now - idleSinceNs, window);
      idleSinceNs = 0;
      busySinceNs = now;
    }
    boolean dense = gapAverageNs >= 0 && gapAverageNs < window;
    if (!dense && !hasTasks) {
      // sparse events: straight to epoll_wait as Netty's default strategy, no extra poll first
      return sleep(now);
    }
    int ready = selectNow.get();
    if (ready > 0 || hasTasks) {
      if (idleSinceNs != 0) {
        creditNs = Math.max(0, creditNs - (now - idleSinceNs));
        recordGap(now - idleSinceNs, window);
        idleSinceNs = 0;
        busySinceNs = now;
      }
      return ready;
    }
    if (idleSinceNs == 0) {
      idleSinceNs = now;
      if (busySinceNs != 0) {
        creditNs = Math.min(window, creditNs + (now - busySinceNs));
      }
      busySinceNs = 0;
    }
    // After a sleep the work done on waking is not seen here (epoll_wait returned inside Netty),
    // so every idle stretch may poll a little (an eighth of the window) to get polling going.
    if (now - idleSinceNs < Math.max(creditNs, window >> 3)) {
      return CONTINUE;
    }
    return sleep(now);
  }

  private int sleep(long now) {
    if (idleSinceNs == 0) {
      idleSinceNs = now;
    }
    creditNs = Math.max(0, creditNs - (now - idleSinceNs));
    slept = true;
    return SELECT;
  }

  private void recordGap(long gapNs, long window) {
    long gap = Math.min(gapNs, 4 * window);
    gapAverageNs = gapAverageNs < 0 ? gap : gapAverageNs + ((gap - gapAverageNs) >> 3);
  }
}
