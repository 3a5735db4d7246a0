package io.freshet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest
  @CsvSource({
    "*,anything,true", "h?llo,hello,true", "h?llo,hllo,false", "h*llo,heeeello,true",
    "h[ae]llo,hallo,true", "h[ae]llo,hillo,false", "h[^e]llo,hallo,true", "h[^e]llo,hello,false",
    "h[a-b]llo,hbllo,true", "h[b-a]llo,hallo,true", "h\\*llo,h*llo,true", "h\\*llo,hello,false",
    "k[0-2],k1,true", "k[0-2],k3,false", "*a*b,xxaxxb,true", "a*,b,false", "'',,true", "?,'',false",
    "*,'',false", "a\\,a\\,true", "a[bc,ab,true", "a[bc,ac,true", "a[bc,abc,false", "[a-,-,true",
    "*[,x[,false"
  })
  void matchesLikeRedisStringmatchlen(String pattern, String text, boolean expected) {
    String p = pattern.equals("''") ? "" : pattern;
    String t = text == null || text.equals("''") ? "" : text;
    assertThat(Glob.matches(bytes(p), bytes(t), false)).isEqualTo(expected);
  }

  /** Regression: Redis's recursive search (and Freshet's copy of it) took 30 s on this one. */
  @Test
  void manyStarsThatCannotMatchAreRejectedWithoutBacktrackingExponentially() {
    byte[] subject = bytes("a".repeat(40));
    assertThat(Glob.matches(bytes("a*".repeat(20) + "b"), subject, false)).isFalse();
    assertThat(Glob.matches(bytes("*a".repeat(1000) + "*b"), bytes("a".repeat(5000)), false)).isFalse();
    assertThat(Glob.matches(bytes("a*".repeat(20) + "a"), subject, false)).isTrue();
    assertThat(Glob.matches(bytes("*?".repeat(39) + "*"), subject, true)).isTrue();
  }

  /** The one-pass matcher against Redis's recursive algorithm, on small alphabets so that matches happen. */
  @Property(tries = 5000)
  void agreesWithRedissRecursiveSearch(@ForAll("patterns") String pattern, @ForAll("subjects") String subject,
      @ForAll boolean nocase) {
    byte[] p = bytes(pattern);
    byte[] s = bytes(subject);
    assertThat(Glob.matches(p, s, nocase)).as("%s ~ %s", pattern, subject)
        .isEqualTo(RecursiveReference.matches(p, s, nocase));
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars("ab*?[]^-\\A").ofMaxLength(10);
  }

  @Provide
  Arbitrary<String> subjects() {
    return Arbitraries.strings().withChars("abAB-]^\\*").ofMaxLength(8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Redis's stringmatchlen as it reads in util.c (recursion at '*'), as the reference semantics. */
  private static final class RecursiveReference {
    static boolean matches(byte[] p, byte[] s, boolean nocase) {
      return match(p, 0, s, 0, nocase);
    }

    private static int lower(int c) {
      return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    private static boolean eq(int a, int b, boolean nocase) {
      return nocase ? lower(a) == lower(b) : a == b;
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, boolean nocase) {
      int plen = p.length;
      int slen = s.length;
      while (pi < plen && si < slen) {
        int c = s[si] & 0xff;
        switch (p[pi]) {
          case '*' -> {
            while (pi + 1 < plen && p[pi + 1] == '*') {
              pi++;
            }
            if (pi + 1 == plen) {
              return true;
            }
            for (; si < slen; si++) {
              if (match(p, pi + 1, s, si, nocase)) {
                return true;
              }
            }
            return false;
          }
          case '?' -> si++;
          case '[' -> {
            pi++;
            boolean not = pi < plen && p[pi] == '^';
            if (not) {
              pi++;
            }
            boolean matched = false;
            while (true) {
              if (pi < plen && p[pi] == '\\' && pi + 1 < plen) {
                pi++;
                matched |= (p[pi] & 0xff) == c;
              } else if (pi >= plen) {
                pi--;
                break;
              } else if (p[pi] == ']') {
                break;
              } else if (pi + 2 < plen && p[pi + 1] == '-') {
                int lo = p[pi] & 0xff;
                int hi = p[pi + 2] & 0xff;
                int x = c;
                if (lo > hi) {
                  int t = lo;
                  lo = hi;
                  hi = t;
                }
                if (nocase) {
                  lo = lower(lo);
                  hi = lower(hi);
                  x = lower(x);
                }
                pi += 2;
                matched |= x >= lo && x <= hi;
              } else {
                matched |= eq(p[pi] & 0xff, c, nocase);
              }
              pi++;
            }
            if (matched == not) {
              return false;
            }
            si++;
          }
          case '\\' -> {
            if (pi + 1 < plen) {
              pi++;
            }
            if (!eq(p[pi] & 0xff, c, nocase)) {
              return false;
            }
            si++;
          }
          default -> {
            if (!eq(p[pi] & 0xff, c, nocase)) {
              return false;
            }
            si++;
          }
        }
        pi++;
        if (si == slen) {
          while (pi < plen && p[pi] == '*') {
            pi++;
          }
          break;
        }
      }
      return pi == plen && si == slen;
    }
  }
}
