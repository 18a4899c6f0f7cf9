package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JSON {@code formulas} keep the factor order the text prints (docs/language.md, "Order of
 * factors"), with δs written out where they are used, and the activation–loss cancellations; each
 * formula parses back and evaluates, at the network's values, to the gradient computed by reverse
 * accumulation.
 */
class JsonFormulaOrderTest {

    /** The formulas; each is parsed back and evaluated where {@code parses} (names with a dot, h.in[1], do not parse as an expression). */
    private static Map<String, Object> json(String file, boolean parses) throws Exception {
        Network net = Analyzer.analyze(new Source(file, Files.readString(Path.of(file))));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Map<String, Object> out = new GradientReport(graph, net.parameters(), values).json();
        @SuppressWarnings("unchecked") Map<String, Object> formulas = (Map<String, Object>) out.get("formulas");
        @SuppressWarnings("unchecked") Map<String, Object> gradient = (Map<String, Object>) out.get("gradient");
        for (Vertex w : net.parameters()) {
            String formula = (String) formulas.get(w.name());
            if (!parses) {
                double value = chainrule.paths.ClosedForm.cancelled(graph, w).value(values);
                assertEquals((Double) gradient.get(w.name()), value, 1e-12, w.name());
                continue;
            }
            Expr back = PrintParsePropertiesTest.parse(formula);
            double value = Evaluator.evaluate(back, s -> values.vertex(s.name()));
            assertEquals((Double) gradient.get(w.name()), value, 1e-12 * Math.max(1, Math.abs(value)), w.name() + ": " + formula);
        }
        return formulas;
    }

    @Test
    void mazurHiddenFormulasFollowTheTextOrder() throws Exception {
        Map<String, Object> formulas = json("examples/mazur.nn", true);
        assertEquals("((out_o1 - t1)*out_o1*(1 - out_o1)*w5 + (out_o2 - t2)*out_o2*(1 - out_o2)*w7)*out_h1*(1 - out_h1)"
                + " + ((out_o1 - t1)*out_o1*(1 - out_o1)*w6 + (out_o2 - t2)*out_o2*(1 - out_o2)*w8)*out_h2*(1 - out_h2)",
                formulas.get("b1"));
    }

    @Test
    void softmaxHiddenFormulasArePMinusY() throws Exception {
        Map<String, Object> formulas = json("examples/softmax.nn", false);
        assertEquals("((p[1] - y[1])*W2[1,1] + (p[2] - y[2])*W2[2,1] + (p[3] - y[3])*W2[3,1])*step(h.in[1])*x[1]",
                formulas.get("W1[1,1]"));
    }
}
