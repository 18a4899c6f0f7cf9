package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The shortcuts that let {@code grad --wrt 'W1[1,1]'} and the playground skip most of a large
 * network give the numbers of the full reverse pass (itself checked against finite differences and
 * path sums in {@link PathsPropertiesTest}): the δs below some parameters, each computed on fresh
 * values so no memo is shared; the memoised full pass; and the pass that stops at an infinite δ.
 */
class AdjointsBelowPropertiesTest {

    @Property(tries = 200)
    void deltasBelowSomeParametersAreTheFullPassNumbers(@ForAll long seed) throws DiagnosticException {
        String text = RandomNetworks.source(seed);
        Network net = Analyzer.analyze(new Source("random.nn", text));
        PathGraph graph = PathGraph.of(net);
        Map<Vertex, Double> full = ReverseAccumulator.adjoints(graph, Values.of(net));
        Random random = new Random(seed);
        List<Vertex> some = new ArrayList<>();
        for (Vertex p : net.parameters()) {
            if (random.nextBoolean()) {
                some.add(p);
            }
        }
        Map<Vertex, Double> below = ReverseAccumulator.adjointsBelow(graph, Values.of(net), some);
        for (Vertex p : some) {
            assertNotNull(below.get(p), () -> p.name() + "\n" + text);
        }
        for (Map.Entry<Vertex, Double> e : below.entrySet()) {
            assertEquals(full.get(e.getKey()), e.getValue(), () -> e.getKey().name() + "\n" + text);
        }
        Values values = Values.of(net);
        Map<Vertex, Double> once = ReverseAccumulator.adjoints(graph, values);
        assertSame(once, ReverseAccumulator.adjoints(graph, values), "computed once per values and graph");
        assertEquals(full, once);
        Map<Vertex, Double> unlessInfinite = ReverseAccumulator.adjointsUnlessInfinite(graph, Values.of(net));
        boolean finite = full.entrySet().stream()
                .allMatch(e -> Double.isFinite(e.getValue()) || !graph.reachesLoss(e.getKey()));
        assertEquals(finite ? full : null, unlessInfinite, text);
    }
}
