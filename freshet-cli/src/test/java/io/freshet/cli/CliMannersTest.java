package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** How the command behaves when things go wrong: one line and a documented exit status, usage for every option. */
class CliMannersTest {
  /** Nothing listens on port 1 (it is privileged), so connecting is refused at once. */
  private static final String NOBODY = "redis://127.0.0.1:1";
  private static final String REFUSED = "freshet: cannot connect to 127.0.0.1:1: Connection refused";

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Freshet.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** Every subcommand that talks to a server, with what it needs besides --url. */
  private static List<String[]> connectingCommands() {
    return List.of(
        new String[] {"produce", "--stream", "s"},
        new String[] {"read", "s"},
        new String[] {"group", "create", "--stream", "s", "--group", "g"},
        new String[] {"consume", "--stream", "s", "--group", "g"},
        new String[] {"reclaim", "--stream", "s", "--group", "g", "--consumer", "c", "--min-idle", "0"},
        new String[] {"pending", "--stream", "s", "--group", "g"},
        new String[] {"dlq", "list", "--stream", "s"},
        new String[] {"dlq", "replay", "--stream", "s"},
        new String[] {"info"},
        new String[] {"bench", "worker", "--entries", "1"});
  }

  @Test
  void aConnectionFailureIsOneLineAndExitStatusOne() {
    for (String[] command : connectingCommands()) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--url", NOBODY));
      Run r = run(args.toArray(new String[0]));
      assertThat(r.err()).as(String.join(" ", command)).isEqualTo(REFUSED + System.lineSeparator());
      assertThat(r.exit()).as(String.join(" ", command)).isEqualTo(Freshet.EXIT_FAILURE).isEqualTo(1);
      assertThat(r.out()).as(String.join(" ", command)).isEmpty();
    }
  }

  @Test
  void theFailureLineNamesTheHostAndSaysWhy() {
    assertThat(run("info", "--url", "redis://no-such-host.invalid:7000").err().strip())
        .startsWith("freshet: cannot connect to no-such-host.invalid:7000: unknown host").doesNotContain("\n");
    assertThat(Failures.hostAndPort("redis://:secret@10.0.0.5:7001/2")).isEqualTo("10.0.0.5:7001");
    assertThat(Failures.hostAndPort("redis://example.org")).isEqualTo("example.org:6379");
    assertThat(Failures.hostAndPort("redis-cluster://10.0.0.5:7001,10.0.0.6:7002")).isEqualTo("10.0.0.5:7001,10.0.0.6:7002");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pending --stream s --group g --url " + NOBODY,
      "consume --stream s --group g --url redis-cluster://127.0.0.1:1"})
  void asAProcessTheFailureIsOneLineOnStderrWithoutAStackTrace(String commandLine) throws Exception {
    Path err = Files.createTempFile("freshet-err", ".txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Freshet.class.getName()));
    command.addAll(List.of(commandLine.split(" ")));
    Process p = new ProcessBuilder(command).redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readString(err, StandardCharsets.UTF_8)).isEqualTo(REFUSED + "\n");
  }

  @Test
  void aUsageErrorIsExitStatusTwo() {
    Run missing = run("produce", "--url", NOBODY);
    assertThat(missing.exit()).isEqualTo(Freshet.EXIT_USAGE).isEqualTo(2);
    assertThat(missing.err()).startsWith("Missing required option: '--stream=<stream>'");
    assertThat(run("pending", "--stream", "s", "--group", "g", "--count", "many").exit()).isEqualTo(2);
    assertThat(run("no-such-command").exit()).isEqualTo(2);
  }

  @Test
  void everyOptionAndParameterHasADescriptionShownByHelp() {
    List<CommandLine> all = new ArrayList<>();
    collect(Freshet.commandLine(), all);
    assertThat(all).extracting(CommandLine::getCommandName).contains("produce", "consume", "reclaim", "list", "replay");
    for (CommandLine cl : all) {
      CommandSpec spec = cl.getCommandSpec();
      if (spec.usageMessage().hidden()) {
        continue;
      }
      String name = spec.qualifiedName();
      List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
      args.add("--help");
      Run help = run(args.toArray(new String[0]));
      assertThat(help.exit()).as(name + " --help").isZero();
      assertThat(spec.usageMessage().description()).as(name).isNotEmpty();
      List<ArgSpec> options = new ArrayList<>(spec.options());
      options.addAll(spec.positionalParameters());
      for (ArgSpec arg : options) {
        String label = name + " " + arg.paramLabel() + " " + (arg.isOption() ? ((CommandLine.Model.OptionSpec) arg)
            .longestName() : "");
        assertThat(String.join(" ", arg.description())).as(label).isNotBlank();
        String shown = arg.description()[0].replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValue()));
        assertThat(help.out()).as(label).contains(shown.substring(0, Math.min(shown.length(), 30)));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0   done", "1   failed: cannot connect", "2   usage error", "70  `server`",
      "its exit status 0 acks the entry"})
  void helpAndReadmeDocumentTheExitStatus(String line) throws Exception {
    assertThat(run("--help").out()).contains(line);
    assertThat(Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8)).contains(line);
  }

  private static void collect(CommandLine cl, List<CommandLine> into) {
    into.add(cl);
    cl.getSubcommands().values().forEach(sub -> collect(sub, into));
  }
}
