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
 * A reduction of 16 or more elements is written as its call wherever a printed form would list
 * its terms, shared by the element view or not (FoldedReductions, docs/design.md): a plain scalar
 * {@code sum(w^2) * mean(w)} over 875 values, a layer's {@code mean(h)} and {@code sum(h)}, and a
 * shared {@code v.mean} in closed forms, which print the call {@code mean(w)}, never the internal
 * name. Values are checked against hand-written gradients and central differences computed here,
 * and against eval's compiled code; sizes are bounded (the 875-value file printed 23.6 MB for
 * {@code graph}, 79 KB for one path).
 */
class LongReductionFormsTest {
    static final int N = 875;

    @TempDir Path dir;

    static double w(int i) { return ((i * 53 % 97) - 48) / 40.0; }

    /** v = sum(w²)·mean(w) at w, computed here. */
    static double loss(double[] w) {
        double s2 = 0;
        double s = 0;
        for (double x : w) {
            s2 += x * x;
            s += x;
        }
        return s2 * s / w.length;
    }

    private Path productFile() throws Exception {
        StringBuilder s = new StringBuilder("weight w[" + N + "] = [");
        for (int i = 0; i < N; i++) {
            s.append(i == 0 ? "" : ", ").append(w(i));
        }
        s.append("]\nloss v = sum(w^2) * mean(w)\n");
        Path f = dir.resolve("mw875.nn");
        Files.writeString(f, s.toString());
        return f;
    }

    @Test
    void aProductOfLongReductionsIsDifferentiatedThroughItsCalls() throws Exception {
        Path f = productFile();
        double[] w = new double[N];
        double mean = 0;
        double meanOfSquares = 0;
        for (int i = 0; i < N; i++) {
            w[i] = w(i);
            mean += w[i] / N;
            meanOfSquares += w[i] * w[i] / N;
        }
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--json");
        assertEquals(0, grad.status(), grad.err());
        assertTrue(grad.out().length() < 200_000, grad.out().length() + " characters");
        Map<String, Object> json = TestJson.object(grad.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) json.get("gradient");
        @SuppressWarnings("unchecked")
        Map<String, Object> formulas = (Map<String, Object>) json.get("formulas");
        for (int i = 0; i < N; i++) {
            String name = "w[" + (i + 1) + "]";
            // the textbook's: ∂/∂w_i (Σw²·Σw/n) = 2·w_i·mean(w) + mean(w²)
            assertEquals("2*" + name + "*mean(w) + mean(w^2)", formulas.get(name), name);
            double byHand = 2 * w[i] * mean + meanOfSquares;
            assertEquals(byHand, ((Number) gradient.get(name)).doubleValue(), 1e-12 * Math.max(1, Math.abs(byHand)), name);
        }
        // and a central difference of the loss, for a few elements
        for (int i : new int[] {0, 1, 436, N - 1}) {
            double h = 1e-5;
            double[] up = w.clone();
            double[] down = w.clone();
            up[i] += h;
            down[i] -= h;
            double difference = (loss(up) - loss(down)) / (2 * h);
            assertEquals(difference, ((Number) gradient.get("w[" + (i + 1) + "]")).doubleValue(), 1e-6);
        }

        Cli text = Cli.runBounded(180, "grad", f.toString(), "--wrt", "w[1]");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains("∂v/∂w[1] = 2·w[1]·mean(w) + mean(w²)\n"), text.out());

        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "w[2]", "--json");
        assertEquals(0, paths.status(), paths.err());
        assertTrue(paths.out().length() < 2_000, paths.out());
        Map<String, Object> p = TestJson.object(paths.out());
        assertEquals("2*w[2]*mean(w) + mean(w^2)", p.get("sum"));
        assertEquals(2 * w[1] * mean + meanOfSquares, ((Number) p.get("value")).doubleValue(), 1e-12);

        Cli graph = Cli.runBounded(180, "graph", f.toString());
        assertEquals(0, graph.status(), graph.err());
        assertTrue(graph.out().length() < 400_000, graph.out().length() + " characters");
        assertTrue(graph.out().contains("[label=\"2·w[875]·mean(w) + mean(w²)\""), "w[875] → v");

        Cli latex = Cli.runBounded(180, "latex", f.toString(), "--wrt", "w[1]");
        assertEquals(0, latex.status(), latex.err());
        assertTrue(latex.out().contains("\\frac{\\partial v}{\\partial w_{1}} &= 2 \\cdot w_{1} \\cdot "
                + "\\operatorname{mean}\\mathopen{}\\left(w\\right) + \\operatorname{mean}\\mathopen{}\\left(w^{2}\\right)"), latex.out());

        // the whole document: its "Backpropagation by layers" wrote the calls' names as escaped
        // characters (mean⟨U+0028⟩w⟨U+0029⟩, a second review found), not as calls
        Cli document = Cli.runBounded(180, "latex", f.toString());
        assertEquals(0, document.status(), document.err());
        assertTrue(document.out().contains("\\frac{\\partial v}{\\partial w} &= 2 \\, w \\, "
                + "\\operatorname{mean}\\mathopen{}\\left(w\\right) + \\operatorname{mean}\\mathopen{}\\left(w^{2}\\right)"),
                document.out().length() > 4000 ? document.out().substring(0, 4000) : document.out());
        assertFalse(document.out().contains("U{+}"), "no escaped characters");
    }

    /** Below 16 elements the reductions stay written out, as before (the goldens hold the exact forms). */
    @Test
    void fifteenElementsAreWrittenOut() throws Exception {
        Path f = dir.resolve("mw15.nn");
        Files.writeString(f, "weight w[15] = 0.5\nloss v = sum(w^2) * mean(w)\n");
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "w[1]", "--json");
        assertEquals(0, grad.status(), grad.err());
        String formula = (String) ((Map<?, ?>) TestJson.object(grad.out()).get("formulas")).get("w[1]");
        assertFalse(formula.contains("mean(") || formula.contains("sum("), formula);
        assertTrue(formula.contains("w[15]"), formula);
        assertEquals(0.75, ((Number) ((Map<?, ?>) TestJson.object(grad.out()).get("gradient")).get("w[1]")).doubleValue(), 1e-12);
    }

    /**
     * A layer's reductions, one shared ({@code h * mean(h)}), the others not ({@code h[2]*sum(h)},
     * the loss's {@code mean(h)*sum(c)}): every factor names them by their calls, none lists the
     * sixteen elements, and the printed paths add up to the gradient eval's compiled code gives.
     */
    @Test
    void aLayersReductionsAreNamedByTheirCalls() throws Exception {
        Path f = dir.resolve("mm16.nn");
        StringBuilder s = new StringBuilder("input x[2] = [0.5, -0.3]\nweight W1[16,2] = [");
        for (int i = 0; i < 16; i++) {
            s.append(i == 0 ? "" : ", ").append("[").append(((i * 7 % 13) - 6) / 10.0).append(", ")
                    .append(((i * 5 % 11) - 5) / 10.0).append("]");
        }
        s.append("]\nh = tanh(W1 @ x)\nc = h * mean(h) + h[2]*sum(h)\nloss L = sum(c^2) + mean(h)*sum(c)\n");
        Files.writeString(f, s.toString());
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "W1[2,1]", "--json", "--max-paths", "100");
        assertEquals(0, paths.status(), paths.err());
        Map<String, Object> json = TestJson.object(paths.out());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) json.get("paths");
        double total = 0;
        boolean loss = false;
        boolean direct = false;
        for (Map<String, Object> path : list) {
            total += ((Number) path.get("value")).doubleValue();
            @SuppressWarnings("unchecked")
            List<String> nodes = (List<String>) path.get("nodes");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> factors = (List<Map<String, Object>>) path.get("factors");
            for (int k = 0; k < factors.size(); k++) {
                String expr = (String) factors.get(k).get("expr");
                assertTrue(expr.split("h\\[").length - 1 < 4 && expr.split("c\\[").length - 1 < 4, expr);
                assertFalse(expr.contains(".mean"), expr);
                String from = nodes.get(k);
                String to = nodes.get(k + 1);
                if (from.equals("c[1]") && to.equals("L")) {
                    assertEquals("2*c[1] + mean(h)", expr);
                    loss = true;
                }
                if (from.equals("h[2]") && to.equals("L")) {
                    assertEquals("mean(c)", expr);
                    direct = true;
                }
                if (from.equals("h[2]") && to.equals("c[3]")) {
                    assertEquals("h[2] + h[3]/16 + sum(h)", expr);
                }
            }
        }
        assertTrue(loss && direct, paths.out());
        assertEquals(17, list.size());
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        double compiled = ((Number) ((Map<?, ?>) TestJson.object(eval.out()).get("gradient")).get("W1[2,1]")).doubleValue();
        assertEquals(compiled, total, 1e-12);
        assertEquals(compiled, ((Number) json.get("value")).doubleValue(), 1e-12);
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "W1[2,1]", "--json");
        assertEquals(0, grad.status(), grad.err());
        assertFalse(grad.out().contains(".mean"), grad.out());
        assertEquals(compiled, ((Number) ((Map<?, ?>) TestJson.object(grad.out()).get("gradient")).get("W1[2,1]")).doubleValue(), 1e-12);
    }

    /** A shared reduction in closed forms is its call, in text, JSON and LaTeX; the path factor was already. */
    @Test
    void closedFormsPrintTheCallNotTheSharedName() throws Exception {
        Path f = dir.resolve("var16.nn");
        Files.writeString(f, "weight w[16] = [0.64, 0.20, 0.44, -0.98, 0.29, 0.48, -0.04, -0.03, -0.51, -0.18, 0.17, 0.73, 0.15, -0.10, -0.37, 0.52]\n"
                + "loss v = sum((w - mean(w))^2)/15\n");
        double mean = 0;
        double[] w = {0.64, 0.20, 0.44, -0.98, 0.29, 0.48, -0.04, -0.03, -0.51, -0.18, 0.17, 0.73, 0.15, -0.10, -0.37, 0.52};
        for (double x : w) {
            mean += x / 16;
        }
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "w[1]");
        assertEquals(0, grad.status(), grad.err());
        assertTrue(grad.out().contains("∂v/∂w[1] = 2·(w[1] - mean(w))/15\n"), grad.out());
        Cli json = Cli.runBounded(180, "paths", f.toString(), "--wrt", "w[1]", "--json");
        assertEquals(0, json.status(), json.err());
        Map<String, Object> p = TestJson.object(json.out());
        assertEquals("2*(w[1] - mean(w))/15", p.get("sum"));
        assertEquals("2*(w[1] - mean(w))/15", p.get("factored"));
        assertEquals(2 * (w[0] - mean) / 15, ((Number) p.get("value")).doubleValue(), 1e-12);
        Cli text = Cli.runBounded(180, "paths", f.toString(), "--wrt", "w[1]");
        assertFalse(text.out().contains("v.mean"), text.out());
        Cli whole = Cli.runBounded(180, "grad", f.toString());
        assertTrue(whole.out().contains("∂v/∂w = 2·(w - mean(w))/15\n"), whole.out());
        Cli latex = Cli.runBounded(180, "latex", f.toString(), "--wrt", "w[1]");
        assertEquals(0, latex.status(), latex.err());
        assertTrue(latex.out().contains("\\frac{\\partial v}{\\partial w_{1}} &= \\frac{2 \\cdot {\\left(w_{1} - \\operatorname{mean}\\mathopen{}\\left(w\\right)\\right)}}{15}"), latex.out());
    }
}
