package io.freshet.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Shared plumbing of the fuzz targets: a per-input time bound (a target that does not finish is a
 * hang, reported with the input) and the short coverage-free run that {@code mvn verify} makes
 * of every target. Coverage-guided runs are Jazzer's ({@code bench/fuzz.sh}).
 */
public final class Fuzzing {
  private Fuzzing() {}

  private static ExecutorService worker = newWorker();

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-input");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs one input's body on a worker thread and fails if it takes longer than {@code boundMs}
   * (the worker is abandoned then: a spinning loop cannot be stopped, only reported).
   */
  public static synchronized void bounded(long boundMs, byte[] input, Runnable body) {
    Future<?> f = worker.submit(body);
    try {
      f.get(boundMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      worker.shutdownNow();
      worker = newWorker();
      throw new AssertionError("input did not finish within " + boundMs + " ms: " + hex(input));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error error) {
        throw error;
      }
      throw new AssertionError("input " + hex(input) + " failed: " + cause, cause);
    }
  }

  public static String hex(byte[] input) {
    if (input == null) {
      return "(structured)";
    }
    String h = HexFormat.of().formatHex(input, 0, Math.min(input.length, 512));
    return input.length > 512 ? h + "... (" + input.length + " bytes)" : h;
  }

  /** The seed inputs Jazzer replays for {@code <Class>Inputs/<method>} (committed next to the tests). */
  public static List<byte[]> seeds(Class<?> testClass, String method) {
    Path dir = Path.of("src/test/resources", testClass.getPackageName().replace('.', '/'),
        testClass.getSimpleName() + "Inputs", method);
    List<byte[]> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The short run {@code mvn verify} makes: seeded random inputs, half of them mutations of the
   * seeds (bit flips, cut, spliced, a byte set to an edge value), for {@code budgetMs}. Returns
   * how many inputs ran. Deterministic for a seed except for how many fit in the budget.
   */
  public static long shortRun(long seed, long budgetMs, List<byte[]> seeds, Consumer<FuzzedDataProvider> target) {
    Random random = new Random(seed);
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    long runs = 0;
    while (System.nanoTime() < deadline) {
      byte[] input = !seeds.isEmpty() && random.nextBoolean()
          ? mutate(seeds.get(random.nextInt(seeds.size())), random)
          : randomBytes(random);
      try {
        target.accept(FuzzedDataProviderImpl.withJavaData(input));
      } catch (AssertionError e) {
        throw new AssertionError("short fuzz run (seed " + seed + ", input " + runs + ") failed on "
            + hex(input) + ": " + e.getMessage(), e);
      }
      runs++;
    }
    return runs;
  }

  private static final byte[] EDGE_BYTES = {0, 1, '\r', '\n', '*', '$', '-', '"', '\\', (byte) 0x7f, (byte) 0x80,
      (byte) 0xff, (byte) 0xc0, '0', '9'};

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(random.nextInt(10) == 0 ? 4096 : 256)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      switch (random.nextInt(5)) {
        case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[random.nextInt(b.length)] = EDGE_BYTES[random.nextInt(EDGE_BYTES.length)];
        case 2 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
        case 3 -> {
          int at = random.nextInt(b.length);
          byte[] junk = new byte[1 + random.nextInt(8)];
          random.nextBytes(junk);
          byte[] out = new byte[b.length + junk.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(junk, 0, out, at, junk.length);
          System.arraycopy(b, at, out, at + junk.length, b.length - at);
          b = out;
        }
        default -> {
          int at = random.nextInt(b.length);
          int n = Math.min(b.length - at, 1 + random.nextInt(4));
          for (int i = 0; i < n; i++) {
            b[at + i] = (byte) 0xff; // a length field set to a huge value
          }
        }
      }
    }
    return b;
  }
}
