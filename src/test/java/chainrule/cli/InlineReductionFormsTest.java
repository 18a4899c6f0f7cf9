package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reductions of expressions written inline fold like named ones (docs/design.md, "long
 * reductions"): a layer norm written in one line, {@code sum(c*(w - mean(w))/sqrt(mean((w -
 * mean(w))^2) + 0.00001))}, prints {@code mean((w - mean(w))^2)} as the file writes it, never its
 * 16 or 128 terms nor the element view's {@code L.mean}; a sum that the shared mean makes
 * identically 0 prints 0; a nested mean collects to {@code mean(h)/8}; and no printed form has a
 * factor {@code ·1/16}.
 *
 * <p>The expected forms are derived by hand (and checked with SymPy, n = 5: ∂/∂w₁ of the layer
 * norm minus the form below simplifies to 0; ∂ mean(mean(h)·h)/∂h₁ = 2·mean(h)/n). The numbers are
 * checked against central differences of the loss computed here, and the printed formula, which
 * is valid source, is evaluated again by {@code eval} as a loss of its own.
 */
class InlineReductionFormsTest {
    @TempDir Path dir;

    static double w(int i) { return ((i * 37 % 41) - 20) / 25.0; }

    static double c(int i) { return ((i * 13 % 17) - 8) / 9.0; }

    private static String vector(int n, java.util.function.IntToDoubleFunction f) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(f.applyAsDouble(i));
        }
        return s.append("]").toString();
    }

    private static String declarations(int n) {
        return "weight w[" + n + "] = " + vector(n, InlineReductionFormsTest::w) + "\ninput c[" + n + "] = "
                + vector(n, InlineReductionFormsTest::c) + "\n";
    }

    /** The layer norm's loss Σ c[i]·(w[i] − m)/sqrt(v + 0.00001), computed here. */
    static double layerNorm(double[] w, double[] c) {
        int n = w.length;
        double m = 0;
        for (double x : w) {
            m += x / n;
        }
        double v = 0;
        for (double x : w) {
            v += (x - m) * (x - m) / n;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += c[i] * (w[i] - m) / Math.sqrt(v + 0.00001);
        }
        return s;
    }

    /** ∂L/∂w[1] = ((m − w[1])·mean((w − m)·c) + (c[1] − mean(c))·(v + ε))/sqrt(v + ε)³, by hand. */
    static final String LAYER_NORM_W1 = "((mean(w) - w[1])*mean((w - mean(w))*c) + (c[1] - mean(c))"
            + "*(mean((w - mean(w))^2) + 0.00001))/sqrt(mean((w - mean(w))^2) + 0.00001)^3";

    @Test
    void anInlineLayerNormPrintsItsReductionsAsTheFileWritesThem() throws Exception {
        for (int n : new int[] {16, 128}) {
            Path f = dir.resolve("ln" + n + ".nn");
            Files.writeString(f, declarations(n) + "loss L = sum(c*(w - mean(w))/sqrt(mean((w - mean(w))^2) + 0.00001))\n");
            Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "w[1]", "--json");
            assertEquals(0, grad.status(), grad.err());
            Map<String, Object> json = TestJson.object(grad.out());
            String formula = (String) ((Map<?, ?>) json.get("formulas")).get("w[1]");
            assertEquals(LAYER_NORM_W1, formula);
            double printed = ((Number) ((Map<?, ?>) json.get("gradient")).get("w[1]")).doubleValue();

            // central differences of the loss computed here
            double[] w = new double[n];
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = w(i);
                c[i] = c(i);
            }
            double h = 1e-6;
            double[] up = w.clone();
            double[] down = w.clone();
            up[0] += h;
            down[0] -= h;
            double central = (layerNorm(up, c) - layerNorm(down, c)) / (2 * h);
            assertEquals(central, printed, 1e-7 * Math.max(1, Math.abs(central)));

            // the printed formula is source: eval computes it as a loss of its own
            Path again = dir.resolve("formula" + n + ".nn");
            Files.writeString(again, declarations(n) + "loss F = " + formula + "\n");
            Cli eval = Cli.runBounded(180, "eval", again.toString(), "--json");
            assertEquals(0, eval.status(), eval.err());
            double value = ((Number) ((Map<?, ?>) TestJson.object(eval.out()).get("loss")).get("value")).doubleValue();
            assertEquals(printed, value, 1e-12 * Math.max(1, Math.abs(printed)));

            Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "w[1]");
            assertEquals(0, paths.status(), paths.err());
            assertTrue(paths.out().contains("mean((w - mean(w))²)"), paths.out());
            assertFalse(paths.out().contains("w[2]"), paths.out());
            assertNoInternalNameNorUnitFraction(paths.out());
        }
    }

    /**
     * {@code sum((w - mean(w))/sqrt(…))} is identically 0 (Σ w[i] = n·mean(w)), so is the loss, its
     * square, and every derivative: the closed form is 0, not {@code 2·w[1] + … + 2·w[16] −
     * 32·mean(w)} times a quotient of 16-term sums.
     */
    @Test
    void aCentredSumThatIsIdenticallyZeroPrintsZero() throws Exception {
        Path f = dir.resolve("zero16.nn");
        Files.writeString(f, declarations(16) + "loss L = sum((w - mean(w))/sqrt(mean((w - mean(w))^2) + 0.00001))^2\n");
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "w[1]", "--json");
        assertEquals(0, grad.status(), grad.err());
        Map<String, Object> json = TestJson.object(grad.out());
        assertEquals("0", ((Map<?, ?>) json.get("formulas")).get("w[1]"));
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "w[1]");
        assertEquals(0, paths.status(), paths.err());
        assertTrue(paths.out().contains("∂L/∂w[1] = 0\n"), paths.out());
        assertFalse(paths.out().contains("w[2]"), paths.out());
        // what the compiled code computes is rounding around 0
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        double compiled = ((Number) ((Map<?, ?>) TestJson.object(eval.out()).get("gradient")).get("w[1]")).doubleValue();
        assertTrue(Math.abs(compiled) < 1e-12, eval.out());
    }

    /**
     * {@code mean(mean(h)*h)} = mean(h)²: ∂/∂h[1] = mean(h)/8 over 16 elements, the inner mean
     * folded and the two routes' like terms collected; the route through the shared mean is
     * {@code mean(h)/16}, never {@code ((h[1] + … + h[16])/16)·1/16}.
     */
    @Test
    void aNestedMeanCollectsToOneTerm() throws Exception {
        Path f = dir.resolve("nested16.nn");
        Files.writeString(f, "weight h[16] = " + vector(16, InlineReductionFormsTest::w) + "\nloss L = mean(mean(h)*h)\n");
        double mean = 0;
        for (int i = 0; i < 16; i++) {
            mean += w(i) / 16;
        }
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "h[1]", "--json");
        assertEquals(0, grad.status(), grad.err());
        Map<String, Object> json = TestJson.object(grad.out());
        assertEquals("mean(h)/8", ((Map<?, ?>) json.get("formulas")).get("h[1]"));
        assertEquals(mean / 8, ((Number) ((Map<?, ?>) json.get("gradient")).get("h[1]")).doubleValue(), 1e-15);
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "h[1]");
        assertTrue(paths.out().contains("∂L/∂h[1] = mean(h)/16 + mean(h)/16\n"), paths.out());
        assertTrue(paths.out().contains("= mean(h)/8\n"), paths.out());
        assertNoInternalNameNorUnitFraction(paths.out());
        Cli layers = Cli.runBounded(180, "grad", f.toString());
        assertTrue(layers.out().contains("∂L/∂h = δ(mean(h))/16 + mean(h)/16"), layers.out());
        assertTrue(layers.out().contains("δ(mean(h)) = ∂L/∂mean(h) = mean(h)"), layers.out());
    }

    /**
     * Every printer, on networks with shared and inline long reductions: no internal name of a
     * shared reduction ({@code L.mean}, {@code c.mean}) and no unit fraction as a factor.
     */
    @Test
    void noOutputNamesAnInternalReductionOrMultipliesByAUnitFraction() throws Exception {
        String h16 = vector(16, InlineReductionFormsTest::w);
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("ln", declarations(16) + "loss L = sum(c*(w - mean(w))/sqrt(mean((w - mean(w))^2) + 0.00001))\n");
        files.put("nested", "weight h[16] = " + h16 + "\nloss L = mean(mean(h)*h)\n");
        files.put("scalar", "weight a = 0.7\ninput x[16] = " + h16 + "\nh = tanh(a*x)\nc = h - mean(h)\nloss L = sum(c^2) + mean(h*c)\n");
        files.put("named", "weight w[16] = " + h16 + "\nc = w - mean(w)\ns2 = mean(c^2)\nloss L = sum(c/sqrt(s2 + 0.00001))^2\n");
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".nn");
            Files.writeString(f, e.getValue());
            String wrt = e.getKey().equals("scalar") ? "a" : e.getKey().equals("nested") ? "h[1]" : "w[1]";
            for (List<String> command : List.of(List.of("paths", "--wrt", wrt), List.of("paths", "--wrt", wrt, "--notation", "book"),
                    List.of("grad"), List.of("grad", "--json"), List.of("grad", "--notation", "book"), List.of("latex"),
                    List.of("graph"))) {
                List<String> args = new java.util.ArrayList<>(command);
                args.add(1, f.toString());
                Cli run = Cli.runBounded(180, args.toArray(String[]::new));
                assertEquals(0, run.status(), e.getKey() + " " + command + ": " + run.err());
                assertNoInternalNameNorUnitFraction(run.out());
            }
        }
    }

    private static void assertNoInternalNameNorUnitFraction(String out) {
        for (String bad : new String[] {"L.mean", "c.mean", "L^{\\mathrm{mean}}", "·1/", "*1/", "\\cdot \\frac{1}{"}) {
            int at = out.indexOf(bad);
            assertTrue(at < 0, () -> "'" + bad + "' in: " + out.substring(Math.max(0, at - 200), Math.min(out.length(), at + 200)));
        }
    }
}
