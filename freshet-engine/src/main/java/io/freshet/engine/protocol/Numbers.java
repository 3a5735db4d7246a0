package io.freshet.engine.protocol;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's exact rules (string2ll, strtold, %.17g, %.17Lf).
 * Stateless; any thread.
 */
public final class Numbers {
  private Numbers() {}

  /** Strict parse as Redis's string2ll: canonical decimal, no sign '+', no spaces; else null. */
  public static Long parseLong(byte[] b) {
    int n = b.length;
    if (n == 0 || n > 20) {
      return null;
    }
    if (n == 1 && b[0] >= '0' && b[0] <= '9') {
      return (long) (b[0] - '0');
    }
    int i = 0;
    boolean negative = b[0] == '-';
    if (negative) {
      i = 1;
    }
    if (i >= n || b[i] < '1' || b[i] > '9') {
      return null;
    }
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long multmin = limit / 10;
    long result = 0;
    for (; i < n; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || result < multmin) {
        return null;
      }
      result *= 10;
      if (result < limit + d) {
        return null;
      }
      result -= d;
    }
    return negative ? result : -result;
  }

  /** Parses like Redis's strtod-based getDoubleFromObject: no spaces, no nan, "inf" allowed. */
  public static Double parseDouble(byte[] b) {
    String s = new String(b, StandardCharsets.US_ASCII);
    if (s.isEmpty() || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
      return null;
    }
    String lower = s.toLowerCase();
    switch (lower) {
      case "inf": case "+inf": case "infinity": case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf": case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (lower.contains("nan") || lower.endsWith("d") || lower.endsWith("f") || lower.contains("_")
        || lower.contains("p") || lower.startsWith("0x") || lower.startsWith("-0x") || lower.startsWith("+0x")) {
      return null;
    }
    try {
      double d = Double.parseDouble(s);
      if (Double.isNaN(d)) {
        return null;
      }
      return d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** C's printf("%.17g") for finite doubles. */
  public static String formatG17(double value) {
    return formatG(value, 17);
  }

  /** C's printf("%.<precision>g"), with inf, -inf and nan as glibc prints them. */
  public static String formatG(double value, int precision) {
    if (Double.isNaN(value)) {
      return Double.doubleToRawLongBits(value) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return (1 / value < 0) ? "-0" : "0";
    }
    BigDecimal bd = new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    int exponent = bd.precision() - bd.scale() - 1;
    if (exponent < -4 || exponent >= precision) {
      BigDecimal unscaled = new BigDecimal(bd.unscaledValue(), bd.precision() - 1);
      String mantissa = stripZeros(unscaled.toPlainString());
      String exp = (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
      return mantissa + "e" + exp;
    }
    return stripZeros(bd.toPlainString());
  }

  private static String stripZeros(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }

  // ---- x87 long double emulation for INCRBYFLOAT / HINCRBYFLOAT -----------------------------

  /** Sentinels for x87 infinities, compared by identity. */
  public static final BigDecimal POSITIVE_INFINITY = new BigDecimal("1E+999999");
  public static final BigDecimal NEGATIVE_INFINITY = new BigDecimal("-1E+999999");

  public static boolean isInfinite(BigDecimal v) {
    return v == POSITIVE_INFINITY || v == NEGATIVE_INFINITY;
  }

  /**
   * Parses as Redis's string2ld (strtold on x87 long double): decimal or hex ("0x1.8p3") forms,
   * "inf"/"infinity"; rejects leading spaces, trailing garbage, NaN, overflow and underflow to
   * zero. Returns the value rounded to a 64-bit significand, an infinity sentinel, or null.
   */
  public static BigDecimal parseLongDouble(byte[] b) {
    String s = new String(b, StandardCharsets.ISO_8859_1);
    if (s.isEmpty() || Character.isWhitespace(s.charAt(0))) {
      return null;
    }
    boolean negative = s.charAt(0) == '-';
    String body = (s.charAt(0) == '-' || s.charAt(0) == '+') ? s.substring(1) : s;
    String lower = body.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("infinity")) {
      return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
    }
    BigDecimal exact;
    try {
      if (lower.startsWith("0x")) {
        exact = parseHex(lower.substring(2));
      } else {
        if (!lower.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
          return null;
        }
        exact = new BigDecimal(lower.endsWith(".") ? lower + "0" : lower.replace(".e", ".0e"));
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
    if (exact == null) {
      return null;
    }
    boolean zeroInput = exact.signum() == 0;
    BigDecimal rounded = roundLongDouble(negative ? exact.negate() : exact);
    if (rounded == null || (!zeroInput && rounded.signum() == 0)) {
      return null; // ERANGE: overflow or underflow
    }
    return rounded;
  }

  private static BigDecimal parseHex(String h) {
    int p = h.indexOf('p');
    String mantissa = p < 0 ? h : h.substring(0, p);
    int exp = p < 0 ? 0 : Integer.parseInt(h.substring(p + 1).replace("+", ""));
    if (!mantissa.matches("([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)")) {
      return null;
    }
    int dot = mantissa.indexOf('.');
    String digits = mantissa.replace(".", "");
    int fractionDigits = dot < 0 ? 0 : mantissa.length() - dot - 1;
    BigDecimal v = new BigDecimal(new BigInteger(digits, 16));
    return scaleByPowerOfTwo(v, exp - 4 * fractionDigits);
  }

  /** Rounds an exact value to the nearest long double; null on overflow. */
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

  public static BigDecimal roundLongDouble(BigDecimal exact) {
    if (exact.signum() == 0) {
      return BigDecimal.ZERO;
    }
    boolean negative = exact.signum() < 0;
    BigDecimal abs = exact.abs();
    long magnitude = (long) abs.precision() - abs.scale();
    if (magnitude > 4933) {
      return null;
    }
    if (magnitude < -4950) {
      return BigDecimal.ZERO;
    }
    // find e with abs / 2^e in [2^63, 2^64)
    int e = (int) Math.floor((abs.unscaledValue().bitLength() - abs.scale() * 3.321928094887362)) - 64;
    BigDecimal scaled;
    while (true) {
      scaled = scaleByPowerOfTwo(abs, -e);
      if (scaled.compareTo(new BigDecimal(TWO_63)) < 0) {
        e--;
      } else if (scaled.compareTo(new BigDecimal(TWO_64)) >= 0) {
        e++;
      } else {
        break;
      }
    }
    BigInteger m = scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
    BigDecimal result = scaleByPowerOfTwo(new BigDecimal(m), e);
    if (result.abs().compareTo(new BigDecimal("1.18973149535723176502e4932")) > 0) {
      return null;
    }
    return negative ? result.negate() : result;
  }

  private static BigDecimal scaleByPowerOfTwo(BigDecimal v, int e) {
    if (e >= 0) {
      return v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(e)));
    }
    // dividing by 2^k is exact with k more decimal digits
    return v.multiply(BigDecimal.ONE.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-e))));
  }

  /** printf("%.17Lf") with trailing zeros removed, as Redis's ld2string(LD_STR_HUMAN). */
  public static String formatLongDoubleHuman(BigDecimal value) {
    String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    s = stripZeros(s);
    if (s.equals("-0")) {
      return "0";
    }
    return s;
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
