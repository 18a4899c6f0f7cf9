package chainrule.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quotient rule as data: which factors divide, by what, how often, in which order. */
class QuotientEntryTest {
    private static final Sym A = Exprs.local("a");
    private static final Sym B = Exprs.local("b");
    private static final Sym C = Exprs.local("c");
    private static final Sym D = Exprs.local("d");

    /** The fold written out, operands by their {@link QuotientEntry#operands} text. */
    private static String written(Expr e) {
        Product p = (Product) e;
        List<Expr> operands = QuotientEntry.operands(p);
        return QuotientEntry.fold(p, new QuotientEntry.Operations<String>() {
            @Override public String one() { return "1"; }

            @Override public String operand(int k) { return TextPrinter.plain().print(operands.get(k)); }

            @Override public String times(String x, String y) { return "(" + x + " * " + y + ")"; }

            @Override public String over(String x, String y) { return "(" + x + " / " + y + ")"; }
        });
    }

    @Test
    void theNumeratorFirstThenEachDenominatorInTurn() {
        assertEquals("(a / b)", written(Exprs.div(A, B)));
        // -a/b² is -(a/b)/b: the derivative of a/b, never -a·(1/b)²
        assertEquals("(((-1 * a) / b) / b)", written(Exprs.neg(Exprs.div(A, Exprs.pow(B, Exprs.num(2))))));
        Expr q = Exprs.div(Exprs.mul(A, C), Exprs.mul(Exprs.pow(B, Exprs.num(2)), D));
        String w = written(q);
        assertTrue(w.startsWith("((((a * c) / "), w); // numerator first
        assertEquals(3, w.split(" / ").length - 1, w); // b twice, d once
        assertEquals("((1 / b) / c)", written(Exprs.mul(Exprs.pow(B, Exprs.MINUS_ONE), Exprs.pow(C, Exprs.MINUS_ONE))));
    }

    @Test
    void smallIntegerPowersDivideRepeatedlyOthersByThePower() {
        assertEquals(4, QuotientEntry.divisions(Exprs.pow(B, Exprs.num(-4))));
        assertEquals(B, QuotientEntry.operand(Exprs.pow(B, Exprs.num(-4))));
        assertEquals(1, QuotientEntry.divisions(Exprs.pow(B, Exprs.num(-5))));
        assertEquals(Exprs.pow(B, Exprs.num(5)), QuotientEntry.operand(Exprs.pow(B, Exprs.num(-5))));
        Expr half = Exprs.pow(B, Exprs.rational(-1, 2));
        assertEquals(1, QuotientEntry.divisions(half));
        assertEquals(Exprs.pow(B, Exprs.rational(1, 2)), QuotientEntry.operand(half));
        assertEquals(0, QuotientEntry.divisions(Exprs.pow(B, Exprs.num(2))));
        assertFalse(QuotientEntry.divides(Exprs.pow(B, Exprs.MINUS_ONE)), "a lone reciprocal is the power entry's 1/b");
        assertFalse(QuotientEntry.divides(Exprs.mul(A, B)));
    }

    /** The interpreter follows the rule: a tiny divisor, whose reciprocal overflows, gives the finite quotient. */
    @Test
    void theInterpreterDividesByTinyDivisors() {
        Expr q = Exprs.div(A, Exprs.pow(B, Exprs.num(2)));
        double v = Evaluator.evaluate(q, s -> s == A ? 1e-300 : 1e-160);
        assertEquals(1e-300 / 1e-160 / 1e-160, v);
        assertTrue(Double.isFinite(v) && v > 9.9e19 && v < 1.01e20, "1e-300/(1e-160)² = 1e20: " + v);
        assertEquals(Double.POSITIVE_INFINITY, Evaluator.evaluate(Exprs.div(A, B), s -> s == A ? 1.0 : 0.0));
        assertTrue(Double.isNaN(Evaluator.evaluate(Exprs.div(A, B), s -> 0.0)), "0/0 stays undefined");
    }
}
