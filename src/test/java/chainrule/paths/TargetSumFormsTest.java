package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.TextPrinter;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.print.LatexPrinter;
import chainrule.print.LayerFormText;
import chainrule.print.LayerTermText;
import chainrule.print.Notation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Softmax with cross-entropy, and log_softmax with the negative log-likelihood, against a target
 * whose values do not sum to 1: the general form {@code p·Σy − y}, never {@code p − y}. Every
 * printed form is evaluated and compared with central finite differences of the loss (which use
 * the interpreter's forward pass only), and with the same formula computed by hand from the
 * forward values.
 */
class TargetSumFormsTest {
    private static final String NOT_UNIT = "target y[3] = [0.2, 0.5, 0.1]";

    private static Network softmaxNetwork(String target) throws Exception {
        String text = Files.readString(Path.of("examples", "softmax.nn")).replace("target y[3] = [0, 1, 0]", target);
        assertTrue(text.contains(target));
        return Analyzer.analyze(new Source("softmax.nn", text));
    }

    private static Network logSoftmaxNetwork(String target) throws Exception {
        String text = Files.readString(Path.of("src/test/resources/textbook/log-softmax-nll.nn"))
                .replace("target y[3] = [0, 0, 1]", target);
        assertTrue(text.contains(target));
        return Analyzer.analyze(new Source("log-softmax-nll.nn", text));
    }

    @Test
    void softmaxLayerWithANonUnitTargetIsPTimesTheSumMinusY() throws Exception {
        Network net = softmaxNetwork(NOT_UNIT);
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(graph, values);
        LayerForm.Group pIn = form.group("p.in").orElseThrow();
        assertEquals("p·Σy - y", LayerTermText.of(form).print(form.delta(pIn)));

        // δ(p.in) from the form, from the hand formula p[i]·(y1 + y2 + y3) − y[i], and from
        // finite differences of the loss in b2 (∂L/∂b2 = δ(p.in)) agree.
        double[] delta = form.evaluate(form.delta(pIn), values);
        double[] y = {0.2, 0.5, 0.1};
        for (int i = 0; i < 3; i++) {
            double byHand = values.vertex("p[" + (i + 1) + "]") * (y[0] + y[1] + y[2]) - y[i];
            assertEquals(byHand, delta[i], 1e-12);
            assertEquals(LossDifference.central(net, "b2[" + (i + 1) + "]"), delta[i], 1e-7);
        }
        String report = LayerFormText.gradient(graph, net.parameters(), values, Notation.DEFAULT);
        assertTrue(report.contains("δ(p.in) = ∂L/∂p.in = p·Σy - y"), report);
        assertTrue(report.contains("Σy = Σᵢ y[i] = 4/5"), report); // 0.2 + 0.5 + 0.1, exactly
        assertFalse(report.contains("sum to 1"), report);
    }

    @Test
    void aOneHotTargetKeepsPMinusY() throws Exception {
        Network net = softmaxNetwork("target y[3] = [0, 1, 0]");
        LayerForm form = LayerForm.of(PathGraph.of(net), Values.of(net));
        assertEquals("p - y", LayerTermText.of(form).print(form.delta(form.group("p.in").orElseThrow())));
    }

    @Test
    void logSoftmaxElementFormsWithANonUnitTargetAreSoftmaxTimesTheSumMinusY() throws Exception {
        Network net = logSoftmaxNetwork(NOT_UNIT);
        PathGraph graph = PathGraph.of(net);
        for (int k = 1; k <= 3; k++) {
            Vertex b = net.vertex("b[" + k + "]").orElseThrow();
            ClosedForm form = ClosedForm.of(graph, b);
            Expr s = form.simplified();
            assertNotNull(s, "b[" + k + "]");
            assertEquals(chainrule.expr.Exprs.rational(4, 5), form.simplifiedTargetSum());
            // Σy = 0.2 + 0.5 + 0.1 = 4/5: the given values' sum as a number
            assertEquals("4·softmax(z)[" + k + "]/5 - y[" + k + "]", TextPrinter.pretty().print(s));
            assertTrue(LatexPrinter.latex().print(s).contains("\\frac{4"), LatexPrinter.latex().print(s));
            double value = valueOf(s, graph);
            assertEquals(LossDifference.central(net, "b[" + k + "]"), value, 1e-7, "b[" + k + "]");
        }
        ClosedForm w = ClosedForm.of(graph, net.vertex("W[2,1]").orElseThrow());
        assertEquals("(4·softmax(z)[2]/5 - y[2])·x[1]", TextPrinter.pretty().print(w.simplified()));
        assertEquals(LossDifference.central(net, "W[2,1]"), valueOf(w.simplified(), graph), 1e-7);
    }

    @Test
    void softmaxElementFormsWithANonUnitTargetMatchFiniteDifferences() throws Exception {
        Network net = softmaxNetwork(NOT_UNIT);
        PathGraph graph = PathGraph.of(net);
        ClosedForm form = ClosedForm.of(graph, net.vertex("W2[2,1]").orElseThrow());
        assertEquals("(4·p[2]/5 - y[2])·h[1]", TextPrinter.pretty().print(form.simplified()));
        assertEquals(LossDifference.central(net, "W2[2,1]"), valueOf(form.simplified(), graph), 1e-7);
    }

    /** A formula's value at the network's forward values (every name in it is a vertex). */
    private static double valueOf(Expr e, PathGraph graph) {
        Values values = Values.of(graph.network());
        return chainrule.expr.Evaluator.evaluate(e, s -> values.vertex(s.name()));
    }
}
