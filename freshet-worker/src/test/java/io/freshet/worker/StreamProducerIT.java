package io.freshet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StreamProducerIT {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void batchesAndRetention(String name, int port) throws Exception {
    String uri = "redis://127.0.0.1:" + port;
    String stream = "events:" + UUID.randomUUID();
    List<Map<String, String>> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      batch.add(Map.of("n", Integer.toString(i)));
    }
    try (StreamProducer p = StreamProducer.withMaxLen(uri, stream, 300); RawClient c = new RawClient(port)) {
      List<String> ids = p.addAll(batch);
      assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
      assertThat(ids).isSortedAccordingTo(StreamProducerIT::compareIds);
      long len = Long.parseLong(c.call("XLEN", stream).trim().substring(1));
      assertThat(len).isBetween(300L, 400L); // "~": whole nodes of 100 go
      assertThat(p.add(Map.of("last", "1"))).isNotEmpty();
    }
    String aged = "aged:" + UUID.randomUUID();
    try (RawClient c = new RawClient(port); StreamProducer p = StreamProducer.withMaxAge(uri, aged, Duration.ofMinutes(1))) {
      for (int i = 0; i < 150; i++) {
        c.call("XADD", aged, "1-" + i, "old", "yes"); // from 1970: far older than a minute
      }
      p.add(Map.of("new", "yes"));
      assertThat(c.call("XLEN", aged)).isNotEqualTo(":151\r\n"); // at least the first full node went
      assertThat(c.call("XRANGE", aged, "-", "+", "COUNT", "1")).doesNotContain("$3\r\n1-0\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.freshet.server.testing.Targets#all")
  void publishingOnceSurvivesRetries(String name, int port) throws Exception {
    String uri = "redis://127.0.0.1:" + port;
    String stream = "payments:" + UUID.randomUUID();
    try (StreamProducer p = StreamProducer.withMaxLen(uri, stream, 1000); RawClient c = new RawClient(port)) {
      String first = p.addOnce("checkout-7", "pay-1", Map.of("amount", "10"));
      String retry = p.addOnce("checkout-7", "pay-1", Map.of("amount", "10"));
      String other = p.addOnce("checkout-7", "pay-2", Map.of("amount", "20"));
      String otherProducer = p.addOnce("checkout-8", "pay-1", Map.of("amount", "30"));
      assertThat(retry).isEqualTo(first);
      assertThat(List.of(first, other, otherProducer)).doesNotHaveDuplicates();
      assertThat(c.call("XLEN", stream)).isEqualTo(":3\r\n");
      assertThat(c.call("PTTL", stream + ":idmp:checkout-7:pay-1")).matches(":\\d+\r\n").isNotEqualTo(":-1\r\n");
      c.call("SCRIPT", "FLUSH"); // the producer loads its script again
      assertThat(p.addOnce("checkout-7", "pay-2", Map.of("amount", "20"))).isEqualTo(other);
      assertThat(c.call("XLEN", stream)).isEqualTo(":3\r\n");
    }
  }

  private static int compareIds(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
    return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
  }
}
