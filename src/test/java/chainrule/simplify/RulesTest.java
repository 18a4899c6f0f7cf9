package chainrule.simplify;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One rule at a time, egg style: where it fires and what it gives, and where its guard stops it. */
class RulesTest {
    final Sym x = local("x");
    final Sym y = local("y");
    final Expr square = add(pow(x, num(2)), ONE);          // x^2 + 1, provably positive

    static Expr exp(Expr u) { return apply(Primitive.EXP, u); }
    static Expr log(Expr u) { return apply(Primitive.LOG, u); }
    static Expr sqrt(Expr u) { return apply(Primitive.SQRT, u); }
    static Expr sin(Expr u) { return apply(Primitive.SIN, u); }
    static Expr cos(Expr u) { return apply(Primitive.COS, u); }

    @Test void expOfLogFiresOnAProvablyNonNegativeArgument() {
        assertSame(square, Rules.EXP_OF_LOG.applyAt(exp(log(square))));
        assertSame(pow(x, num(2)), Rules.EXP_OF_LOG.applyAt(exp(log(pow(x, num(2))))));
    }

    @Test void expOfLogWidensTheDomainOnly() {
        // x < 0: exp(log(x)) is undefined, so is every expression holding it; where log(x) is real the two agree
        assertSame(x, Rules.EXP_OF_LOG.applyAt(exp(log(x))));
        assertSame(add(x, ONE), Rules.EXP_OF_LOG.applyAt(exp(log(add(x, ONE)))));
        assertNull(Rules.EXP_OF_LOG.applyAt(exp(x)));
    }

    @Test void logOfExp() {
        assertSame(x, Rules.LOG_OF_EXP.applyAt(log(exp(x))));
        assertNull(Rules.LOG_OF_EXP.applyAt(log(sqrt(x))));
    }

    @Test void sqrtOfSquareIsAbs() {
        assertSame(apply(Primitive.ABS, x), Rules.SQRT_OF_SQUARE.applyAt(sqrt(pow(x, num(2)))));
        assertNull(Rules.SQRT_OF_SQUARE.applyAt(sqrt(pow(x, num(3)))));
        assertNull(Rules.SQRT_OF_SQUARE.applyAt(sqrt(pow(x, num(4)))));
    }

    @Test void squareOfSqrt() {
        assertSame(square, Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(square), num(2))));
        assertSame(pow(square, num(2)), Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(square), num(4))));
        // Where sqrt(x) is real (x >= 0) sqrt(x)^2 is x; where it is not, the input is undefined already.
        assertSame(x, Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(x), num(2))));
        assertNull(Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(square), num(3))));
    }

    static Expr sinh(Expr u) { return apply(Primitive.SINH, u); }
    static Expr cosh(Expr u) { return apply(Primitive.COSH, u); }

    @Test void halfPower() {
        assertSame(sqrt(square), Rules.HALF_POWER.applyAt(pow(square, Exprs.rational(1, 2))));
        assertSame(pow(sqrt(x), num(-1)), Rules.HALF_POWER.applyAt(pow(x, Exprs.rational(-1, 2))));
        assertNull(Rules.HALF_POWER.applyAt(pow(x, Exprs.rational(3, 2))));
        assertNull(Rules.HALF_POWER.applyAt(pow(x, Exprs.rational(1, 3))));
    }

    @Test void squareComplement() {
        assertSame(pow(cosh(x), num(2)), Rules.SQUARE_COMPLEMENT.applyAt(add(pow(sinh(x), num(2)), ONE)));
        assertSame(mul(num(3), pow(cos(x), num(2))),
                Rules.SQUARE_COMPLEMENT.applyAt(add(num(3), mul(num(-3), pow(sin(x), num(2))))));
        assertSame(mul(y, pow(sinh(x), num(2))), Rules.SQUARE_COMPLEMENT.applyAt(add(mul(y, pow(cosh(x), num(2))), Exprs.neg(y))));
        assertNull(Rules.SQUARE_COMPLEMENT.applyAt(add(ONE, Exprs.neg(pow(apply(Primitive.TANH, x), num(2))))),
                "1 - tanh^2 is the textbook's tanh'");
        assertNull(Rules.SQUARE_COMPLEMENT.applyAt(add(pow(sinh(x), num(2)), num(2))));
    }

    @Test void doubleAngle() {
        assertSame(sin(mul(num(2), x)), Rules.DOUBLE_ANGLE.applyAt(mul(num(2), sin(x), cos(x))));
        assertSame(sinh(mul(num(2), x)), Rules.DOUBLE_ANGLE.applyAt(mul(num(2), sinh(x), cosh(x))));
        assertSame(mul(Exprs.rational(1, 2), sin(mul(num(2), add(x, y)))), Rules.DOUBLE_ANGLE.applyAt(mul(sin(add(x, y)), cos(add(x, y)))));
        assertNull(Rules.DOUBLE_ANGLE.applyAt(mul(num(2), y, sinh(x), cosh(x))), "other factors: left for factor-common");
        assertSame(cos(mul(num(2), x)), Rules.DOUBLE_ANGLE.applyAt(add(pow(cos(x), num(2)), Exprs.neg(pow(sin(x), num(2))))));
        assertSame(cosh(mul(num(2), x)), Rules.DOUBLE_ANGLE.applyAt(add(pow(cosh(x), num(2)), pow(sinh(x), num(2)))));
        assertNull(Rules.DOUBLE_ANGLE.applyAt(mul(sin(x), cos(y))));
    }

    @Test void tangentQuotient() {
        assertSame(apply(Primitive.TANH, x), Rules.TANGENT_QUOTIENT.applyAt(mul(sinh(x), pow(cosh(x), num(-1)))));
        assertSame(mul(sin(x), pow(apply(Primitive.TAN, x), num(2))),
                Rules.TANGENT_QUOTIENT.applyAt(mul(pow(sin(x), num(3)), pow(cos(x), num(-2)))));
        assertNull(Rules.TANGENT_QUOTIENT.applyAt(mul(sin(x), pow(cos(y), num(-1)))));
    }

    @Test void logRatio() {
        assertSame(num(3), Rules.LOG_RATIO.applyAt(mul(log(num(8)), pow(log(num(2)), num(-1)))));
        assertSame(mul(Exprs.rational(2, 3), x), Rules.LOG_RATIO.applyAt(mul(x, log(num(4)), pow(log(num(8)), num(-1)))));
        assertNull(Rules.LOG_RATIO.applyAt(mul(log(num(6)), pow(log(num(2)), num(-1)))));
    }

    @Test void sqrtContent() {
        Expr nine = add(num(9), Exprs.neg(pow(x, num(2))));
        assertSame(mul(Exprs.rational(1, 3), sqrt(nine)),
                Rules.SQRT_CONTENT.applyAt(sqrt(add(ONE, mul(Exprs.rational(-1, 9), pow(x, num(2)))))));
        assertSame(mul(num(2), sqrt(square)), Rules.SQRT_CONTENT.applyAt(sqrt(add(mul(num(4), pow(x, num(2))), num(4)))));
        assertNull(Rules.SQRT_CONTENT.applyAt(sqrt(add(mul(num(2), pow(x, num(2))), num(2)))));
        assertNull(Rules.SQRT_CONTENT.applyAt(sqrt(square)));
    }

    @Test void exactValues() {
        Expr pi = apply(Primitive.PI);
        assertSame(num(0), Rules.EXACT_VALUES.applyAt(sin(pi)));
        assertSame(num(-1), Rules.EXACT_VALUES.applyAt(cos(pi)));
        assertSame(num(-1), Rules.EXACT_VALUES.applyAt(sin(mul(Exprs.rational(3, 2), pi))));
        assertSame(num(0), Rules.EXACT_VALUES.applyAt(cos(mul(Exprs.rational(1, 2), pi))));
        assertSame(num(0), Rules.EXACT_VALUES.applyAt(apply(Primitive.TAN, mul(num(2), pi))));
        assertNull(Rules.EXACT_VALUES.applyAt(apply(Primitive.TAN, mul(Exprs.rational(1, 2), pi))), "tan(pi/2) is undefined");
        // multiples of π/6 and π/4, against Math.sin/cos/tan
        assertSame(Exprs.rational(1, 2), Rules.EXACT_VALUES.applyAt(cos(mul(Exprs.rational(1, 3), pi))));
        assertSame(Exprs.rational(-1, 2), Rules.EXACT_VALUES.applyAt(sin(mul(Exprs.rational(7, 6), pi))));
        for (int twelfths = -24; twelfths <= 24; twelfths++) {
            for (Primitive f : new Primitive[] {Primitive.SIN, Primitive.COS, Primitive.TAN}) {
                Expr call = apply(f, mul(Exprs.rational(twelfths, 12), pi));
                Expr v = Rules.EXACT_VALUES.applyAt(call);
                double angle = twelfths * Math.PI / 12;
                double reference = f == Primitive.SIN ? Math.sin(angle) : f == Primitive.COS ? Math.cos(angle) : Math.tan(angle);
                boolean folds = twelfths % 2 == 0 || twelfths % 3 == 0;
                if (f == Primitive.TAN && Math.floorMod(twelfths, 12) == 6) {
                    assertNull(v, "tan(π/2 + kπ) is undefined");
                } else if (!folds) {
                    assertNull(v, call.toString());
                } else if (v != null) {
                    assertEquals(reference, chainrule.expr.Evaluator.evaluate(v, java.util.Map.of()), 1e-12, call.toString());
                }
            }
        }
        assertNull(Rules.EXACT_VALUES.applyAt(sin(mul(Exprs.rational(1, 12), pi))), "15° is exact, but no textbook folds it");
    }

    @Test void rootMerge() {
        assertSame(pow(x, Exprs.rational(3, 2)), Rules.ROOT_MERGE.applyAt(mul(x, sqrt(x))));
        assertSame(mul(y, pow(x, Exprs.rational(1, 2))), Rules.ROOT_MERGE.applyAt(mul(y, x, pow(sqrt(x), num(-1)))));
        assertNull(Rules.ROOT_MERGE.applyAt(mul(y, sqrt(x))));
    }

    @Test void oddSign() {
        Expr pi = apply(Primitive.PI);
        assertSame(sinh(add(x, Exprs.neg(pi))), Rules.ODD_SIGN.applyAt(Exprs.neg(sinh(add(pi, Exprs.neg(x))))));
        assertNull(Rules.ODD_SIGN.applyAt(Exprs.neg(sinh(x))), "-x is longer than x");
        assertNull(Rules.ODD_SIGN.applyAt(Exprs.neg(cosh(add(pi, Exprs.neg(x))))), "cosh is even");
    }

    @Test void powerOfExpWhenShorter() {
        assertSame(exp(x), Rules.POWER_OF_EXP.applyAt(pow(exp(mul(num(0.5), x)), num(2))));
        assertNull(Rules.POWER_OF_EXP.applyAt(pow(exp(x), num(2))), "exp(2*x) is no shorter than exp(x)^2");
        assertNull(Rules.POWER_OF_EXP.applyAt(pow(exp(x), y)));
    }

    @Test void pythagoras() {
        Expr three = num(3);
        assertSame(three, Rules.PYTHAGORAS.applyAt(add(mul(three, pow(sin(x), num(2))), mul(three, pow(cos(x), num(2))))));
        assertSame(add(y, ONE), Rules.PYTHAGORAS.applyAt(add(pow(sin(x), num(2)), y, pow(cos(x), num(2)))));
        assertSame(mul(x, y), Rules.PYTHAGORAS.applyAt(add(mul(x, y, pow(sin(x), num(2))), mul(x, y, pow(cos(x), num(2))))));
    }

    @Test void sigmoidReflection() {
        Expr sx = Exprs.apply(Primitive.SIGMOID, java.util.List.of(x));
        Expr sminus = Exprs.apply(Primitive.SIGMOID, java.util.List.of(Exprs.neg(x)));
        assertSame(y, Rules.SIGMOID_REFLECTION.applyAt(add(mul(y, sx), mul(y, sminus))));
        assertSame(add(x, ONE), Rules.SIGMOID_REFLECTION.applyAt(add(sx, x, sminus)));
        assertNull(Rules.SIGMOID_REFLECTION.applyAt(add(mul(y, sx), sminus)), "different cofactors");
        assertNull(Rules.SIGMOID_REFLECTION.applyAt(add(sx, Exprs.apply(Primitive.SIGMOID, java.util.List.of(y)))));
    }

    @Test void sigmoidComplementKeepsOneMinusSigmoidAsAUnit() {
        Expr sx = apply(Primitive.SIGMOID, x);
        Expr complement = add(ONE, Exprs.neg(sx));
        // x − x·σ(x) + 1 = x·(1 − σ(x)) + 1
        assertSame(add(mul(x, complement), ONE), Rules.SIGMOID_COMPLEMENT.applyAt(add(x, Exprs.neg(mul(x, sx)), ONE)));
        // with a number in a: 1.702·z − 1.702·z·σ(u)
        Expr k = mul(Exprs.rational(851, 500), y);
        Expr su = apply(Primitive.SIGMOID, k);
        assertSame(mul(k, add(ONE, Exprs.neg(su))), Rules.SIGMOID_COMPLEMENT.applyAt(add(k, Exprs.neg(mul(k, su)))));
        assertNull(Rules.SIGMOID_COMPLEMENT.applyAt(add(y, Exprs.neg(mul(x, sx)))), "different cofactors");
        assertNull(Rules.SIGMOID_COMPLEMENT.applyAt(add(x, mul(x, sx))), "a + a·σ(u) is no complement");
        assertNull(Rules.SIGMOID_COMPLEMENT.applyAt(add(ONE, Exprs.neg(sx))), "already the unit");
    }

    @Test void pythagorasNeedsTheSameArgumentAndTheSameCoefficient() {
        assertNull(Rules.PYTHAGORAS.applyAt(add(pow(sin(x), num(2)), pow(cos(y), num(2)))));
        assertNull(Rules.PYTHAGORAS.applyAt(add(mul(num(2), pow(sin(x), num(2))), pow(cos(x), num(2)))));
        assertNull(Rules.PYTHAGORAS.applyAt(add(pow(sin(x), num(3)), pow(cos(x), num(2)))));
    }

    @Test void factorCommonPullsOutTheSharedFactorWhenShorter() {
        Expr s = apply(Primitive.SIGMOID, x);
        Expr spread = add(mul(x, s, y), mul(s, y), mul(s, pow(y, num(2))));
        assertEquals("y*sigmoid(x)*(x + y + 1)", Rules.FACTOR_COMMON.applyAt(spread).toString());
        Expr withPowers = add(mul(pow(x, num(3)), y), mul(pow(x, num(2)), local("z")));
        assertEquals("x^2*(x*y + z)", Rules.FACTOR_COMMON.applyAt(withPowers).toString());
    }

    @Test void factorCommonDoesNotFireWhenNothingIsSharedOrItIsNoShorter() {
        assertNull(Rules.FACTOR_COMMON.applyAt(add(x, y)));
        assertNull(Rules.FACTOR_COMMON.applyAt(add(mul(x, y), x)), "x*y + x is no longer than x*(y + 1)");
        assertNull(Rules.FACTOR_COMMON.applyAt(mul(x, y)));
    }

    @Test void everyRuleHasAUniqueNameAndADescription() {
        Set<String> names = new HashSet<>();
        for (Rule r : Rules.ALL) {
            assertTrue(names.add(r.name()), r.name());
            assertTrue(!r.description().isBlank(), r.name());
        }
    }
}
