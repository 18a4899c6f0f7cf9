package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Substitution;
import chainrule.model.Vertex;
import java.util.ArrayList;
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
        return values.adjoints(graph, g -> computeAdjoints(g, values));
    }

    private static Map<Vertex, Double> computeAdjoints(PathGraph graph, Values values) {
        return computeAdjoints(graph, values, false);
    }

    /**
     * {@link #adjoints}, or null as soon as a vertex between a parameter and the loss gets a δ that
     * is not finite (its limit included). Layer-form verification drops such a point (a probe that
     * saturates a softmax), and stopping there saves deriving every limit of a 784-128-10 network.
     */
    static Map<Vertex, Double> adjointsUnlessInfinite(PathGraph graph, Values values) {
        Map<Vertex, Double> known = values.knownAdjoints(graph);
        return known != null ? known : computeAdjoints(graph, values, true);
    }

    private static Map<Vertex, Double> computeAdjoints(PathGraph graph, Values values, boolean stopAtInfinite) {
        List<Vertex> order = graph.vertices();
        Map<Vertex, Double> delta = new HashMap<>(order.size() * 2); // never rehashed on the way
        for (int i = order.size() - 1; i >= 0; i--) {
            if (!graph.reachedFromParameter(i)) {
                continue;
            }
            Vertex u = order.get(i);
            double d = adjoint(graph, values, u, graph.outgoing(i), delta);
            if (stopAtInfinite && !Double.isFinite(d) && graph.reachesLoss(u)) {
                return null;
            }
            delta.put(u, d);
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
        return adjointsBelow(graph, values, List.of(from));
    }

    /**
     * As {@link #adjointsBelow(PathGraph, Values, Vertex)} for several vertices at once: the δs of
     * each of them and of every vertex below one of them ({@code grad --wrt 'W1[1,1]'} derives the
     * edge factors of one row of a layer, not the 100,000 of a 784-128-10 network).
     */
    public static Map<Vertex, Double> adjointsBelow(PathGraph graph, Values values, java.util.Collection<Vertex> from) {
        Map<Vertex, Double> all = values.knownAdjoints(graph);
        if (all != null) {
            return all; // the same numbers for these vertices, and more
        }
        Set<Vertex> below = new java.util.HashSet<>(from);
        List<Vertex> stack = new ArrayList<>(below);
        while (!stack.isEmpty()) {
            for (Edge e : graph.outgoing(stack.remove(stack.size() - 1))) {
                if (below.add(e.to())) {
                    stack.add(e.to());
                }
            }
        }
        Map<Vertex, Double> delta = new HashMap<>();
        List<Vertex> order = graph.vertices();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex u = order.get(i);
            if (below.contains(u)) {
                delta.put(u, adjoint(graph, values, u, graph.outgoing(u), delta));
            }
        }
        return delta;
    }

    /**
     * δ(u) from the δs of the vertices its edges lead to. When an edge factor or the sum comes out
     * nan or infinite, δ(u) is also formed symbolically: the sum of edge factors times the δs below,
     * each δ a number where it is finite and nonzero, else its own symbolic form; normalised (so
     * {@code p·(1 - p)·(-1/p)} is {@code p - 1}, and {@code 0.5/u · 2·u} is 1) and evaluated. A
     * removable singularity thus gets its limit. When that is not finite either and an infinite
     * factor meets a δ of exactly 0, δ(u) is nan, reported by the caller: the zero-adjoint
     * convention (take that product as 0) is not a limit — sin(√w)² has derivative 1 at w = 0,
     * where δ(√w) = 2·sin(√w)·cos(√w) is 0 — and a silent wrong 0 is worse than the error.
     */
    private static double adjoint(PathGraph graph, Values values, Vertex u, List<Edge> outgoing, Map<Vertex, Double> delta) {
        double d = u == graph.network().loss() ? 1.0 : 0.0;
        boolean singular = false;
        boolean zeroTimesInfinite = false;
        for (Edge e : outgoing) {
            double below = delta.get(e.to());
            if (below != 0) {
                double factor = values.of(e);
                d += factor * below;
                singular |= !Double.isFinite(factor);
            } else if (graph.reachesLoss(e.to()) && !Double.isFinite(values.of(e))) {
                singular = true; // an infinite factor times a δ of 0: see below
                zeroTimesInfinite = true;
            }
        }
        if (!singular && Double.isFinite(d)) {
            return d;
        }
        // what no parameter reaches is a number for this limit (h = relu(x - 1) with x an input: a 0
        // that no change of w moves, so h·sqrt′(w) is 0 at w = 0), as inputs, targets and consts are
        Map<Expr, Expr> fixed = values.unreached(graph, g -> {
            Map<Expr, Expr> numbers = new HashMap<>();
            for (Vertex v : g.vertices()) {
                if (!g.reachedFromParameter(v)) {
                    numbers.put(v.symbol(), Exprs.num(values.vertex(v.name())));
                }
            }
            return numbers;
        });
        double limit = Limits.value(Substitution.replace(symbolic(graph, values, u, delta, new HashMap<>()), fixed), values);
        return Double.isFinite(limit) ? limit : zeroTimesInfinite ? Double.NaN : d;
    }

    /** δ(u) as an expression over the vertex values, for {@link #adjoint}. */
    private static Expr symbolic(PathGraph graph, Values values, Vertex u, Map<Vertex, Double> delta,
            Map<Vertex, Expr> memo) {
        Expr known = memo.get(u);
        if (known != null) {
            return known;
        }
        List<Expr> terms = new ArrayList<>();
        if (u == graph.network().loss()) {
            terms.add(Exprs.ONE);
        }
        for (Edge e : graph.outgoing(u)) {
            Double below = delta.get(e.to());
            if (below == null) {
                continue;
            }
            // a δ of exactly 0 stays symbolic: it is multiplied by an infinite factor above, and
            // 0 as a number would make that product 0 whatever its limit (sin(√w)² at w = 0)
            boolean exact = Double.isFinite(below) && below != 0;
            Expr rest = exact ? Exprs.num(below) : symbolic(graph, values, e.to(), delta, memo);
            terms.add(Limits.expand(Exprs.mul(values.stableFactor(e), rest)));
        }
        Expr out = Exprs.add(terms);
        memo.put(u, out);
        return out;
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
