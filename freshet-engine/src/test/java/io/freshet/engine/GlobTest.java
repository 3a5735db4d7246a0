package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest
  @CsvSource({
    "*,anything,true", "h?llo,hello,true", "h?llo,hllo,false", "h*llo,heeeello,true",
    "h[ae]llo,hallo,true", "h[ae]llo,hillo,false", "h[^e]llo,hallo,true", "h[^e]llo,hello,false",
    "h[a-b]llo,hbllo,true", "h[b-a]llo,hallo,true", "h\\*llo,h*llo,true", "h\\*llo,hello,false",
    "k[0-2],k1,true", "k[0-2],k3,false", "*a*b,xxaxxb,true", "a*,b,false", "'',,true", "?,'',false"
  })
  void matchesLikeRedisStringmatchlen(String pattern, String text, boolean expected) {
    String p = pattern.equals("''") ? "" : pattern;
    String t = text == null || text.equals("''") ? "" : text;
    assertThat(Glob.matches(p.getBytes(StandardCharsets.UTF_8), t.getBytes(StandardCharsets.UTF_8), false))
        .isEqualTo(expected);
  }
}
