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
 * What users see of paths does not show the element view's shared reduction ({@code c.mean}, made
 * from 16 elements on): a centred 2-n-2 network prints the spec's graph at 15 and 16 elements alike
 * — counts (text, JSON, LaTeX), listed paths (text, JSON, book notation), the Graphviz drawing's
 * vertices and edges, LaTeX's local derivatives — each checked against numbers worked out from
 * LANGUAGE.md's rules for this network.
 */
class SharedReductionOutputTest {
    @TempDir Path dir;

    private Path file(int n) throws Exception {
        StringBuilder w1 = new StringBuilder("[");
        StringBuilder w2 = new StringBuilder("[[");
        StringBuilder w2b = new StringBuilder("[");
        for (int i = 1; i <= n; i++) {
            w1.append(i == 1 ? "" : ", ").append("[").append(0.05 * i - 0.4).append(", ").append(0.3 - 0.03 * i).append("]");
            w2.append(i == 1 ? "" : ", ").append(0.1 * (i % 5) - 0.2);
            w2b.append(i == 1 ? "" : ", ").append(0.25 - 0.02 * i);
        }
        Path f = dir.resolve("centred" + n + ".nn");
        Files.writeString(f, "input x[2] = [0.3, -0.6]\ntarget y[2] = [0.2, 0.7]\n"
                + "weight W1[" + n + ",2] = " + w1 + "]\nbias b1 = 0.1\n"
                + "weight W2[2," + n + "] = " + w2 + "], " + w2b + "]]\nbias b2 = 0.2\n"
                + "h = tanh(W1 @ x + b1)\nc = h - mean(h)\no = W2 @ c + b2\nloss L = mse(o, y)\n");
        return f;
    }

    @Test
    void fifteenAndSixteenElementsPrintTheSpecsGraph() throws Exception {
        for (int n : new int[] {15, 16}) {
            Path f = file(n);
            String where = " (n = " + n + ")";
            // W1[1,1] → h.in[1] → h[1] → c[k] → o[m] → L: n·2 paths; b1 reaches every h.in[i]: n·n·2
            Cli paths = Cli.run("paths", f.toString(), "--wrt", "W1[1,1]", "--max-paths", "1000");
            assertEquals(0, paths.status(), paths.err());
            assertTrue(paths.out().startsWith("∂L/∂W1[1,1]: " + 2 * n + " paths from W1[1,1] to L\n"), paths.out() + where);
            assertTrue(paths.out().contains("path 1  W1[1,1] → h.in[1] → h[1] → c[1] → o[1] → L\n"), paths.out());
            assertTrue(paths.out().contains("path " + 2 * n + "  W1[1,1] → h.in[1] → h[1] → c[" + n + "] → o[2] → L\n"), paths.out());
            assertTrue(paths.out().contains((n - 1) + "/" + n) && paths.out().contains("(-1/" + n + ")"), paths.out());
            Cli b1 = Cli.run("paths", f.toString(), "--wrt", "b1", "--max-paths", "1");
            assertTrue(b1.out().startsWith("∂L/∂b1: " + 2 * n * n + " paths from b1 to L"), b1.out() + where);
            Cli top = Cli.run("paths", f.toString(), "--wrt", "W1[1,1]", "--top", "3");
            assertTrue(top.out().startsWith("∂L/∂W1[1,1]: " + 2 * n + " paths from W1[1,1] to L"), top.out() + where);
            Cli book = Cli.run("paths", f.toString(), "--wrt", "W1[1,1]", "--notation", "book", "--max-paths", "3");
            for (Cli c : List.of(paths, b1, top, book)) {
                for (String line : c.out().split("\n")) {
                    if (line.startsWith("path ")) {
                        assertFalse(line.contains("mean"), line + where);
                    }
                }
            }

            Cli json = Cli.run("paths", f.toString(), "--wrt", "W1[1,1]", "--json", "--max-paths", "1000");
            Map<String, Object> object = TestJson.object(json.out());
            assertEquals(2 * n, ((Number) object.get("count")).intValue(), where);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> listed = (List<Map<String, Object>>) object.get("paths");
            assertEquals(2 * n, listed.size(), where);
            for (Map<String, Object> p : listed) {
                assertEquals(6, ((List<?>) p.get("nodes")).size(), p.toString());
                assertFalse(p.get("nodes").toString().contains("mean"), p.toString());
            }

            // the drawing: every vertex but the mean, and the spec's edges: x[j] → h.in[i] and
            // W1[i,j] → h.in[i] (2n each), b1 → h.in[i], h.in[i] → h[i] (n each), h[j] → c[k]
            // (n²), c[k] → o[m] and W2[m,k] → o[m] (2n each), b2 → o[m], o[m] → L, y[m] → L (2 each)
            Cli graph = Cli.run("graph", f.toString());
            assertEquals(0, graph.status(), graph.err());
            assertFalse(graph.out().contains("mean"), where);
            assertEquals(2 * n + 2 * n + n + n + n * n + 2 * n + 2 * n + 2 + 2 + 2, count(graph.out(), " -> "), where);
            long vertices = 2 + 2 + 2 * n + 1 + 2 * n + 1 + n + n + n + 2 + 1; // x, y, W1, b1, W2, b2, h.in, h, c, o, L
            assertEquals(vertices, graph.out().lines().filter(l -> l.matches("  n[0-9]+ \\[label=.*")).count(), where);

            Cli latex = Cli.run("latex", f.toString(), "--wrt", "W1[1,1]");
            assertEquals(0, latex.status(), latex.err());
            assertTrue(latex.out().contains(2 * n + " paths lead from $W^{(1)}_{1,1}$"), where);
            assertFalse(latex.out().contains("\\partial c^{\\mathrm{mean}}"), where);
            assertTrue(latex.out().contains("\\frac{\\partial c_{1}}{\\partial h_{1}} &= \\frac{" + (n - 1) + "}{" + n + "}"), where);
            assertTrue(latex.out().contains("\\frac{\\partial c_{2}}{\\partial h_{1}} &= -\\frac{1}{" + n + "}"), where);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
