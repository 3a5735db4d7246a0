package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.server.testing.RawClient;
import io.freshet.server.testing.Targets;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stream command line the user documents in {@code ../shared/seeds/} show (redis-cli
 * sessions, in document order) runs on Freshet and on redis-server, and the replies match once
 * time-based IDs and idle times are normalised.
 */
class SeedsIT {
  private static final Pattern COMMAND = Pattern.compile(
      "^\\s*(?:\\d+\\)\\s*|[>$]\\s*|127\\.0\\.0\\.1:\\d+>\\s*|redis-cli\\s+)?((?:XADD|XREAD|XREADGROUP|XACK|XPENDING|XCLAIM|XAUTOCLAIM|XTRIM|XINFO|XGROUP|XRANGE|XREVRANGE|XLEN|XDEL|XSETID)\\s+[^`#|]*)$");
  /** Commands quoted inline in prose: `XADD mystream * type=order id=1001`. */
  private static final Pattern INLINE = Pattern.compile(
      "`((?:XADD|XREAD|XREADGROUP|XACK|XPENDING|XCLAIM|XAUTOCLAIM|XTRIM|XINFO|XGROUP|XRANGE|XREVRANGE|XLEN|XDEL|XSETID)\\s+[^`]*)`");
  /** IDs generated from the clock ("*"): differ between the two servers by design. */
  private static final Pattern TIME_ID = Pattern.compile("\\b1[7-9]\\d{11}-\\d+\\b");

  static Stream<Path> seeds() throws Exception {
    Path dir = Path.of("../../shared/seeds");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("../shared/seeds");
    }
    Assumptions.assumeTrue(Files.isDirectory(dir), "shared/seeds not found next to the checkout");
    return Files.list(dir).filter(p -> p.toString().endsWith(".txt")).sorted();
  }

  static List<List<String>> commands(Path seed) throws Exception {
    List<List<String>> out = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    for (String line : Files.readAllLines(seed, StandardCharsets.UTF_8)) {
      Matcher m = COMMAND.matcher(line);
      if (m.matches()) {
        candidates.add(m.group(1).trim());
      }
      Matcher quoted = INLINE.matcher(line);
      while (quoted.find()) {
        candidates.add(quoted.group(1).trim());
      }
    }
    for (String text : candidates) {
      if (text.contains("<") || text.contains("[") || text.contains("...") || text.contains("…")
          || !text.matches("[\\x20-\\x7e]+")) {
        continue; // placeholders and prose, not a runnable command
      }
      List<String> argv = new ArrayList<>(List.of(text.split("\\s+")));
      for (int i = 0; i + 1 < argv.size(); i++) {
        if (argv.get(i).equalsIgnoreCase("BLOCK")) {
          argv.set(i + 1, "10"); // the documents block for seconds or forever; the test cannot
        }
      }
      out.add(argv);
    }
    return out;
  }

  private static String normalize(List<String> argv, String reply) throws Exception {
    Object parsed = StreamDifferentialIT.normalize(argv.get(0).toUpperCase(Locale.ROOT),
        StreamDifferentialIT.parse(new ByteArrayInputStream(reply.getBytes(StandardCharsets.UTF_8))));
    String text = TIME_ID.matcher(String.valueOf(parsed)).replaceAll("<clock-id>");
    if (argv.get(0).equalsIgnoreCase("XINFO")) {
      // idle times, and 7.2's inactive field that the 7.0 oracle lacks
      text = text.replaceAll(", \\$inactive, :-?\\d+", "").replaceAll("(\\$idle|\\$seen-time|\\$active-time), :\\d+", "$1, :t");
    }
    return text;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCommandsAnswerAsRedis(Path seed) throws Exception {
    int redis = Targets.redisPort();
    Assumptions.assumeTrue(redis > 0, "redis-server is not installed: comparison skipped");
    List<List<String>> commands = commands(seed);
    try (RawClient a = new RawClient(redis); RawClient b = new RawClient(Targets.freshetPort())) {
      for (RawClient c : List.of(a, b)) {
        c.call("SELECT", "9");
        c.call("FLUSHDB");
      }
      for (List<String> argv : commands) {
        String oracleReply = a.call(argv.toArray(new String[0]));
        StreamDifferentialIT.createConsumersAs72(a, argv, oracleReply);
        String expected = normalize(argv, oracleReply);
        String actual = normalize(argv, b.call(argv.toArray(new String[0])));
        assertThat(actual).as("%s: %s", seed.getFileName(), argv).isEqualTo(expected);
      }
      for (RawClient c : List.of(a, b)) {
        c.call("FLUSHDB");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void extractorFindsTheSeedsSessions() throws Exception {
    int total = 0;
    for (Path seed : seeds().toList()) {
      total += commands(seed).size();
    }
    // the seeds hold over a hundred runnable stream commands; far fewer means the extractor broke
    assertThat(total).isGreaterThan(100);
  }
}
