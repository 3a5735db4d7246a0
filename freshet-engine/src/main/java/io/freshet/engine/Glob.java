package io.freshet.engine;

/**
 * Redis's glob matcher (util.c stringmatchlen): the same answers, in time bounded by the product of
 * the pattern's and the subject's lengths. Stateless; any thread.
 *
 * <p>Every token other than {@code *} ({@code ?}, a {@code [...]} class, an escaped or a plain
 * byte) matches exactly one byte, and how far a token reaches in the pattern does not depend on the
 * byte it is matched against. So one pass with a single back-tracking point, the most recent
 * {@code *}, finds a match whenever Redis's recursive search does: giving the latest star one more
 * byte covers every choice the earlier stars could have made. Redis's recursion takes exponential
 * time on patterns such as {@code a*a*a*a*b}; this loop takes at most pattern × subject steps.
 */
public final class Glob {
  private Glob() {}

  /** Returned by {@link #matchToken} when the token does not match the byte. */
  private static final int NO_MATCH = -1;

  public static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
    int plen = pattern.length;
    int slen = string.length;
    if (slen == 0) {
      // Redis's loop never runs on an empty subject: only an empty pattern matches it
      return plen == 0;
    }
    int pi = 0;
    int si = 0;
    int starPi = -1; // index of the pattern token after the latest '*'
    int starSi = 0; // first subject byte that star has not yet taken
    while (si < slen) {
      if (pi < plen && pattern[pi] == '*') {
        while (pi < plen && pattern[pi] == '*') {
          pi++;
        }
        if (pi == plen) {
          return true;
        }
        starPi = pi;
        starSi = si;
        continue;
      }
      if (pi < plen) {
        int next = matchToken(pattern, pi, string[si] & 0xff, nocase);
        if (next != NO_MATCH) {
          pi = next;
          si++;
          continue;
        }
      }
      if (starPi < 0) {
        return false;
      }
      pi = starPi;
      si = ++starSi;
    }
    while (pi < plen && pattern[pi] == '*') {
      pi++;
    }
    return pi == plen;
  }

  private static int lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  }

  /**
   * Matches the token at {@code pi} (not a '*') against subject byte {@code c}: the index after the
   * token, or {@link #NO_MATCH}. Parses as Redis does, including its treatment of a trailing
   * backslash (a literal) and an unterminated class (runs to the pattern's end).
   */
  private static int matchToken(byte[] p, int pi, int c, boolean nocase) {
    int plen = p.length;
    switch (p[pi]) {
      case '?' -> {
        return pi + 1;
      }
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
            if ((p[pi] & 0xff) == c) {
              matched = true;
            }
          } else if (pi >= plen) {
            pi--;
            break;
          } else if (p[pi] == ']') {
            break;
          } else if (pi + 2 < plen && p[pi + 1] == '-') {
            int start = p[pi] & 0xff;
            int end = p[pi + 2] & 0xff;
            int x = c;
            if (start > end) {
              int t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              x = lower(x);
            }
            pi += 2;
            if (x >= start && x <= end) {
              matched = true;
            }
          } else if (byteEq(p[pi] & 0xff, c, nocase)) {
            matched = true;
          }
          pi++;
        }
        return matched != not ? pi + 1 : NO_MATCH;
      }
      case '\\' -> {
        if (pi + 1 < plen) {
          pi++;
        }
        return byteEq(p[pi] & 0xff, c, nocase) ? pi + 1 : NO_MATCH;
      }
      default -> {
        return byteEq(p[pi] & 0xff, c, nocase) ? pi + 1 : NO_MATCH;
      }
    }
  }

  private static boolean byteEq(int a, int b, boolean nocase) {
    return a == b || (nocase && lower(a) == lower(b));
  }
}
