package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.FiniteDifference;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.print.GradientReport;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Closed forms of a network past {@link ClosedForm#SHARED_DELTAS_ABOVE} vertices: δs named per
 * graph and shared, each parameter's form small ({@code x[j]·δ(h.in[i])}), values equal to reverse
 * accumulation and to finite differences of the loss.
 */
class SharedDeltasTest {
    /** 100 inputs, 50 tanh units, 10 sigmoid outputs: 5,782 vertices. */
    private static final String LAYERS = """
            input x[100] = 0.5
            target y[10] = 0.2
            weight W1[50,100] = 0.01, W2[10,50] = 0.02
            bias b1[50] = 0.1, b2[10] = -0.1
            h = tanh(W1 @ x + b1)
            o = sigmoid(W2 @ h + b2)
            loss L = sum(0.5*(y - o)^2)
            """;

    /** Every declared value made different, so that no two gradient entries agree by symmetry. */
    private static Network network() throws Exception {
        Network net = Analyzer.analyze(new Source("layers.nn", LAYERS));
        Map<String, Double> values = new LinkedHashMap<>();
        int k = 0;
        for (String name : net.values().keySet()) {
            values.put(name, net.values().get(name) * (1 + 0.5 * Math.sin(++k)));
        }
        return net.withValues(values);
    }

    @Test
    void formsNameTheDeltaOfTheVertexAParameterFeedsAndAgreeWithReverseAccumulation() throws Exception {
        Network net = network();
        assertTrue(net.vertices().size() > ClosedForm.SHARED_DELTAS_ABOVE, "the network must be large enough");
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Map<String, Double> reverse = ReverseAccumulator.gradient(graph, values);
        for (String name : List.of("W1[1,1]", "W1[50,100]", "W1[17,42]", "b1[3]", "W2[4,7]", "b2[10]")) {
            Vertex w = net.vertex(name).orElseThrow();
            ClosedForm form = ClosedForm.of(graph, w);
            assertTrue(form.sharesDeltas(), name);
            assertEquals(reverse.get(name), form.value(values), 1e-12 * Math.abs(reverse.get(name)), name);
        }
        ClosedForm w1 = ClosedForm.of(graph, net.vertex("W1[17,42]").orElseThrow());
        assertEquals("delta_h_in[17]*x[42]", chainrule.print.ChainText.plain().print(w1.chain()));
        // δ(h.in[17]) and the ten δ(o.in[k]) it uses, in forward order.
        List<String> deltas = w1.deltas().keySet().stream().map(Vertex::name).toList();
        assertEquals("h.in[17]", deltas.get(0));
        assertEquals(11, deltas.size(), deltas::toString);
        assertEquals("o.in[10]", deltas.get(10));
        assertEquals("(delta_o_in[1]*W2[1,17] + delta_o_in[2]*W2[2,17] + delta_o_in[3]*W2[3,17] + "
                        + "delta_o_in[4]*W2[4,17] + delta_o_in[5]*W2[5,17] + delta_o_in[6]*W2[6,17] + delta_o_in[7]*W2[7,17] + "
                        + "delta_o_in[8]*W2[8,17] + delta_o_in[9]*W2[9,17] + delta_o_in[10]*W2[10,17])*(1 - h[17]^2)",
                chainrule.print.ChainText.plain().print(w1.deltas().values().iterator().next()));
    }

    @Test
    void formsAgreeWithFiniteDifferencesOfTheLoss() throws Exception {
        Network net = network();
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        for (String name : List.of("W1[2,3]", "b2[5]")) {
            double closed = ClosedForm.of(graph, net.vertex(name).orElseThrow()).value(values);
            double numeric = FiniteDifference.derivative(x -> {
                Map<String, Double> v = new HashMap<>(net.values());
                v.put(name, x);
                return net.lossAt(v);
            }, net.values().get(name));
            assertEquals(numeric, closed, FiniteDifference.tolerance(closed, 0), name);
        }
    }

    @Test
    void gradJsonDefinesEverySharedDeltaOnce() throws Exception {
        Network net = network();
        PathGraph graph = PathGraph.of(net);
        GradientReport report = new GradientReport(graph, net.parameters(), Values.of(net));
        Map<String, Object> json = report.json();
        @SuppressWarnings("unchecked") Map<String, Object> formulas = (Map<String, Object>) json.get("formulas");
        @SuppressWarnings("unchecked") Map<String, Object> deltas = (Map<String, Object>) json.get("deltas");
        @SuppressWarnings("unchecked") Map<String, Object> gradient = (Map<String, Object>) json.get("gradient");
        assertEquals(net.parameters().size(), formulas.size());
        assertEquals(net.parameters().size(), gradient.size());
        assertEquals(60, deltas.size(), "δ(h.in[1..50]) and δ(o.in[1..10])");
        assertEquals("delta_o_in[4]", formulas.get("b2[4]"));
        assertEquals("delta_h_in[3]*x[7]", formulas.get("W1[3,7]"));
        assertEquals("delta_o_in[2]*h[9]", formulas.get("W2[2,9]"));
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("delta_[a-z_]+\\[\\d+\\]")
                .matcher(String.join(" ", formulas.values().stream().map(String::valueOf).toList())
                        + " " + String.join(" ", deltas.values().stream().map(String::valueOf).toList()));
        while (used.find()) {
            assertTrue(deltas.containsKey(used.group()), () -> used.group() + " is used but not defined");
        }
        assertFalse(deltas.containsKey("delta_L"), "the loss has no δ of its own");
    }

    @Test
    void pathsOfOneWeightListItsPathsAndTheSharedDeltasBelowIt() throws Exception {
        Network net = network();
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Vertex w = net.vertex("W1[17,42]").orElseThrow();
        chainrule.print.PathsReport report = chainrule.print.PathsReport.of(graph, w, 100, values, chainrule.print.Notation.DEFAULT);
        Map<String, Object> json = report.json();
        assertEquals(BigInteger.TEN, json.get("count"));
        assertEquals("delta_h_in[17]*x[42]", json.get("sum"));
        @SuppressWarnings("unchecked") Map<String, Object> deltas = (Map<String, Object>) json.get("deltas");
        assertEquals(11, deltas.size());
        double reverse = ReverseAccumulator.gradient(graph, values).get(w.name());
        assertEquals(reverse, (Double) json.get("value"), 1e-12 * Math.abs(reverse));
        String text = report.text();
        assertTrue(text.contains("∂L/∂W1[17,42] = δ(h.in[17])·x[42]\n"), text);
        assertTrue(text.contains("    where δ(h.in[17]) = ∂L/∂h.in[17] = (δ(o.in[1])·W2[1,17] + "), text);
    }

    @Test
    void smallNetworksKeepTheirOwnDeltasAndTheSharedOnesGiveTheSameValues() throws Exception {
        for (String example : List.of("examples/mazur.nn", "examples/deep-sigmoid.nn", "examples/swish.nn", "examples/mazur-vector.nn")) {
            Network net = Analyzer.analyze(new Source(example, java.nio.file.Files.readString(java.nio.file.Path.of(example))));
            PathGraph graph = PathGraph.of(net);
            Values values = Values.of(net);
            for (Vertex w : net.parameters()) {
                ClosedForm own = ClosedForm.of(graph, w);
                assertFalse(own.sharesDeltas(), example);
                double shared = graph.sharedDeltas().form(w).value(values);
                assertEquals(own.value(values), shared, 1e-12 * Math.abs(own.value(values)), example + " " + w.name());
            }
        }
    }

    @Test
    void pathCountsPastALongAreExact() throws Exception {
        // Each layer doubles the paths: p_k feeds q_k and r_k, both feed p_(k+1). 70 layers: 2^70 paths from w.
        StringBuilder text = new StringBuilder("weight w = 0.5, v = 0.25\ninput x = 1\nq0 = w*x\nr0 = v*x\n");
        for (int k = 1; k <= 70; k++) {
            text.append("p").append(k).append(" = w*q").append(k - 1).append(" + v*r").append(k - 1).append('\n')
                    .append("q").append(k).append(" = sigmoid(p").append(k).append(")\n")
                    .append("r").append(k).append(" = tanh(p").append(k).append(")\n");
        }
        text.append("loss E = q70 + r70\n");
        Network net = Analyzer.analyze(new Source("doubling.nn", text.toString()));
        PathGraph graph = PathGraph.of(net);
        // From w: into q0 (then 2^70 routes) and into every p_k (2^(71-k) routes each from p_k).
        BigInteger expected = BigInteger.TWO.pow(70);
        for (int k = 1; k <= 70; k++) {
            expected = expected.add(BigInteger.TWO.pow(71 - k));
        }
        assertEquals(expected, graph.pathCount(net.vertex("w").orElseThrow()));
        assertEquals(BigInteger.TWO.pow(70), graph.pathCount(net.vertex("q0").orElseThrow()));
        assertTrue(graph.reachesLoss(net.vertex("q0").orElseThrow()));
    }
}
