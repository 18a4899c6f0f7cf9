package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.TextPrinter;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.print.GradientReport;
import chainrule.print.LayerTermText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Linear regression with a scalar slope and intercept over vectors of data ({@code yhat = w*x + b},
 * mean squared error): the textbook's layer form {@code δ(yhat) = (yhat - y)/2},
 * {@code ∂L/∂w = Σᵢ δ(yhat)[i]·x[i]}, {@code ∂L/∂b = Σᵢ δ(yhat)[i]}, and the element closed
 * form grouped per index. Checked against central differences of the loss and against the
 * hand-written gradient of the mean squared error, (2/n)·Σᵢ (w·x[i] + b − y[i])·x[i] and
 * (2/n)·Σᵢ (w·x[i] + b − y[i]).
 */
class ScalarParameterLayerFormTest {
    private static final String REGRESSION = """
            input x[4] = [1, 2, 3, 4]
            target y[4] = [2.1, 3.9, 6.2, 7.8]
            weight w = 0.5
            bias b = 0.1
            yhat = w*x + b
            loss L = mean((yhat - y)^2)
            """;

    private static final double[] X = {1, 2, 3, 4};
    private static final double[] Y = {2.1, 3.9, 6.2, 7.8};

    @Test
    void scalarSlopeAndInterceptOverDataVectorsHaveTheLayerForm() throws Exception {
        Network net = Analyzer.analyze(new Source("regression.nn", REGRESSION));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        assertTrue(LayerForm.hasVectorParameters(net), "a scalar parameter feeding a vector gets layer forms");
        LayerForm form = LayerForm.of(graph, values);
        LayerTermText text = LayerTermText.of(form);
        assertEquals("(yhat - y)/2", text.print(form.delta(form.group("yhat").orElseThrow())));

        double dw = 0, db = 0;
        for (int i = 0; i < 4; i++) {
            double r = 0.5 * X[i] + 0.1 - Y[i];
            dw += 2.0 / 4 * r * X[i];
            db += 2.0 / 4 * r;
        }
        double[] w = form.evaluate(form.gradient(form.group("w").orElseThrow()).orElseThrow(), values);
        double[] b = form.evaluate(form.gradient(form.group("b").orElseThrow()).orElseThrow(), values);
        assertEquals(dw, w[0], 1e-12);
        assertEquals(db, b[0], 1e-12);
        assertEquals(LossDifference.central(net, "w"), w[0], 1e-7);
        assertEquals(LossDifference.central(net, "b"), b[0], 1e-7);

        String report = new GradientReport(graph, net.parameters(), values).text();
        assertTrue(report.contains("∂L/∂b = Σᵢ δ(yhat)[i]"), report);
        assertTrue(report.contains("where δ(yhat) = ∂L/∂yhat = (yhat - y)/2"), report);
    }

    @Test
    void theElementFormIsGroupedPerIndex() throws Exception {
        Network net = Analyzer.analyze(new Source("regression.nn", REGRESSION));
        PathGraph graph = PathGraph.of(net);
        ClosedForm b = ClosedForm.of(graph, net.vertex("b").orElseThrow());
        assertEquals("(yhat[1] - y[1] + yhat[2] - y[2] + yhat[3] - y[3] + yhat[4] - y[4])/2",
                TextPrinter.pretty().print(b.simplified()));
        ClosedForm w = ClosedForm.of(graph, net.vertex("w").orElseThrow());
        assertEquals("((yhat[1] - y[1])·x[1] + (yhat[2] - y[2])·x[2] + (yhat[3] - y[3])·x[3] + (yhat[4] - y[4])·x[4])/2",
                TextPrinter.pretty().print(w.simplified()));
        Values values = Values.of(net);
        for (var entry : Map.of("b", b.simplified(), "w", w.simplified()).entrySet()) {
            double v = chainrule.expr.Evaluator.evaluate(entry.getValue(), s -> values.vertex(s.name()));
            assertEquals(LossDifference.central(net, entry.getKey()), v, 1e-7, entry.getKey());
        }
    }

    @Test
    void aSumOfElementsIsPrintedGroupedByIndexOnlyWhereEveryTermIsOne() {
        var y1 = chainrule.expr.Exprs.sym("y[1]", chainrule.expr.SymKind.DATA);
        var y2 = chainrule.expr.Exprs.sym("y[2]", chainrule.expr.SymKind.DATA);
        var p1 = chainrule.expr.Exprs.sym("p[1]", chainrule.expr.SymKind.NODE);
        var p2 = chainrule.expr.Exprs.sym("p[2]", chainrule.expr.SymKind.NODE);
        var sum = chainrule.expr.Exprs.add(List.of(p1, p2, chainrule.expr.Exprs.neg(y1), chainrule.expr.Exprs.neg(y2)));
        assertEquals("p[1] - y[1] + p[2] - y[2]", TextPrinter.pretty().print(sum));
        assertEquals("p[1] - y[1] + p[2] - y[2]", TextPrinter.plain().print(sum));
        // a term that is not an element (a number): the normal form's order, unchanged
        var withOne = chainrule.expr.Exprs.add(List.of(p1, p2, chainrule.expr.Exprs.neg(y1), chainrule.expr.Exprs.neg(y2), chainrule.expr.Exprs.ONE));
        assertTrue(!TextPrinter.pretty().print(withOne).contains("p[1] - y[1] + p[2]"), TextPrinter.pretty().print(withOne));
    }
}
