package chainrule.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.print.Notation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The playground draws and lists the spec's graph: a centred 16-unit layer's shared mean
 * ({@code c.mean} in the element view) is no vertex of its drawing, the edges {@code h[j] → c[k]}
 * are there once each (factor 15/16 or −1/16, as LANGUAGE.md's graph has them), the highlighted
 * edges and the count of W1[1,1]'s paths are the spec's (16 · 2), and its flow answers.
 */
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
class SharedReductionPlaygroundTest {
    private static final Analysis.Limits LIMITS = new Analysis.Limits(10_000, 1 << 20, 2_000_000);

    private static final String TEXT = "input x[2] = [0.3, -0.6]\ntarget y[2] = [0.2, 0.7]\n"
            + "weight W1[16,2] = 0.1\nbias b1 = 0.1\nweight W2[2,16] = 0.2\nbias b2 = 0.2\n"
            + "h = tanh(W1 @ x + b1)\nc = h - mean(h)\no = W2 @ c + b2\nloss L = mse(o, y)\n";

    @Test
    @SuppressWarnings("unchecked")
    void theDrawingAndThePathsAreTheSpecsGraph() {
        Analysis.Request r = new Analysis.Request("centred.nn", TEXT, "W1[1,1]", Map.of(), null, Notation.DEFAULT);
        Map<String, Object> out = Analysis.of(r, LIMITS, null);
        assertEquals(true, out.get("ok"), out::toString);
        Map<String, Object> graph = (Map<String, Object>) out.get("graph");
        List<Map<String, Object>> vertices = (List<Map<String, Object>>) graph.get("vertices");
        List<Map<String, Object>> edges = (List<Map<String, Object>>) graph.get("edges");
        // x, y, W1, b1, W2, b2, h.in, h, c, o, L
        assertEquals(2 + 2 + 32 + 1 + 32 + 1 + 16 + 16 + 16 + 2 + 1, vertices.size());
        assertEquals(vertices.size(), ((Number) out.get("vertexCount")).intValue());
        for (Map<String, Object> v : vertices) {
            assertFalse(v.get("name").toString().contains("mean"), v.toString());
        }
        long fromH1 = 0;
        for (Map<String, Object> e : edges) {
            assertFalse(e.get("from").toString().contains("mean") || e.get("to").toString().contains("mean"), e.toString());
            if (e.get("from").equals("h[1]")) {
                fromH1++;
                assertEquals(e.get("to").equals("c[1]") ? "15/16" : "-1/16", e.get("factor"), e.toString());
                assertEquals(e.get("to").equals("c[1]") ? 0.9375 : -0.0625, ((Number) e.get("value")).doubleValue(), 0);
            }
        }
        assertEquals(16, fromH1);
        Map<String, Object> paths = (Map<String, Object>) out.get("paths");
        assertEquals(32, ((Number) paths.get("count")).intValue());
        // highlighted: W1[1,1] → h.in[1] → h[1], h[1] → c[k], c[k] → o[m], o[m] → L
        assertEquals(1 + 1 + 16 + 32 + 2, ((List<?>) paths.get("edges")).size());
        assertFalse(paths.toString().contains(".mean"), paths::toString);
        Map<String, Object> flow = Analysis.of(r, LIMITS, "flow");
        assertEquals(true, flow.get("ok"), flow::toString);
        assertTrue(flow.containsKey("flow"), flow::toString);
    }

    /**
     * The playground's KaTeX writes a factor 1/k as a fraction, as the text and the LaTeX document
     * do ({@code \frac{\operatorname{mean}(h)}{128}}, never {@code \cdot \frac{1}{128}}).
     */
    @Test
    void aFactorOneOverKIsAFraction() {
        StringBuilder h = new StringBuilder("weight h[128] = [");
        for (int i = 0; i < 128; i++) {
            h.append(i > 0 ? ", " : "").append(0.01 * (i % 7) - 0.02);
        }
        String text = h.append("]\nloss L = mean(mean(h)*h)\n").toString();
        Analysis.Request r = new Analysis.Request("mm128.nn", text, "h[1]", Map.of(), null, Notation.DEFAULT);
        Map<String, Object> out = Analysis.of(r, LIMITS, null);
        assertEquals(true, out.get("ok"), out::toString);
        String all = out.toString();
        assertFalse(all.contains("\\frac{1}{128}"), all);
        assertTrue(all.contains("\\frac{\\operatorname{mean}\\mathopen{}\\left(h\\right)}{128}"), all);
    }
}
