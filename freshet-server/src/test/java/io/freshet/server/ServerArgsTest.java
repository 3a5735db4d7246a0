package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerArgsTest {
  @Test
  void redisStyleOptionsJoinTheirValues() throws Exception {
    ServerArgs.Parsed p = ServerArgs.parse(List.of("--port", "7000", "--save", "900", "1", "--bind", "127.0.0.1", "::1",
        "--requirepass", ""));
    assertThat(p.params()).containsEntry("port", "7000").containsEntry("save", "900 1")
        .containsEntry("bind", "127.0.0.1 ::1").containsEntry("requirepass", "");
    assertThat(p.configFile()).isNull();
  }

  @Test
  void configFileLinesWithCommentsAndQuotes() {
    assertThat(ServerArgs.parseFile("# comment\n\nport 6380\nrequirepass \"with space\"\nSAVE ''\n"))
        .containsEntry("port", "6380").containsEntry("requirepass", "with space").containsEntry("save", "");
  }

  @Test
  void badInputIsReported() throws Exception {
    // as in redis-server, a stray word becomes a second argument of the previous option
    assertThatThrownBy(() -> ServerArgs.parse(List.of("--port", "1", "stray")))
        .isInstanceOf(ServerArgs.ConfigFileError.class)
        .hasMessage("\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\nReading the configuration file, at line 2\n"
            + ">>> 'port \"1\" \"stray\"'\nwrong number of arguments");
    assertThatThrownBy(() -> FreshetServer.builder().config("port", "1 stray").start())
        .hasMessageContaining("argument couldn't be parsed into an integer");
    java.nio.file.Path conf = java.nio.file.Files.createTempFile("freshet", ".conf");
    assertThatThrownBy(() -> ServerArgs.parse(List.of(conf.toString(), "stray")))
        .hasMessageContaining("options start with --");
    assertThatThrownBy(() -> ServerArgs.parseFile("requirepass \"open\n")).hasMessageContaining("Unbalanced quotes");
    assertThatThrownBy(() -> FreshetServer.builder().config("nosuch", "1").start())
        .hasMessageContaining("Bad directive");
    assertThatThrownBy(() -> FreshetServer.builder().config("maxclients", "x").start())
        .hasMessageContaining("argument couldn't be parsed into an integer");
  }
}
