package chainrule.expr;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.ZERO;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.div;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The factories give one normal form whatever order the pieces arrive in, so algebraic identities
 * hold as {@code ==}. Where constants are folded, only numbers whose arithmetic is exact in doubles
 * (small multiples of 1/4) are expected to give identical forms.
 */
class NormalFormPropertiesTest {

    @Provide
    Arbitrary<Expr> e() {
        return RandomExprs.inDomain(3);
    }

    @Property(tries = 300)
    void sumsCommute(@ForAll("e") Expr a, @ForAll("e") Expr b) {
        assertSame(add(a, b), add(b, a));
    }

    @Property(tries = 300)
    void sumsAssociate(@ForAll("e") Expr a, @ForAll("e") Expr b, @ForAll("e") Expr c) {
        // Known limit (as in aOverAIsOne): coefficients that are not exact binary fractions fold in
        // doubles, which do not associate: (0.05 + x) + 0.15 can differ from 0.05 + (x + 0.15) in
        // the last bit (1/5 against 0.19999999999999996; seen in CI runs now and then).
        Assume.that(hasOnlyQuarterNumbers(a) && hasOnlyQuarterNumbers(b) && hasOnlyQuarterNumbers(c));
        assertSame(add(add(a, b), c), add(a, add(b, c)));
    }

    @Property(tries = 300)
    void productsCommute(@ForAll("e") Expr a, @ForAll("e") Expr b) {
        assertSame(mul(a, b), mul(b, a));
    }

    @Property(tries = 300)
    void productsAssociate(@ForAll("e") Expr a, @ForAll("e") Expr b, @ForAll("e") Expr c) {
        // the same known limit as sumsAssociate
        Assume.that(hasOnlyQuarterNumbers(a) && hasOnlyQuarterNumbers(b) && hasOnlyQuarterNumbers(c));
        assertSame(mul(mul(a, b), c), mul(a, mul(b, c)), () -> "(" + a + ")*(" + b + ")*(" + c + ")");
    }

    @Property(tries = 200)
    void aMinusAIsZero(@ForAll("e") Expr a) {
        assertSame(ZERO, sub(a, a));
    }

    @Property(tries = 200)
    void aOverAIsOne(@ForAll("e") Expr a) {
        // Known limit: coefficients fold in doubles, so 49*x/(49*x) is 49*(1/49) = 0.9999999999999999.
        Assume.that(a != ZERO && hasOnlyQuarterNumbers(a));
        assertSame(ONE, div(a, a), () -> a + " / itself");
    }

    @Property(tries = 200)
    void likeTermsCollect(@ForAll("e") Expr a) {
        // A number times a sum is expanded in a sum but stays factored on its own (see Exprs.add),
        // so 5*a is compared in its form as a term of a sum.
        Assume.that(hasOnlyQuarterNumbers(a) && !isConstant(a));
        assertSame(add(List.of(mul(num(5), a))), add(mul(num(2), a), mul(num(3), a)));
    }

    @Property(tries = 200)
    void powersOfOneBaseCollect(@ForAll("e") Expr a) {
        // Known limit: 5 * 5^0.5 and 5^1.5 are different forms (a number is a coefficient, not a base).
        Assume.that(!hasNumberToAFractionalPower(a) && hasOnlyQuarterNumbers(a));
        assertSame(pow(a, num(3)), mul(a, pow(a, num(2))), () -> a + " * (" + a + ")^2");
    }

    @Property(tries = 200)
    void negationIsAnInvolutionAndSubtractionUndoesAddition(@ForAll("e") Expr a, @ForAll("e") Expr b) {
        Assume.that(hasOnlyQuarterNumbers(a) && hasOnlyQuarterNumbers(b));
        assertSame(a, neg(neg(a)));
        assertSame(add(List.of(a)), sub(add(a, b), b), () -> "(" + a + " + " + b + ") - " + b); // a as a term
    }

    /** Whether every constant is a small multiple of 1/4, so that folding it is exact in doubles. */
    private static boolean hasOnlyQuarterNumbers(Expr e) {
        if (e instanceof Num n) {
            return Math.abs(n.value()) < 1 << 20 && n.value() * 4 == Math.rint(n.value() * 4);
        }
        if (e instanceof Power p && p.base() instanceof Num) {
            return false; // a kept fraction such as 1/5, which sums fold in doubles
        }
        for (Expr c : e.children()) {
            if (!hasOnlyQuarterNumbers(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isConstant(Expr e) {
        if (e instanceof Sym) {
            return false;
        }
        for (Expr c : e.children()) {
            if (!isConstant(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasNumberToAFractionalPower(Expr e) {
        if (e instanceof Power p && p.base() instanceof Num) {
            return true;
        }
        for (Expr c : e.children()) {
            if (hasNumberToAFractionalPower(c)) {
                return true;
            }
        }
        return false;
    }
}
