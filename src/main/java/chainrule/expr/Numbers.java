package chainrule.expr;

import java.math.BigDecimal;

/** How numbers are written: exactly (round-trip) for JSON and source, shortened for people. */
public final class Numbers {
    private Numbers() {}

    /**
     * The shortest decimal that reads back as the same double, written without an exponent when
     * that stays readable ({@code 0.000438567734474}, {@code 2}, {@code 1e-300}). Non-finite values
     * are written {@code inf}, {@code -inf}, {@code nan}.
     */
    public static String exact(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        return layout(shortest(v));
    }

    /**
     * A decimal without an exponent when its leading digit's position is in [-7, 21)
     * ({@code 0.000438567734474}, {@code 250}), else as {@code 1.5e-8} / {@code -3e25}.
     */
    private static String layout(BigDecimal d) {
        int exponent = d.precision() - d.scale() - 1; // position of the leading digit
        if (exponent >= -7 && exponent < 21) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /**
     * The fewest significant digits that read back as {@code v} (nonzero, finite), the nearest such
     * decimal. {@code Double.toString} gives a round trip, but before JDK 19 not always the shortest
     * one: it writes 17 digits for some values that 16 hold ({@code -4667320109753715700} for
     * {@code -4667320109753716000}, {@code 4.9e-324} for {@code 5e-324}). A generated program finds
     * its digits as Python's {@code repr} and C's {@code %.*e} do — the shortest, nearest — and
     * prints the same JSON as {@code eval}, so long outputs are shortened here: if the nearest
     * decimal with one digit fewer reads back as {@code v}, it is taken, and so on (when p digits
     * do not read back, no fewer can: the nearest p−1-digit decimal is a p-digit one too).
     */
    private static BigDecimal shortest(double v) {
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (d.precision() < 16 && Math.abs(v) >= Double.MIN_NORMAL) {
            return d; // toString's misses are long: 16 digits and up, and subnormals
        }
        BigDecimal exact = new BigDecimal(v);
        for (int p = d.precision() - 1; p >= 1; p--) {
            BigDecimal c = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(c.toString()) != v) {
                break;
            }
            d = c.stripTrailingZeros();
        }
        return d;
    }

    /** A JSON number ({@code null} for a non-finite value, which JSON cannot hold). */
    public static String json(double v) {
        return Double.isFinite(v) ? exact(v) : "null";
    }

    /** {@code significant} significant digits, trailing zeros dropped: for tables people read. */
    public static String rounded(double v, int significant) {
        if (!Double.isFinite(v) || v == 0) {
            return exact(v);
        }
        return layout(new BigDecimal(v).round(new java.math.MathContext(significant)).stripTrailingZeros());
    }

    /** Twelve significant digits: the precision of the numbers people compare with textbooks. */
    public static String text(double v) {
        return rounded(v, 12);
    }
}
