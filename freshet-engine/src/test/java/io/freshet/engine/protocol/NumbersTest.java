package io.freshet.engine.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumbersTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "-1", "123", "9223372036854775807", "-9223372036854775808"})
  void parsesCanonicalIntegers(String s) {
    assertThat(Numbers.parseLong(b(s))).isEqualTo(Long.parseLong(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "+1", "01", "-0", " 1", "1 ", "1.0", "9223372036854775808",
      "-9223372036854775809", "99999999999999999999", "abc", "0x10"})
  void rejectsWhatRedisRejects(String s) {
    assertThat(Numbers.parseLong(b(s))).isNull();
  }

  @ParameterizedTest
  @CsvSource({"0.1,0.1", "1e3,1000", "5.,5", ".5,0.5", "+5,5", "-0,0", "0x10,16", "3.0e-2,0.03",
      "10.5,10.5"})
  void longDoubleFormatsAsRedisHumanForm(String in, String out) {
    assertThat(Numbers.formatLongDoubleHuman(Numbers.parseLongDouble(b(in)))).isEqualTo(out);
  }

  @Test
  void sumsRoundLikeX87LongDouble() {
    // Redis: SET f 0.1; INCRBYFLOAT f 0.2 -> "0.3" (a double would give 0.30000000000000004)
    BigDecimal sum = Numbers.roundLongDouble(Numbers.parseLongDouble(b("0.1")).add(Numbers.parseLongDouble(b("0.2"))));
    assertThat(Numbers.formatLongDoubleHuman(sum)).isEqualTo("0.3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " 1", "nan", "1e", "abc", "1e4933", "1e-5000", "1.2.3"})
  void longDoubleRejects(String s) {
    assertThat(Numbers.parseLongDouble(b(s))).isNull();
  }

  @ParameterizedTest
  @CsvSource({"1.5,1.5", "0.1,0.10000000000000001", "1e20,1e+20", "123456,123456", "1e-5,1.0000000000000001e-05"})
  void formatsDoublesAsPercent17g(double in, String out) {
    assertThat(Numbers.formatG17(in)).isEqualTo(out);
  }

}
