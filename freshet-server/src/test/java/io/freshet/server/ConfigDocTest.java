package io.freshet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.engine.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config.md has a row for every parameter, saying truthfully whether Freshet honours it. */
class ConfigDocTest {
  @Test
  void everyParameterIsDocumentedWithItsEffect() throws Exception {
    Path doc = Path.of("..", "docs", "config.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    Config config = new Config();
    for (String name : config.names()) {
      String row = text.lines().filter(l -> l.startsWith("| `" + name + "` |")).findFirst().orElse(null);
      assertThat(row).as("row for %s", name).isNotNull();
      assertThat(row.contains("| no effect yet |")).as("effect of %s", name).isEqualTo(!config.hasEffect(name));
      assertThat(row.contains("| immutable |")).as("mutability of %s", name).isEqualTo(!config.isMutable(name));
    }
  }
}
