package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample variance of 875 values (../shared/cases/variance-875.nn): {@code mean(x)} inside an
 * elementwise expression is computed once — a vertex {@code v.mean} of the element view, one
 * reduction of the layer program — so eval, grad and codegen stay linear in the length. Every
 * command's gradient is checked against the hand-written one, 2·(x[i] − mean)/874, and grad's
 * formulas are that one (docs/performance.md, "A centred sum's mean").
 */
class VarianceTest {
    static final int N = 875;

    @TempDir Path dir;

    static double x(int i) { return ((i * 37 % 101) - 50) / 25.0; }

    static String file(String loss) {
        StringBuilder s = new StringBuilder("weight x[" + N + "] = [");
        for (int i = 0; i < N; i++) {
            s.append(i == 0 ? "" : ", ").append(x(i));
        }
        return s.append("]\nweight s = 1\n").append(loss).append('\n').toString();
    }

    static double[] handWritten() {
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += x(i);
        }
        mean /= N;
        double[] g = new double[N + 1];
        for (int i = 0; i < N; i++) {
            g[i] = 2 * (x(i) - mean) / (N - 1);
            g[N] += (x(i) - mean) * (x(i) - mean) / (N - 1);
        }
        return g; // g[N]: the variance itself
    }

    private void assertGradient(Map<String, Object> json, boolean weighted) {
        double[] expected = handWritten();
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) json.get("gradient");
        for (int i = 0; i < N; i++) {
            double actual = ((Number) gradient.get("x[" + (i + 1) + "]")).doubleValue();
            assertEquals(expected[i], actual, 1e-12, "x[" + (i + 1) + "]");
        }
        if (weighted) {
            assertEquals(expected[N], ((Number) gradient.get("s")).doubleValue(), 1e-12);
        }
    }

    @Test
    void everyCommandComputesTheMeanOnce() throws Exception {
        Path f = dir.resolve("variance.nn");
        Files.writeString(f, file("loss v = sum((x - mean(x))^2)/874"));
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        assertGradient(TestJson.object(eval.out()), false);
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--json");
        assertEquals(0, grad.status(), grad.err());
        assertGradient(TestJson.object(grad.out()), false);
        assertFormulas(TestJson.object(grad.out()));
        assertTrue(grad.out().length() < 200_000, "875 short formulas, not 875 × 11 KB: " + grad.out().length() + " characters");
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "x[1]");
        assertEquals(0, paths.status(), paths.err());
        // the spec's graph: reductions add no vertex, so one edge x[1] → v, its factor the
        // textbook's 2·(x[1] − mean(x))/874 with the mean as the file writes it, not 875 terms
        assertTrue(paths.out().contains("1 path from x[1] to v") && paths.out().contains("path 1  x[1] → v\n")
                && paths.out().contains("\n        (x[1] - mean(x))/437\n"), paths.out());
        java.util.regex.Matcher sum = java.util.regex.Pattern.compile("sum over 1 path = (\\S+)\n").matcher(paths.out());
        assertTrue(sum.find(), paths.out());
        assertEquals(handWritten()[0], Double.parseDouble(sum.group(1)), 1e-12);
        assertTrue(paths.out().length() < 2_000, paths.out().length() + " characters");
        Cli c = Cli.runBounded(180, "codegen", f.toString(), "--lang", "c");
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().length() < 5000, "loops, not 875 unrolled sums: " + c.out().length() + " characters");
    }

    /**
     * Each printed formula is the textbook's 2·(x[i] − mean)/874, written {@code (x[i] - mean(x))/437} (the shared vertex v.mean printed as its call)
     * (δ(v.mean) is identically 0 and left out), and, evaluated by hand at the file's values, equals
     * a central difference of the variance computed here.
     */
    private static void assertFormulas(Map<String, Object> json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> formulas = (Map<String, Object>) json.get("formulas");
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += x(i);
        }
        mean /= N;
        for (int i = 0; i < N; i++) {
            assertEquals("(x[" + (i + 1) + "] - mean(x))/437", formulas.get("x[" + (i + 1) + "]"), "x[" + (i + 1) + "]");
            double byHand = (x(i) - mean) / 437;
            final int k = i;
            double h = 1e-5;
            double central = (variance(k, h) - variance(k, -h)) / (2 * h);
            assertEquals(central, byHand, 1e-8, "x[" + (i + 1) + "]");
        }
    }

    /** The sample variance with x[k] moved by {@code dx}, computed directly. */
    private static double variance(int k, double dx) {
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += x(i) + (i == k ? dx : 0);
        }
        mean /= N;
        double v = 0;
        for (int i = 0; i < N; i++) {
            double d = x(i) + (i == k ? dx : 0) - mean;
            v += d * d;
        }
        return v / (N - 1);
    }

    /**
     * Sixteen values (the smallest length whose mean is a vertex of its own): the printed
     * derivative is the textbook's, and the path listing is the spec's graph's, as for fifteen
     * values: one edge x[1] → v, whose factor is the textbook's with the mean folded back into
     * its call, {@code 2·(x[1] - mean(x))/15} (15 values write it out: 2/15·(1 − 1/15) …).
     */
    @Test
    void aSmallVariancePrintsTheTextbooksFormula() throws Exception {
        Path f = dir.resolve("small.nn");
        Files.writeString(f, "weight x[16] = [0.5, -1.25, 2, 0.75, -0.5, 1.5, -2, 0.25, 1, -1, 0.125, 3, -0.75, 0.5, 1.25, -0.25]\n"
                + "loss v = sum((x - mean(x))^2)/15\n");
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--wrt", "x[1]");
        assertEquals(0, grad.status(), grad.err());
        // mean 0.3203125: 2·(0.5 − 0.3203125)/15 = 0.0239583…
        assertEquals("v = 1.64993489583\n\n∂v/∂x[1] = 2·(x[1] - mean(x))/15\n         = 0.0239583333333\n\n", grad.out());
        Cli whole = Cli.runBounded(180, "grad", f.toString());
        assertEquals(0, whole.status(), whole.err());
        assertTrue(whole.out().contains("∂v/∂x = 2·(x - mean(x))/15\n"), whole.out());
        assertTrue(!whole.out().contains("v.mean"), whole.out());
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "x[1]");
        assertEquals(0, paths.status(), paths.err());
        assertTrue(paths.out().contains("1 path from x[1] to v") && paths.out().contains("path 1  x[1] → v\n")
                && paths.out().contains("\n        2·(x[1] - mean(x))/15\n"), paths.out());
        assertTrue(paths.out().contains("= 0.0239583333333\n\nsum over 1 path"), paths.out());
        assertTrue(paths.out().contains("∂v/∂x[1] = 2·(x[1] - mean(x))/15"), paths.out());
    }

    /**
     * The Graphviz drawing of 875 values: 875 edges x[i] → v, each labelled with the textbook's
     * factor, mean(x) written as the file writes it (12 MB of DOT when each label wrote the mean
     * out, 875 terms); every label, evaluated by hand, is the hand-written gradient.
     */
    @Test
    void theDrawingLabelsEachEdgeWithTheTextbooksFactor() throws Exception {
        Path f = dir.resolve("variance.nn");
        Files.writeString(f, file("loss v = sum((x - mean(x))^2)/874"));
        Cli graph = Cli.runBounded(180, "graph", f.toString());
        assertEquals(0, graph.status(), graph.err());
        assertTrue(graph.out().length() < 1_000_000, graph.out().length() + " characters");
        Map<String, String> ids = new java.util.HashMap<>();
        java.util.regex.Matcher vertex = java.util.regex.Pattern.compile("  (n[0-9]+) \\[label=\"([^\"]+)\"").matcher(graph.out());
        while (vertex.find()) {
            ids.put(vertex.group(2), vertex.group(1));
        }
        double[] expected = handWritten();
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += x(i);
        }
        mean /= N;
        for (int i = 0; i < N; i++) {
            String label = "(x[" + (i + 1) + "] - mean(x))/437";
            assertTrue(graph.out().contains("  " + ids.get("x[" + (i + 1) + "]") + " -> " + ids.get("v") + " [label=\"" + label + "\""),
                    "x[" + (i + 1) + "] → v");
            assertEquals(expected[i], (x(i) - mean) / 437, 1e-12); // the label, read by hand
        }
        assertEquals(N, graph.out().split(" -> ", -1).length - 1);
    }

    /**
     * ../shared/cases/variance-875.nn itself (where the checkout has it): the drawing is under
     * 1 MB, x[1] → v labelled {@code (x[1] - mean(x))/437}; {@code paths --json} and
     * {@code --notation book} print the same text, and the listed value is the hand-written
     * 2·(x[1] − mean)/874 at the file's values.
     */
    @Test
    void theSharedCaseDrawsTheTextbooksFactor() throws Exception {
        Path f = Path.of("../shared/cases/variance-875.nn");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(f), "no ../shared/cases in this checkout");
        Cli graph = Cli.runBounded(180, "graph", f.toString());
        assertEquals(0, graph.status(), graph.err());
        assertTrue(graph.out().length() < 1_000_000, graph.out().length() + " characters");
        assertTrue(graph.out().contains("  n0 [label=\"x[1]\"") && graph.out().contains("  n0 -> n875 [label=\"(x[1] - mean(x))/437\""),
                graph.out().substring(0, 2000));
        java.util.regex.Matcher declared = java.util.regex.Pattern.compile("weight x\\[875\\] = \\[([^\\]]+)\\]").matcher(Files.readString(f));
        assertTrue(declared.find());
        String[] xs = declared.group(1).split(",\\s*");
        double mean = 0;
        for (String x : xs) {
            mean += Double.parseDouble(x) / xs.length;
        }
        double byHand = 2 * (Double.parseDouble(xs[0]) - mean) / 874;
        Cli json = Cli.runBounded(180, "paths", f.toString(), "--wrt", "x[1]", "--json");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().contains("\"expr\": \"(x[1] - mean(x))/437\""), json.out());
        assertEquals(byHand, ((Number) TestJson.object(json.out()).get("value")).doubleValue(), 1e-12);
        Cli book = Cli.runBounded(180, "paths", f.toString(), "--wrt", "x[1]", "--notation", "book");
        assertTrue(book.out().contains("\n        (x[1] - mean(x))/437\n"), book.out());
    }

    /** With a scalar weight factor, eval was refused as "too large for the compiler (879 vertices…)". */
    @Test
    void aScalarWeightFactorCompilesToo() throws Exception {
        Path f = dir.resolve("weighted.nn");
        Files.writeString(f, file("loss v = s*sum((x - mean(x))^2)/874"));
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        assertGradient(TestJson.object(eval.out()), true);
        Cli check = Cli.runBounded(180, "check", f.toString(), "--json");
        assertEquals(0, check.status(), check.out() + check.err());
        assertEquals(true, TestJson.object(check.out()).get("ok"));
    }
}
