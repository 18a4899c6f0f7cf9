package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.simplify.Positivity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The facts each primitive states about itself (its {@link Primitive.Range} and its kink) hold
 * numerically, independently of the code that consults them: a stated range is checked on a wide
 * grid, a stated kink by one-sided difference quotients at 0, and an entry that states no kink
 * must have equal one-sided slopes wherever it is continuous at 0.
 */
class PrimitiveFactsTest {

    /** A grid over [-30, 30] (no underflow of exp or sigmoid to 0), with 0 and small values. */
    static List<Double> grid() {
        List<Double> xs = new ArrayList<>();
        for (int i = -300; i <= 300; i++) {
            xs.add(i / 10.0);
        }
        xs.addAll(List.of(1e-9, -1e-9, 1e-3, -1e-3));
        return xs;
    }

    static double[] at(Primitive p, int argument, double x) {
        double[] a = new double[p.arity()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i == argument ? x : 0.37; // a second argument: leaky_relu's slope, max's other side
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void statedRangeHolds(Primitive p) {
        for (int arg = 0; arg < Math.max(1, p.arity()); arg++) {
            for (double x : grid()) {
                double v = p.value(at(p, arg, x));
                if (Double.isNaN(v)) {
                    continue; // outside the domain: a range is stated where the function is defined
                }
                switch (p.range()) {
                    case POSITIVE -> assertTrue(v > 0, p + " at " + x + " = " + v + " is stated > 0");
                    case NON_NEGATIVE -> assertTrue(v >= 0, p + " at " + x + " = " + v + " is stated >= 0");
                    case ANY -> { }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Primitive.class)
    void kinkIsStatedExactlyWhereTheSlopeJumpsAtZero(Primitive p) {
        if (p.arity() == 0) {
            assertEquals(-1, p.kinkArgument(), "a constant has no kink");
            return;
        }
        double h = 1e-6;
        for (int arg = 0; arg < p.arity(); arg++) {
            double f0 = p.value(at(p, arg, 0));
            double right = p.value(at(p, arg, h));
            double left = p.value(at(p, arg, -h));
            if (!(Double.isFinite(f0) && Double.isFinite(left) && Double.isFinite(right))) {
                continue; // not defined on both sides of 0 (log, sqrt, acosh): no claim either way
            }
            if (Math.abs(right - left) > 1e-3) {
                continue; // a jump (step, sign, heaviside), not a kink
            }
            double slopeRight = (right - f0) / h;
            double slopeLeft = (f0 - left) / h;
            boolean jumps = Math.abs(slopeRight - slopeLeft) > 1e-3 * (1 + Math.abs(slopeRight));
            assertEquals(jumps, p.kinkArgument() == arg,
                    p + ": one-sided slopes at argument " + arg + " = 0 are " + slopeLeft + " and " + slopeRight);
        }
    }

    @Test
    void kinkEntriesAreReluLeakyReluAndAbs() {
        List<Primitive> kinks = new ArrayList<>();
        for (Primitive p : Primitive.values()) {
            if (p.kinkArgument() >= 0) {
                kinks.add(p);
            }
        }
        assertEquals(List.of(Primitive.RELU, Primitive.LEAKY_RELU, Primitive.ABS), kinks);
    }

    /** The simplifier's positivity guard reads the table: a call is positive exactly when its entry says so. */
    @ParameterizedTest
    @EnumSource(Primitive.class)
    void positivityReadsTheTable(Primitive p) {
        List<Expr> args = new ArrayList<>();
        for (int i = 0; i < p.arity(); i++) {
            args.add(Exprs.local("x" + i));
        }
        Expr call = Exprs.apply(p, args);
        if (!(call instanceof Apply a) || a.fn() != p) {
            return; // folded or rewritten when built (a constant, exp of a name stays a call)
        }
        assertEquals(p.range() == Primitive.Range.POSITIVE, Positivity.isPositive(call), p.toString());
        assertEquals(p.range() != Primitive.Range.ANY, Positivity.isNonNegative(call), p.toString());
    }

    @Test
    void softmaxElementsArePositive() {
        List<Expr> z = List.of(Exprs.local("z1"), Exprs.local("z2"));
        Expr p1 = Exprs.apply(new VectorElement(VectorPrimitive.SOFTMAX, 0, 2), z);
        assertTrue(Positivity.isPositive(p1));
        assertEquals(Primitive.Range.ANY, VectorPrimitive.LOG_SOFTMAX.range());
    }
}
