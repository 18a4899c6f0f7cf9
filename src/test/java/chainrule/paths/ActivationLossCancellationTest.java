package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.print.ChainText;
import chainrule.print.LayerFormText;
import chainrule.print.LayerTermText;
import chainrule.print.Notation;
import org.junit.jupiter.api.Test;

/**
 * The activation–loss cancellations in the spellings a textbook reader writes: softmax with
 * cross-entropy below a hidden weight (element form), written inside the loss (layer form), and
 * averaged over samples. Each printed form is checked as text and its value against central finite
 * differences of the loss (the interpreter's forward pass only) and a hand-written formula.
 */
class ActivationLossCancellationTest {

    private static final String HIDDEN = """
            input x[2] = [0.5, -0.3]
            target y[3] = TARGET
            weight W1[2,2] = [[0.1,0.2],[0.3,-0.4]], W2[3,2] = [[0.1,0.2],[0.3,0.4],[-0.5,0.6]]
            bias b1[2] = 0.1, b2[3] = 0
            h = tanh(W1 @ x + b1)
            p = softmax(W2 @ h + b2)
            loss L = -sum(y*log(p))
            """;

    private static Network network(String text) {
        try {
            return Analyzer.analyze(new Source("t.nn", text));
        } catch (chainrule.diag.DiagnosticException e) {
            throw new AssertionError(e);
        }
    }

    private static Network unused(String text) throws Exception {
        return Analyzer.analyze(new Source("t.nn", text));
    }

    @Test
    void softmaxCrossEntropyBelowAHiddenWeightIsPMinusY() {
        Network net = network(HIDDEN.replace("TARGET", "[0, 0, 1]"));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        ClosedForm form = ClosedForm.cancelled(graph, net.vertex("W1[1,1]").orElseThrow());
        assertEquals("((p[1] - y[1])·W2[1,1] + (p[2] - y[2])·W2[2,1] + (p[3] - y[3])·W2[3,1])·(1 - h[1]²)·x[1]",
                ChainText.pretty().print(form.chain()));
        assertTrue(form.deltas().isEmpty());
        assertEquals(chainrule.expr.Exprs.ONE, form.chainTargetSum());
        // by hand: Σₖ (p[k] − y[k])·W2[k,1]·(1 − h[1]²)·x[1]
        double[] y = {0, 0, 1};
        double[] w2 = {0.1, 0.3, -0.5};
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            sum += (values.vertex("p[" + (k + 1) + "]") - y[k]) * w2[k];
        }
        double h1 = values.vertex("h[1]");
        double byHand = sum * (1 - h1 * h1) * 0.5;
        assertEquals(byHand, form.value(values), 1e-12);
        assertEquals(LossDifference.central(net, "W1[1,1]"), form.value(values), 1e-7);
        // the path listing keeps each edge's factor
        assertFalse(ChainText.pretty().print(ClosedForm.of(graph, net.vertex("W1[1,1]").orElseThrow()).chain()).contains("p[1] - y[1]"));
        String report = LayerFormText.gradient(graph, java.util.List.of(net.vertex("W1[1,1]").orElseThrow()), values, Notation.DEFAULT);
        assertTrue(report.contains("(as the target's given values sum to 1)"), report);
        String latex = chainrule.latex.LatexDerivation.of(graph, java.util.List.of(net.vertex("W1[1,1]").orElseThrow()), values,
                Notation.DEFAULT, "t.nn", 100, false);
        assertTrue(latex.contains("\\left(p_{1} - y_{1}\\right)"), latex);
        assertTrue(latex.contains("given values sum to 1"), latex);
        String layers = chainrule.latex.LatexDerivation.of(graph, net.parameters(), values, Notation.DEFAULT, "t.nn", 100, false);
        assertTrue(layers.contains("Softmax with cross-entropy gives $p - y$ as the values of $y$ sum to 1."), layers);
    }

    @Test
    void aTargetNotSummingToOneGivesPTimesTheSumMinusYBelowAHiddenWeight() {
        Network net = network(HIDDEN.replace("TARGET", "[0.2, 0.5, 0.1]"));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        ClosedForm form = ClosedForm.cancelled(graph, net.vertex("W1[2,1]").orElseThrow());
        String text = ChainText.pretty().print(form.chain());
        // Σy = 0.2 + 0.5 + 0.1 = 4/5, written as its number (the target's values are given)
        assertTrue(text.startsWith("((4·p[1]/5 - y[1])·W2[1,2] + "), text);
        assertEquals(chainrule.expr.Exprs.rational(4, 5), form.chainTargetSum());
        assertEquals(LossDifference.central(net, "W1[2,1]"), form.value(values), 1e-7);
        String report = new chainrule.print.GradientReport(graph, java.util.List.of(net.vertex("W1[2,1]").orElseThrow()), values).text();
        assertTrue(report.contains("(as the target's given values sum to 4/5)"), report);
    }

    @Test
    void aTargetWithoutValuesKeepsItsSumWrittenOut() {
        Network net = network(HIDDEN.replace("target y[3] = TARGET", "target y[3]"));
        ClosedForm form = ClosedForm.cancelled(PathGraph.of(net), net.vertex("W1[2,1]").orElseThrow());
        String text = ChainText.pretty().print(form.chain());
        assertTrue(text.startsWith("((p[1]·(y[1] + y[2] + y[3]) - y[1])·W2[1,2] + "), text);
        assertNull(form.chainTargetSum());
    }

    @Test
    void softmaxCrossEntropyInsideTheLossHasALayerForm() {
        String[] losses = {"cross_entropy(softmax(z), y)", "-sum(y*log_softmax(z))", "-sum(y*log(softmax(z)))"};
        for (String loss : losses) {
            for (String target : new String[] {"[0, 1, 0]", "[0.2, 0.5, 0.1]"}) {
                Network net = network("""
                        input x[2] = [0.5, -0.3]
                        target y[3] = TARGET
                        weight W[3,2] = [[0.1,0.2],[0.3,0.4],[-0.5,0.6]]
                        bias b[3] = 0
                        z = W @ x + b
                        loss L = LOSS
                        """.replace("TARGET", target).replace("LOSS", loss));
                PathGraph graph = PathGraph.of(net);
                Values values = Values.of(net);
                LayerForm form = LayerForm.of(graph, values);
                LayerForm.Group z = form.group("z").orElseThrow();
                assertNotNull(form.delta(z), loss);
                boolean unit = target.startsWith("[0,");
                assertEquals(unit ? "softmax(z) - y" : "softmax(z)·Σy - y", LayerTermText.of(form).print(form.delta(z)), loss);
                double[] delta = form.evaluate(form.delta(z), values);
                double[] y = unit ? new double[] {0, 1, 0} : new double[] {0.2, 0.5, 0.1};
                double[] zs = new double[3];
                double norm = 0;
                for (int k = 0; k < 3; k++) {
                    zs[k] = values.vertex("z[" + (k + 1) + "]");
                    norm += Math.exp(zs[k]);
                }
                for (int k = 0; k < 3; k++) {
                    double byHand = Math.exp(zs[k]) / norm * (y[0] + y[1] + y[2]) - y[k];
                    assertEquals(byHand, delta[k], 1e-12, loss);
                    assertEquals(LossDifference.central(net, "b[" + (k + 1) + "]"), delta[k], 1e-7, loss);
                }
                String report = LayerFormText.gradient(graph, net.parameters(), values, Notation.DEFAULT);
                assertTrue(report.contains("∂L/∂W = δ(z) ⊗ x"), report);
                assertEquals(unit, report.contains("gives softmax(z) - y as y's values sum to 1"), report);
                assertEquals(unit && loss.contains("log_softmax"), report.contains("log_softmax with the negative log-likelihood"), report);
            }
        }
    }

    @Test
    void aMeanOfSoftmaxCrossEntropiesIsPMinusYOverTheCount() {
        Network net = network("""
                input x1[2] = [0.5, -0.3], x2[2] = [0.1, 0.9]
                target y1[3] = [0, 1, 0], y2[3] = [1, 0, 0]
                weight W[3,2] = [[0.1,0.2],[0.3,0.4],[-0.5,0.6]]
                bias b[3] = 0
                p1 = softmax(W @ x1 + b)
                p2 = softmax(W @ x2 + b)
                loss L = (cross_entropy(p1, y1) + cross_entropy(p2, y2))/2
                """);
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(graph, values);
        LayerForm.Group p1 = form.group("p1.in").orElseThrow();
        LayerForm.Group p2 = form.group("p2.in").orElseThrow();
        assertEquals("(p1 - y1)/2", LayerTermText.of(form).print(form.delta(p1)));
        assertEquals("(p2 - y2)/2", LayerTermText.of(form).print(form.delta(p2)));
        double[] d1 = form.evaluate(form.delta(p1), values);
        double[] d2 = form.evaluate(form.delta(p2), values);
        double[] y1 = {0, 1, 0};
        double[] y2 = {1, 0, 0};
        for (int k = 0; k < 3; k++) {
            assertEquals((values.vertex("p1[" + (k + 1) + "]") - y1[k]) / 2, d1[k], 1e-12);
            assertEquals((values.vertex("p2[" + (k + 1) + "]") - y2[k]) / 2, d2[k], 1e-12);
            assertEquals(LossDifference.central(net, "b[" + (k + 1) + "]"), d1[k] + d2[k], 1e-7);
        }
        String report = LayerFormText.gradient(graph, net.parameters(), values, Notation.DEFAULT);
        assertTrue(report.indexOf("δ(p1.in) = ") < report.indexOf("δ(p2.in) = "), report);
        assertTrue(report.contains("gives p1 - y1 as y1's values sum to 1"), report);
    }

    @Test
    void aMeanOfBinaryCrossEntropiesKeepsOneDifferencePerSample() {
        Network net = network("""
                input X[3,2] = [[0.5, -1.2], [1.0, 0.3], [-0.4, 0.8]]
                target t[3] = [1, 0, 1]
                weight w[2] = [0.3, -0.1]
                bias b = 0.2
                p = sigmoid(X @ w + b)
                loss L = mean(-t*log(p) - (1-t)*log(1-p))
                """);
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        for (String name : new String[] {"b", "w[1]"}) {
            ClosedForm form = ClosedForm.cancelled(graph, net.vertex(name).orElseThrow());
            String text = ChainText.pretty().print(form.chain());
            for (int i = 1; i <= 3; i++) {
                // (p[i] - t[i])/3 per sample, whichever way the simplifier's rules write the difference
                assertTrue(text.contains("(t[" + i + "] - p[" + i + "])/3") || text.contains("(p[" + i + "] - t[" + i + "])/3"), text);
            }
            assertEquals(null, form.simplified(), name);
            assertEquals(LossDifference.central(net, name), form.value(values), 1e-7, name);
        }
    }
}
