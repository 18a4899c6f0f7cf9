package chainrule.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diff.Differentiator;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.RandomExprs;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/**
 * One property per rule: run alone, the rule keeps the value at random points (wherever the input
 * is defined and finite) and never makes the tree larger. The inputs are shaped so that each rule
 * actually fires on a good share of them: rational functions for cancel-rational, sums with shared
 * factors for factor-common, and derivatives, which are what the simplifier is for.
 */
class RulePropertiesTest {

    @Provide
    Arbitrary<Expr> inputs() {
        return Arbitraries.oneOf(RandomExprs.inDomain(3),
                RandomExprs.inDomain(3).map(e -> Differentiator.derivative(e, RandomExprs.X)),
                RandomExprs.sharedFactorSums(),
                rationals(3),
                rationals(2).map(e -> Differentiator.derivative(e, RandomExprs.X)),
                sigmoidLosses());
    }

    /** Sums, products and quotients of small polynomials in x and y. */
    static Arbitrary<Expr> rationals(int depth) {
        Arbitrary<Expr> leaf = Arbitraries.of(RandomExprs.X, RandomExprs.Y, Exprs.num(1), Exprs.num(2), Exprs.num(-3),
                Exprs.add(RandomExprs.X, Exprs.ONE), Exprs.sub(RandomExprs.X, RandomExprs.Y),
                Exprs.pow(RandomExprs.X, Exprs.num(2)));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Expr> sub = Arbitraries.lazy(() -> rationals(depth - 1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, leaf),
                net.jqwik.api.Tuple.of(3, Combinators.combine(sub, sub, Arbitraries.integers().between(0, 3)).as((a, b, op) ->
                        switch (op) {
                            case 0 -> Exprs.add(a, b);
                            case 1 -> Exprs.sub(a, b);
                            case 2 -> Exprs.mul(a, b);
                            default -> Exprs.div(a, b);
                        })));
    }

    /** Sigmoid's derivative times binary cross-entropy's, written out in the usual ways. */
    static Arbitrary<Expr> sigmoidLosses() {
        Expr p = Exprs.apply(Primitive.SIGMOID, RandomExprs.X);
        Expr t = RandomExprs.Y;
        Expr bce = Exprs.neg(Exprs.add(Exprs.mul(t, Exprs.apply(Primitive.LOG, p)),
                Exprs.mul(Exprs.sub(Exprs.ONE, t), Exprs.apply(Primitive.LOG, Exprs.sub(Exprs.ONE, p)))));
        return Arbitraries.of(Differentiator.derivative(bce, RandomExprs.X),
                Exprs.mul(p, Exprs.sub(Exprs.ONE, p), Exprs.sub(Exprs.div(Exprs.sub(Exprs.ONE, t), Exprs.sub(Exprs.ONE, p)), Exprs.div(t, p))));
    }

    private static void keepsValueAndSize(Rule rule, Expr e, double x, double y) {
        Map<String, Double> point = Map.of("x", x, "y", y);
        double before = Evaluator.evaluate(e, point);
        Assume.that(Double.isFinite(before) && Math.abs(before) < 1e8);
        Expr s = new Simplifier(List.of(rule), Simplifier.Limits.DEFAULT).run(e).expr();
        double after = Evaluator.evaluate(s, point);
        // Cancelling a common factor removes a removable singularity (x/x = 1): where the input is
        // defined the values agree.
        assertEquals(before, after, 1e-8 * (1 + Math.abs(before)),
                () -> rule.name() + ": " + e + "  became  " + s + "  at x=" + x + ", y=" + y);
        assertTrue(s.treeSize() <= e.treeSize(), () -> rule.name() + ": " + e + " grew to " + s);
    }

    @Property(tries = 300)
    void expOfLog(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                  @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.EXP_OF_LOG, e, x, y);
    }

    @Property(tries = 300)
    void logOfExp(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                  @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.LOG_OF_EXP, e, x, y);
    }

    @Property(tries = 300)
    void sqrtOfSquare(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                      @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.SQRT_OF_SQUARE, e, x, y);
    }

    @Property(tries = 300)
    void squareOfSqrt(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                      @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.SQUARE_OF_SQRT, e, x, y);
    }

    @Property(tries = 300)
    void powerOfExp(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                    @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.POWER_OF_EXP, e, x, y);
    }

    @Property(tries = 300)
    void pythagoras(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                    @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.PYTHAGORAS, e, x, y);
    }

    @Property(tries = 300)
    void sigmoidReflection(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                           @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.SIGMOID_REFLECTION, e, x, y);
    }

    @Property(tries = 600)
    void cancelRational(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                        @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.CANCEL_RATIONAL, e, x, y);
    }

    @Property(tries = 600)
    void factorCommon(@ForAll("inputs") Expr e, @ForAll @DoubleRange(min = -3, max = 3) double x,
                      @ForAll @DoubleRange(min = -3, max = 3) double y) {
        keepsValueAndSize(Rules.FACTOR_COMMON, e, x, y);
    }

    /** All rules together: the simplified form is never longer than the unsimplified one. */
    @Property(tries = 400)
    void simplifiedIsNeverLonger(@ForAll("inputs") Expr e) {
        Expr s = Simplifier.simplify(e);
        // Length is the tree size (every name, number, operation and call counted once per place):
        // the measure the runner minimises. Printed characters can differ by a few either way
        // (y/(x + 1) inside a factored sum prints as 1/(x + 1)).
        assertTrue(s.treeSize() <= e.treeSize(), () -> e + " grew to " + s);
    }

    /** A rule that fires says so, and {@link Rules#ALL} names each rule once. */
    @Property(tries = 1)
    void everyRuleIsListedOnce() {
        assertEquals(Rules.ALL.size(), Rules.ALL.stream().map(Rule::name).distinct().count());
    }
}
