package chainrule.diff;

import static chainrule.expr.RandomExprs.X;
import static chainrule.expr.RandomExprs.Y;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.FiniteDifference;
import chainrule.expr.RandomExprs;
import chainrule.simplify.Simplifier;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/** The symbolic derivative, simplified, against a finite difference at random points. */
class DerivativePropertiesTest {

    @Provide
    Arbitrary<Expr> expressions() {
        return RandomExprs.inDomain(4);
    }

    @Property(tries = 1000)
    void symbolicDerivativeMatchesFiniteDifference(@ForAll("expressions") Expr f,
                                                   @ForAll @DoubleRange(min = -2, max = 2) double x,
                                                   @ForAll @DoubleRange(min = -2, max = 2) double y) {
        Expr d = Simplifier.simplify(Differentiator.derivative(f, X));
        Map<String, Double> point = Map.of("x", x, "y", y);
        Assume.that(FiniteDifference.awayFromKinks(List.of(f, d), X, point));
        double fx = Evaluator.evaluate(f, point);
        Assume.that(Double.isFinite(fx) && Math.abs(fx) < 1e6);

        double exact = Evaluator.evaluate(d, point);
        double[] scale = {Math.abs(fx)};
        double numeric = FiniteDifference.derivative(t -> {
            double v = Evaluator.evaluate(f, Map.of("x", t, "y", y));
            scale[0] = Math.max(scale[0], Math.abs(v));
            return v;
        }, x);
        Assume.that(Double.isFinite(numeric));
        // The reference must itself have converged: where f oscillates fast (sin((x - 2)^9) near
        // x = 0 turns 2,300 radians per unit) the stencil's O(h^4) error is not small, and halving
        // the step moves the estimate. Such points say nothing about the symbolic derivative.
        double halfStep = FiniteDifference.derivative(t -> Evaluator.evaluate(f, Map.of("x", t, "y", y)), x,
                FiniteDifference.step(x) / 2);
        Assume.that(Math.abs(halfStep - numeric) <= FiniteDifference.tolerance(exact, scale[0] / FiniteDifference.step(x)) / 4);
        assertEquals(numeric, exact, FiniteDifference.tolerance(exact, scale[0] / FiniteDifference.step(x)),
                () -> "d/dx " + f + " = " + d + " at x=" + x + ", y=" + y);
    }

    @Property(tries = 100)
    void derivativeInAnAbsentVariableIsZero(@ForAll("expressions") Expr f) {
        Expr g = chainrule.expr.Substitution.replace(f, Map.of(Y, chainrule.expr.Exprs.num(0.5)));
        assertSame(chainrule.expr.Exprs.ZERO, Simplifier.simplify(Differentiator.derivative(g, Y)));
    }
}
