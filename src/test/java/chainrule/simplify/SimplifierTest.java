package chainrule.simplify;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Expr;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.simplify.Simplifier.Limits;
import chainrule.simplify.Simplifier.Result;
import chainrule.simplify.Simplifier.StopReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner: it stops for a stated reason, and a limit never leaves a worse form than the input. */
class SimplifierTest {
    final Sym x = local("x");
    final Expr square = add(pow(x, num(2)), ONE);
    /** log(exp(...)) around exp(log(x^2 + 1)): two rules, at two levels. */
    final Expr nested = apply(Primitive.LOG, apply(Primitive.EXP, apply(Primitive.EXP, apply(Primitive.LOG, square))));

    static final Limits GENEROUS = new Limits(20, 10_000, 10_000);

    @Test void saturatesAndSaysWhichRulesFired() {
        Result r = new Simplifier(Rules.ALL, GENEROUS).run(nested);
        assertSame(square, r.expr());
        assertEquals(StopReason.SATURATED, r.reason());
        assertEquals(1, r.rulesFired().get("exp-of-log"));
        assertEquals(1, r.rulesFired().get("log-of-exp"));
    }

    @Test void anExpressionWithNothingToDoSaturatesAfterOnePass() {
        Result r = new Simplifier(Rules.ALL, GENEROUS).run(square);
        assertSame(square, r.expr());
        assertEquals(StopReason.SATURATED, r.reason());
        assertEquals(1, r.passes());
        assertTrue(r.rulesFired().isEmpty());
    }

    @Test void stopsAtTheIterationLimitKeepingTheBestSoFar() {
        Result r = new Simplifier(Rules.ALL, new Limits(1, 10_000, 10_000)).run(nested);
        assertEquals(StopReason.ITERATION_LIMIT, r.reason());
        assertEquals(1, r.passes());
        assertSame(square, r.expr(), "one bottom-up pass already reaches the result");
        Result none = new Simplifier(Rules.ALL, new Limits(0, 10_000, 10_000)).run(nested);
        assertEquals(StopReason.ITERATION_LIMIT, none.reason());
        assertSame(nested, none.expr());
    }

    @Test void stopsAtTheNodeLimitWithoutTouchingTheInput() {
        Result r = new Simplifier(Rules.ALL, new Limits(20, 3, 10_000)).run(nested);
        assertEquals(StopReason.NODE_LIMIT, r.reason());
        assertSame(nested, r.expr());
        assertEquals(0, r.passes());
    }

    @Test void stopsAtTheWorkLimit() {
        Result r = new Simplifier(Rules.ALL, new Limits(20, 10_000, 0)).run(nested);
        assertEquals(StopReason.WORK_LIMIT, r.reason());
        assertSame(nested, r.expr());
    }

    @Test void onlyTheGivenRulesRun() {
        Result r = new Simplifier(List.of(Rules.LOG_OF_EXP), GENEROUS).run(nested);
        assertSame(apply(Primitive.EXP, apply(Primitive.LOG, square)), r.expr());
    }

    @Test void countsDistinctNodesOfTheDag() {
        Expr shared = mul(square, apply(Primitive.SIN, square));
        // x, 2, x^2, 1, x^2 + 1, sin(..), the product: the shared sum is counted once
        assertEquals(7, Simplifier.countNodes(shared, 100));
        assertTrue(Simplifier.countNodes(shared, 3) > 3);
    }
}
