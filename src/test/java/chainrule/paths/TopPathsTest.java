package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The best-first search against the brute force: every path, stably sorted by |product|. */
class TopPathsTest {

    /** |product| exactly, computed here independently of the search. */
    static BigDecimal exactMagnitude(Path p, Values values) {
        BigDecimal m = BigDecimal.ONE;
        for (Edge e : p.edges()) {
            m = m.multiply(new BigDecimal(Math.abs(values.of(e))));
        }
        return m;
    }

    /**
     * A random layered network: widths 1-3, random activations, weights drawn partly from a few
     * round values (so that exact ties are common) and partly at random, a bias per layer.
     */
    static String randomNetwork(long seed) {
        Random r = new Random(seed);
        String[] activations = {"sigmoid", "relu", "tanh", "leaky_relu"};
        double[] round = {1, -1, 0.5, 2, 0, -0.5};
        int layers = 2 + r.nextInt(3);
        StringBuilder src = new StringBuilder("input x1 = 0.7, x2 = -1.2\ntarget t = 0.3\n");
        List<String> previous = List.of("x1", "x2");
        for (int l = 1; l <= layers; l++) {
            int width = l == layers ? 1 + r.nextInt(2) : 1 + r.nextInt(3);
            String act = activations[r.nextInt(activations.length)];
            src.append("bias b").append(l).append(" = ").append(r.nextDouble() - 0.5).append("\n");
            List<String> units = new ArrayList<>();
            for (int u = 1; u <= width; u++) {
                List<String> terms = new ArrayList<>();
                for (int j = 0; j < previous.size(); j++) {
                    String w = "w" + l + "_" + u + "_" + (j + 1);
                    double value = r.nextBoolean() ? round[r.nextInt(round.length)] : 2 * r.nextDouble() - 1;
                    src.append("weight ").append(w).append(" = ").append(value).append("\n");
                    terms.add(w + "*" + previous.get(j));
                }
                String h = "h" + l + "_" + u;
                src.append(h).append(" = ").append(act).append("(").append(String.join(" + ", terms))
                        .append(" + b").append(l).append(")\n");
                units.add(h);
            }
            previous = units;
        }
        src.append("loss L = 0.5*(").append(String.join(" + ", previous)).append(" - t)^2\n");
        return src.toString();
    }

    @Property(tries = 60)
    void agreesWithSortingEveryPath(@ForAll long seed, @ForAll @IntRange(min = 0, max = 12) int k) throws Exception {
        Network net = Analyzer.analyze(new Source("random.nn", randomNetwork(seed)));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        for (Vertex p : net.parameters()) {
            List<Path> all = PathEnumerator.first(graph, p, Long.MAX_VALUE);
            List<Path> sorted = new ArrayList<>(all);
            // List.sort is stable: equal magnitudes keep the enumeration order.
            sorted.sort(Comparator.comparing((Path q) -> exactMagnitude(q, values)).reversed());
            List<Path> expected = sorted.subList(0, Math.min(k, sorted.size()));
            assertEquals(expected, TopPaths.largest(graph, values, p, k), p.name());
        }
    }

    /**
     * Twelve ReLU layers six units wide: a weight of the first layer has 6^11 paths, far too many to
     * list. Every weight is 0.5 except along a "highway" through unit 1 of each layer (1.5), so the
     * largest path is known: it follows the highway.
     */
    @Test
    void findsTheLargestPathsOfAnAstronomicallyLargeNetworkQuickly() throws Exception {
        int layers = 12;
        int width = 6;
        StringBuilder src = new StringBuilder("input x = 1\ntarget t = 0\n");
        for (int l = 1; l <= layers; l++) {
            for (int u = 1; u <= width; u++) {
                List<String> terms = new ArrayList<>();
                for (int j = 1; j <= (l == 1 ? 1 : width); j++) {
                    String w = "w" + l + "_" + u + "_" + j;
                    boolean highway = u == 1 && j == 1;
                    src.append("weight ").append(w).append(" = ").append(highway ? 1.5 : 0.5).append("\n");
                    terms.add(w + "*" + (l == 1 ? "x" : "h" + (l - 1) + "_" + j));
                }
                src.append("h").append(l).append("_").append(u).append(" = relu(").append(String.join(" + ", terms)).append(")\n");
            }
        }
        List<String> outputs = new ArrayList<>();
        for (int u = 1; u <= width; u++) {
            outputs.add("h" + layers + "_" + u);
        }
        src.append("loss L = 0.5*(").append(String.join(" + ", outputs)).append(" - t)^2\n");
        Network net = Analyzer.analyze(new Source("deep.nn", src.toString()));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Vertex w = net.vertex("w1_1_1").orElseThrow();
        assertEquals(BigInteger.valueOf(6).pow(11), graph.pathCount(w));

        long start = System.nanoTime();
        List<Path> top = TopPaths.largest(graph, values, w, 5);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        assertEquals(5, top.size());
        List<String> highway = new ArrayList<>(List.of("w1_1_1"));
        for (int l = 1; l <= layers; l++) {
            highway.add("h" + l + "_1.in");
            highway.add("h" + l + "_1");
        }
        highway.add("L");
        assertEquals(highway, top.get(0).vertices().stream().map(Vertex::name).toList());
        // x·(relu′ = 1)·1.5^11 along the highway, then ∂L/∂h12_1 = Σ h12 - t = sqrt(2L) since t = 0
        double lossSlope = Math.sqrt(2 * values.vertex("L"));
        assertEquals(Math.pow(1.5, 11) * lossSlope, top.get(0).value(values), 1e-9 * top.get(0).value(values));
        for (int i = 1; i < top.size(); i++) {
            assertTrue(Math.abs(top.get(i).value(values)) <= Math.abs(top.get(i - 1).value(values)));
        }
    }
}
