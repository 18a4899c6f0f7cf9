package chainrule.expr;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;

/**
 * A numeric constant: an exact rational (numerator and positive denominator in lowest terms), or
 * an inexact double. Every finite number the language writes is exact: a decimal literal is the
 * rational it denotes ({@code 0.1} is 1/10), and folding exact operands stays exact ({@code 1/3}
 * stays 1/3, {@code x^(1/3)} differentiates to {@code x^(-2/3)/3}). A number is inexact only
 * when it is not finite, or when exact arithmetic would outgrow {@link Exprs#MAX_BITS}.
 * {@link #value()} is the nearest double either way; {@code -0.0} is normalised to {@code 0.0}.
 *
 * <p>The arithmetic here ({@link #plus}, {@link #times}, {@link #reciprocal}, {@link #pow(long)})
 * is what the normal form folds with, exact when both operands are; rules elsewhere (the
 * simplifier) use it to keep their numbers exact too.
 */
public final class Num extends Node implements Expr {
    private final double value;
    private final BigInteger numerator;
    private final BigInteger denominator;

    Num(long id, double value) {
        super(id, List.of());
        this.value = value;
        this.numerator = null;
        this.denominator = null;
    }

    Num(long id, BigInteger numerator, BigInteger denominator) {
        super(id, List.of());
        this.numerator = numerator;
        this.denominator = denominator;
        this.value = nearestDouble(numerator, denominator);
    }

    /** The nearest double to p/q: one correctly rounded division when both are exact doubles. */
    static double nearestDouble(BigInteger p, BigInteger q) {
        if (q.equals(BigInteger.ONE)) {
            return p.doubleValue();
        }
        if (p.bitLength() <= 53 && q.bitLength() <= 53) {
            return p.doubleValue() / q.doubleValue();
        }
        double v = new BigDecimal(p).divide(new BigDecimal(q), new MathContext(40)).doubleValue();
        return v == 0.0 ? 0.0 : v;
    }

    public double value() { return value; }

    /** Whether this is an exact rational (else an inexact double, such as inf). */
    public boolean isExact() { return numerator != null; }

    /** The numerator in lowest terms (exact numbers only). */
    public BigInteger numerator() { return require(numerator); }

    /** The denominator, positive, in lowest terms (exact numbers only). */
    public BigInteger denominator() { return require(denominator); }

    private BigInteger require(BigInteger b) {
        if (b == null) {
            throw new IllegalStateException("an inexact number has no numerator or denominator: " + value);
        }
        return b;
    }

    public boolean isInteger() {
        return numerator != null ? denominator.equals(BigInteger.ONE)
                : value == Math.rint(value) && !Double.isInfinite(value);
    }

    /** An exact number that is not an integer (1/3, 1/2): printed as a fraction or a decimal. */
    public boolean isFraction() { return numerator != null && !denominator.equals(BigInteger.ONE); }

    /** Whether the exact decimal expansion ends (the denominator has no prime factors but 2 and 5). */
    public boolean isTerminatingDecimal() {
        if (numerator == null) {
            return false;
        }
        BigInteger q = denominator.shiftRight(denominator.getLowestSetBit());
        BigInteger five = BigInteger.valueOf(5);
        while (q.mod(five).signum() == 0) {
            q = q.divide(five);
        }
        return q.equals(BigInteger.ONE);
    }

    /** The exact value as a decimal (terminating decimals only). */
    public BigDecimal decimal() {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator)); // exact: terminating
    }

    public int signum() { return numerator != null ? numerator.signum() : (int) Math.signum(value); }

    public boolean isZero() { return numerator != null ? numerator.signum() == 0 : value == 0; }

    public boolean isOne() { return numerator != null && numerator.equals(BigInteger.ONE) && denominator.equals(BigInteger.ONE); }

    public Num plus(Num o) { return Exprs.plus(this, o); }

    public Num times(Num o) { return Exprs.times(this, o); }

    public Num negate() { return Exprs.times(this, Exprs.MINUS_ONE); }

    /** 1/this; null for 0, which has no reciprocal. */
    public Num reciprocal() { return Exprs.reciprocalOf(this); }

    /** this^n, exact for an exact base (null when 0^negative or the result outgrows the limit). */
    public Num pow(long n) { return Exprs.integerPower(this, n); }

    @Override public <R> R accept(Visitor<R> v) { return v.num(this); }
}
