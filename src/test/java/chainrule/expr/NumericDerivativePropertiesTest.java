package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.obermuhlner.math.big.BigDecimalMath;
import chainrule.diff.Differentiator;
import chainrule.runtime.Fns;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The primitive table's numeric column against arbitrary-precision references (big-math, 50
 * digits, independent of chainrule): for each primitive, its derivative as every number producer
 * evaluates it ({@link Differentiator#numericDerivative}, then the interpreter) at 500 points across
 * its domain, out to ±800 where it is defined, agrees within 1e-13 relative wherever the true value
 * is a normal double. The printed forms (σ·(1 − σ), 1 − tanh²) would fail in the saturated tails.
 */
class NumericDerivativePropertiesTest {
    static final MathContext MC = new MathContext(50);
    static final double TOLERANCE = 1e-13;

    static BigDecimal exp(BigDecimal x) { return BigDecimalMath.exp(x, MC); }

    static BigDecimal one() { return BigDecimal.ONE; }

    static BigDecimal cosh(BigDecimal x) { return exp(x).add(exp(x.negate())).divide(BigDecimal.valueOf(2), MC); }

    static BigDecimal sinh(BigDecimal x) { return exp(x).subtract(exp(x.negate())).divide(BigDecimal.valueOf(2), MC); }

    static BigDecimal inv(BigDecimal x) { return BigDecimal.ONE.divide(x, MC); }

    static BigDecimal sq(BigDecimal x) { return x.multiply(x, MC); }

    static BigDecimal sqrt(BigDecimal x) { return BigDecimalMath.sqrt(x, MC); }

    /** The derivative as evaluated by chainrule's number producers. */
    static double numericDerivative(Primitive p, double x) {
        Sym s = Exprs.local("x");
        Expr d = Differentiator.numericDerivative(Exprs.apply(p, List.of(s)), s);
        return Evaluator.evaluate(d, Map.of("x", x));
    }

    static void check(Primitive p, double x, UnaryOperator<BigDecimal> reference) {
        BigDecimal ref = reference.apply(new BigDecimal(x));
        double r = ref.doubleValue();
        if (!(Math.abs(r) >= Double.MIN_NORMAL) || Double.isInfinite(r)) {
            return; // the true value is 0, subnormal or beyond a double: nothing to keep
        }
        double got = numericDerivative(p, x);
        double rel = Math.abs(new BigDecimal(got).subtract(ref).divide(ref, MC).doubleValue());
        assertTrue(rel <= TOLERANCE, p + "′(" + x + ") = " + got + ", reference " + r + ", relative error " + rel);
    }

    @Provide Arbitrary<Double> wide() { return Arbitraries.doubles().between(-800, 800).ofScale(12); }

    @Provide Arbitrary<Double> upToExpOverflow() { return Arbitraries.doubles().between(-800, 709).ofScale(12); }

    /** Log-uniform from 1e-300 to 800. */
    @Provide Arbitrary<Double> positive() {
        return Arbitraries.doubles().between(-300, 2.9).ofScale(12).map(t -> Math.pow(10, t));
    }

    @Provide Arbitrary<Double> unitInterval() {
        // many points close to ±1, where 1 − x² cancels
        return Arbitraries.oneOf(Arbitraries.doubles().between(-0.999999, 0.999999).ofScale(15),
                Arbitraries.integers().between(1, 50).map(k -> 1 - Math.scalb(1.0, -k)),
                Arbitraries.integers().between(1, 50).map(k -> -1 + Math.scalb(1.0, -k)));
    }

    @Provide Arbitrary<Double> aboveOne() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(1.000001, 800).ofScale(12),
                Arbitraries.integers().between(1, 50).map(k -> 1 + Math.scalb(1.0, -k)));
    }

    @Property(tries = 500) void sigmoid(@ForAll("wide") double x) {
        check(Primitive.SIGMOID, x, v -> {
            BigDecimal e = exp(v.abs().negate());
            return e.divide(sq(one().add(e)), MC);
        });
    }

    @Property(tries = 500) void tanh(@ForAll("wide") double x) {
        check(Primitive.TANH, x, v -> inv(sq(cosh(v))));
    }

    @Property(tries = 500) void softplus(@ForAll("wide") double x) {
        check(Primitive.SOFTPLUS, x, v -> inv(one().add(exp(v.negate()))));
    }

    @Property(tries = 500) void exp(@ForAll("upToExpOverflow") double x) {
        check(Primitive.EXP, x, NumericDerivativePropertiesTest::exp);
    }

    @Property(tries = 500) void log(@ForAll("positive") double x) {
        check(Primitive.LOG, x, NumericDerivativePropertiesTest::inv);
    }

    @Property(tries = 500) void sqrt(@ForAll("positive") double x) {
        check(Primitive.SQRT, x, v -> inv(sqrt(v).multiply(BigDecimal.valueOf(2))));
    }

    @Property(tries = 500) void sin(@ForAll("wide") double x) {
        check(Primitive.SIN, x, v -> BigDecimalMath.cos(v, MC));
    }

    @Property(tries = 500) void cos(@ForAll("wide") double x) {
        check(Primitive.COS, x, v -> BigDecimalMath.sin(v, MC).negate());
    }

    @Property(tries = 500) void tan(@ForAll("wide") double x) {
        check(Primitive.TAN, x, v -> inv(sq(BigDecimalMath.cos(v, MC))));
    }

    @Property(tries = 500) void atan(@ForAll("wide") double x) {
        check(Primitive.ATAN, x, v -> inv(one().add(sq(v))));
    }

    @Property(tries = 500) void asin(@ForAll("unitInterval") double x) {
        check(Primitive.ASIN, x, v -> inv(sqrt(one().subtract(sq(v)))));
    }

    @Property(tries = 500) void acos(@ForAll("unitInterval") double x) {
        check(Primitive.ACOS, x, v -> inv(sqrt(one().subtract(sq(v)))).negate());
    }

    @Property(tries = 500) void sinh(@ForAll("upToExpOverflow") double x) {
        check(Primitive.SINH, x, v -> cosh(v));
    }

    @Property(tries = 500) void cosh(@ForAll("upToExpOverflow") double x) {
        check(Primitive.COSH, x, v -> sinh(v));
    }

    @Property(tries = 500) void asinh(@ForAll("wide") double x) {
        check(Primitive.ASINH, x, v -> inv(sqrt(sq(v).add(one()))));
    }

    @Property(tries = 500) void acosh(@ForAll("aboveOne") double x) {
        check(Primitive.ACOSH, x, v -> inv(sqrt(sq(v).subtract(one()))));
    }

    @Property(tries = 500) void atanh(@ForAll("unitInterval") double x) {
        check(Primitive.ATANH, x, v -> inv(one().subtract(sq(v))));
    }

    @Property(tries = 500) void log2(@ForAll("positive") double x) {
        check(Primitive.LOG2, x, v -> inv(v.multiply(BigDecimalMath.log(BigDecimal.valueOf(2), MC), MC)));
    }

    @Property(tries = 500) void log10(@ForAll("positive") double x) {
        check(Primitive.LOG10, x, v -> inv(v.multiply(BigDecimalMath.log(BigDecimal.TEN, MC), MC)));
    }

    @Property(tries = 500) void erf(@ForAll("wide") double x) {
        check(Primitive.ERF, x, v -> BigDecimal.valueOf(2).divide(sqrt(BigDecimalMath.pi(MC)), MC).multiply(exp(sq(v).negate()), MC));
    }

    // ---------------------------------------------------------------- values of the new functions

    static void checkValue(double got, BigDecimal ref, double tolerance, String what) {
        double r = ref.doubleValue();
        if (r == 0) {
            assertEquals(0.0, got, 0.0, what);
            return;
        }
        double rel = Math.abs(new BigDecimal(got).subtract(ref).divide(ref, MC).doubleValue());
        assertTrue(rel <= tolerance, what + " = " + got + ", reference " + r + ", relative error " + rel);
    }

    /** erf by its Taylor series in 120 digits (the alternating terms cancel to ~e^(x²), at most 1e16 for |x| < 6). */
    static BigDecimal erfReference(BigDecimal x) {
        MathContext mc = new MathContext(120);
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal term = x; // (-1)^n x^(2n+1)/n!
        BigDecimal sum = x;
        for (int n = 1; n < 2000; n++) {
            term = term.multiply(x2, mc).negate().divide(BigDecimal.valueOf(n), mc);
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = sum.add(t, mc);
            if (t.abs().compareTo(new BigDecimal("1e-110")) < 0) {
                break;
            }
        }
        return sum.multiply(BigDecimal.valueOf(2), mc).divide(BigDecimalMath.sqrt(BigDecimalMath.pi(mc), mc), mc);
    }

    @Property(tries = 500) void erfValue(@ForAll("erfRange") double x) {
        checkValue(Fns.erf(x), erfReference(new BigDecimal(x)), 1e-15, "erf(" + x + ")");
    }

    @Provide Arbitrary<Double> erfRange() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(-6, 6).ofScale(15), Arbitraries.doubles().between(-1e-3, 1e-3).ofScale(18));
    }

    @Property(tries = 300) void inverseHyperbolicValues(@ForAll("wide") double x, @ForAll("unitInterval") double u,
                                                       @ForAll("aboveOne") double a) {
        checkValue(Fns.asinh(x), BigDecimalMath.asinh(new BigDecimal(x), MC), 1e-15, "asinh(" + x + ")");
        checkValue(Fns.atanh(u), BigDecimalMath.atanh(new BigDecimal(u), MC), 1e-15, "atanh(" + u + ")");
        checkValue(Fns.acosh(a), BigDecimalMath.acosh(new BigDecimal(a), MC), 1e-15, "acosh(" + a + ")");
    }
}
