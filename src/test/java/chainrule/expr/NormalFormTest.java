package chainrule.expr;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.ZERO;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.div;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.neg;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;
import static chainrule.expr.Exprs.sym;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The normal form on named examples, and the canonical order as people read it. */
class NormalFormTest {
    final Sym x = local("x");
    final Sym y = local("y");

    @Test void likeTermsCollect() { assertSame(mul(num(5), x), add(mul(num(2), x), mul(num(3), x))); }

    @Test void xMinusXIsZero() { assertSame(ZERO, sub(x, x)); }

    /**
     * A sum plus one name (a layer's W @ x + b) takes a shortcut in {@code add}; it must give what
     * collecting all terms at once gives: the name in its place, the constant last, like terms
     * collected, in either argument order.
     */
    @Test void aSumPlusANameIsTheSumOfAllItsTerms() {
        Expr a = local("a");
        Expr b = local("b");
        Expr w1 = local("w1");
        Expr w10 = local("w10");
        Expr s = add(List.of(mul(w1, x), mul(w10, y), num(3)));
        for (Expr t : List.of(a, b, local("w2"), Exprs.apply(Primitive.SIN, x), pow(a, num(2)), mul(num(2), a))) {
            Expr all = add(List.of(mul(w1, x), mul(w10, y), num(3), t, ZERO));
            assertSame(all, add(s, t), () -> "s + " + t);
            assertSame(all, add(t, s), () -> t + " + s");
        }
        Expr withLike = add(mul(num(2), a), w1);
        assertSame(add(List.of(mul(num(3), a), w1, ZERO)), add(withLike, a));
        assertSame(add(List.of(mul(w1, x), mul(w10, y), num(3), num(1), ZERO)), add(s, ONE));
    }

    @Test void xOverXIsOne() { assertSame(ONE, div(x, x)); }

    @Test void xTimesXIsXSquared() { assertSame(pow(x, num(2)), mul(x, x)); }

    @Test void negativeZeroIsZero() { assertSame(ZERO, num(-0.0)); }

    @Test void powerOfPowerMultipliesIntegerExponents() { assertSame(pow(x, num(6)), pow(pow(x, num(2)), num(3))); }

    @Test void fractionalPowerOfAPowerIsKept() {
        // (x^2)^0.5 is |x|, not x: it must not collapse.
        assertInstanceOf(Power.class, pow(pow(x, num(2)), num(0.5)));
        assertSame(pow(x, num(2)), ((Power) pow(pow(x, num(2)), num(0.5))).base());
    }

    @Test void aNumberTimesASumStaysFactoredInAProduct() {
        Expr twoXPlusOne = mul(num(2), add(x, ONE));
        assertInstanceOf(Product.class, twoXPlusOne);
        assertEquals("2*(x + 1)", twoXPlusOne.toString());
        assertSame(mul(twoXPlusOne, y), mul(num(2), mul(add(x, ONE), y)));
    }

    @Test void aNumberTimesASumIsExpandedInASum() {
        assertSame(add(x, mul(num(2), y), num(2)), add(x, mul(num(2), add(y, ONE))));
        assertSame(y, sub(add(x, y), x));
        assertSame(ZERO, add(add(x, y), neg(add(x, y))));
    }

    @Test void weightBeforeInputAndConstantLast() {
        Sym w1 = sym("w1", SymKind.PARAMETER);
        Sym w2 = sym("w2", SymKind.PARAMETER);
        Sym i1 = sym("i1", SymKind.DATA);
        Sym i2 = sym("i2", SymKind.DATA);
        Sym b1 = sym("b1", SymKind.PARAMETER);
        Expr net = add(b1, mul(i2, w2), mul(i1, w1));
        assertEquals("w1*i1 + w2*i2 + b1", net.toString());
        assertEquals("w1*i1 + w2*i2 + b1 + 1", add(ONE, net).toString());
    }

    @Test void namesInNaturalOrder() {
        Expr s = add(local("w10"), local("w2"), local("w1"));
        assertEquals("w1 + w2 + w10", s.toString());
        assertTrue(ExprOrder.compareNames("w2", "w10") < 0);
        assertTrue(ExprOrder.compareNames("a02", "a2") != 0, "distinct names never compare equal");
    }

    @Test void higherDegreeTermsFirst() {
        assertEquals("x^3 + x^2 + x + 1", add(ONE, x, pow(x, num(2)), pow(x, num(3))).toString());
    }

    @Test void factorOrderIsTheSameWhateverTheInputOrder() {
        Expr s = Exprs.apply(Primitive.SIGMOID, x);
        List<Expr> factors = List.of(num(2), x, s, add(ONE, neg(s)), pow(y, num(-1)));
        String first = mul(factors).toString();
        for (int shift = 1; shift < factors.size(); shift++) {
            java.util.List<Expr> rotated = new java.util.ArrayList<>(factors);
            java.util.Collections.rotate(rotated, shift);
            assertSame(mul(factors), mul(rotated));
        }
        assertEquals("2*x*sigmoid(x)*(1 - sigmoid(x))/y", first);
    }

    @Test void numbersDivideExactlyOrStayFractions() {
        assertSame(ONE, div(mul(num(49), x), mul(num(49), x)), "not 49 * (1/49) = 0.9999999999999999");
        assertSame(ONE, mul(num(3), pow(num(3), num(-1))));
        assertSame(num(0.25), pow(num(4), num(-1)));
        assertEquals("x/3", div(x, num(3)).toString());
        assertEquals("2/3", div(num(2), num(3)).toString());
        assertSame(Exprs.rational(1, 5), div(num(5), num(25)));
        assertEquals("1/5", div(num(5), num(25)).toString()); // a fifth prints as a fraction
        assertEquals("0.04", div(num(1), num(25)).toString()); // a finer terminating decimal as one
        assertEquals("x/3", mul(num(2), x, pow(num(6), num(-1))).toString());
        assertEquals("-x/3", div(neg(x), num(3)).toString());
        assertSame(num(1 + 1.0 / 3), add(ONE, pow(num(3), num(-1))));
        assertSame(add(mul(num(2.2), x), y), add(mul(num(2), x), div(x, num(5)), y));
    }

    @Test void structurallyEqualExpressionsAreOneObject() {
        assertSame(add(mul(x, y), Exprs.apply(Primitive.EXP, x)), add(Exprs.apply(Primitive.EXP, x), mul(y, x)));
    }
}
