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

    @Test void expOfLogDoesNotFireWhereTheArgumentMayBeNegative() {
        assertNull(Rules.EXP_OF_LOG.applyAt(exp(log(x))));              // x < 0: exp(log(x)) is NaN, not x
        assertNull(Rules.EXP_OF_LOG.applyAt(exp(log(add(x, ONE)))));
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
        assertNull(Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(x), num(2))));      // x < 0: NaN, not x
        assertNull(Rules.SQUARE_OF_SQRT.applyAt(pow(sqrt(square), num(3))));
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
