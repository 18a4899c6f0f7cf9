package chainrule.expr;

import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diff.Differentiator;
import chainrule.simplify.Simplifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LANGUAGE.md: sigmoid(-800), softplus(800) and log of a tiny number give finite, correct doubles. */
class StableNumericsTest {
    final Sym x = local("x");

    double eval(Primitive p, double v) {
        return Evaluator.evaluate(apply(p, x), Map.of("x", v));
    }

    double derivative(Primitive p, double v) {
        Expr d = Simplifier.simplify(Differentiator.derivative(apply(p, x), x));
        return Evaluator.evaluate(d, Map.of("x", v));
    }

    @Test void sigmoidAtTheExtremes() {
        assertEquals(0.0, eval(Primitive.SIGMOID, -800), 0.0);            // true value 3.7e-348 < smallest double
        assertEquals(1.0, eval(Primitive.SIGMOID, 800), 0.0);
        assertEquals(Math.exp(-700), eval(Primitive.SIGMOID, -700), 1e-15 * Math.exp(-700));
        assertEquals(Math.exp(-40), eval(Primitive.SIGMOID, -40), 1e-14 * Math.exp(-40));
        assertEquals(0.0, derivative(Primitive.SIGMOID, 800), 0.0);       // out*(1 - out), not NaN
        assertEquals(0.0, derivative(Primitive.SIGMOID, -800), 0.0);
    }

    @Test void softplusAtTheExtremes() {
        assertEquals(800.0, eval(Primitive.SOFTPLUS, 800), 0.0);
        assertEquals(0.0, eval(Primitive.SOFTPLUS, -800), 0.0);
        // log(1 + e^-30) = e^-30 - e^-60/2 + ...: log1p keeps it; log(1 + tiny) would lose most digits
        assertEquals(Math.exp(-30) - Math.exp(-60) / 2, eval(Primitive.SOFTPLUS, -30), 1e-15 * Math.exp(-30));
        assertEquals(Math.log(2), eval(Primitive.SOFTPLUS, 0), 1e-16);
        assertEquals(1.0, derivative(Primitive.SOFTPLUS, 800), 0.0);
        assertEquals(0.0, derivative(Primitive.SOFTPLUS, -800), 0.0);
    }

    @Test void logOfTinyNumbers() {
        assertEquals(-690.7755278982137, eval(Primitive.LOG, 1e-300), 1e-12);
        assertEquals(-744.4400719213812, eval(Primitive.LOG, Double.MIN_VALUE), 1e-12);
        assertEquals(1e300, derivative(Primitive.LOG, 1e-300), 1e285);
    }

    @Test void tanhAtTheExtremes() {
        assertEquals(1.0, eval(Primitive.TANH, 800), 0.0);
        assertEquals(-1.0, eval(Primitive.TANH, -800), 0.0);
        assertEquals(0.0, derivative(Primitive.TANH, 800), 0.0);
    }

    @Test void everyOneArgumentPrimitiveIsFiniteOverAWideRange() {
        for (Primitive p : Primitive.values()) {
            if (p.arity() != 1 || p == Primitive.EXP || p == Primitive.SINH || p == Primitive.COSH
                    || p == Primitive.ASIN || p == Primitive.ACOS || p == Primitive.ATANH) {
                continue; // exp(800), sinh(800), cosh(800) overflow, correctly; asin, acos, atanh take |x| ≤ 1
            }
            for (double v : new double[] {-800, -50, 50, 800, 1e-300}) {
                double arg = PrimitiveTableTest.intoDomain(p, v);
                assertTrue(Double.isFinite(eval(p, arg)), p + "(" + arg + ")");
            }
        }
    }
}
