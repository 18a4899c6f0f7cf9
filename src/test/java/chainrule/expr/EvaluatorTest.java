package chainrule.expr;

import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diff.Differentiator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The interpreter on shared subterms: a DAG of 200 nodes whose tree has 2^200 is evaluated in a blink. */
class EvaluatorTest {
    final Sym x = local("x");

    /** e_{k+1} = sin(e_k) * e_k + 0.5*e_k: each level uses the previous one three times. */
    Expr deepDag(int levels) {
        Expr e = x;
        for (int k = 0; k < levels; k++) {
            e = add(mul(apply(Primitive.SIN, e), e), mul(num(0.5), e));
        }
        return e;
    }

    static double reference(double x, int levels) {
        double e = x;
        for (int k = 0; k < levels; k++) {
            e = Math.sin(e) * e + 0.5 * e;
        }
        return e;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void evaluatesASharedDagOncePerNode() {
        Expr e = deepDag(200);
        assertEquals(Long.MAX_VALUE, e.treeSize(), "as a tree it is astronomically large");
        assertTrue(e.depth() > 200);
        assertEquals(reference(0.9, 200), Evaluator.evaluate(e, Map.of("x", 0.9)), 1e-12);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void differentiatesASharedDagInLinearTime() {
        Expr e = deepDag(60);
        Expr d = Differentiator.derivative(e, x);
        double exact = Evaluator.evaluate(d, Map.of("x", 0.9));
        double numeric = FiniteDifference.derivative(t -> reference(t, 60), 0.9);
        assertEquals(numeric, exact, FiniteDifference.tolerance(exact, 0) * 100);
    }

    @Test
    void aMissingValueIsNamed() {
        Evaluator.MissingValueException ex = assertThrows(Evaluator.MissingValueException.class,
                () -> Evaluator.evaluate(add(x, local("y")), Map.of("x", 1.0)));
        assertEquals("y", ex.name());
    }

    @Test
    void powersUseTheRuntimeSquare() {
        assertEquals(0.1 * 0.1, Evaluator.evaluate(Exprs.pow(x, num(2)), Map.of("x", 0.1)), 0.0);
        assertEquals(Math.pow(2, 0.5), Evaluator.evaluate(Exprs.pow(x, num(0.5)), Map.of("x", 2.0)), 0.0);
    }
}
