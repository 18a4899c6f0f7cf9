package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Apply;
import chainrule.expr.FiniteDifference;
import chainrule.expr.RandomExprs;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * On random networks, five ways to get ∂E/∂w agree: the sum over the listed paths, the factored
 * closed form (with its own δs, and with the graph's shared δs of a large network), reverse
 * accumulation, and a finite difference of the loss.
 */
class PathsPropertiesTest {

    @Property(tries = 300)
    void pathsClosedFormReverseAndFiniteDifferenceAgree(@ForAll long seed, @ForAll int pick) throws DiagnosticException {
        String text = RandomNetworks.source(seed);
        Network net = Analyzer.analyze(new Source("random.nn", text));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Assume.that(awayFromKinks(net, values));
        List<Vertex> params = net.parameters();
        Vertex w = params.get(Math.floorMod(pick, params.size()));

        List<Path> paths = PathEnumerator.first(graph, w, 100_000);
        assertEquals(graph.pathCount(w), BigInteger.valueOf(paths.size()), () -> "path count\n" + text);
        double sumOverPaths = 0;
        for (Path p : paths) {
            sumOverPaths += p.value(values);
        }
        double closed = ClosedForm.of(graph, w).value(values);
        double shared = graph.sharedDeltas().form(w).value(values); // as a large network would name its δs
        double reverse = ReverseAccumulator.gradient(graph, values).get(w.name());
        double numeric = FiniteDifference.derivative(x -> lossWith(net, w.name(), x), net.values().get(w.name()));

        double exactTol = 1e-9 * (1 + Math.abs(reverse));
        String where = " for ∂E/∂" + w.name() + " of\n" + text;
        assertEquals(reverse, sumOverPaths, exactTol, () -> "sum over paths" + where);
        assertEquals(reverse, closed, exactTol, () -> "closed form" + where);
        assertEquals(reverse, shared, exactTol, () -> "closed form with shared δs" + where);
        assertEquals(numeric, reverse, FiniteDifference.tolerance(reverse, 0), () -> "finite difference" + where);
    }

    private static double lossWith(Network net, String name, double value) {
        Map<String, Double> v = new HashMap<>(net.values());
        v.put(name, value);
        return net.lossAt(v);
    }

    /** Every relu or leaky_relu input is well away from 0, where the derivative jumps. */
    private static boolean awayFromKinks(Network net, Values values) {
        for (Vertex v : net.definitions()) {
            if (v.isActivation() && RandomExprs.isKinked(((Apply) v.definition()).fn())
                    && Math.abs(values.vertex(v.activationInput().name())) < 1e-2) {
                return false;
            }
        }
        return true;
    }
}
