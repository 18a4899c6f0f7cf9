package chainrule.codegen;

/**
 * The {@code cr_json} helper of a generated {@code --main}, in each language: a number written as
 * {@code eval --json} writes it ({@link chainrule.expr.Numbers#json}), so a program's output is the
 * same text as {@code eval --json}'s (CLI.md), not merely the same values. That format is the
 * shortest digits that read back as the same double, in plain notation when the leading digit's
 * position is in [-7, 21) ({@code 0.000438567734474347}, {@code 1}, {@code 250}) and as
 * {@code 1.5e-8} / {@code -3e25} outside it; {@code null} for a value JSON cannot hold.
 *
 * <p>Each language finds the shortest digits its own way — Java as {@code eval} does
 * ({@code Double.toString}, shortened where JDK 17's is longer than needed), Python with
 * {@code repr}, C by trying 1 to 17 significant digits until {@code strtod} gives the value back —
 * and lays them out the same way.
 */
final class JsonNumbers {
    private JsonNumbers() {}

    /** A static method, for inside the generated class. */
    static final String JAVA = """
            static String cr_json(double v) {
                if (!Double.isFinite(v)) {
                    return "null";
                }
                if (v == 0) {
                    return "0";
                }
                java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
                if (d.precision() >= 16 || Math.abs(v) < Double.MIN_NORMAL) {
                    // Double.toString is a round trip, but before JDK 19 not always the shortest
                    java.math.BigDecimal exact = new java.math.BigDecimal(v);
                    for (int p = d.precision() - 1; p >= 1; p--) {
                        java.math.BigDecimal c = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
                        if (Double.parseDouble(c.toString()) != v) {
                            break;
                        }
                        d = c.stripTrailingZeros();
                    }
                }
                int exponent = d.precision() - d.scale() - 1;
                if (exponent >= -7 && exponent < 21) {
                    return d.toPlainString();
                }
                String digits = d.unscaledValue().abs().toString();
                String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
                return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
            }
            """;

    /** Needs {@code <math.h>}, {@code <stdio.h>}, {@code <stdlib.h>} and {@code <string.h>}. */
    static final String C = """
            static void cr_json(double v) {
                char buf[40], digits[24];
                int p, n = 0, exponent, k;
                const char *s;
                if (!isfinite(v)) {
                    fputs("null", stdout);
                    return;
                }
                if (v == 0) {
                    putchar('0');
                    return;
                }
                for (p = 1; p <= 17; p++) {
                    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
                    if (strtod(buf, NULL) == v) {
                        break;
                    }
                }
                for (s = buf; *s != 'e'; s++) {
                    if (*s >= '0' && *s <= '9') {
                        digits[n++] = *s;
                    }
                }
                exponent = atoi(s + 1);
                while (n > 1 && digits[n - 1] == '0') {
                    n--;
                }
                digits[n] = '\\0';
                if (v < 0) {
                    putchar('-');
                }
                if (exponent >= -7 && exponent < 21) {
                    if (exponent < 0) {
                        fputs("0.", stdout);
                        for (k = -1; k > exponent; k--) {
                            putchar('0');
                        }
                        fputs(digits, stdout);
                    } else {
                        for (k = 0; k < n || k <= exponent; k++) {
                            if (k == exponent + 1) {
                                putchar('.');
                            }
                            putchar(k < n ? digits[k] : '0');
                        }
                    }
                } else {
                    putchar(digits[0]);
                    if (n > 1) {
                        putchar('.');
                        fputs(digits + 1, stdout);
                    }
                    printf("e%d", exponent);
                }
            }
            """;

    /** Needs {@code import math}. */
    static final String PYTHON = """
            def cr_json(v):
                if not math.isfinite(v):
                    return "null"
                if v == 0:
                    return "0"
                mantissa, _, e = repr(abs(v)).partition("e")
                whole, _, fraction = mantissa.partition(".")
                digits = (whole + fraction).lstrip("0")
                exponent = int(e or "0") + len(whole) - 1 - (len(whole + fraction) - len(digits))
                digits = digits.rstrip("0") or "0"
                sign = "-" if v < 0 else ""
                if -7 <= exponent < 21:
                    if exponent < 0:
                        return sign + "0." + "0" * (-exponent - 1) + digits
                    if len(digits) <= exponent + 1:
                        return sign + digits + "0" * (exponent + 1 - len(digits))
                    return sign + digits[:exponent + 1] + "." + digits[exponent + 1:]
                return sign + digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + str(exponent)
            """;
}
