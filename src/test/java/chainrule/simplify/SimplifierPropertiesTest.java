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

    @Property(tries = 200)
    void simplificationNeverGrowsAndIsIdempotent(@ForAll("expressions") Expr e) {
        Expr s = Simplifier.simplify(e);
        assertTrue(s.treeSize() <= e.treeSize(), () -> e + " grew to " + s);
        Expr again = Simplifier.simplify(s);
        assertTrue(again.treeSize() <= s.treeSize(), () -> s + " grew to " + again);
    }
}
