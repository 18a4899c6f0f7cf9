package chainrule.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diff.Differentiator;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.RandomExprs;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/** Simplification keeps the value (wherever the input is defined) and never makes a form longer. */
class SimplifierPropertiesTest {

    /** Expressions, and derivatives of expressions: the simplifier's real input. */
    @Provide
    Arbitrary<Expr> expressions() {
        return Arbitraries.oneOf(RandomExprs.inDomain(4),
                RandomExprs.inDomain(3).map(e -> Differentiator.derivative(e, RandomExprs.X)),
                RandomExprs.sharedFactorSums());
    }

    @Property(tries = 800)
    void simplificationPreservesValue(@ForAll("expressions") Expr e,
                                      @ForAll @DoubleRange(min = -3, max = 3) double x,
                                      @ForAll @DoubleRange(min = -3, max = 3) double y) {
        Map<String, Double> point = Map.of("x", x, "y", y);
        double before = Evaluator.evaluate(e, point);
        Assume.that(Double.isFinite(before) && Math.abs(before) < 1e8);
        Expr s = Simplifier.simplify(e);
        double after = Evaluator.evaluate(s, point);
        assertEquals(before, after, 1e-9 * (1 + Math.abs(before)),
                () -> e + "  simplified to  " + s + "  at x=" + x + ", y=" + y);
    }

    /**
     * Never larger by the simplifier's own measure: its cost ({@link Simplifier#cost}, a
     * derivative's complement {@code 1 − tanh(u)²} counted as a unit), or the printed text. Two
     * rules grow the tree on purpose and stay within this: {@code 2 - 2*tanh(2*x)^2} becomes the
     * textbook's {@code 2*(1 - tanh(2*x)^2)} (one node more, the complement kept whole), and
     * {@code 0.2 - 0.2*x^2} becomes {@code 0.2*(1 - x^2)} (printed no longer). Measured by tree size
     * alone this property failed on the rare draws that hit them.
     */
    @Property(tries = 200)
    void simplificationNeverGrowsAndIsIdempotent(@ForAll("expressions") Expr e) {
        Expr s = Simplifier.simplify(e);
        assertTrue(noLarger(s, e), () -> e + " grew to " + s);
        Expr again = Simplifier.simplify(s);
        assertTrue(noLarger(again, s), () -> s + " grew to " + again);
    }

    private static boolean noLarger(Expr after, Expr before) {
        return Simplifier.cost(after) <= Simplifier.cost(before)
                || after.toString().length() <= before.toString().length();
    }
}
