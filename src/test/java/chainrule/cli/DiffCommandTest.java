package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code diff} as a calculus tool. Reference values are independent of chainrule: the derivative
 * of tan at 1 is sec²(1) = 1/cos²(1) (Java's Math.cos), of e^x at 1 is Math.E; the saturated-tail
 * values were computed with mpmath at 50 digits: {@code mp.exp(-40)/(1+mp.exp(-40))**2} and
 * {@code 1/mp.cosh(20)**2}.
 */
class DiffCommandTest {

    private static double value(Cli r) {
        String[] lines = r.out().strip().split("\n");
        String last = lines[lines.length - 1].strip();
        assertTrue(last.startsWith("= "), r.out());
        return Double.parseDouble(last.substring(2).split(" ")[0]);
    }

    @Test void tanAtOne() {
        Cli r = Cli.run("diff", "tan(x)", "--wrt", "x", "--set", "x=1");
        assertEquals(0, r.status(), r.err());
        assertEquals(3.425518820814759, value(r), 4e-16 * 3.43);
        assertEquals(1 / (Math.cos(1) * Math.cos(1)), value(r), 1e-15 * 3.43);
    }

    /** Higher derivatives of nested functions grow exponentially: refused with advice, never a hang. */
    @Test void aDerivativeTooLargeToPrintIsRefusedNotAHang() throws Exception {
        Cli r = Cli.runBounded(60, "diff", "tan(sin(x)*exp(x))", "--wrt", "x", "--order", "10");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("try a lower --order"), r.err());
        assertEquals(0, Cli.run("diff", "tan(sin(x)*exp(x))", "--wrt", "x", "--order", "3").status());
    }

    @Test void eToTheXIsExp() {
        Cli r = Cli.run("diff", "e^x", "--wrt", "x", "--set", "x=1");
        assertEquals(0, r.status(), r.err());
        assertEquals(Math.E, value(r), 0.0);
        assertTrue(r.out().contains("exp(x)"), r.out());
        assertFalse(r.out().contains("log(e)"), r.out());
    }

    @Test void anExpressionStartingWithMinusNeedsNoDoubleDash() {
        Cli r = Cli.run("diff", "-x^2", "--wrt", "x", "--set", "x=3");
        assertEquals(0, r.status(), r.err());
        assertEquals(-6.0, value(r), 0.0);
    }

    @Test void anUnknownWrtNameIsAnErrorWithASuggestion() {
        Cli r = Cli.run("diff", "x^2", "--wrt", "X");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("did you mean 'x'"), r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/0", "(x-x)/(y-y)", "0*log(0)", "log(0) - log(0)", "x + 0/0"})
    void undefinedStaysUndefined(String expr) {
        Cli r = Cli.run("diff", expr, "--wrt", "x");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("undefined") && (r.err().contains("division by 0") || r.err().contains("log of 0")), r.err());
        assertFalse(r.out().contains("= 0"), r.out());
    }

    @Test void aNonFiniteValueIsAnErrorNamingTheOperation() {
        Cli r = Cli.run("diff", "log(x)", "--wrt", "x", "--set", "x=0");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("log of 0"), r.err());
        Cli s = Cli.run("diff", "sqrt(x)", "--wrt", "x", "--set", "x=0");
        assertEquals(1, s.status(), s.out());
        assertTrue(s.err().contains("division by 0"), s.err());
    }

    @Test void higherOrders() {
        Cli r = Cli.run("diff", "x^5", "--wrt", "x", "--order", "3", "--set", "x=2");
        assertEquals(0, r.status(), r.err());
        assertEquals(240.0, value(r), 0.0); // 5·4·3·x² at 2
        assertTrue(r.out().startsWith("d³/dx³"), r.out());
        Cli s = Cli.run("diff", "sin(x)", "--wrt", "x", "--order", "4", "--set", "x=0.5");
        assertEquals(Math.sin(0.5), value(s), 1e-16);
    }

    /** An out-of-range --order is a usage error (exit 2 and the help hint), as train's --batch 0 and --split 1.5 are. */
    @Test void anOrderOutOfRangeIsAUsageError() {
        for (String n : new String[] {"0", "-1", "21"}) {
            Cli r = Cli.run("diff", "x^2", "--wrt", "x", "--order", n);
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("--order must be between 1 and 20, not " + n), r.err());
            assertTrue(r.err().contains("Try 'chainrule diff --help'"), r.err());
        }
    }

    @Test void severalWrtGiveTheGradient() {
        Cli r = Cli.run("diff", "sin(x)*y", "--wrt", "x", "--wrt", "y", "--set", "x=1", "--set", "y=2", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"gradient\""), r.out());
        assertTrue(r.out().contains("\"x\": \"y*cos(x)\"") || r.out().contains("\"x\":\"y*cos(x)\""), r.out());
    }

    @Test void latex() {
        Cli r = Cli.run("diff", "x^2*pi", "--wrt", "x", "--latex");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\\pi"), r.out());
        assertTrue(r.out().startsWith("\\frac{d}{dx}"), r.out());
    }

    @Test void saturatedTailsKeepTheirDigits() {
        Cli r = Cli.run("diff", "sigmoid(x)", "--wrt", "x", "--set", "x=40");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("σ(x)·(1 - σ(x))"), r.out()); // the printed form stays the lesson
        assertEquals(4.248354255291589e-18, value(r), 1e-13 * 4.25e-18);
        Cli t = Cli.run("diff", "tanh(x)", "--wrt", "x", "--set", "x=20");
        assertEquals(1.6993417021166355e-17, value(t), 1e-13 * 1.7e-17);
    }

    @Test void maxSplitsATieEvenly() {
        Cli r = Cli.run("diff", "max(x, y)", "--wrt", "x", "--set", "x=1", "--set", "y=1");
        assertEquals(0.5, value(r), 0.0);
        Cli s = Cli.run("diff", "min(x, y)", "--wrt", "x", "--set", "x=0.5", "--set", "y=1");
        assertEquals(1.0, value(s), 0.0);
    }

    /**
     * Several --wrt names at --order 2 print every distinct entry of the Hessian, the mixed one
     * once; each value agrees with a central second difference of f(x, y) = x²·y³ at (2, 3).
     */
    @Test void severalNamesAtOrderTwoPrintTheHessianEntries() {
        Cli r = Cli.run("diff", "x^2*y^3", "--wrt", "x", "--wrt", "y", "--order", "2", "--set", "x=2", "--set", "y=3");
        assertEquals(0, r.status(), r.err());
        java.util.function.DoubleBinaryOperator f = (x, y) -> x * x * y * y * y;
        double h = 1e-3;
        double x = 2;
        double y = 3;
        double fxx = (f.applyAsDouble(x + h, y) - 2 * f.applyAsDouble(x, y) + f.applyAsDouble(x - h, y)) / (h * h);
        double fyy = (f.applyAsDouble(x, y + h) - 2 * f.applyAsDouble(x, y) + f.applyAsDouble(x, y - h)) / (h * h);
        double fxy = (f.applyAsDouble(x + h, y + h) - f.applyAsDouble(x + h, y - h) - f.applyAsDouble(x - h, y + h)
                + f.applyAsDouble(x - h, y - h)) / (4 * h * h);
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.strip().startsWith("= ") && line.contains(" at ")) {
                values.add(Double.parseDouble(line.strip().substring(2).split(" ")[0]));
            }
        }
        assertEquals(3, values.size(), r.out());
        assertEquals(fxx, values.get(0), 1e-4 * Math.abs(fxx));
        assertEquals(fxy, values.get(1), 1e-4 * Math.abs(fxy));
        assertEquals(fyy, values.get(2), 1e-4 * Math.abs(fyy));
        assertTrue(r.out().contains("∂²/∂x∂y"), r.out());
    }

    /** With --latex the value is LaTeX too, on the derivative's line (one equation per derivative). */
    @Test void theValueLineIsLatexWithLatex() {
        Cli r = Cli.run("diff", "x^3", "--wrt", "x", "--order", "2", "--set", "x=2e30", "--latex");
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().split("\n").length, r.out());
        String last = r.out().strip().substring(r.out().strip().indexOf("= 1.2"));
        assertTrue(last.startsWith("= 1.2") && last.contains(" \\times 10^{31}\\quad"), last);
        assertTrue(last.contains("\\text{at } x = 2 \\times 10^{30}"), last);
        assertFalse(last.contains("e30"), last);
    }

    /** An expression that overflows has a finite derivative: its value is reported, not an error. */
    @Test void anOverflowingExpressionWithAFiniteDerivativeIsReported() {
        Cli r = Cli.run("diff", "x^2", "--wrt", "x", "--set", "x=1e200");
        assertEquals(0, r.status(), r.err());
        assertEquals(2e200, value(r), 0.0);
        assertEquals(1, Cli.run("diff", "x^3", "--wrt", "x", "--set", "x=1e200").status(), "3x² overflows");
    }

    /** A --wrt name that does not occur is an error for a constant expression too; e and pi are constants. */
    @Test void aWrtNameOfAConstantOrAConstantNameIsAnError() {
        Cli pi = Cli.run("diff", "pi", "--wrt", "x");
        assertEquals(1, pi.status(), pi.out());
        assertEquals("", pi.out());
        Cli e = Cli.run("diff", "e*x", "--wrt", "e");
        assertEquals(1, e.status(), e.out());
        assertTrue(e.err().contains("Euler"), e.err());
    }

    /**
     * Several derivatives in LaTeX are separate equations (joined by \\\\ for an align* or
     * gather*), partial (∂) when the expression has more than one variable, and a derivative that
     * is a number is not repeated as its value.
     */
    @Test void severalLatexDerivativesArePartialAndSeparated() {
        Cli r = Cli.run("diff", "x^2*y", "--wrt", "x", "--wrt", "y", "--latex");
        assertEquals(0, r.status(), r.err());
        assertEquals("\\frac{\\partial}{\\partial x} {\\left(x^{2} \\cdot y\\right)} = 2 \\cdot x \\cdot y \\\\\n"
                + "\\frac{\\partial}{\\partial y} {\\left(x^{2} \\cdot y\\right)} = x^{2}\n", r.out());
        Cli c = Cli.run("diff", "-2*x", "--wrt", "x", "--set", "x=1");
        assertEquals("d/dx (-2·x)\n  = -2\n", c.out());
    }

    /** A name typed in the expression is a variable even when it cancels (x/x): its derivative is 0, not an error. */
    @Test void aNameThatCancelsHasTheDerivativeZero() {
        Cli r = Cli.run("diff", "x/x", "--wrt", "x");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().endsWith("  = 0\n"), r.out());
        Cli several = Cli.run("diff", "x^2*y", "--wrt", "x,y");
        assertEquals(1, several.status());
        assertTrue(several.err().contains("repeat the option: --wrt x --wrt y"), several.err());
    }

    /** A --set value may be written as an expression of numbers and constants: x = π/3 as typed. */
    @Test void aSetValueMayBeAConstantExpression() {
        Cli r = Cli.run("diff", "sin(x)", "--wrt", "x", "--set", "x=pi/3");
        assertEquals(0, r.status(), r.err());
        assertEquals(Math.cos(Math.PI / 3), value(r), 0.0);
        assertEquals(2.0 / 3, value(Cli.run("diff", "x^2", "--wrt", "x", "--set", "x=1/3")), 0.0);
        assertEquals(2, Cli.run("diff", "x^2", "--wrt", "x", "--set", "x=y/3").status(), "a name is not a value");
        assertEquals(2, Cli.run("diff", "x^2", "--wrt", "x", "--set", "x=1/0").status(), "nor is an infinity");
    }

    /**
     * 0^x is the constant 0 for x > 0: its derivative is 0 (PyTorch's convention at x = 0 too),
     * not 0^x·log(0), which was nan at every point.
     */
    @Test void zeroToThePowerXHasTheDerivativeZero() {
        Cli r = Cli.run("diff", "0^x + x^2", "--wrt", "x", "--set", "x=1.5");
        assertEquals(0, r.status(), r.err());
        assertEquals(3.0, value(r), 0.0);
        assertTrue(r.out().contains("  = 2·x\n"), r.out());
    }
}
