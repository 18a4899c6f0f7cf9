package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.FiniteDifference;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import chainrule.print.ChainText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Closed forms leave out the paths through a shared reduction whose part vanishes identically (a
 * centred sum's mean), and only those: on random files of each kind — a mean, a variance, a
 * standard deviation, a centred vector of its own, layer-norm style, and, as controls, sums whose
 * reduction's δ is not 0 — every parameter's closed form (its own δs and the graph's shared ones),
 * and the formula it prints, equal reverse accumulation, and a finite difference of the loss.
 */
class VanishingReductionsTest {

    /** A kind of file over a vector x of n values: its text after the declaration, and whether a reduction's part vanishes. */
    private record Kind(String name, String body, boolean vanishes) {}

    private static final List<Kind> KINDS = List.of(
            new Kind("variance", "loss v = sum((x - mean(x))^2)/(N - 1)", true),
            new Kind("weighted variance", "weight s = 1.5\nloss v = s*sum((x - mean(x))^2)/N", true),
            new Kind("standard deviation", "loss v = sqrt(sum((x - mean(x))^2)/(N - 1))", true),
            new Kind("centred vector", "d = x - mean(x)\nloss v = sum(d^2)/N", true),
            new Kind("centred vector, quartic", "d = x - mean(x)\nloss v = sum(d^2)^2", true),
            new Kind("layer norm", "input t[N] = 0.25\ns = mean((x - mean(x))^2)\n"
                    + "y = (x - mean(x))/sqrt(s + 0.01)\nloss L = sum((y - t)^2)", true),
            new Kind("centred cube (δ of the mean is −3·Σ(x − mean)², not 0)", "loss v = sum((x - mean(x))^3)", false),
            new Kind("off-centre (x − mean/2)", "loss v = sum((x - 0.5*mean(x))^2)", false),
            new Kind("centred, then weighted by a target", "input t[N] = 0.5\nloss v = sum(t*(x - mean(x))^2)", false));

    private static String source(Kind kind, int n, long seed) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("weight x[" + n + "] = [");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(Math.round((r.nextDouble() * 4 - 2) * 1e4) / 1e4);
        }
        s.append("]\n").append(kind.body().replace("(N - 1)", String.valueOf(n - 1)).replace("N", String.valueOf(n)));
        if (kind.name().equals("layer norm")) {
            // different targets, so that no δ vanishes by symmetry
            s = new StringBuilder(s.toString().replace("input t[" + n + "] = 0.25", "input t[" + n + "] = " + vector(r, n)));
        }
        if (kind.name().startsWith("centred, then weighted")) {
            s = new StringBuilder(s.toString().replace("input t[" + n + "] = 0.5", "input t[" + n + "] = " + vector(r, n)));
        }
        return s.append('\n').toString();
    }

    private static String vector(Random r, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(Math.round(r.nextDouble() * 1e3) / 1e3);
        }
        return s.append(']').toString();
    }

    @Property(tries = 45)
    void closedFormsEqualReverseAccumulationAndDropOnlyWhatVanishes(
            @ForAll @IntRange(min = 0, max = 8) int kindIndex, @ForAll @IntRange(min = 16, max = 40) int n,
            @ForAll long seed) throws DiagnosticException {
        Kind kind = KINDS.get(kindIndex);
        String text = source(kind, n, seed);
        Network net = Analyzer.analyze(new Source("centred.nn", text));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Map<String, Double> reverse = ReverseAccumulator.gradient(graph, values);
        String where = " (" + kind.name() + ") of\n" + text;

        boolean dropped = false;
        for (Vertex m : net.vertices()) {
            if (m.group().origin() == VertexGroup.Origin.SHARED_REDUCTION) {
                for (Edge e : graph.outgoing(m)) {
                    dropped |= graph.vanishingReductions().vanishes(e);
                }
            }
        }
        assertEquals(kind.vanishes(), dropped, () -> "a vanishing edge out of the shared reduction" + where);

        for (Vertex w : net.parameters()) {
            double expected = reverse.get(w.name());
            double tol = 1e-9 * (1 + Math.abs(expected));
            ClosedForm form = ClosedForm.of(graph, w);
            assertEquals(expected, form.value(values), tol, () -> "closed form for " + w.name() + where);
            assertEquals(expected, values.evaluate(form.toExpr()), tol, () -> "the formula for " + w.name() + where);
            assertEquals(expected, graph.sharedDeltas().form(w).value(values), tol, () -> "shared δs for " + w.name() + where);
        }
        Vertex x1 = net.vertex("x[1]").orElseThrow();
        double numeric = FiniteDifference.derivative(x -> lossWith(net, "x[1]", x), net.values().get("x[1]"));
        double closed = ClosedForm.of(graph, x1).value(values);
        assertEquals(numeric, closed, FiniteDifference.tolerance(closed, net.lossAt(net.values())), () -> "finite difference" + where);
    }

    private static double lossWith(Network net, String name, double value) {
        Map<String, Double> v = new HashMap<>(net.values());
        v.put(name, value);
        return net.lossAt(v);
    }

    /** The sample variance of 16 values: each derivative is the textbook's 2·(x[i] − mean)/15, not the sum that is 0 besides it. */
    @Test
    void aVariancesFormIsTheTextbooks() throws DiagnosticException {
        Network net = Analyzer.analyze(new Source("variance.nn", source(KINDS.get(0), 16, 7)));
        PathGraph graph = PathGraph.of(net);
        Vertex x1 = net.vertex("x[1]").orElseThrow();
        ClosedForm form = ClosedForm.of(graph, x1);
        assertEquals("2*(x[1] - mean(x))/15", ChainText.plain().print(form.chain()));
        assertTrue(form.deltas().isEmpty(), form.deltas()::toString);
        // The path listing is the spec's graph's: no vertex v.mean, one edge x[1] → v whose factor
        // is the sum over both routes of the element view, the mean folded back into its call
        // (the route through v.mean, whose factor is identically 0, adds nothing).
        List<Path> paths = PathEnumerator.first(graph, x1, 10);
        assertEquals(1, paths.size());
        assertEquals(List.of("x[1]", "v"), paths.get(0).vertices().stream().map(Vertex::name).toList());
        assertEquals(java.math.BigInteger.ONE, graph.pathCount(x1));
        Values values = Values.of(net);
        assertEquals(ReverseAccumulator.gradient(graph, values).get("x[1]"), paths.get(0).value(values), 1e-12);
        chainrule.expr.Expr factor = paths.get(0).edges().get(0).factor();
        assertEquals("2*(x[1] - mean(x))/15", chainrule.expr.TextPrinter.plain().print(factor));
        assertEquals(paths.get(0).value(values), values.evaluate(factor), 1e-12);
    }

    /** A reduction that is not a centred sum's keeps its edges: its δ is not 0. */
    @Test
    void aPlainMeanKeepsItsPaths() throws DiagnosticException {
        Network net = Analyzer.analyze(new Source("mean.nn", "weight x[16] = 0.5\nweight w[16] = 0.25\n"
                + "y = w*x - mean(x)\nloss L = sum(y^2)\n"));
        PathGraph graph = PathGraph.of(net);
        for (Vertex m : net.vertices()) {
            for (Edge e : graph.outgoing(m)) {
                assertFalse(graph.vanishingReductions().vanishes(e), e::toString);
            }
        }
    }
}
