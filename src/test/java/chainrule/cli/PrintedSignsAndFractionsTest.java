package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, printers: a negative term after another is written {@code a - b}, never {@code + -b},
 * and a negative constant factor is its product's coefficient ({@code -2.01·δ(y)}); fractions
 * that arithmetic makes print as fractions ({@code 1/8}, {@code (o - y)/8}) while the decimals
 * people type stay decimals ({@code 0.2}, {@code 0.02}). Each printed form is also evaluated by
 * hand here, so a sign or a denominator that went wrong fails on the value too.
 */
class PrintedSignsAndFractionsTest {
    @TempDir Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("n.nn");
        Files.writeString(f, text);
        return f;
    }

    @Test void aNegativeTermIsSubtractedAndANegativeConstantLeads() throws Exception {
        Path f = file("""
                input x = -0.5
                target t = -1
                weight w = -0.3, v = 2
                h = leaky_relu(w*x, -0.01)
                y = v*h - 0.01*w + w*(-2)
                loss L = 0.5*(y - t)^2 + -0.01*w^2
                """);
        Cli r = Cli.run("grad", f.toString(), "--wrt", "w");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂L/∂w = δ(y)·(v·x·leaky_step(w·x, -0.01) - 2.01) - 0.02·w\n"), r.out());
        assertFalse(r.out().contains("+ -"), r.out());
        // the printed form's value, by hand: w·x = 0.15 > 0, so leaky_step = 1; y = v·w·x - 2.01·w
        double w = -0.3, x = -0.5, v = 2, t = -1;
        double y = v * (w * x) - 0.01 * w - 2 * w;
        double expected = (y - t) * (v * x - 2.01) - 0.02 * w;
        String[] lines = r.out().split("\n");
        double printed = Double.parseDouble(lines[3].strip().substring(2));
        assertEquals(expected, printed, 1e-5);
        Cli latex = Cli.run("latex", f.toString(), "--wrt", "w");
        assertEquals(0, latex.status(), latex.err());
        assertFalse(latex.out().contains("+ -"), latex.out());
    }

    @Test void fractionsFromArithmeticPrintAsFractions() {
        assertEquals("d/dx (x/8)\n  = 1/8\n", Cli.run("diff", "x/8", "--wrt", "x").out());
        assertEquals("d³/dx³ sqrt(x)\n  = 3/(8·sqrt(x)⁵)\n", Cli.run("diff", "sqrt(x)", "--wrt", "x", "--order", "3").out());
        assertTrue(Cli.run("diff", "x^(3/8)", "--wrt", "x").out().contains("= 3/(8·x^(5/8))"));
        // and the typed decimals stay as typed
        assertTrue(Cli.run("diff", "leaky_relu(x, 0.05)", "--wrt", "x").out().contains("leaky_step(x, 0.05)"));
        assertTrue(Cli.run("diff", "x/5", "--wrt", "x").out().contains("= 1/5"));
        assertTrue(Cli.run("diff", "0.01*x^2", "--wrt", "x").out().contains("= 0.02·x"));
    }

    @Test void theMeanOfSixteenSquaredErrorsIsAnEighth() throws Exception {
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        StringBuilder w = new StringBuilder();
        for (int i = 1; i <= 16; i++) {
            String sep = i > 1 ? ", " : "";
            x.append(sep).append(i);
            y.append(sep).append(0.1 * (i % 5));
            w.append(sep).append(0.05 * (i % 3));
        }
        Path f = file("input x[16] = [" + x + "]\ntarget y[16] = [" + y + "]\nweight w[16] = [" + w + "]\n"
                + "o = w*x\nloss L = mean((o - y)^2)\n");
        Cli r = Cli.run("grad", f.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("δ(o) = ∂L/∂o = (o - y)/8"), r.out());
        assertFalse(r.out().contains("0.125·"), r.out());
    }
}
