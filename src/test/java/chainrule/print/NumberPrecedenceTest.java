package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.TextPrinter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A number keeps the precedence of what it prints as: {@code 3\times10^{25}} is a product, so its
 * square is parenthesised; a negative number after an operator is parenthesised. And exact
 * fractions print as fractions ({@code \frac{2}{3}}), constants as π and e.
 */
class NumberPrecedenceTest {
    static final Sym W = Exprs.sym("w", SymKind.PARAMETER);
    static final Sym B = Exprs.sym("b", SymKind.PARAMETER);
    static final Sym X = Exprs.local("x");

    @Test void aSubstitutedScientificNumberIsParenthesisedUnderAPower() {
        String s = LatexPrinter.withValues(Map.of("w", 3e25)).print(Exprs.pow(W, Exprs.num(2)));
        assertTrue(s.contains("\\left(3 \\times 10^{25}\\right)}^{2}"), s);
        assertFalse(s.contains("{3 \\times 10^{25}}^{2}"), s);
    }

    @Test void aScientificLiteralIsParenthesisedUnderAPower() {
        String s = LatexPrinter.latex().print(Exprs.pow(Exprs.add(X, Exprs.num(1.5e-9)), Exprs.num(2)));
        assertEquals("{\\left(x + 1.5 \\times 10^{-9}\\right)}^{2}", s);
        Expr big = Exprs.pow(Exprs.apply(Primitive.SIN, X), Exprs.num(3e25));
        assertTrue(LatexPrinter.latex().print(big).endsWith("^{3 \\times 10^{25}}"), LatexPrinter.latex().print(big));
    }

    @Test void negativeNumbersAfterAnOperatorAreParenthesised() {
        LatexPrinter p = LatexPrinter.withValues(Map.of("b", -0.01, "x", -1.0, "w", 1.0));
        // the printer marks where a line may break (before a sign or a \cdot); unmarked here
        assertEquals("2 \\cdot {\\left(-1\\right)}", unmarked(p.print(Exprs.mul(Exprs.num(2), X))));
        String sum = p.print(Exprs.add(X, B));
        assertTrue(sum.contains("+ {\\left(-"), sum);
        assertFalse(sum.contains("+ -"), sum);
        assertEquals("{\\left(-1\\right)}", chainrule.latex.LatexChainAccess.value(-1, false));
    }

    @Test void fractionsAndConstants() {
        Expr e = Exprs.mul(Exprs.rational(2, 3), Exprs.sub(X, B));
        assertEquals("2·(x - b)/3", TextPrinter.pretty().print(e).replace("b - x", "x - b").replace("(-b + x)", "(x - b)"));
        assertEquals("\\frac{2}{3}", LatexPrinter.latex().print(Exprs.rational(2, 3)));
        assertEquals("π·x", TextPrinter.pretty().print(Exprs.mul(X, Primitive.pi())));
        assertEquals("\\pi \\cdot x", LatexPrinter.latex().print(Exprs.mul(X, Primitive.pi())));
        assertEquals("x^(1/3)", TextPrinter.plain().print(Exprs.pow(X, Exprs.rational(1, 3))));
        assertEquals("(t - o)²/2", TextPrinter.pretty().print(Exprs.mul(Exprs.num(0.5),
                Exprs.pow(Exprs.sub(Exprs.local("t"), Exprs.local("o")), Exprs.num(2)))));
    }
    /** Issue 11: a huge exact integer prints in scientific form, and the text reads back as the same exact integer. */
    @Test void hugeExactIntegersPrintInScientificForm() throws Exception {
        java.math.BigInteger threeE20 = java.math.BigInteger.valueOf(3).multiply(java.math.BigInteger.TEN.pow(20));
        Expr c = Exprs.rational(threeE20, java.math.BigInteger.ONE);
        Expr e = Exprs.mul(c, Exprs.pow(X, Exprs.num(2)));
        assertEquals("3e20*x^2", TextPrinter.plain().print(e));
        assertEquals("3e20·x²", TextPrinter.pretty().print(e));
        assertEquals("3 \\times 10^{20} x^{2}", LatexPrinter.latex().print(e));
        assertEquals("{\\left(x + 3 \\times 10^{20}\\right)}^{2}", LatexPrinter.latex().print(Exprs.pow(Exprs.add(X, c), Exprs.num(2))));
        assertEquals("x^{3 \\times 10^{20}}", LatexPrinter.latex().print(Exprs.pow(X, c)));
        assertSame(e, PrintParsePropertiesTest.parse("3e20*x^2"));
        assertSame(e, PrintParsePropertiesTest.parse(TextPrinter.plain().print(e)));
        // every digit kept: 1.5e20 and -4.2e30 read back exactly; shorter plain integers stay plain
        java.math.BigInteger big = new java.math.BigInteger("-42").multiply(java.math.BigInteger.TEN.pow(29));
        assertEquals("-4.2e30", TextPrinter.plain().print(Exprs.rational(big, java.math.BigInteger.ONE)));
        assertSame(Exprs.rational(big, java.math.BigInteger.ONE), PrintParsePropertiesTest.parse("-4.2e30"));
        assertEquals("123456789012345678901", TextPrinter.plain().print(
                Exprs.rational(new java.math.BigInteger("123456789012345678901"), java.math.BigInteger.ONE)));
        assertEquals("1000000000", TextPrinter.plain().print(Exprs.rational(java.math.BigInteger.TEN.pow(9), java.math.BigInteger.ONE)));
    }

    /**
     * Over products of substituted numbers (signs, decimals, scientific form, under a power or
     * not): a number is never juxtaposed with a following digit, sign or bracket (0.01(-3)^{2}
     * reads as one number times a bracket only by luck), and a scientific number after another
     * factor is bracketed (0.01 \\cdot 3 \\times 10^{25} reads as a product of three).
     */
    @Test void aNumberIsNeverJuxtaposedWithADigitSignOrBracket() {
        double[] values = {-3, 3, 0.01, -0.5, 3e25, -2e-30, 1.5, 7, -1};
        Sym c = Exprs.sym("c", SymKind.PARAMETER);
        java.util.regex.Pattern bad = java.util.regex.Pattern.compile(
                "[0-9}]\\{?\\\\left\\(|[0-9] [0-9-]|\\\\cdot -?[0-9.]+ \\\\times|[0-9]\\{\\\\left");
        int checked = 0;
        for (double a : values) {
            for (double b : values) {
                LatexPrinter p = LatexPrinter.withValues(Map.of("w", a, "b", b, "c", 0.01));
                Expr[] products = {Exprs.mul(W, B), Exprs.mul(W, Exprs.pow(B, Exprs.num(2))),
                        Exprs.mul(c, Exprs.pow(W, Exprs.num(2))), Exprs.mul(c, W, B),
                        Exprs.div(Exprs.mul(c, Exprs.pow(W, Exprs.num(2))), Exprs.num(2))};
                for (Expr e : products) {
                    String s = p.print(e);
                    assertFalse(bad.matcher(s).find(), a + ", " + b + ": " + s);
                    checked++;
                }
            }
        }
        assertEquals(values.length * values.length * 5, checked);
        String s = LatexPrinter.withValues(Map.of("w", -3.0, "c", 0.01)).print(Exprs.mul(c, Exprs.pow(W, Exprs.num(2))));
        assertEquals("0.01 \\cdot {\\left(-3\\right)}^{2}", unmarked(s));
    }

    private static String unmarked(String latex) {
        return latex.replace(String.valueOf(LatexPrinter.BREAK), "");
    }
}
