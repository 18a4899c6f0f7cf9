package chainrule.paths;

import chainrule.model.Vertex;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradient by reverse accumulation over the path graph: δ(loss) = 1 and, in reverse
 * topological order, δ(u) = Σ over edges u→v of factor(u→v)·δ(v). One pass gives ∂loss/∂w for
 * every parameter, in time linear in the number of edges however many paths there are. This is
 * how numbers are computed; paths and closed forms explain them and are checked against it.
 */
public final class ReverseAccumulator {
    private ReverseAccumulator() {}

    /**
     * ∂loss/∂v for every parameter and every vertex computed from one
     * ({@link PathGraph#reachedFromParameter}); inputs and targets are left out, so their edge
     * factors are never derived for a gradient. (A vertex entered by a weight edge uses a
     * parameter, so the pre-activations {@code flow} asks about are always there.)
     */
    public static Map<Vertex, Double> adjoints(PathGraph graph, Values values) {
        Map<Vertex, Double> delta = new HashMap<>();
        List<Vertex> order = graph.vertices();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex u = order.get(i);
            if (!graph.reachedFromParameter(u)) {
                continue;
            }
            delta.put(u, adjoint(graph, values, u, delta));
        }
        return delta;
    }

    /**
     * ∂loss/∂v for {@code from} and every vertex below it (reachable from it): the same numbers as
     * {@link #adjoints}, whose δ of a vertex depends only on the vertices below it, but only the
     * edge factors below {@code from} are derived and evaluated. For one parameter of a large
     * network that is a handful of edges instead of all of them.
     */
    public static Map<Vertex, Double> adjointsBelow(PathGraph graph, Values values, Vertex from) {
        Set<Vertex> below = graph.below(from);
        Map<Vertex, Double> delta = new HashMap<>();
        List<Vertex> order = graph.vertices();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex u = order.get(i);
            if (below.contains(u)) {
                delta.put(u, adjoint(graph, values, u, delta));
            }
        }
        return delta;
    }

    /** δ(u) from the δs of the vertices its edges lead to. */
    private static double adjoint(PathGraph graph, Values values, Vertex u, Map<Vertex, Double> delta) {
        double d = u == graph.network().loss() ? 1.0 : 0.0;
        for (Edge e : graph.outgoing(u)) {
            double below = delta.get(e.to());
            if (below != 0) {
                d += values.of(e) * below;
            }
        }
        return d;
    }

    /** ∂loss/∂w for every parameter, by name, in declaration order. */
    public static Map<String, Double> gradient(PathGraph graph, Values values) {
        Map<Vertex, Double> delta = adjoints(graph, values);
        Map<String, Double> out = new LinkedHashMap<>();
        for (Vertex p : graph.network().parameters()) {
            out.put(p.name(), delta.get(p));
        }
        return out;
    }
}
