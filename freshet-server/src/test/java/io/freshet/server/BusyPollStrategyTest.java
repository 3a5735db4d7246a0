package io.freshet.server;

import static io.netty.channel.SelectStrategy.CONTINUE;
import static io.netty.channel.SelectStrategy.SELECT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The event loop's wait decisions, driven by a fake clock and a fake non-blocking epoll. */
class BusyPollStrategyTest {
  private static final long US = 1_000;
  private long nowNs = 1_000_000 * US;
  private int readyNext;

  private int decide(BusyPollStrategy s) throws Exception {
    return s.calculateStrategy(() -> {
      int r = readyNext;
      readyNext = 0;
      return r;
    }, false);
  }

  /**
   * The loop has just handled an event: it works for workUs, then waits until the next event,
   * gapUs later, polling every stepUs or sleeping. Returns its decisions: c (polled), s (slept,
   * and epoll_wait returned the event), E (a poll found the event).
   */
  private String cycle(BusyPollStrategy s, long workUs, long gapUs, long stepUs) throws Exception {
    StringBuilder d = new StringBuilder();
    nowNs += workUs * US;
    long idleStart = nowNs;
    while (d.length() < 100_000) {
      if (nowNs - idleStart >= gapUs * US) {
        readyNext = 1;
      }
      int r = decide(s);
      if (r > 0) {
        return d.append('E').toString();
      }
      if (r == SELECT) {
        nowNs = Math.max(nowNs, idleStart + gapUs * US);
        readyNext = 0;
        return d.append('s').toString();
      }
      assertThat(r).isEqualTo(CONTINUE);
      d.append('c');
      nowNs += stepUs * US;
    }
    throw new AssertionError("polled forever");
  }

  @Test
  void windowZeroAlwaysSleeps() throws Exception {
    BusyPollStrategy s = new BusyPollStrategy(0, () -> nowNs);
    for (int i = 0; i < 5; i++) {
      assertThat(cycle(s, 50, 10, 1)).isEqualTo("s");
    }
  }

  @Test
  void denseEventsArePolledForAndSparseOnesSleptFor() throws Exception {
    BusyPollStrategy s = new BusyPollStrategy(100 * US, () -> nowNs);
    // the first gap has no history: sleep
    assertThat(cycle(s, 50, 10, 1)).isEqualTo("s");
    // events 10 us apart: from now on polled for, never slept for
    for (int i = 0; i < 20; i++) {
      assertThat(cycle(s, 50, 10, 1)).isEqualTo("ccccccccccE");
    }
    // a long pause: polls for at most the window, then sleeps
    assertThat(cycle(s, 200, 5_000, 1)).isEqualTo("c".repeat(100) + "s");
    // a few more long gaps push the average past the window: no polling at all
    for (int i = 0; i < 20; i++) {
      cycle(s, 200, 5_000, 1);
    }
    assertThat(cycle(s, 200, 5_000, 1)).isEqualTo("s");
    // dense again: polling resumes once the average has come down
    for (int i = 0; i < 40; i++) {
      cycle(s, 50, 10, 1);
    }
    assertThat(cycle(s, 50, 10, 1)).isEqualTo("ccccccccccE");
  }

  @Test
  void pollingIsBoundedByTheWorkBeforeIt() throws Exception {
    BusyPollStrategy s = new BusyPollStrategy(100 * US, () -> nowNs);
    for (int i = 0; i < 20; i++) {
      cycle(s, 50, 10, 1);
    }
    // little work between sparse events: once the loop sleeps, each idle stretch polls only for
    // the eighth of the window everyone gets (12.5 us: 13 polls of 1 us) before sleeping again
    for (int i = 0; i < 20; i++) {
      cycle(s, 3, 50, 1);
    }
    assertThat(cycle(s, 3, 50, 1)).isEqualTo("c".repeat(13) + "s");
    // after a sleep, work is credited again once events are found by polling
    assertThat(cycle(s, 60, 10, 1)).isEqualTo("ccccccccccE");
    assertThat(cycle(s, 60, 40, 1)).isEqualTo("c".repeat(40) + "E");
  }

  @Test
  void pendingTasksAreRunWithoutSleeping() throws Exception {
    BusyPollStrategy s = new BusyPollStrategy(100 * US, () -> nowNs);
    assertThat(s.calculateStrategy(() -> 0, true)).isZero();
    assertThat(s.calculateStrategy(() -> 3, true)).isEqualTo(3);
  }
}
