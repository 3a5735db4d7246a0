package io.freshet.engine;

import java.nio.charset.StandardCharsets;

/**
 * An engine at stream-node-max-entries 2 with a manual clock, a seeded random source and one client, for unit tests that
 * drive commands straight into the engine and compare raw RESP replies.
 */
public final class EngineHarness {
  public long nowMs = 1_000_000;
  public final Engine engine;
  public final TestConnection conn = new TestConnection();
  public final Session session;

  public EngineHarness() {
    Config config = new Config();
    config.set("stream-node-max-entries", "2", true);
    // time and chance from the test: the clock is moved by hand, the random source is seeded
    engine = new Engine(config, () -> nowMs, System::nanoTime, new java.util.Random(17));
    session = engine.connect(conn);
  }

  /** Runs one command as the harness's client and returns everything it replied. */
  public String call(String... args) {
    return call(session, conn, args);
  }

  /** Runs one command as another client. */
  public String call(Session s, TestConnection c, String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    engine.submit(s, argv);
    return c.take();
  }
}
