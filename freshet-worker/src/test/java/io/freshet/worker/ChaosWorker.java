package io.freshet.worker;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One worker process of {@link ChaosIT}: a processor whose handler fails 10% of the time at
 * random and always on poison entries, and whose side effect (HINCRBY of the order in
 * {@code <stream>:effects}) commits with the ack. Runs until its stdin closes.
 */
public final class ChaosWorker {
  private ChaosWorker() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String stream = args[1];
    String group = args[2];
    String consumer = args[3];
    String effects = stream + ":effects";
    try (StreamProcessor p = StreamProcessor.builder(uri, stream, group).consumer(consumer).concurrency(8)
        .backoff(new Backoff(100, 400)).reclaimIntervalMs(50).maxDeliveries(6).idempotent("order_id", 3_600_000)
        .transactionalHandler(e -> {
          if (e.field("kind").equals("poison")) {
            throw new IllegalArgumentException("poison order " + e.field("order_id"));
          }
          if (ThreadLocalRandom.current().nextInt(10) == 0) {
            throw new IllegalStateException("transient failure");
          }
          String order = e.field("order_id");
          return List.of(tx -> tx.hincrby(effects, order, 1));
        }).start()) {
      System.out.println("started " + consumer);
      System.out.flush();
      while (System.in.read() != -1) {
        // runs until the parent closes stdin (or kills the process)
      }
    }
  }
}
