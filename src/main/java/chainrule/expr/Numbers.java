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
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1; // position of the leading digit
        if (exponent >= -7 && exponent < 21) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
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
        BigDecimal d = new BigDecimal(v).round(new java.math.MathContext(significant)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -7 && exponent < 21) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /** Twelve significant digits: the precision of the numbers people compare with textbooks. */
    public static String text(double v) {
        return rounded(v, 12);
    }
}
