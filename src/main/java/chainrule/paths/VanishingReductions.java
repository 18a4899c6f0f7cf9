package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The edges out of a shared reduction ({@code v.mean}, see docs/design.md) whose part of every
 * derivative is identically 0, so that closed forms leave out the paths through them.
 *
 * <p>In a centred sum the reduction's own δ vanishes: in {@code v = sum((x - mean(x))^2)/874},
 * δ(v.mean) = Σᵢ −2·(x[i] − v.mean)/874, which is 0 because v.mean is the mean of x. Written into
 * every closed form, each of the 875 gradients would carry that 875-term zero; a textbook writes
 * ∂v/∂x[i] = 2·(x[i] − v.mean)/874. The same holds in a standard deviation, a layer or batch norm
 * (the edge from the mean into the variance), any centred sum.
 *
 * <p>How it is decided: the expression in question (an edge factor out of the reduction, or, when
 * the reduction feeds several vertices, its whole δ, the sum over its edges of factor times the δ
 * of the vertex the edge enters, built from edge factors) gets the definitions of the vertices
 * computed from the reduction substituted for their symbols, then the reduction's own definition
 * for its symbol; the normal form of {@link Exprs} then decides, with exact rationals:
 * {@code 875·(Σx/875) − Σx} is exactly 0. Every substitution replaces a name by its definition, so
 * a 0 is an identity, never a coincidence of the file's numbers; anything else keeps the edges.
 *
 * <p>Bounded by work, not by time: the region below a reduction, the sizes of the expressions
 * before and after each substitution and the number of substitution rounds are capped, and past a
 * cap the edges are kept (as before). A graph without shared reductions costs one look at each
 * vertex. The path listing does not ask this class: it lists every path, those through a vanishing
 * edge with their value 0.
 */
final class VanishingReductions {
    /** The most tree nodes an expression of the test may have, before or after a substitution. */
    static final long SIZE_LIMIT = 200_000;
    /** The most vertices below a reduction for which its whole δ is built. */
    static final int REGION_LIMIT = 4_000;
    /** The most rounds of substituting definitions of vertices computed from the reduction. */
    static final int ROUNDS = 8;

    private final PathGraph graph;
    /** The edges whose part vanishes, by identity. */
    private final Set<Edge> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The dropped edges whose own factor is identically 0 (not only the δ they all carry), by identity. */
    private final Set<Edge> zeroFactors = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The vertices that still reach the loss without a dropped edge; null when nothing is dropped. */
    private Set<Vertex> live;

    private VanishingReductions(PathGraph graph) {
        this.graph = graph;
    }

    /** The vanishing edges of {@code graph} (use {@link PathGraph#vanishingReductions()}, which keeps them). */
    static VanishingReductions of(PathGraph graph) {
        VanishingReductions v = new VanishingReductions(graph);
        for (Vertex m : graph.vertices()) {
            if (m.group().origin() == VertexGroup.Origin.SHARED_REDUCTION && m.isDefined()
                    && graph.reachedFromParameter(m) && graph.reachesLoss(m)) {
                v.examine(m);
            }
        }
        if (!v.dropped.isEmpty()) {
            v.live = v.liveVertices();
        }
        return v;
    }

    /**
     * Whether a closed form follows {@code e}: its part of the derivative is not known to vanish,
     * and it leads to the loss over such edges.
     */
    boolean carries(Edge e) {
        if (live == null) {
            return graph.reachesLoss(e.to());
        }
        return !dropped.contains(e) && live.contains(e.to());
    }

    /** Whether {@code e}'s part of every derivative through it is identically 0. */
    boolean vanishes(Edge e) { return dropped.contains(e); }

    /**
     * Whether {@code e}'s own factor is identically 0 (∂v/∂v.mean of a centred sum): a route of
     * local factors through it adds nothing to a merged edge's factor. An edge dropped only because
     * the reduction's whole δ vanishes keeps its factor (−1 of {@code d[k] = x[k] − mean(x)}).
     */
    boolean factorVanishes(Edge e) { return zeroFactors.contains(e); }

    /** Drops the edges out of {@code m} whose factor vanishes, then all of them if its δ over the rest does. */
    private void examine(Vertex m) {
        Set<Vertex> region = region(m);
        List<Edge> kept = new ArrayList<>();
        for (Edge e : graph.outgoing(m)) {
            if (!graph.reachesLoss(e.to())) {
                continue;
            }
            if (isIdenticallyZero(e.factor(), m, region)) {
                dropped.add(e);
                zeroFactors.add(e);
            } else {
                kept.add(e);
            }
        }
        // With one edge left, δ(m) is its factor times a δ above, which vanishes only if that δ
        // does: not this class's case. With several, their sum may cancel (d = x − mean(x) with
        // loss sum(d²): δ(mean) = Σ −δ(d[i]) = Σ −2·d[i]/n).
        if (kept.size() >= 2 && region != null) {
            Expr delta = delta(m, kept, region);
            if (delta != null && isIdenticallyZero(delta, m, region)) {
                dropped.addAll(kept);
            }
        }
    }

    /**
     * The vertices below {@code m} that reach the loss, m included, or null past
     * {@link #REGION_LIMIT}.
     */
    private Set<Vertex> region(Vertex m) {
        Set<Vertex> region = new HashSet<>();
        region.add(m);
        List<Vertex> stack = new ArrayList<>(List.of(m));
        while (!stack.isEmpty()) {
            for (Edge e : graph.outgoing(stack.remove(stack.size() - 1))) {
                if (graph.reachesLoss(e.to()) && region.add(e.to())) {
                    if (region.size() > REGION_LIMIT) {
                        return null;
                    }
                    stack.add(e.to());
                }
            }
        }
        return region;
    }

    /**
     * δ(m) over the edges {@code kept} as one expression of vertex symbols: each vertex's δ below m
     * the sum over its edges (dropped ones left out) of factor times the δ above, by reverse
     * accumulation over the region; null past {@link #SIZE_LIMIT}.
     */
    private Expr delta(Vertex m, List<Edge> kept, Set<Vertex> region) {
        List<Vertex> order = new ArrayList<>(region);
        order.sort((a, b) -> Integer.compare(graph.position(b), graph.position(a))); // from the loss down
        Map<Vertex, Expr> deltas = new HashMap<>();
        Vertex loss = graph.network().loss();
        for (Vertex v : order) {
            if (v == m) {
                continue;
            }
            if (v == loss) {
                deltas.put(v, Exprs.ONE);
                continue;
            }
            List<Edge> out = new ArrayList<>();
            for (Edge e : graph.outgoing(v)) {
                if (graph.reachesLoss(e.to()) && !dropped.contains(e)) {
                    out.add(e);
                }
            }
            Expr d = sumOfProducts(out, deltas);
            if (d == null) {
                return null;
            }
            deltas.put(v, d);
        }
        return sumOfProducts(kept, deltas);
    }

    /** Σ factor(e)·δ(e.to) over {@code edges}, or null past {@link #SIZE_LIMIT}. */
    private static Expr sumOfProducts(List<Edge> edges, Map<Vertex, Expr> deltas) {
        List<Expr> terms = new ArrayList<>(edges.size());
        long size = 0;
        for (Edge e : edges) {
            Expr above = deltas.get(e.to());
            if (above == null) {
                return null; // not in the region: cannot happen for a region closed under edges
            }
            Expr t = Exprs.mul(e.factor(), above);
            size += t.treeSize();
            if (size > SIZE_LIMIT) {
                return null;
            }
            terms.add(t);
        }
        Expr sum = Exprs.add(terms);
        return sum.treeSize() > SIZE_LIMIT ? null : sum;
    }

    /**
     * Whether {@code e} is 0 once the vertices computed from {@code m} (those of {@code region}, if
     * any) and then m itself are replaced by their definitions. Vertices computed from m go first
     * so that m's coefficient is collected before m's definition, a sum over the whole vector, is
     * written in: substituted into each of n terms it would make n² of them.
     */
    private boolean isIdenticallyZero(Expr e, Vertex m, Set<Vertex> region) {
        e = withoutCommonFactors(FoldedReductions.expandCalls(e, graph.network()));
        if (region != null) {
            for (int round = 0; round < ROUNDS && !isZero(e); round++) {
                Map<Sym, Expr> below = new HashMap<>();
                for (Vertex v : region) {
                    if (v != m && v.isDefined()) {
                        below.put(v.symbol(), v.definition());
                    }
                }
                below.keySet().retainAll(Symbols.free(e));
                if (below.isEmpty()) {
                    break;
                }
                e = substitute(e, below);
                if (e == null) {
                    return false;
                }
            }
        }
        if (isZero(e)) {
            return true;
        }
        e = substitute(e, Map.of(m.symbol(), m.definition()));
        return e != null && isZero(e);
    }

    /**
     * A sum with the factors every term shares divided out ({@code Σᵢ −4·d[i]·S} is {@code S·Σᵢ −4·d[i]}):
     * the rest is 0 where the sum is, and the normal form, which expands a number times a sum but
     * not a product of sums, can then see it. Anything else as it is.
     */
    static Expr withoutCommonFactors(Expr e) {
        if (!(e instanceof chainrule.expr.Sum sum)) {
            return e;
        }
        List<Expr> common = null;
        for (Expr t : sum.terms()) {
            List<Expr> factors = new ArrayList<>();
            for (Expr f : t instanceof chainrule.expr.Product p ? p.factors() : List.of(t)) {
                if (!(f instanceof Num)) {
                    factors.add(f);
                }
            }
            if (common == null) {
                common = factors;
            } else {
                common.retainAll(factors);
            }
            if (common.isEmpty()) {
                return e;
            }
        }
        List<Expr> rest = new ArrayList<>(sum.terms().size());
        for (Expr t : sum.terms()) {
            List<Expr> factors = new ArrayList<>(t instanceof chainrule.expr.Product p ? p.factors() : List.of(t));
            for (Expr f : common) {
                factors.remove(f);
            }
            rest.add(Exprs.mul(factors));
        }
        return Exprs.add(rest);
    }

    private static boolean isZero(Expr e) {
        return e instanceof Num n && n.isZero();
    }

    /**
     * {@code e} with {@code definitions} substituted and renormalised, or null when its tree,
     * written out, would pass {@link #SIZE_LIMIT} (measured before substituting, so a blow-up is
     * never built).
     */
    private static Expr substitute(Expr e, Map<Sym, Expr> definitions) {
        if (sizeAfter(e, definitions, new IdentityHashMap<>()) > SIZE_LIMIT) {
            return null;
        }
        Expr r = Substitution.replace(e, definitions);
        return r.treeSize() > SIZE_LIMIT ? null : r;
    }

    /** The tree size of {@code e} with {@code definitions} written in, before renormalising (saturating). */
    private static long sizeAfter(Expr e, Map<Sym, Expr> definitions, Map<Expr, Long> memo) {
        if (e instanceof Sym s) {
            Expr d = definitions.get(s);
            return d == null ? 1 : d.treeSize();
        }
        Long known = memo.get(e);
        if (known != null) {
            return known;
        }
        long n = 1;
        for (Expr c : e.children()) {
            n += sizeAfter(c, definitions, memo);
            if (n > SIZE_LIMIT) {
                break; // past the cap: the exact count no longer matters
            }
        }
        memo.put(e, n);
        return n;
    }

    /** The vertices that reach the loss over edges not dropped, found from the loss backwards. */
    private Set<Vertex> liveVertices() {
        Set<Vertex> reach = new HashSet<>();
        List<Vertex> order = graph.vertices();
        Vertex loss = graph.network().loss();
        for (int i = order.size() - 1; i >= 0; i--) {
            Vertex v = order.get(i);
            if (v == loss) {
                reach.add(v);
                continue;
            }
            if (!graph.reachesLoss(v)) {
                continue;
            }
            for (Edge e : graph.outgoing(v)) {
                if (!dropped.contains(e) && reach.contains(e.to())) {
                    reach.add(v);
                    break;
                }
            }
        }
        return reach;
    }
}
