package io.freshet.engine;

/** Redis's glob matcher (util.c stringmatchlen), byte for byte. Stateless; any thread. */
public final class Glob {
  private Glob() {}

  public static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
    return match(pattern, 0, string, 0, nocase, 0);
  }

  private static int lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  }

  private static boolean match(byte[] p, int pi, byte[] s, int si, boolean nocase, int nesting) {
    if (nesting > 1000) {
      return false;
    }
    int plen = p.length;
    int slen = s.length;
    while (pi < plen && si < slen) {
      switch (p[pi]) {
        case '*' -> {
          while (pi + 1 < plen && p[pi + 1] == '*') {
            pi++;
          }
          if (pi + 1 == plen) {
            return true;
          }
          while (si < slen) {
            if (match(p, pi + 1, s, si, nocase, nesting + 1)) {
              return true;
            }
            si++;
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
              if ((p[pi] & 0xff) == (s[si] & 0xff)) {
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
              int c = s[si] & 0xff;
              if (start > end) {
                int t = start;
                start = end;
                end = t;
              }
              if (nocase) {
                start = lower(start);
                end = lower(end);
                c = lower(c);
              }
              pi += 2;
              if (c >= start && c <= end) {
                matched = true;
              }
            } else {
              if (!nocase) {
                if ((p[pi] & 0xff) == (s[si] & 0xff)) {
                  matched = true;
                }
              } else if (lower(p[pi] & 0xff) == lower(s[si] & 0xff)) {
                matched = true;
              }
            }
            pi++;
          }
          if (not) {
            matched = !matched;
          }
          if (!matched) {
            return false;
          }
          si++;
        }
        case '\\' -> {
          if (pi + 1 < plen) {
            pi++;
          }
          if (!charEq(p[pi], s[si], nocase)) {
            return false;
          }
          si++;
        }
        default -> {
          if (!charEq(p[pi], s[si], nocase)) {
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

  private static boolean charEq(byte a, byte b, boolean nocase) {
    if (nocase) {
      return lower(a & 0xff) == lower(b & 0xff);
    }
    return a == b;
  }
}
