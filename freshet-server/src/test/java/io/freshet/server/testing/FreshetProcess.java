package io.freshet.server.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Freshet in a child JVM, for tests that kill it with SIGKILL. */
public final class FreshetProcess {
  private FreshetProcess() {}

  /** Starts {@code ServerMain} on {@code port} with data in {@code dir} and appendfsync always. */
  public static Process start(Path dir, int port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.freshet.server.ServerMain",
        "--port", Integer.toString(port), "--dir", dir.toString(), "--appendfsync", "always")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
        .start();
  }

  /**
   * Starts {@code ServerMain} with extra JVM options and server arguments; its output goes to
   * {@code log}.
   */
  public static Process start(java.util.List<String> jvmOptions, java.util.List<String> serverArgs, Path log)
      throws IOException {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.freshet.server.ServerMain");
    command.addAll(serverArgs);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  /** A client connected once the server answers PING (it may still be recovering). */
  public static RawClient connect(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        RawClient c = new RawClient(port);
        if (c.call("PING").equals("+PONG\r\n")) {
          return c;
        }
        c.close();
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(50);
    }
  }
}
