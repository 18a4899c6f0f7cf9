package chainrule.paths;

import chainrule.model.Vertex;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The K paths from a parameter to the loss with the largest |product of edge factors|, found by a
 * best-first search instead of listing every path (a 12-layer network six units wide has 6^12).
 *
 * <p>First a dynamic programme over the graph, in reverse topological order, gives for every vertex
 * {@code best(v)}: the largest |product| of any path from {@code v} to the loss. A partial path from
 * the parameter to {@code v} with product {@code p} can then be completed to at most
 * {@code |p|·best(v)}, and some completion reaches exactly that. Partial paths wait in a priority
 * queue ordered by that bound (A* with an exact heuristic), so complete paths leave the queue in
 * descending order of |product|; producing K of them costs about K·length·out-degree queue
 * operations, whatever the number of paths.
 *
 * <p>Magnitudes are exact: the product of doubles as a {@link BigDecimal}. Sums of logarithms
 * would be cheaper, but their rounding can put two nearly equal paths in the wrong order, and
 * networks with equal weights are full of exact ties. Ties are broken by the order in which
 * {@link PathEnumerator} lists paths (lexicographic in edge order), so the result is exactly
 * "all paths, stably sorted by descending |product|, first K".
 */
public final class TopPaths {
    private final PathGraph graph;
    private final Values values;
    private final Map<Vertex, BigDecimal> best = new HashMap<>();

    private TopPaths(PathGraph graph, Values values, Vertex from) {
        this.graph = graph;
        this.values = values;
        bestToLoss(from);
    }

    /**
     * The {@code k} paths from {@code from} to the loss of largest |product|, largest first.
     *
     * @throws IllegalArgumentException if an edge factor on the way is not a finite number
     */
    public static List<Path> largest(PathGraph graph, Values values, Vertex from, int k) {
        return new TopPaths(graph, values, from).search(from, k);
    }

    /** |the factor's value|, exactly. */
    private BigDecimal magnitude(Edge e) {
        double v = values.of(e);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("the factor of " + e.from().name() + " → " + e.to().name()
                    + " is " + v + " at these values, so paths cannot be ranked");
        }
        return new BigDecimal(Math.abs(v));
    }

    /**
     * best(v) for every vertex below {@code from} (reachable from it) that reaches the loss: the
     * only ones the search visits, so only their edge factors are derived and evaluated.
     */
    private void bestToLoss(Vertex from) {
        java.util.Set<Vertex> reachable = graph.below(from);
        List<Vertex> order = graph.vertices();
        Vertex loss = graph.network().loss();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex v = order.get(i);
            if (!reachable.contains(v)) {
                continue;
            }
            if (v == loss) {
                best.put(v, BigDecimal.ONE);
                continue;
            }
            BigDecimal b = null;
            for (Edge e : graph.pathOutgoing(v)) {
                BigDecimal below = best.get(e.to());
                if (below != null) {
                    BigDecimal through = magnitude(e).multiply(below);
                    b = b == null || through.compareTo(b) > 0 ? through : b;
                }
            }
            if (b != null) {
                best.put(v, b);
            }
        }
    }

    /**
     * A path from the start to {@code end}: {@code choices[i]} is the index of its i-th edge in the
     * outgoing list of that edge's source, the key of the enumeration order.
     */
    private record Partial(Partial parent, Edge edge, Vertex end, int[] choices, BigDecimal product, BigDecimal bound) {
        List<Edge> edges() {
            Edge[] out = new Edge[choices.length];
            Partial p = this;
            for (int i = choices.length - 1; i >= 0; i--, p = p.parent) {
                out[i] = p.edge;
            }
            return Arrays.asList(out);
        }
    }

    /**
     * Larger bound first; on equal bounds the lexicographically smaller choice sequence, which is
     * also right between a partial and a complete path: a partial path that sorts first has all its
     * completions sort first.
     */
    private static final Comparator<Partial> ORDER = Comparator
            .comparing(Partial::bound, Comparator.reverseOrder())
            .thenComparing(Partial::choices, Arrays::compare);

    private List<Path> search(Vertex from, int k) {
        List<Path> out = new ArrayList<>();
        Vertex loss = graph.network().loss();
        if (k <= 0 || from == loss || !best.containsKey(from)) {
            return out;
        }
        PriorityQueue<Partial> queue = new PriorityQueue<>(ORDER);
        queue.add(new Partial(null, null, from, new int[0], BigDecimal.ONE, best.get(from)));
        while (!queue.isEmpty() && out.size() < k) {
            Partial p = queue.poll();
            if (p.end == loss) {
                out.add(new Path(p.edges()));
                continue;
            }
            List<Edge> edges = graph.pathOutgoing(p.end);
            for (int i = 0; i < edges.size(); i++) {
                Edge e = edges.get(i);
                BigDecimal below = best.get(e.to());
                if (below == null) {
                    continue; // a dead end: no path to the loss
                }
                int[] choices = Arrays.copyOf(p.choices, p.choices.length + 1);
                choices[p.choices.length] = i;
                BigDecimal product = p.product.multiply(magnitude(e));
                queue.add(new Partial(p, e, e.to(), choices, product, product.multiply(below)));
            }
        }
        return out;
    }
}
