package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.print.ChainText;
import chainrule.print.GradientReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Softmax with cross-entropy in a network past {@link ClosedForm#SHARED_DELTAS_ABOVE} vertices,
 * where δs are shared between parameters: {@code grad --wrt} names the output layer's δ as a
 * textbook does, {@code δ(p.in[k]) = p[k]·Σy − y[k]} with Σy the given values' sum as a number
 * ({@code 7·p[k]/5 - y[k]} for y = [0.2, 0.3, 0.9]) and {@code p[k] - y[k]} for a one-hot target,
 * not the softmax Jacobian summed over every output. Values are checked against central
 * differences of the loss (interpreter forward passes only) and the hand formula
 * {@code p[k]·(y[1] + y[2] + y[3]) − y[k]} from the forward values.
 */
class SharedSoftmaxCancellationTest {
    /** 100 inputs, 50 relu units, 3 softmax outputs: past 5,000 vertices. */
    private static final String LAYERS = """
            input x[100] = 0.5
            target y[3] = TARGET
            weight W1[50,100] = 0.01, W2[3,50] = 0.02
            bias b1[50] = 0.1, b2[3] = -0.1
            h = relu(W1 @ x + b1)
            p = softmax(W2 @ h + b2)
            loss L = cross_entropy(p, y)
            """;

    /** Every weight and bias made different, so that no two outputs agree by symmetry. */
    private static Network network(String target) throws Exception {
        Network net = Analyzer.analyze(new Source("layers.nn", LAYERS.replace("TARGET", target)));
        Map<String, Double> values = new LinkedHashMap<>();
        int k = 0;
        for (String name : net.values().keySet()) {
            double v = net.values().get(name);
            values.put(name, name.startsWith("W") || name.startsWith("b") ? v * (1 + 0.5 * Math.sin(++k)) : v);
        }
        return net.withValues(values);
    }

    @Test
    void theOutputDeltaIsPTimesTheGivenSumMinusY() throws Exception {
        Network net = network("[0.2, 0.3, 0.9]");
        assertTrue(net.vertices().size() > ClosedForm.SHARED_DELTAS_ABOVE, "the network must be large enough");
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        double[] y = {0.2, 0.3, 0.9};
        for (int k = 1; k <= 3; k++) {
            Vertex b = net.vertex("b2[" + k + "]").orElseThrow();
            ClosedForm form = ClosedForm.cancelled(graph, b);
            assertTrue(form.sharesDeltas());
            Map<Vertex, Chain> deltas = ClosedForm.deltasOf(graph, List.of(form));
            Vertex pIn = net.vertex("p.in[" + k + "]").orElseThrow();
            assertEquals(java.util.Set.of(pIn), deltas.keySet(), "only δ(p.in[k]), no δ(p[j]) Jacobian terms");
            assertEquals("7·p[" + k + "]/5 - y[" + k + "]", ChainText.pretty().print(deltas.get(pIn)));
            assertEquals(chainrule.expr.Exprs.rational(7, 5), ClosedForm.targetSumBehind(deltas.get(pIn)));
            double byHand = values.vertex("p[" + k + "]") * (y[0] + y[1] + y[2]) - y[k - 1];
            assertEquals(byHand, form.value(values), 1e-12);
            assertEquals(LossDifference.central(net, "b2[" + k + "]"), form.value(values), 1e-7);
        }
        // a hidden weight refers to those δs, and its value is the loss's slope too
        Vertex w = net.vertex("W1[2,3]").orElseThrow();
        ClosedForm hidden = ClosedForm.cancelled(graph, w);
        assertEquals(LossDifference.central(net, "W1[2,3]"), hidden.value(values), 1e-7);
        String report = new GradientReport(graph, List.of(w), values).text();
        assertTrue(report.contains("δ(p.in[1]) = ∂L/∂p.in[1] = 7·p[1]/5 - y[1]"), report);
        assertTrue(report.contains("(as the target's given values sum to 7/5)"), report);
        assertTrue(!report.contains("δ(p[1])"), report);
    }

    @Test
    void aOneHotTargetGivesPMinusY() throws Exception {
        Network net = network("[0, 1, 0]");
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Vertex w = net.vertex("W2[2,7]").orElseThrow();
        ClosedForm form = ClosedForm.cancelled(graph, w);
        String report = new GradientReport(graph, List.of(w), values).text();
        assertTrue(report.contains("δ(p.in[2]) = ∂L/∂p.in[2] = p[2] - y[2]"), report);
        assertTrue(report.contains("(as the target's given values sum to 1)"), report);
        assertEquals(LossDifference.central(net, "W2[2,7]"), form.value(values), 1e-7);
        // the path listing's form keeps each edge's factor (the Jacobian)
        assertTrue(ClosedForm.deltasOf(graph, List.of(ClosedForm.of(graph, w))).keySet().stream()
                .anyMatch(v -> v.name().equals("p[1]")));
    }
}
