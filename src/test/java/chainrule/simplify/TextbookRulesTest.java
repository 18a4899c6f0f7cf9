package chainrule.simplify;

import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.apply;
import static chainrule.expr.Exprs.div;
import static chainrule.expr.Exprs.local;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.num;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.TextPrinter;
import org.junit.jupiter.api.Test;

/** The examples of issue 11 item 3, each one line; the expected forms are the textbooks'. */
class TextbookRulesTest {
    final Sym x = local("x");
    final Sym a = local("a");
    final Sym b = local("b");
    final Sym c = local("c");
    final Sym d = local("d");
    final Sym p = local("p");
    final Sym t = local("t");
    final Sym x1 = local("x1");

    static String simplified(Expr e) {
        return TextPrinter.plain().print(Simplifier.simplify(e));
    }

    @Test void cancelsCommonFactorsOfARationalFunction() {
        Expr e = div(pow(x, num(2)), pow(add(pow(x, num(2)), x), num(2)));
        assertEquals("1/(x + 1)^2", simplified(e));
    }

    @Test void expandsAndCollectsAQuotientRuleNumerator() {
        Expr e = div(sub(mul(a, add(mul(c, x), d)), mul(c, add(mul(a, x), b))), pow(add(mul(c, x), d), num(2)));
        assertEquals("(a*d - b*c)/(c*x + d)^2", simplified(e));
        assertEquals("(a*d - b*c)/(c*x + d)^2",
                simplified(Differentiator.derivative(div(add(mul(a, x), b), add(mul(c, x), d)), x)));
    }

    @Test void pullsOutCommonFactors() {
        Expr xx = pow(x, x);
        assertEquals("x^x*(log(x) + 1)", simplified(add(mul(xx, apply(Primitive.LOG, x)), xx)));
        assertEquals("x^x*(log(x) + 1)", simplified(Differentiator.derivative(xx, x)));
    }

    @Test void sigmoidWithBinaryCrossEntropyIsPMinusT() {
        // x1·p·(1 − p)·(−t/p − (t − 1)/(1 − p)): what grad printed for logistic regression
        Expr loss = sub(div(Exprs.neg(t), p), div(sub(t, Exprs.ONE), sub(Exprs.ONE, p)));
        assertEquals("x1*(p - t)", simplified(mul(x1, p, sub(Exprs.ONE, p), loss)));
        // the same with the loss's other usual spellings
        Expr other = add(div(sub(Exprs.ONE, t), sub(Exprs.ONE, p)), Exprs.neg(div(t, p)));
        assertEquals("p - t", simplified(mul(p, sub(Exprs.ONE, p), other)));
    }

    /**
     * σ′ stays recognisable in swish and GELU-like derivatives: the textbook's
     * σ(x)·(1 + x·(1 − σ(x))) (docs/textbook.md, swish), not σ(x)·(x − x·σ(x) + 1).
     */
    @Test void swishAndGeluKeepOneMinusSigmoid() {
        Expr swish = mul(x, apply(Primitive.SIGMOID, x));
        assertEquals("sigmoid(x)*(x*(1 - sigmoid(x)) + 1)", simplified(Differentiator.derivative(swish, x)));
        Sym z = local("z");
        Expr gelu = mul(z, apply(Primitive.SIGMOID, mul(Exprs.num(1.702), z)));
        assertEquals("sigmoid(1.702*z)*(1.702*z*(1 - sigmoid(1.702*z)) + 1)", simplified(Differentiator.derivative(gelu, z)));
        // the spread-out form written by hand comes back to the same
        Expr s = apply(Primitive.SIGMOID, x);
        assertEquals("sigmoid(x)*(x*(1 - sigmoid(x)) + 1)",
                simplified(mul(s, add(x, Exprs.neg(mul(x, s)), Exprs.ONE))));
    }

    @Test void sigmoidCrossEntropyThroughTheDerivative() {
        Expr z = local("z");
        Expr s = apply(Primitive.SIGMOID, z);
        Expr bce = Exprs.neg(add(mul(t, apply(Primitive.LOG, s)), mul(sub(Exprs.ONE, t), apply(Primitive.LOG, sub(Exprs.ONE, s)))));
        assertEquals("σ(z) - t".replace("σ", "sigmoid"), simplified(Differentiator.derivative(bce, (Sym) z)));
    }

    @Test void theRationalRuleKeepsExactFractionsAndLeavesDivisionByZero() {
        assertNull(Rules.CANCEL_RATIONAL.applyAt(div(x, num(3))));
        assertNull(Rules.CANCEL_RATIONAL.applyAt(div(x, sub(x, x))));
    }

    @Test void everyRuleRespectsAnExhaustedBudget() {
        Expr e = div(pow(x, num(2)), pow(add(pow(x, num(2)), x), num(2)));
        Work none = new Work(0);
        none.charge(1);
        assertNull(Rules.CANCEL_RATIONAL.applyAt(e, none));
        assertNull(Rules.FACTOR_COMMON.applyAt(add(mul(x, a), mul(x, b)), none));
    }
}
