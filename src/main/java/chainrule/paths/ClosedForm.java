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
    /** For a form with shared δs: the graph's δs it refers to (plain, or with the cancellations at the loss). */
    private Shared shared;
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
        if (graph.wholeVertexCount() > SHARED_DELTAS_ABOVE) {
            return graph.sharedDeltas().form(wrt);
        }
        Set<Vertex> named = namedBelow(graph, wrt);
        Map<Vertex, Chain> deltas = new HashMap<>();
        Chain root = new Builder(graph, named::contains, deltas).expand(wrt);
        ClosedForm form = new ClosedForm(wrt, root, inForwardOrder(graph, deltas));
        form.graph = graph;
        return form;
    }

    /** The vertices below wrt where two or more of its paths meet (the loss excepted): its δs. */
    private static Set<Vertex> namedBelow(PathGraph graph, Vertex wrt) {
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
        // An element's δ named, its vector's other elements on these paths are named too, so one
        // layer's δs read alike: (δ(o.in[1])·W[1,1] + δ(o.in[2])·W[2,1])·…, not δ(o.in[1]) beside
        // o.in[2]'s written out (tiedv.nn, where only o.in[1] is met by two paths).
        Set<String> namedVectors = new HashSet<>();
        for (Vertex v : named) {
            if (v.isElement()) {
                namedVectors.add(v.group().name());
            }
        }
        if (!namedVectors.isEmpty()) {
            for (Vertex v : inDegree.keySet()) {
                if (v != loss && v.isElement() && namedVectors.contains(v.group().name())) {
                    named.add(v);
                }
            }
        }
        return named;
    }

    /**
     * {@link #of}, with the activation–loss cancellations textbooks write applied where the chain
     * meets the loss: below a vertex v whose every path reaches the loss within two edges (the
     * pre-activation of an output layer: {@code p.in[k] → p[j] → L}), the chain to the loss is
     * replaced by one factor, the simplified ∂loss/∂v, when that is strictly shorter than the chain
     * written out. Softmax with cross-entropy gives {@code p[k] - y[k]} there (where y's given
     * values sum to 1; else {@code p[k]·(y[1] + … + y[n]) - y[k]}), sigmoid with binary
     * cross-entropy {@code p - t}. What {@code grad}, LaTeX and JSON formulas show; the path
     * listing keeps each edge's factor ({@link #of}). A large network's form is {@link #of}'s.
     */
    public static ClosedForm cancelled(PathGraph graph, Vertex wrt) {
        if (graph.wholeVertexCount() > SHARED_DELTAS_ABOVE) {
            return graph.sharedDeltas().cancelled().form(wrt);
        }
        Cancellations cancellations = Cancellations.of(graph);
        Map<Vertex, Chain> deltas = new HashMap<>();
        Set<Vertex> named = namedBelow(graph, wrt);
        Chain root = new Builder(graph, named::contains, deltas, v -> cancellations.below(graph, v)).expand(wrt);
        ClosedForm form = new ClosedForm(wrt, root, inForwardOrder(graph, deltas));
        form.graph = graph;
        form.cancelledAtLoss = cancellations.takes(root, deltas, cancellations.shortcuts);
        if (form.cancelledAtLoss) {
            List<Chain> all = new ArrayList<>(deltas.values());
            all.add(root);
            for (Chain c : all) {
                form.chainTargetSum = form.chainTargetSum != null ? form.chainTargetSum : targetSumBehind(c);
            }
        }
        return form;
    }

    /** The given target sum the chain's factors rely on, or null ({@link #chainTargetSum()}). */
    private chainrule.expr.Num chainTargetSum;

    /**
     * Shortcut edges whose factor relies on a target's given values (the sum they add up to: 1 for
     * {@code p[k] - y[k]}, 9/5 for {@code 9·p[k]/5 - y[k]}); edges compare by identity, and an edge
     * nobody holds any more is dropped.
     */
    private static final Map<Edge, chainrule.expr.Num> TARGET_SUMS =
            Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * The sum of a target's given values that a factor of {@code c} (not the δs it refers to) was
     * written with, or null: softmax with cross-entropy is {@code p[k] - y[k]} because they sum to 1,
     * {@code 9·p[k]/5 - y[k]} because they sum to 9/5. Printers say so beside the form.
     */
    public static chainrule.expr.Num targetSumBehind(Chain c) {
        return Chain.visit(c, new Chain.Visitor<chainrule.expr.Num>() {
            @Override public chainrule.expr.Num factor(Chain.Factor f) { return TARGET_SUMS.get(f.edge()); }
            @Override public chainrule.expr.Num series(Chain.Series x) { return first(x.parts()); }
            @Override public chainrule.expr.Num parallel(Chain.Parallel x) { return first(x.alternatives()); }
            @Override public chainrule.expr.Num delta(Chain.Delta d) { return null; }

            private chainrule.expr.Num first(List<Chain> parts) {
                for (Chain x : parts) {
                    chainrule.expr.Num n = targetSumBehind(x);
                    if (n != null) {
                        return n;
                    }
                }
                return null;
            }
        });
    }

    /**
     * Whether the chain took a cancellation where it meets the loss: it is then already the
     * textbook's form ({@code (p[1] - y[1])/2 + (p[2] - y[2])/2}), which simplifying the whole would
     * scatter ({@code (p[1] - y[1] - y[2] + p[2])/2}); {@link #simplified()} leaves it.
     */
    private boolean cancelledAtLoss;

    /**
     * The sum of a target's given values that the chain itself (not only {@link #simplified()})
     * relies on, or null: 1 for a softmax cross-entropy factor {@code p[k] - y[k]}, 9/5 for
     * {@code 9·p[k]/5 - y[k]}. Printers say so. Null for a form with shared δs, whose δ lines say it
     * ({@link #targetSumBehind}).
     */
    public chainrule.expr.Num chainTargetSum() { return chainTargetSum; }

    /**
     * The cancelled chains of one graph, per vertex, worked out once and shared by every parameter's
     * form (held weakly per graph, so {@code grad} over 40 parameters simplifies each output
     * vertex's δ once).
     */
    static final class Cancellations {
        private static final Map<PathGraph, Cancellations> BY_GRAPH = Collections.synchronizedMap(new java.util.WeakHashMap<>());
        /** Expanded δs larger than this are not simplified. */
        static final long MAX_SIZE = 200;
        private final Map<Vertex, Chain> chains = new HashMap<>();
        /** The one-factor shortcuts made. */
        private final Set<Edge> shortcuts = new HashSet<>();

        static Cancellations of(PathGraph graph) {
            return BY_GRAPH.computeIfAbsent(graph, g -> new Cancellations()); // holds no reference to the graph
        }

        /** Whether the chain, or a δ it uses, takes a shortcut from {@code among}. */
        synchronized boolean takes(Chain root, Map<Vertex, Chain> deltas, Set<Edge> among) {
            List<Chain> all = new ArrayList<>(deltas.values());
            all.add(root);
            for (Chain c : all) {
                if (mentions(c, among)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean mentions(Chain c, Set<Edge> among) {
            return Chain.visit(c, new Chain.Visitor<Boolean>() {
                @Override public Boolean factor(Chain.Factor f) { return among.contains(f.edge()); }
                @Override public Boolean series(Chain.Series s) {
                    return s.parts().stream().anyMatch(x -> mentions(x, among));
                }
                @Override public Boolean parallel(Chain.Parallel p) {
                    return p.alternatives().stream().anyMatch(x -> mentions(x, among));
                }
                @Override public Boolean delta(Chain.Delta d) { return false; }
            });
        }

        /** The one-factor chain from v to the loss, or null where no cancellation shortens it. */
        synchronized Chain below(PathGraph graph, Vertex v) {
            if (!chains.containsKey(v)) {
                chains.put(v, work(graph, v));
            }
            return chains.get(v);
        }

        private Chain work(PathGraph graph, Vertex v) {
            Vertex loss = graph.network().loss();
            if (v == loss || v.kind().isParameter() || !nearLoss(graph, v)) {
                return null;
            }
            Chain written = new Builder(graph, x -> false, new HashMap<>()).expand(v);
            if (!(written instanceof Chain.Parallel) && !(written instanceof Chain.Series s && s.parts().size() > 1)) {
                return null; // one edge into the loss: nothing to cancel across
            }
            Expr whole = expr(written);
            if (whole.treeSize() > MAX_SIZE) {
                return null;
            }
            Expr simplified = chainrule.simplify.Simplifier.simplify(whole);
            Expr unit = withUnitSumTargets(graph, simplified);
            boolean usesUnitSum = unit != simplified;
            chainrule.expr.Num[] given = new chainrule.expr.Num[1];
            Expr best = usesUnitSum ? unit : withTargetSums(graph, simplified, given);
            if (best.treeSize() >= chainSize(written)) {
                return null;
            }
            Edge shortcut = new Edge(v, loss, best, Role.LOSS);
            shortcuts.add(shortcut);
            if (usesUnitSum || given[0] != null) {
                TARGET_SUMS.put(shortcut, usesUnitSum ? Exprs.ONE : given[0]);
            }
            return new Chain.Series(List.of(new Chain.Factor(shortcut)));
        }

        /** Whether every path from v reaches the loss within two edges. */
        private static boolean nearLoss(PathGraph graph, Vertex v) {
            Vertex loss = graph.network().loss();
            boolean any = false;
            for (Edge e : graph.outgoing(v)) {
                if (!graph.reachesLoss(e.to())) {
                    continue;
                }
                any = true;
                if (e.to() == loss) {
                    continue;
                }
                for (Edge f : graph.outgoing(e.to())) {
                    if (graph.reachesLoss(f.to()) && f.to() != loss) {
                        return false;
                    }
                }
            }
            return any;
        }

        private static Expr expr(Chain c) {
            return Chain.visit(c, new Chain.Visitor<Expr>() {
                @Override public Expr factor(Chain.Factor f) { return f.edge().factor(); }
                @Override public Expr series(Chain.Series s) {
                    List<Expr> xs = new ArrayList<>();
                    s.parts().forEach(x -> xs.add(expr(x)));
                    return Exprs.mul(xs);
                }
                @Override public Expr parallel(Chain.Parallel p) {
                    List<Expr> xs = new ArrayList<>();
                    p.alternatives().forEach(x -> xs.add(expr(x)));
                    return Exprs.add(xs);
                }
                @Override public Expr delta(Chain.Delta d) {
                    throw new IllegalStateException("a written-out chain has no δ");
                }
            });
        }
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
        Shared source = null;
        for (ClosedForm f : forms) {
            if (f.sharesDeltas) {
                roots.add(f.chain);
                sharing.add(f.wrt);
                source = f.shared; // one report's forms are all plain or all cancelled
            } else {
                used.putAll(f.deltas());
            }
        }
        if (roots.isEmpty()) {
            return inForwardOrder(graph, used);
        }
        if (used.isEmpty()) {
            return source.closure(sharing, roots);
        }
        source.collect(roots, used);
        return inForwardOrder(graph, used);
    }

    /** Expands chains from a vertex down to the loss, referring to named vertices as δ and defining those in {@code deltas}. */
    private static final class Builder {
        final PathGraph graph;
        final Predicate<Vertex> named;
        final Map<Vertex, Chain> deltas;
        /** The cancelled chain from a vertex to the loss ({@link Cancellations}), or null; null for none at all. */
        final java.util.function.Function<Vertex, Chain> cancelled;
        final VanishingReductions vanishing;

        Builder(PathGraph graph, Predicate<Vertex> named, Map<Vertex, Chain> deltas) {
            this(graph, named, deltas, null);
        }

        Builder(PathGraph graph, Predicate<Vertex> named, Map<Vertex, Chain> deltas,
                java.util.function.Function<Vertex, Chain> cancelled) {
            this.graph = graph;
            this.named = named;
            this.deltas = deltas;
            this.cancelled = cancelled;
            this.vanishing = graph.vanishingReductions();
        }

        /**
         * Whether a named vertex whose chain to the loss cancels keeps its δ, defined as the
         * cancelled factor: a large network's shared δs, where {@code δ(p.in[k]) = p[k] - y[k]} is
         * the layer a textbook names and every hidden δ refers to. A small network's form writes
         * the factor in place ({@code (p[1] - y[1])·W2[1,1] + …}).
         */
        boolean namesShortcuts;

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
            return alternatives.size() == 1 ? alternatives.get(0) : groupedByDelta(alternatives);
        }

        /**
         * The alternatives' sum with each δ written once: alternatives that end in the same δ are
         * summed under it and the others stay beside them, so that {@code δ(y)·(v·x·σ′ - 2.01) -
         * 0.02·w} is printed, not {@code δ(y)·v·x·σ′ - 2.01·δ(y) - 0.02·w} (issue 11: no δ repeated
         * inside one formula). Where every alternative shares its end, as {@link #commonSuffixOut}.
         */
        private static Chain groupedByDelta(List<Chain> alternatives) {
            Map<Object, List<Chain>> groups = new LinkedHashMap<>();
            for (Chain a : alternatives) {
                Object key = a instanceof Chain.Series s && s.parts().size() > 1
                        && s.parts().get(s.parts().size() - 1) instanceof Chain.Delta d ? d : new Object();
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
            }
            if (groups.size() == 1 || groups.size() == alternatives.size()) {
                return commonSuffixOut(alternatives);
            }
            List<Chain> out = new ArrayList<>(groups.size());
            for (List<Chain> g : groups.values()) {
                out.add(g.size() == 1 ? g.get(0) : commonSuffixOut(g));
            }
            return new Chain.Parallel(out);
        }

        /**
         * The alternatives' sum with the factors every one ends with, from a δ on, written once:
         * paths that meet again below v (a weight used twice, tied.nn) share δ(o.in), so
         * {@code δ(o.in)·(w·h·(1 - h)·x + h)}, not {@code δ(o.in)·w·h·(1 - h)·x + δ(o.in)·h}.
         */
        private static Chain commonSuffixOut(List<Chain> alternatives) {
            int common = Integer.MAX_VALUE;
            for (Chain a : alternatives) {
                common = Math.min(common, a instanceof Chain.Series s ? s.parts().size() : 0);
            }
            List<Chain> first = ((Chain.Series) alternatives.get(0)).parts();
            int k = 0;
            while (k < common) {
                Chain last = first.get(first.size() - 1 - k);
                boolean shared = true;
                for (Chain a : alternatives) {
                    List<Chain> parts = ((Chain.Series) a).parts();
                    shared &= parts.get(parts.size() - 1 - k).equals(last);
                }
                if (!shared) {
                    break;
                }
                k++;
            }
            // Only a suffix from a named δ on: paths that meet again at δ(v). Edge factors shared
            // by every path into the loss (s in L = s·v) are left to the simplified form.
            while (k > 0 && !(first.get(first.size() - k) instanceof Chain.Delta)) {
                k--;
            }
            if (k == 0) {
                return new Chain.Parallel(alternatives);
            }
            List<Chain> heads = new ArrayList<>(alternatives.size());
            for (Chain a : alternatives) {
                List<Chain> parts = ((Chain.Series) a).parts();
                heads.add(new Chain.Series(parts.subList(0, parts.size() - k)));
            }
            List<Chain> parts = new ArrayList<>();
            parts.add(new Chain.Parallel(heads));
            parts.addAll(first.subList(first.size() - k, first.size()));
            return new Chain.Series(parts);
        }

        private Chain below(Vertex v) {
            Chain shortcut = cancelled == null ? null : cancelled.apply(v);
            if (shortcut != null && !(namesShortcuts && named.test(v))) {
                return shortcut;
            }
            if (named.test(v)) {
                if (!deltas.containsKey(v)) {
                    deltas.put(v, null); // reserve, then fill (the graph is acyclic)
                    deltas.put(v, shortcut != null ? shortcut : expand(v));
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
            this(graph, false);
        }

        private Shared(PathGraph graph, boolean cancelled) {
            this.graph = graph;
            Cancellations cancellations = cancelled ? Cancellations.of(graph) : null;
            this.builder = new Builder(graph, this::isNamed, chains,
                    cancellations == null ? null : v -> cancellations.below(graph, v));
            this.builder.namesShortcuts = true;
        }

        /** This graph's δs with the cancellations at the loss ({@link ClosedForm#cancelled}), made once. */
        private Shared cancelled;

        synchronized Shared cancelled() {
            if (cancelled == null) {
                cancelled = new Shared(graph, true);
            }
            return cancelled;
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
            ClosedForm form = new ClosedForm(wrt, root, true, () -> {
                Map<Vertex, Chain> used = new HashMap<>();
                collect(List.of(root), used);
                return inForwardOrder(graph, used);
            });
            form.shared = this;
            return form;
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
            if (!sharesDeltas && !cancelledAtLoss && deltas().isEmpty()) {
                Expr whole = toExpr();
                if (whole.treeSize() <= MAX_SIMPLIFIED_SIZE) {
                    Expr s = withTargetSums(withUnitSumTargets(graph != null ? graph.simplified(whole) : chainrule.simplify.Simplifier.simplify(whole)));
                    if (s.treeSize() < chainSize(chain)) {
                        simplified = graph != null ? graph.printedForm(s) : s; // v.mean as mean(w)
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
        Expr best = withUnitSumTargets(graph, e);
        usesUnitSum |= best != e;
        return best;
    }

    private static int printedLength(Expr e) {
        return chainrule.expr.TextPrinter.pretty().print(e).length();
    }

    /** {@link #withUnitSumTargets(Expr)} on a graph: {@code e} itself where no unit-sum target collapses. */
    static Expr withUnitSumTargets(PathGraph graph, Expr e) {
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
                // Shorter as printed, not as a tree: with two classes, eliminating y[1] gives
                // y[2] + p[1] - 1, a smaller tree than p[1] - y[1] (whose -y[1] is a product) but
                // not what a textbook writes, nor shorter to read.
                int length = printedLength(s);
                int bestLength = printedLength(best);
                if (collapses && (length < bestLength || length == bestLength && best != e
                        && chainrule.model.Symbols.free(s).size() < chainrule.model.Symbols.free(best).size())) {
                    best = s;
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
        chainrule.expr.Num[] given = new chainrule.expr.Num[1];
        Expr best = withTargetSums(graph, e, given);
        givenSum = given[0];
        return best;
    }

    /** The sum of a target's given values {@link #simplified()} was written with (Σy as a number), or null. */
    private chainrule.expr.Num givenSum;

    /**
     * {@link #withTargetSums(Expr)} on a graph; where every element of the target has a given
     * value, Σy is written as their sum ({@code 9·p[2]/5 - y[2]}), which is then put in
     * {@code usedSum[0]}.
     */
    static Expr withTargetSums(PathGraph graph, Expr e, chainrule.expr.Num[] usedSum) {
        Expr best = e;
        for (Map.Entry<String, List<chainrule.expr.Sym>> target : targets(graph).entrySet()) {
            List<chainrule.expr.Sym> ys = target.getValue();
            if (ys.size() < 2 || !chainrule.model.Symbols.free(e).containsAll(ys)) {
                continue;
            }
            chainrule.expr.Sym total = chainrule.expr.Exprs.sym("Σ" + target.getKey(), chainrule.expr.SymKind.LOCAL);
            Expr sum = Exprs.add(new ArrayList<>(ys));
            chainrule.expr.Num given = givenSum(graph, ys); // Σy as a number where y's values are given
            long before = occurrences(e, ys, new java.util.IdentityHashMap<>());
            Expr chosen = null;
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
                    chosen = inTotal;
                }
            }
            if (chosen != null && given != null) {
                // chosen with Σy written out (the form p[k]·Σy − y[k]), then Σy as its number
                best = chainrule.expr.Substitution.replace(chosen, Map.of(total, given));
                usedSum[0] = given;
            }
        }
        return best;
    }

    /** {@link #givenSum(PathGraph, List)} of a vector's elements: the number Σy stands for in a layer form's legend. */
    public static chainrule.expr.Num givenSum(PathGraph graph, Collection<Vertex> elements) {
        List<chainrule.expr.Sym> ys = new ArrayList<>();
        elements.forEach(v -> ys.add(v.symbol()));
        return givenSum(graph, ys);
    }

    /**
     * The exact sum of the given values of {@code ys} (each the rational its decimal denotes, so
     * nine 0.1s and a 0.9 sum to 9/5, not 1.7999999999999998), or null when one has no value: the
     * number Σy stands for in {@code p[k]·Σy − y[k]}, written {@code 9·p[k]/5 - y[k]}.
     */
    public static chainrule.expr.Num givenSum(PathGraph graph, List<chainrule.expr.Sym> ys) {
        chainrule.expr.Num total = Exprs.ZERO;
        for (chainrule.expr.Sym y : ys) {
            Double x = graph.network().values().get(y.name());
            if (x == null || !Double.isFinite(x)) {
                return null;
            }
            total = total.plus(Exprs.num(x));
        }
        return total;
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

    /**
     * The sum of a target's given values {@link #simplified()} relies on, or null: 1 where it writes
     * softmax with cross-entropy as {@code p - y}, 9/5 where as {@code 9·p/5 - y} (printers say so).
     */
    public synchronized chainrule.expr.Num simplifiedTargetSum() {
        simplified();
        if (simplified == null) {
            return null;
        }
        return usesUnitSum ? Exprs.ONE : givenSum;
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

    /**
     * The chain with every δ written out where it is used (each in its own chain's order): the
     * factored form as one formula, the factors in the order the text prints them. Its printed size
     * grows with the number of places a δ is used; callers bound it by {@link #toExpr()}'s.
     */
    public Chain inlinedChain() {
        Map<Vertex, Chain> deltaChains = deltas();
        Map<Vertex, Chain> done = new HashMap<>();
        return new Object() {
            Chain of(Chain c) {
                return Chain.visit(c, new Chain.Visitor<Chain>() {
                    @Override public Chain factor(Chain.Factor f) { return f; }

                    @Override public Chain series(Chain.Series s) {
                        List<Chain> parts = new ArrayList<>();
                        for (Chain x : s.parts()) {
                            Chain y = of(x);
                            if (y instanceof Chain.Series inner) {
                                parts.addAll(inner.parts());
                            } else {
                                parts.add(y);
                            }
                        }
                        return new Chain.Series(parts);
                    }

                    @Override public Chain parallel(Chain.Parallel p) {
                        List<Chain> xs = new ArrayList<>();
                        p.alternatives().forEach(x -> xs.add(of(x)));
                        return new Chain.Parallel(xs);
                    }

                    @Override public Chain delta(Chain.Delta d) {
                        Chain e = done.get(d.vertex());
                        if (e == null) {
                            e = of(deltaChains.get(d.vertex()));
                            done.put(d.vertex(), e);
                        }
                        return e;
                    }
                });
            }
        }.of(chain);
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
                        List<Chain> parts = s.parts();
                        for (int i = 0; i < parts.size(); i++) {
                            if (parts.get(i) instanceof Chain.Parallel p && i + 1 < parts.size()
                                    && parts.get(i + 1) instanceof Chain.Delta) {
                                // a δ suffix written once in the chain (commonSuffixOut) is
                                // multiplied into each alternative again, as the paths run: the
                                // expression, its simplification and its cost are as before
                                Expr suffix = Exprs.mul(parts.subList(i + 1, parts.size()).stream().map(c -> of(c)).toList());
                                List<Expr> terms = new ArrayList<>();
                                for (Chain x : p.alternatives()) {
                                    terms.add(Exprs.mul(of(x), suffix));
                                }
                                xs.add(Exprs.add(terms));
                                break;
                            }
                            xs.add(of(parts.get(i)));
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
