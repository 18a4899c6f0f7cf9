package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * ∂loss/∂w as the factored sum over all paths: shared prefixes pulled out by the series-parallel
 * structure, and shared suffixes named as δ terms (δ(v) = ∂loss/∂v), the way backpropagation is
 * written by hand. Its size is bounded by the number of edges below w, never by the number of paths.
 *
 * <p>Which vertices get a δ depends on the size of the network:
 * <ul>
 * <li>In a network of at most {@link #SHARED_DELTAS_ABOVE} vertices each parameter's form is built
 *     on its own, naming δ(v) wherever two or more of <em>its</em> paths meet at v; the rest is
 *     written out ({@code i1·σ′·(w5·σ′·∂E + w7·σ′·∂E)}).</li>
 * <li>In a larger network (a layer of vectors) the δs are the graph's: δ(v) is named wherever two or
 *     more edges that paths from parameters use meet at v, whatever the parameter, and each δ is
 *     built once and shared by every form that uses it. A first-layer weight of a 784-128-10
 *     network is then {@code x[1]·δ(h.in[1])} with δ(h.in[1]) = {@code step(h.in[1])·(W2[1,1]·δ(o.in[1]) + …)},
 *     as a textbook writes it, instead of each of 100,352 forms spelling out the layers above.
 *     {@link #sharesDeltas()} says which kind a form is.</li>
 * </ul>
 */
public final class ClosedForm {
    /** Networks with more vertices than this name their δs per graph and share them (see the class comment). */
    public static final int SHARED_DELTAS_ABOVE = 5_000;

    private final Vertex wrt;
    private final Chain chain;
    private final boolean sharesDeltas;
    private Supplier<Map<Vertex, Chain>> deltaSource;
    private Map<Vertex, Chain> deltas;

    /**
     * @param deltas every δ the chain uses, directly or through other δs, each defined by its own
     *               chain, in forward order
     */
    public ClosedForm(Vertex wrt, Chain chain, Map<Vertex, Chain> deltas) {
        this(wrt, chain, false, null);
        this.deltas = Collections.unmodifiableMap(new LinkedHashMap<>(deltas));
    }

    private ClosedForm(Vertex wrt, Chain chain, boolean sharesDeltas, Supplier<Map<Vertex, Chain>> deltaSource) {
        this.wrt = wrt;
        this.chain = chain;
        this.sharesDeltas = sharesDeltas;
        this.deltaSource = deltaSource;
    }

    public Vertex wrt() { return wrt; }

    public Chain chain() { return chain; }

    /** Whether the δs are the graph's, shared with other parameters' forms (a large network). */
    public boolean sharesDeltas() { return sharesDeltas; }

    /** Every δ the form uses, directly or through other δs, each with its chain, in forward order. */
    public synchronized Map<Vertex, Chain> deltas() {
        if (deltas == null) {
            deltas = deltaSource.get(); // a shared form's closure, worked out only when asked for
            deltaSource = null;
        }
        return deltas;
    }

    public static ClosedForm of(PathGraph graph, Vertex wrt) {
        if (graph.vertices().size() > SHARED_DELTAS_ABOVE) {
            return graph.sharedDeltas().form(wrt);
        }
        // Vertices below wrt that reach the loss, and how many of those vertices' edges enter each.
        // Edges out of a shared reduction whose part is identically 0 (a centred sum's mean) are
        // left out, as if absent: they neither add a term nor make a vertex a meeting point.
        VanishingReductions vanishing = graph.vanishingReductions();
        Set<Vertex> live = new HashSet<>();
        Map<Vertex, Integer> inDegree = new HashMap<>();
        List<Vertex> stack = new ArrayList<>();
        stack.add(wrt);
        live.add(wrt);
        while (!stack.isEmpty()) {
            Vertex v = stack.remove(stack.size() - 1);
            for (Edge e : graph.outgoing(v)) {
                if (vanishing.carries(e)) {
                    inDegree.merge(e.to(), 1, Integer::sum);
                    if (live.add(e.to())) {
                        stack.add(e.to());
                    }
                }
            }
        }
        Vertex loss = graph.network().loss();
        Set<Vertex> named = new HashSet<>();
        for (Map.Entry<Vertex, Integer> e : inDegree.entrySet()) {
            if (e.getValue() > 1 && e.getKey() != loss) {
                named.add(e.getKey());
            }
        }
        Map<Vertex, Chain> deltas = new HashMap<>();
        Chain root = new Builder(graph, named::contains, deltas).expand(wrt);
        ClosedForm form = new ClosedForm(wrt, root, inForwardOrder(graph, deltas));
        form.graph = graph;
        return form;
    }

    /** The δs of {@code deltas} in forward (topological) order, so each is defined after those it is used by. */
    private static Map<Vertex, Chain> inForwardOrder(PathGraph graph, Map<Vertex, Chain> deltas) {
        List<Vertex> vertices = new ArrayList<>(deltas.keySet());
        vertices.sort(Comparator.comparingInt(graph::position));
        Map<Vertex, Chain> ordered = new LinkedHashMap<>();
        for (Vertex v : vertices) {
            ordered.put(v, deltas.get(v));
        }
        return Collections.unmodifiableMap(ordered);
    }

    /**
     * Every δ that {@code forms} use, each once, in forward order: what a report on many forms of
     * a large network defines once, after them. Shared δs are followed once however many forms
     * reach them.
     */
    public static Map<Vertex, Chain> deltasOf(PathGraph graph, Collection<ClosedForm> forms) {
        Map<Vertex, Chain> used = new HashMap<>();
        List<Chain> roots = new ArrayList<>();
        List<Vertex> sharing = new ArrayList<>();
        for (ClosedForm f : forms) {
            if (f.sharesDeltas) {
                roots.add(f.chain);
                sharing.add(f.wrt);
            } else {
                used.putAll(f.deltas());
            }
        }
        if (roots.isEmpty()) {
            return inForwardOrder(graph, used);
        }
        if (used.isEmpty()) {
            return graph.sharedDeltas().closure(sharing, roots);
        }
        graph.sharedDeltas().collect(roots, used);
        return inForwardOrder(graph, used);
    }

    /** Expands chains from a vertex down to the loss, referring to named vertices as δ and defining those in {@code deltas}. */
    private static final class Builder {
        final PathGraph graph;
        final Predicate<Vertex> named;
        final Map<Vertex, Chain> deltas;
        final VanishingReductions vanishing;

        Builder(PathGraph graph, Predicate<Vertex> named, Map<Vertex, Chain> deltas) {
            this.graph = graph;
            this.named = named;
            this.deltas = deltas;
            this.vanishing = graph.vanishingReductions();
        }

        /** The chain from v to the loss, with named vertices below v referenced as δ. */
        Chain expand(Vertex v) {
            if (v == graph.network().loss()) {
                return new Chain.Series(List.of());
            }
            List<Chain> alternatives = new ArrayList<>();
            for (Edge e : graph.outgoing(v)) {
                if (!vanishing.carries(e)) {
                    continue;
                }
                List<Chain> parts = new ArrayList<>();
                parts.add(new Chain.Factor(e));
                Chain rest = below(e.to());
                if (rest instanceof Chain.Series s) {
                    parts.addAll(s.parts());
                } else {
                    parts.add(rest);
                }
                alternatives.add(new Chain.Series(parts));
            }
            if (alternatives.isEmpty()) {
                return new Chain.Parallel(List.of()); // no path: the derivative is 0
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new Chain.Parallel(alternatives);
        }

        private Chain below(Vertex v) {
            if (named.test(v)) {
                if (!deltas.containsKey(v)) {
                    deltas.put(v, null); // reserve, then fill (the graph is acyclic)
                    deltas.put(v, expand(v));
                }
                return new Chain.Delta(v);
            }
            return expand(v);
        }
    }

    /**
     * The δs of a large graph, named per graph and built once for all parameters' forms (held by
     * the {@link PathGraph}). Not thread-safe on its own: {@link PathGraph#sharedDeltas} hands it
     * out, and {@link #form} is synchronized.
     */
    static final class Shared {
        private final PathGraph graph;
        private final Map<Vertex, Boolean> named = new HashMap<>();
        private final Map<Vertex, Chain> chains = new HashMap<>();
        private final Builder builder;

        Shared(PathGraph graph) {
            this.graph = graph;
            this.builder = new Builder(graph, this::isNamed, chains);
        }

        /**
         * δ(v) is named where two or more edges from parameters or vertices computed from them enter
         * v (those are the edges paths from parameters use); the loss is never named.
         */
        private boolean isNamed(Vertex v) {
            return named.computeIfAbsent(v, x -> {
                if (x == graph.network().loss()) {
                    return false;
                }
                int entering = 0;
                for (Edge e : graph.incoming(x)) {
                    if (graph.reachedFromParameter(e.from()) && builder.vanishing.carries(e) && ++entering > 1) {
                        return true;
                    }
                }
                return false;
            });
        }

        synchronized ClosedForm form(Vertex wrt) {
            Chain root = builder.expand(wrt);
            return new ClosedForm(wrt, root, true, () -> {
                Map<Vertex, Chain> used = new HashMap<>();
                collect(List.of(root), used);
                return inForwardOrder(graph, used);
            });
        }

        /** The parameters whose forms {@link #closure} last worked out, and its result. */
        private List<Vertex> lastSharing;
        private Map<Vertex, Chain> lastClosure;

        /**
         * The δs the shared forms of {@code sharing} (their chains {@code roots}) use, in forward
         * order. The last answer is kept: {@code grad} asks twice for the same parameters, once to
         * bound the printed size and once to print (at 784-128-10, 0.3 s each).
         */
        synchronized Map<Vertex, Chain> closure(List<Vertex> sharing, List<Chain> roots) {
            if (!sharing.equals(lastSharing)) {
                Map<Vertex, Chain> used = new HashMap<>();
                collect(roots, used);
                lastClosure = inForwardOrder(graph, used);
                lastSharing = List.copyOf(sharing);
            }
            return lastClosure;
        }

        /** Adds to {@code used} the δs the {@code roots} use, directly or through other δs. */
        synchronized void collect(List<Chain> roots, Map<Vertex, Chain> used) {
            List<Chain> todo = new ArrayList<>(roots);
            List<Vertex> found = new ArrayList<>();
            while (!todo.isEmpty()) {
                found.clear();
                referencedDeltas(todo.remove(todo.size() - 1), found);
                for (Vertex v : found) {
                    if (!used.containsKey(v)) {
                        used.put(v, chains.get(v));
                        todo.add(chains.get(v));
                    }
                }
            }
        }
    }

    /** Adds to {@code out} the δs that {@code c} refers to directly. */
    private static void referencedDeltas(Chain c, List<Vertex> out) {
        Chain.visit(c, new Chain.Visitor<Void>() {
            @Override public Void factor(Chain.Factor f) { return null; }

            @Override public Void series(Chain.Series s) {
                s.parts().forEach(x -> referencedDeltas(x, out));
                return null;
            }

            @Override public Void parallel(Chain.Parallel p) {
                p.alternatives().forEach(x -> referencedDeltas(x, out));
                return null;
            }

            @Override public Void delta(Chain.Delta d) {
                out.add(d.vertex());
                return null;
            }
        });
    }

    /**
     * The value, given the evaluation's vertex values; where the numbers are not finite, the limit
     * of the closed form as one expression where it has one (docs/hardening.md).
     */
    public double value(Values values) {
        double v = numbers(values);
        if (Double.isFinite(v)) {
            return v;
        }
        double limit = Limits.value(values.stable(toExpr()), values);
        return Double.isFinite(limit) ? limit : v;
    }

    private double numbers(Values values) {
        Map<Vertex, Double> deltaValues = new HashMap<>();
        Map<Vertex, Chain> deltaChains = deltas();
        return new Object() {
            double eval(Chain c) {
                return Chain.visit(c, new Chain.Visitor<Double>() {
                    @Override public Double factor(Chain.Factor f) { return values.of(f.edge()); }

                    @Override public Double series(Chain.Series s) {
                        double p = 1;
                        for (Chain x : s.parts()) {
                            p *= eval(x);
                        }
                        return p;
                    }

                    @Override public Double parallel(Chain.Parallel p) {
                        double sum = 0;
                        for (Chain x : p.alternatives()) {
                            sum += eval(x);
                        }
                        return sum;
                    }

                    @Override public Double delta(Chain.Delta d) {
                        Double v = deltaValues.get(d.vertex());
                        if (v == null) {
                            v = eval(deltaChains.get(d.vertex()));
                            deltaValues.put(d.vertex(), v);
                        }
                        return v;
                    }
                });
            }
        }.eval(chain);
    }

    /** Forms larger than this (as one expression) are not simplified as a whole. */
    static final long MAX_SIMPLIFIED_SIZE = 400;

    private Expr simplified;
    private boolean simplifiedDone;

    /**
     * The closed form as one expression, simplified by the rules of {@code chainrule.simplify}
     * (cancellations: sigmoid with binary cross-entropy gives {@code (p − t)·x1}), when that is
     * strictly shorter than the factored chain multiplied out; null otherwise, and for a form with
     * δs (each δ is defined once, and a form that substituted them would repeat them) or with
     * shared δs. The path listing keeps the edge factors; this is what a textbook writes.
     */
    public synchronized Expr simplified() {
        if (!simplifiedDone) {
            simplifiedDone = true;
            if (!sharesDeltas && deltas().isEmpty()) {
                Expr whole = toExpr();
                if (whole.treeSize() <= MAX_SIMPLIFIED_SIZE) {
                    Expr s = withTargetSums(withUnitSumTargets(chainrule.simplify.Simplifier.simplify(whole)));
                    if (s.treeSize() < chainSize(chain)) {
                        simplified = s;
                    }
                }
            }
        }
        return simplified;
    }

    /** The graph the form was built on, for the network's declared values (null for a hand-built form). */
    private PathGraph graph;

    /** Target vectors whose given values sum to 1: their elements, by vector name. */
    private static Map<String, List<chainrule.expr.Sym>> unitSumTargets(PathGraph graph) {
        Map<String, List<chainrule.expr.Sym>> byName = new LinkedHashMap<>();
        Map<String, Double> sums = new HashMap<>();
        for (Vertex v : graph.vertices()) {
            String base = v.group().name();
            if (v.kind() == chainrule.model.VertexKind.TARGET && v.isElement()) {
                byName.computeIfAbsent(base, k -> new ArrayList<>()).add(v.symbol());
                Double x = graph.network().values().get(v.name());
                sums.merge(base, x == null ? Double.NaN : x, Double::sum);
            }
        }
        byName.keySet().removeIf(name -> !(Math.abs(sums.get(name) - 1) <= 1e-12));
        return byName;
    }

    /**
     * Softmax with cross-entropy (or log_softmax with the negative log-likelihood) gives
     * {@code p·Σy − y}; where the target's given values sum to 1 that is {@code p − y}. Tried by
     * writing each element of such a target as 1 minus the others, simplifying, and keeping the
     * shortest form (only if it is shorter).
     */
    private Expr withUnitSumTargets(Expr e) {
        if (graph == null) {
            return e;
        }
        Expr best = e;
        for (List<chainrule.expr.Sym> ys : unitSumTargets(graph).values()) {
            if (!chainrule.model.Symbols.free(e).containsAll(ys)) {
                continue;
            }
            for (chainrule.expr.Sym y : ys) {
                List<Expr> rest = new ArrayList<>();
                rest.add(Exprs.ONE);
                for (chainrule.expr.Sym other : ys) {
                    if (other != y) {
                        rest.add(Exprs.neg(other));
                    }
                }
                Expr substituted = chainrule.expr.Substitution.replace(e, Map.of(y, Exprs.add(rest)));
                Expr s = chainrule.simplify.Simplifier.simplify(substituted);
                // Only where the target's elements collapse (y1 + y2 + y3 written once as 1, so
                // fewer of them are written), and shorter, or as short with fewer names: p − y
                // rather than y2 + y3 + p − 1. Elsewhere (a squared error) nothing is gained.
                boolean collapses = occurrences(s, ys, new java.util.IdentityHashMap<>())
                        < occurrences(e, ys, new java.util.IdentityHashMap<>());
                if (collapses && (s.treeSize() < best.treeSize() || s.treeSize() == best.treeSize() && best != e
                        && chainrule.model.Symbols.free(s).size() < chainrule.model.Symbols.free(best).size())) {
                    best = s;
                    usesUnitSum = true;
                }
            }
        }
        return best;
    }

    private boolean usesUnitSum;

    /**
     * Softmax with cross-entropy (or log_softmax with the negative log-likelihood) against a target
     * whose given values need not sum to 1: {@code p·Σy − y}, with Σy written out
     * ({@code p[2]·(y[1] + y[2] + y[3]) - y[2]}), in place of
     * {@code y[2]·(p[2] - 1) + p[2]·(y[1] + y[3])}. Tried by writing one element of a target as
     * Σy minus the others (Σy a name of its own), simplifying, and keeping the result where the
     * target's elements collapse into Σy and the form written out is no longer than before.
     */
    private Expr withTargetSums(Expr e) {
        if (graph == null || usesUnitSum) {
            return e;
        }
        Expr best = e;
        for (Map.Entry<String, List<chainrule.expr.Sym>> target : targets(graph).entrySet()) {
            List<chainrule.expr.Sym> ys = target.getValue();
            if (ys.size() < 2 || !chainrule.model.Symbols.free(e).containsAll(ys)) {
                continue;
            }
            chainrule.expr.Sym total = chainrule.expr.Exprs.sym("Σ" + target.getKey(), chainrule.expr.SymKind.LOCAL);
            Expr sum = Exprs.add(new ArrayList<>(ys));
            long before = occurrences(e, ys, new java.util.IdentityHashMap<>());
            for (chainrule.expr.Sym y : ys) {
                List<Expr> rest = new ArrayList<>();
                rest.add(total);
                for (chainrule.expr.Sym other : ys) {
                    if (other != y) {
                        rest.add(Exprs.neg(other));
                    }
                }
                Expr inTotal = chainrule.simplify.Simplifier.simplify(
                        chainrule.expr.Substitution.replace(e, Map.of(y, Exprs.add(rest))));
                if (!chainrule.model.Symbols.free(inTotal).contains(total)
                        || occurrences(inTotal, ys, new java.util.IdentityHashMap<>()) >= before) {
                    continue; // the elements did not collapse into Σy
                }
                Expr written = chainrule.expr.Substitution.replace(inTotal, Map.of(total, sum));
                if (written.treeSize() <= best.treeSize() && written != e) {
                    best = written;
                }
            }
        }
        return best;
    }

    /** Every target vector's elements, by vector name. */
    private static Map<String, List<chainrule.expr.Sym>> targets(PathGraph graph) {
        Map<String, List<chainrule.expr.Sym>> byName = new LinkedHashMap<>();
        for (Vertex v : graph.vertices()) {
            String base = v.group().name();
            if (v.kind() == chainrule.model.VertexKind.TARGET && v.isElement()) {
                byName.computeIfAbsent(base, k -> new ArrayList<>()).add(v.symbol());
            }
        }
        return byName;
    }

    /** How often the tree writes one of {@code names} (a shared subterm counts at each place). */
    private static long occurrences(Expr e, List<chainrule.expr.Sym> names, Map<Expr, Long> memo) {
        if (e instanceof chainrule.expr.Sym s) {
            return names.contains(s) ? 1 : 0;
        }
        Long known = memo.get(e);
        if (known != null) {
            return known;
        }
        long n = 0;
        for (Expr c : e.children()) {
            n += occurrences(c, names, memo);
        }
        memo.put(e, n);
        return n;
    }

    /** Whether {@link #simplified()} relies on a target's given values summing to 1 (printers say so). */
    public synchronized boolean simplifiedUsesUnitSum() {
        simplified();
        return usesUnitSum && simplified != null;
    }

    /**
     * The tree size of the chain as written, counted as the product and sum it reads as: a factor
     * that is itself a product is flattened into the product around it (as {@code ·} reads), a unit
     * factor is not written, and a δ is one name.
     */
    private static long chainSize(Chain c) {
        return Chain.visit(c, new Chain.Visitor<Long>() {
            @Override public Long factor(Chain.Factor f) { return f.edge().factor().treeSize(); }

            @Override public Long series(Chain.Series s) {
                List<Chain> parts = new ArrayList<>();
                for (Chain x : s.parts()) {
                    if (!(x instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE)) {
                        parts.add(x);
                    }
                }
                if (parts.size() <= 1) {
                    return parts.isEmpty() ? 1L : chainSize(parts.get(0));
                }
                long n = 1;
                for (Chain x : parts) {
                    boolean flat = x instanceof Chain.Factor f && f.edge().factor() instanceof chainrule.expr.Product;
                    n += flat ? chainSize(x) - 1 : chainSize(x);
                }
                return n;
            }

            @Override public Long parallel(Chain.Parallel p) {
                long n = 1;
                for (Chain x : p.alternatives()) {
                    boolean flat = x instanceof Chain.Factor f && f.edge().factor() instanceof chainrule.expr.Sum;
                    n += flat ? chainSize(x) - 1 : chainSize(x);
                }
                return n;
            }

            @Override public Long delta(Chain.Delta d) { return 1L; }
        });
    }

    /** {@link #toExpr()}, made once: {@code grad --json} asks for it through {@link #simplified()} and again to print it. */
    private Expr whole;

    /** The closed form as one normalised expression over vertex symbols, δs substituted. */
    public synchronized Expr toExpr() {
        if (whole == null) {
            whole = expand();
        }
        return whole;
    }

    private Expr expand() {
        Map<Vertex, Expr> deltaExprs = new HashMap<>();
        Map<Vertex, Chain> deltaChains = deltas();
        return new Object() {
            Expr of(Chain c) {
                return Chain.visit(c, new Chain.Visitor<Expr>() {
                    @Override public Expr factor(Chain.Factor f) { return f.edge().factor(); }

                    @Override public Expr series(Chain.Series s) {
                        List<Expr> xs = new ArrayList<>();
                        for (Chain x : s.parts()) {
                            xs.add(of(x));
                        }
                        return Exprs.mul(xs);
                    }

                    @Override public Expr parallel(Chain.Parallel p) {
                        List<Expr> xs = new ArrayList<>();
                        for (Chain x : p.alternatives()) {
                            xs.add(of(x));
                        }
                        return Exprs.add(xs);
                    }

                    @Override public Expr delta(Chain.Delta d) {
                        Expr e = deltaExprs.get(d.vertex());
                        if (e == null) {
                            e = of(deltaChains.get(d.vertex()));
                            deltaExprs.put(d.vertex(), e);
                        }
                        return e;
                    }
                });
            }
        }.of(chain);
    }
}
