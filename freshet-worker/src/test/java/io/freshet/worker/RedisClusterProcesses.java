package io.freshet.worker;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A 3-node Redis Cluster of Debian's redis-server on loopback ports (no replicas), created with
 * {@code redis-cli --cluster create}; skips the calling test when redis-server is missing.
 */
final class RedisClusterProcesses implements AutoCloseable {
  final List<Integer> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  static RedisClusterProcesses startOrSkip() throws Exception {
    String bin = RedisServerProcess.binary();
    Assumptions.assumeTrue(bin != null, "redis-server is not installed: cluster test skipped");
    RedisClusterProcesses cluster = new RedisClusterProcesses();
    try {
      Path dir = Files.createTempDirectory("redis-cluster");
      for (int i = 0; i < 3; i++) {
        int port = RedisServerProcess.freePort();
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
        cluster.processes.add(new ProcessBuilder(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
            "--save", "", "--appendonly", "no", "--dir", nodeDir.toString())
            .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
        cluster.ports.add(port);
      }
      for (int port : cluster.ports) {
        awaitPing(port);
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int port : cluster.ports) {
        create.add("127.0.0.1:" + port);
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true)
          .redirectOutput(dir.resolve("create.log").toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int port : cluster.ports) {
        while (true) {
          try (RawClient c = new RawClient(port)) {
            if (c.call("CLUSTER", "INFO").contains("cluster_state:ok")) {
              break;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("cluster did not become ok");
          }
          Thread.sleep(100);
        }
      }
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private static void awaitPing(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (RawClient c = new RawClient(port)) {
        if (c.call("PING").equals("+PONG\r\n")) {
          return;
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  String uri() {
    StringBuilder b = new StringBuilder("redis-cluster://");
    for (int i = 0; i < ports.size(); i++) {
      b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports.get(i));
    }
    return b.toString();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }
}
