package chainrule.paths;

import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.Map;

/**
 * The path graph of LANGUAGE.md: a vertex per name, an edge wherever a name appears in a
 * definition, each edge carrying its local derivative and role. Built once per network; paths,
 * counts, closed forms and reverse accumulation all read it.
 *
 * <p><b>Two sets of edges.</b> The element view may hold vertices the spec's graph has not: a
 * long reduction broadcast over a vector ({@code c = h - mean(h)} over 16 or more elements) is a
 * vertex of its own, {@code c.mean}, so that no element repeats the n-term sum (see
 * {@code model.ElementView}). {@link #outgoing} and {@link #incoming} are the element view's edges,
 * through such a vertex: what closed forms (δ(c.mean) is shared), reverse accumulation and
 * everything that computes read. What users see of paths reads the spec's graph, where
 * "reductions add no vertex": {@link #pathVertices()} leaves the shared reductions out, and
 * {@link #pathOutgoing} gives one edge {@code h[1] → c[1]} wherever {@code h[1]} appears in
 * {@code c[1]}'s definition with the reduction written out, its factor the sum over the element
 * view's routes ({@code h[1] → c[1]} and {@code h[1] → c.mean → c[1]}: 1 − 1/n), with the shared
 * reduction written out too. {@link #pathCount} counts the spec's paths (6,400 for {@code W1[1,1]}
 * of a centred 200-64-10 network, not the 6,500 of the element view), by dynamic programming over
 * those edges. A network without shared reductions has one set of edges.
 */
public final class PathGraph {
    private final Network network;
    private final List<Vertex> order;
    /**
     * What the graph knows per vertex, keyed by the vertex's symbol: building the graph looks up
     * every symbol of every definition, and one lookup by an interned symbol (hash precomputed,
     * equality by identity) gives the vertex, its edges, its path count and whether a parameter
     * reaches it.
     */
    private final Map<Sym, Place> places;
    /** The places in {@link #order}'s order (shared, like {@link #places}, by every graph of the same structure). */
    private final Place[] byPosition;
    private ClosedForm.Shared sharedDeltas;
    private VanishingReductions vanishingReductions;
    /** Edge factors and closed forms simplified so far, shared by the graphs of one structure. */
    private final RenamedSimplification simplifications;
    /** Whether the element view has shared reductions, which the spec's graph has not (see the class comment). */
    private final boolean sharesReductions;
    /** Activation definitions to their vertices' symbols (see the constructor). */
    private final Map<Expr, Expr> foldBack;
    /** Each shared reduction's symbol to its definition written out (other shared ones in it too); made on first use. */
    private Map<Expr, Expr> inlined;
    /** {@link #pathIncoming}, made on first use. */
    private Map<Vertex, List<Edge>> pathIncoming;
    /** {@link #pathVertices}. */
    private final List<Vertex> pathOrder;

    /** One vertex of the graph and what is known about it. */
    private static final class Place {
        final Vertex vertex;
        final List<Edge> outgoing = new ArrayList<>(1);
        List<Edge> incoming = List.of(); // a list of its own from the first edge: most vertices have none
        /** The places {@link #outgoing} lead to, in the same order (counting paths needs no lookups). */
        final List<Place> successors = new ArrayList<>(1);
        /** The number of paths to the loss while it fits a long; then -1, and {@link #manyPaths} holds it. */
        long pathsToLoss;
        BigInteger manyPaths;
        boolean reached;
        /** The vertex's index in {@link #order}. */
        final int position;
        /**
         * Its edges in the spec's graph ({@link #pathOutgoing}) and the places they lead to, when
         * they are not {@link #outgoing}'s: a vertex that feeds a shared reduction, or is one (none).
         */
        List<Edge> pathEdges;
        List<Place> pathSuccessors;
        /** The number of paths to the loss in the spec's graph, where it differs from {@link #pathsToLoss}. */
        BigInteger specPaths;

        Place(Vertex vertex, int position) {
            this.vertex = vertex;
            this.position = position;
        }

        BigInteger paths() {
            return pathsToLoss >= 0 ? BigInteger.valueOf(pathsToLoss) : manyPaths;
        }

        /** {@link #paths()} in the spec's graph. */
        BigInteger specPaths() {
            return specPaths != null ? specPaths : paths();
        }

        List<Edge> pathEdges() {
            return pathEdges != null ? pathEdges : outgoing;
        }

        List<Place> pathSuccessors() {
            return pathSuccessors != null ? pathSuccessors : successors;
        }
    }

    private PathGraph(Network network) {
        this.network = network;
        this.order = List.copyOf(network.vertices());
        this.places = new HashMap<>(order.size() * 2);
        this.byPosition = new Place[order.size()];
        this.simplifications = new RenamedSimplification();
        for (int i = 0; i < order.size(); i++) {
            byPosition[i] = new Place(order.get(i), i);
            places.put(order.get(i).symbol(), byPosition[i]);
        }
        // Fold activation outputs back in: σ'(net) = σ(net)(1 - σ(net)) is written out·(1 - out),
        // and softmax's partials, which mention every element softmax(p.in)[k], read -p[j]·p[k].
        Map<Expr, Expr> foldBack = new LinkedHashMap<>();
        this.foldBack = foldBack;
        // A built-in applied straight to a parameter (p = sigmoid(w), p = softmax(z)) folds back too:
        // its edge factor σ(w)·(1 - σ(w)) is p·(1 - p), so that p - t can cancel like with a pre-activation.
        for (Vertex v : network.definitions()) {
            if (v.isActivation() || isAppliedToParameters(v.definition())) {
                foldBack.put(v.definition(), v.symbol());
            }
        }
        // Reached: the parameters and every vertex computed from one, the only ones a path from a
        // parameter visits. Definitions come in topological order, so one pass finds them.
        // (a vertex a partial element view keeps without its definition is reached as in the whole view)
        for (Place p : places.values()) {
            Network.Frozen frozen = network.frozen(p.vertex);
            p.reached = p.vertex.kind().isParameter() || frozen != null && frozen.reachedFromParameter();
        }
        for (Vertex to : network.definitions()) {
            Place target = places.get(to.symbol());
            List<Place> uses = new ArrayList<>();
            for (Sym s : Symbols.free(to.definition())) {
                Place from = places.get(s);
                if (from != null && from.vertex.kind() != VertexKind.CONSTANT) {
                    uses.add(from);
                    target.reached |= from.reached;
                }
            }
            // Factors are derived when first asked for: a command about one parameter derives only
            // the definitions below it. The partials of one definition that paths can use come
            // together, in one reverse pass; the others (out of inputs, targets, and names computed
            // from them only) in a second pass, made only if one of them is asked for: most
            // commands never do, and for a deep expression they can cost far more.
            boolean shared = isSharedReduction(to);
            LocalPartials partials = new LocalPartials(to.definition(), uses, true, false, network, shared);
            LocalPartials otherPartials = new LocalPartials(to.definition(), uses, false, false, network, shared);
            Function<Edge, Expr> usedByPaths = e -> partials.withMeans(localFactor(partials.of(e.from().symbol()), foldBack));
            Function<Edge, Expr> other = e -> otherPartials.withMeans(localFactor(otherPartials.of(e.from().symbol()), foldBack));
            // The numbers' form (the primitive table's numeric column, σ(x)·σ(−x) for out·(1 − out)):
            // one reverse pass per definition too, only for definitions whose built-ins have one
            LocalPartials numeric = null;
            LocalPartials otherNumeric = null;
            if (NumericForms.differ(to.definition())) {
                numeric = new LocalPartials(to.definition(), uses, true, true, network, shared);
                otherNumeric = new LocalPartials(to.definition(), uses, false, true, network, shared);
            }
            for (Place from : uses) {
                Edge e = new Edge(from.vertex, to, from.reached ? usedByPaths : other, PathGraph::classify);
                if (numeric != null) {
                    LocalPartials n = from.reached ? numeric : otherNumeric;
                    e.numericDerivation(x -> n.of(x.from().symbol()));
                } else {
                    // a factor whose long sums were folded for printing is computed from the
                    // partial as derived, as before: the numbers do not depend on how it prints
                    LocalPartials p = from.reached ? partials : otherPartials;
                    e.numericDerivation(x -> {
                        Expr raw = p.unfolded(x.from().symbol());
                        return raw != null ? raw : x.factor();
                    });
                }
                from.outgoing.add(e);
                from.successors.add(target);
                if (target.incoming.isEmpty()) {
                    target.incoming = new ArrayList<>(uses.size());
                }
                target.incoming.add(e);
            }
        }
        boolean shares = false;
        for (Place p : byPosition) {
            shares |= isSharedReduction(p.vertex);
        }
        this.sharesReductions = shares;
        if (shares) {
            for (Place p : byPosition) {
                for (Edge e : p.outgoing) {
                    e.printing(this::printedForm);
                }
            }
        }
        this.specEdges = new SpecEdges();
        if (shares) {
            List<Vertex> shown = new ArrayList<>(order.size());
            for (Vertex v : order) {
                if (!isSharedReduction(v)) {
                    shown.add(v);
                }
            }
            this.pathOrder = Collections.unmodifiableList(shown);
        } else {
            this.pathOrder = order;
        }
        countPaths();
    }

    /** Whether {@code v} is a shared reduction of the element view, a vertex the spec's graph has not. */
    private static boolean isSharedReduction(Vertex v) {
        return v.group().origin() == chainrule.model.VertexGroup.Origin.SHARED_REDUCTION;
    }

    /** A route of element-view edges from a shared reduction to a vertex of the spec's graph. */
    private record Route(Place to, List<Edge> edges) {}

    /**
     * The spec's edges out of every vertex that feeds a shared reduction: one per vertex of the
     * spec's graph it reaches directly or through shared reductions only, in the order of the
     * vertices (as the edges out of any vertex are), made of every such route. An edge of one
     * route of one edge is the element view's own edge.
     */
    private void mergeSharedReductions() {
        Map<Place, List<Route>> fromShared = new HashMap<>();
        for (Place p : byPosition) {
            if (isSharedReduction(p.vertex)) {
                p.pathEdges = List.of();
                p.pathSuccessors = List.of();
                continue;
            }
            boolean feedsShared = false;
            for (Place s : p.successors) {
                feedsShared |= isSharedReduction(s.vertex);
            }
            if (!feedsShared) {
                continue;
            }
            java.util.TreeMap<Integer, List<List<Edge>>> byTarget = new java.util.TreeMap<>();
            for (int i = 0; i < p.outgoing.size(); i++) {
                Edge e = p.outgoing.get(i);
                Place s = p.successors.get(i);
                if (!isSharedReduction(s.vertex)) {
                    byTarget.computeIfAbsent(s.position, k -> new ArrayList<>(2)).add(List.of(e));
                    continue;
                }
                for (Route r : routes(s, fromShared)) {
                    List<Edge> route = new ArrayList<>(r.edges().size() + 1);
                    route.add(e);
                    route.addAll(r.edges());
                    byTarget.computeIfAbsent(r.to().position, k -> new ArrayList<>(2)).add(route);
                }
            }
            p.pathEdges = new ArrayList<>(byTarget.size());
            p.pathSuccessors = new ArrayList<>(byTarget.size());
            for (Map.Entry<Integer, List<List<Edge>>> t : byTarget.entrySet()) {
                Place target = byPosition[t.getKey()];
                List<List<Edge>> routes = t.getValue();
                // (tried only out of a vertex a parameter reaches, the only ones whose paths are
                // counted and listed: the others' factors are derived only when drawn)
                if (p.reached && cancels(target.vertex, routes)) {
                    continue;
                }
                Edge merged = routes.size() == 1 && routes.get(0).size() == 1 ? routes.get(0).get(0)
                        : new Edge(p.vertex, target.vertex, routes, this::mergedFactor, PathGraph::classify);
                p.pathEdges.add(merged);
                p.pathSuccessors.add(target);
            }
        }
    }

    /**
     * Whether the routes to {@code to} add up to exactly 0, so that the start does not appear in
     * {@code to}'s definition with the reduction written out ({@code c = h - sum(h)}: h[1] leaves
     * h[1] - (h[1] + … + h[16]), and below 16 elements, where the sum is inline, c[1] has no edge
     * from h[1]). Only a linear combination cancels so, in a short definition with a direct edge
     * beside the shared reduction's: only such a one is tried, by the exact normal form of the sum
     * of the routes' products; any other is an edge.
     */
    private static boolean cancels(Vertex to, List<List<Edge>> routes) {
        if (routes.size() < 2 || to.definition().treeSize() > CANCELLING_SIZE) {
            return false;
        }
        boolean direct = false;
        for (List<Edge> route : routes) {
            direct |= route.size() == 1;
        }
        if (!direct) {
            return false;
        }
        List<Expr> terms = new ArrayList<>(routes.size());
        for (List<Edge> route : routes) {
            List<Expr> factors = new ArrayList<>(route.size());
            for (Edge e : route) {
                factors.add(e.factor());
            }
            terms.add(chainrule.expr.Exprs.mul(factors));
        }
        return chainrule.expr.Exprs.add(terms).equals(chainrule.expr.Exprs.ZERO);
    }

    /** The largest definition (tree nodes) whose merged edges {@link #cancels} tries. */
    private static final int CANCELLING_SIZE = 64;

    /** The routes from the shared reduction {@code m} to the vertices of the spec's graph it feeds, directly or through other shared ones. */
    private static List<Route> routes(Place m, Map<Place, List<Route>> known) {
        List<Route> done = known.get(m);
        if (done != null) {
            return done;
        }
        List<Route> out = new ArrayList<>();
        for (int i = 0; i < m.outgoing.size(); i++) {
            Edge e = m.outgoing.get(i);
            Place s = m.successors.get(i);
            if (!isSharedReduction(s.vertex)) {
                out.add(new Route(s, List.of(e)));
                continue;
            }
            for (Route r : routes(s, known)) {
                List<Edge> route = new ArrayList<>(r.edges().size() + 1);
                route.add(e);
                route.addAll(r.edges());
                out.add(new Route(r.to(), route));
            }
        }
        known.put(m, out);
        return out;
    }

    /**
     * The factor of a spec edge made of several routes: the sum over the routes of the product of
     * their factors (the chain rule through the shared reductions), simplified with each shared
     * reduction as a name and then written as the language's own call, as the user wrote it
     * ({@link FoldedReductions}): {@code c = h - mean(h)} over 16 elements gives 15/16 for
     * {@code h[1] → c[1]}, as 14/15 over 15; an 875-value variance {@code (x[1] - mean(x))/437}
     * for {@code x[1] → v}, not the mean's 875 terms. Where a shared reduction is no such call,
     * every one is written out as its definition, as the spec's graph, which has no such vertex,
     * writes it.
     */
    private Expr mergedFactor(Edge merged) {
        FoldedReductions reductions = folded();
        Map<Expr, Expr> folded = reductions.calls();
        if (!folded.isEmpty()) {
            // the routes' sum with the shared reductions as names, a route through an edge whose
            // factor is identically 0 left out (∂v/∂v.mean of a centred sum: what makes the
            // written-out form's n terms cancel to 2·(x[1] - mean(x))/874)
            VanishingReductions vanishing = vanishingReductions();
            List<Expr> terms = new ArrayList<>(merged.routes().size());
            for (List<Edge> route : merged.routes()) {
                List<Expr> factors = new ArrayList<>(route.size());
                boolean zero = false;
                for (Edge e : route) {
                    zero |= vanishing.factorVanishes(e);
                    factors.add(e.factor());
                }
                if (!zero) {
                    terms.add(chainrule.expr.Exprs.mul(factors));
                }
            }
            Expr sum = chainrule.expr.Exprs.add(terms);
            boolean foldable = true;
            for (Sym s : Symbols.free(sum)) {
                foldable &= !inlined().containsKey(s) || folded.containsKey(s);
            }
            if (foldable) {
                // simplified with the reductions as names (15/16 where they cancel), then each
                // written as its call: mean(x), sum(h)
                Expr simplified = sum.treeSize() > WRITTEN_OUT_SIMPLIFIED ? Substitution.replace(sum, foldBack)
                        : localFactor(sum, foldBack);
                // what is left of a reduction's own terms (a layer norm's h[2]/16 + … + h[16]/16)
                // written with its name, and simplified again where that changed anything
                Expr shorter = reductions.foldSums(simplified);
                if (shorter != simplified && shorter.treeSize() <= WRITTEN_OUT_SIMPLIFIED) {
                    shorter = localFactor(shorter, foldBack);
                }
                return FoldedReductions.withMeans(Substitution.replace(shorter, folded), network);
            }
        }
        Expr written = Substitution.replace(merged.routeSum(), inlined());
        // A long reduction written out is a long linear form in the normal form already (a
        // 875-value variance: 875 terms per edge), which the rules, bounded at a few hundred nodes
        // (cancel-rational) or by work, would only spend their budget on, edge after edge.
        if (written.treeSize() > WRITTEN_OUT_SIMPLIFIED) {
            return Substitution.replace(written, foldBack);
        }
        return localFactor(written, foldBack);
    }

    /**
     * {@code e} as printed: each shared reduction the element view names ({@code v.mean}) written
     * as its call ({@code mean(w)}, {@link FoldedReductions}), the one rule by which every printer
     * writes edge factors and closed forms (a reduction that is no such call keeps its name). The
     * call has the shared vertex's value ({@link Values}), so numbers are unchanged.
     */
    public Expr printedForm(Expr e) {
        if (sharesReductions) {
            Map<Expr, Expr> calls = folded().calls();
            e = calls.isEmpty() ? e : Substitution.replace(e, calls);
        }
        // k·sum(E)/n as k·mean(E) where simplifying a whole form brought the 1/n beside a call
        return FoldedReductions.withMeans(e, network);
    }

    /**
     * {@code v}'s definition as printers show it: each long reduction inside it as its call and each
     * shared reduction as its call ({@code sqrt(mean((w - mean(w))^2) + 0.00001)}), not as its n
     * terms (written again in each of n elements) or the element view's name ({@code L.mean}).
     * Below 16 elements its definition as it is.
     */
    public Expr printedDefinition(Vertex v) {
        Expr d = v.definition();
        if (d == null) {
            return null;
        }
        if (!isSharedReduction(v)) {
            FoldedReductions.Inline in = FoldedReductions.inline(d, network, false);
            d = in.isEmpty() ? d : in.definition();
        }
        return printedForm(d);
    }

    /** Each shared reduction's symbol to its call as the file writes it ({@link FoldedReductions}); made on first use. */
    private synchronized FoldedReductions folded() {
        if (folded == null) {
            folded = FoldedReductions.of(network);
        }
        return folded;
    }

    /** {@link #folded()}. */
    private FoldedReductions folded;

    /** The largest merged factor (tree nodes, the reductions written out) that is simplified by the rules. */
    private static final int WRITTEN_OUT_SIMPLIFIED = 400;

    /** Each shared reduction's symbol to its definition, the shared reductions it mentions written out too. */
    private synchronized Map<Expr, Expr> inlined() {
        if (inlined == null) {
            Map<Expr, Expr> out = new HashMap<>();
            for (Vertex v : order) { // topological: a shared reduction's own ones come first
                if (isSharedReduction(v)) {
                    out.put(v.symbol(), Substitution.replace(v.definition(), out));
                }
            }
            inlined = out;
        }
        return inlined;
    }

    /**
     * The local partials of one definition with respect to the vertices it uses that are (or are
     * not) reached from a parameter, derived together, once, when the first is asked for.
     */
    private static final class LocalPartials {
        private final Expr definition;
        private List<Place> uses;
        private final boolean reached;
        private final boolean numeric;
        private Map<Sym, Expr> partials;

        /** The definition with its long reductions as their calls, where it has any (set when derived). */
        private FoldedReductions.Inline folded;

        /** A simplified partial of the definition with k·sum(h)/n written k·mean(h) where it holds folded calls. */
        synchronized Expr withMeans(Expr partial) {
            return !hasCalls ? partial : folded == null ? FoldedReductions.withMeans(partial, foldedFor)
                    : FoldedReductions.withMeans(FoldedReductions.withMeans(partial, folded, foldedFor), foldedFor);
        }

        /** The network, to fold the definition's long reductions into their calls; null once derived. */
        private Network network;
        /** The network the partials were derived in (what their folded calls are registered for). */
        private Network foldedFor;
        /** Whether a partial names a folded call (then k·sum(E)/n is written k·mean(E) once simplified). */
        private boolean hasCalls;
        /** Whether the definition is a shared reduction's own (its sum is the definition: nothing to fold). */
        private final boolean isShared;

        LocalPartials(Expr definition, List<Place> uses, boolean reached, boolean numeric, Network network, boolean isShared) {
            this.definition = definition;
            this.uses = uses;
            this.reached = reached;
            this.numeric = numeric;
            this.network = network;
            this.isShared = isShared;
        }

        private Map<Sym, Expr> gradient(Expr e, Set<Sym> wrt) {
            return numeric ? Differentiator.numericGradient(e, wrt) : Differentiator.gradient(e, wrt);
        }

        /**
         * The partials of a definition that holds long reductions (FoldedReductions.Inline), with
         * each reduction as its call: ∂d/∂s + Σ over the calls r of ∂d/∂r · dr/ds, where dr/ds
         * goes through the calls inside r too. {@code v = sum(w^2)*mean(w)} over 875 elements
         * gives {@code 2·w[1]·mean(w) + sum(w²)/875} for {@code w[1]}, not the 875 terms of each
         * sum multiplied out (quadratic in the length, and what every printed factor listed).
         */
        private Map<Sym, Expr> throughCalls(FoldedReductions.Inline folded, Set<Sym> wrt) {
            Set<Sym> all = new HashSet<>(wrt);
            all.addAll(folded.calls().keySet());
            Map<Sym, Map<Sym, Expr>> total = new HashMap<>(); // each call's derivative by each of wrt
            for (Map.Entry<Sym, Expr> c : folded.calls().entrySet()) { // inner ones first
                total.put(c.getKey(), chained(gradient(c.getValue(), all), wrt, total));
            }
            return chained(gradient(folded.definition(), all), wrt, total);
        }

        /** {@code partials} (by wrt and by calls) with each call's part carried to wrt through {@code total}. */
        private static Map<Sym, Expr> chained(Map<Sym, Expr> partials, Set<Sym> wrt, Map<Sym, Map<Sym, Expr>> total) {
            Map<Sym, Expr> out = new HashMap<>();
            for (Sym s : wrt) {
                List<Expr> terms = new ArrayList<>();
                Expr direct = partials.get(s);
                if (direct != null) {
                    terms.add(direct);
                }
                for (Map.Entry<Sym, Map<Sym, Expr>> c : total.entrySet()) {
                    Expr outer = partials.get(c.getKey());
                    Expr inner = c.getValue().get(s);
                    if (outer != null && inner != null) {
                        terms.add(chainrule.expr.Exprs.mul(outer, inner));
                    }
                }
                Expr sum = chainrule.expr.Exprs.add(terms);
                if (!sum.equals(chainrule.expr.Exprs.ZERO)) {
                    out.put(s, sum);
                }
            }
            return out;
        }

        /** The partials {@link FoldedReductions#foldPartial} rewrote, as derived (what numbers are computed from). */
        private Map<Sym, Expr> unfolded;

        /** The partial by {@code s} as derived, where folding its long sums changed it; else null. */
        synchronized Expr unfolded(Sym s) {
            of(s);
            return unfolded == null ? null : unfolded.get(s);
        }

        synchronized Expr of(Sym s) {
            if (partials == null) {
                Set<Sym> wrt = new HashSet<>();
                for (Place p : uses) {
                    if (p.reached == reached) {
                        wrt.add(p.vertex.symbol());
                    }
                }
                FoldedReductions.Inline folded = isShared ? null : FoldedReductions.inline(definition, network);
                if (folded == null || folded.isEmpty()) {
                    partials = gradient(definition, wrt);
                } else {
                    partials = throughCalls(folded, wrt);
                    this.folded = folded;
                }
                // a long sum a partial is left with (a folded call's derivative by a name in each
                // of its terms) written as its call too
                Network n = network;
                Map<Sym, Expr> withCalls = new HashMap<>(partials.size() * 2);
                for (Map.Entry<Sym, Expr> p : partials.entrySet()) {
                    Expr f = numeric ? p.getValue() : FoldedReductions.foldPartial(p.getValue(), n);
                    if (f != p.getValue()) {
                        hasCalls = true;
                        if (unfolded == null) {
                            unfolded = new HashMap<>();
                        }
                        unfolded.put(p.getKey(), p.getValue());
                    }
                    withCalls.put(p.getKey(), f);
                }
                partials = withCalls;
                hasCalls |= this.folded != null;
                foldedFor = network;
                uses = null;
                network = null;
            }
            return partials.getOrDefault(s, chainrule.expr.Exprs.ZERO);
        }
    }

    /** A built-in call whose arguments are parameters (elements of a parameter vector) and numbers. */
    private static boolean isAppliedToParameters(Expr definition) {
        if (!(definition instanceof chainrule.expr.Apply a) || a.args().isEmpty()
                || !(a.fn() instanceof chainrule.expr.Primitive || a.fn() instanceof chainrule.expr.VectorElement)) {
            return false;
        }
        boolean parameter = false;
        for (Expr e : a.args()) {
            if (e instanceof Sym s && s.kind() == chainrule.expr.SymKind.PARAMETER) {
                parameter = true;
            } else if (!(e instanceof Num)) {
                return false;
            }
        }
        return parameter;
    }

    private Expr localFactor(Expr partial, Map<Expr, Expr> foldBack) {
        if (partial instanceof Sym || partial instanceof Num) {
            return partial; // no rule rewrites a leaf, and no activation is one
        }
        return Substitution.replace(simplified(partial), foldBack);
    }

    /**
     * {@code e} simplified, by renaming an earlier result where {@code e} is an expression already
     * simplified with other names (∂v/∂x[2] after ∂v/∂x[1]; {@link RenamedSimplification}).
     */
    Expr simplified(Expr e) {
        return simplifications.simplify(e);
    }

    public static PathGraph of(Network network) {
        return new PathGraph(network);
    }

    /** Shares {@code g}'s vertices, edges (with the factors derived so far) and path counts. */
    private PathGraph(PathGraph g, Network network) {
        this.network = network;
        this.order = g.order;
        this.pathOrder = g.pathOrder;
        this.sharesReductions = g.sharesReductions;
        this.specEdges = g.specEdges;
        this.foldBack = g.foldBack;
        this.places = g.places;
        this.byPosition = g.byPosition;
        this.simplifications = g.simplifications;
    }

    /**
     * This graph for {@code network}, a copy of this graph's network with other declared values
     * ({@link Network#withValues}): the same vertices, edges, factors and path counts, which do not
     * depend on values, without deriving any factor again (the playground's edit of a number).
     *
     * @throws IllegalArgumentException if {@code network} does not share this network's element view
     */
    public PathGraph withValuesOf(Network network) {
        if (network.definitions() != this.network.definitions() || network.loss() != this.network.loss()) {
            throw new IllegalArgumentException("not the same network structure");
        }
        return network == this.network ? this : new PathGraph(this, network);
    }

    public Network network() { return network; }

    /**
     * The number of vertices of the network's whole element view: {@code vertices().size()}, or
     * more when the network's view is partial ({@link Network#partial}). What decides how a
     * closed form names its δs, so that a partial view prints what the whole one does.
     */
    public int wholeVertexCount() { return network.wholeVertexCount(); }

    /** Vertices in topological order (every edge goes forward in this list). */
    public List<Vertex> vertices() { return order; }

    public List<Edge> outgoing(Vertex v) { return Collections.unmodifiableList(place(v).outgoing); }

    public List<Edge> incoming(Vertex v) { return Collections.unmodifiableList(place(v).incoming); }

    /**
     * The exact number of paths from {@code v} to the loss in the spec's graph (through no shared
     * reduction; see the class comment), by dynamic programming (exact at any size).
     */
    public BigInteger pathCount(Vertex v) {
        spec();
        return place(v).specPaths();
    }

    /**
     * The vertices of the spec's graph in topological order: {@link #vertices()} without the
     * element view's shared reductions. What drawings and listings show.
     */
    public List<Vertex> pathVertices() { return pathOrder; }

    /**
     * {@code v}'s definition as the spec's graph has it: every shared reduction it mentions written
     * out ({@code c[1] = h[1] - c.mean} is {@code h[1] - (h[1] + … + h[16])/16}); its own
     * definition where it mentions none.
     */
    public Expr pathDefinition(Vertex v) {
        return sharesReductions && v.isDefined() ? Substitution.replace(v.definition(), inlined()) : v.definition();
    }

    /**
     * The edges out of {@code v} in the spec's graph (see the class comment): {@link #outgoing}
     * where {@code v} feeds no shared reduction; none out of a shared reduction. What paths are
     * listed, counted, ranked and drawn along.
     */
    public List<Edge> pathOutgoing(Vertex v) {
        spec();
        return Collections.unmodifiableList(place(v).pathEdges());
    }

    /** The edges into {@code v} in the spec's graph: those of {@link #pathOutgoing} that end at {@code v}. */
    public List<Edge> pathIncoming(Vertex v) {
        if (!sharesReductions) {
            return incoming(v);
        }
        return pathIncomingMap().getOrDefault(v, List.of());
    }

    private synchronized Map<Vertex, List<Edge>> pathIncomingMap() {
        spec();
        if (pathIncoming == null) {
            Map<Vertex, List<Edge>> in = new HashMap<>();
            for (Place p : byPosition) {
                for (Edge e : p.pathEdges()) {
                    in.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e);
                }
            }
            for (Map.Entry<Vertex, List<Edge>> e : in.entrySet()) {
                e.setValue(Collections.unmodifiableList(e.getValue()));
            }
            pathIncoming = in;
        }
        return pathIncoming;
    }

    /**
     * Whether {@code v} is a parameter or computed from one: the vertices paths from parameters
     * visit. Edges out of other vertices (inputs, targets) derive their factor only when asked.
     */
    public boolean reachedFromParameter(Vertex v) { return place(v).reached; }

    /** Whether some path of the spec's graph leads from {@code v} to the loss ({@link #pathCount} is not 0). */
    public boolean pathReachesLoss(Vertex v) {
        spec();
        Place p = place(v);
        return p.specPaths != null ? p.specPaths.signum() != 0 : p.pathsToLoss != 0;
    }

    /** Whether some path leads from {@code v} to the loss. */
    public boolean reachesLoss(Vertex v) { return place(v).pathsToLoss != 0; }

    /** {@code from} and every vertex reachable from it: all that a derivative by {@code from} involves. */
    public Set<Vertex> below(Vertex from) {
        Set<Vertex> below = new HashSet<>();
        below.add(from);
        List<Vertex> stack = new ArrayList<>(List.of(from));
        while (!stack.isEmpty()) {
            for (Edge e : place(stack.remove(stack.size() - 1)).outgoing) {
                if (below.add(e.to())) {
                    stack.add(e.to());
                }
            }
        }
        return below;
    }

    /** The index of {@code v} in {@link #vertices()}. */
    int position(Vertex v) { return place(v).position; }

    /**
     * {@link #reachedFromParameter} of the vertex at {@code position} in {@link #vertices()}: a pass
     * over every vertex in order needs no lookup by symbol (a reverse pass over 100,000 vertices
     * spent a third of its time in them).
     */
    boolean reachedFromParameter(int position) { return byPosition[position].reached; }

    /** {@link #outgoing} of the vertex at {@code position} in {@link #vertices()}, without a lookup. */
    List<Edge> outgoing(int position) { return Collections.unmodifiableList(byPosition[position].outgoing); }

    /** The δs of a large network, shared by every parameter's closed form ({@link ClosedForm}); made on first use. */
    synchronized ClosedForm.Shared sharedDeltas() {
        if (sharedDeltas == null) {
            sharedDeltas = new ClosedForm.Shared(this);
        }
        return sharedDeltas;
    }

    /** The edges out of shared reductions whose part of every derivative is 0 ({@link ClosedForm} leaves them out); found on first use. */
    synchronized VanishingReductions vanishingReductions() {
        if (vanishingReductions == null) {
            vanishingReductions = VanishingReductions.of(this);
        }
        return vanishingReductions;
    }

    private Place place(Vertex v) {
        Place p = places.get(v.symbol());
        if (p == null) {
            throw new IllegalArgumentException("not a vertex of this graph: " + v.name());
        }
        return p;
    }

    private void countPaths() {
        Vertex loss = network.loss();
        for (int i = order.size() - 1; i >= 0; i--) {
            Place p = places.get(order.get(i).symbol());
            long n = p.vertex == loss ? 1 : 0;
            for (Place next : p.successors) {
                if (n < 0 || next.pathsToLoss < 0 || next.pathsToLoss > Long.MAX_VALUE - n) {
                    n = -1; // too many for a long: counted exactly below
                    break;
                }
                n += next.pathsToLoss;
            }
            if (n < 0) {
                BigInteger big = p.vertex == loss ? BigInteger.ONE : BigInteger.ZERO;
                for (Place next : p.successors) {
                    big = big.add(next.paths());
                }
                p.manyPaths = big;
            }
            p.pathsToLoss = n;
        }
    }

    /**
     * The spec's edges out of the vertices that feed a shared reduction, and every vertex's number
     * of paths in the spec's graph, made on the first call that reads them (a gradient never
     * does). Shared, like the places, by the graphs of one structure.
     */
    private static final class SpecEdges {
        private boolean made;
    }

    private final SpecEdges specEdges;

    /** Makes {@link #pathOutgoing}'s merged edges and the spec's counts, once per structure. */
    private void spec() {
        if (!sharesReductions) {
            return;
        }
        synchronized (specEdges) {
            if (specEdges.made) {
                return;
            }
            mergeSharedReductions();
            // the spec's graph: the same dynamic programme over its edges, in BigInteger from the
            // start (made once per structure, when first read)
            Vertex loss = network.loss();
            for (int i = order.size() - 1; i >= 0; i--) {
                Place p = byPosition[i];
                BigInteger n = p.vertex == loss ? BigInteger.ONE : BigInteger.ZERO;
                for (Place next : p.pathSuccessors()) {
                    n = n.add(next.specPaths());
                }
                p.specPaths = n;
            }
            specEdges.made = true;
        }
    }

    /**
     * {@code h = relu(h.in) * m} with {@code m} constant data (a dropout mask): the edge
     * {@code h.in → h} is the activation's, its factor the mask times the activation's derivative.
     */
    private static boolean isMaskedActivation(Vertex from, Vertex to) {
        if (!(to.definition() instanceof chainrule.expr.Product p)) {
            return false;
        }
        boolean activation = false;
        for (Expr f : p.factors()) {
            if (f instanceof chainrule.expr.Apply a && !a.args().isEmpty() && a.arg(0) == from.symbol()
                    && !(a.fn() instanceof chainrule.expr.VectorElement) && !activation) {
                activation = true;
            } else if (!(f instanceof Num || f instanceof Sym s
                    && (s.kind() == SymKind.CONSTANT || s.kind() == SymKind.DATA))) {
                return false;
            }
        }
        return activation;
    }

    private static Role classify(Vertex from, Vertex to, Expr factor) {
        if (to.kind() == VertexKind.LOSS) {
            return Role.LOSS;
        }
        if (to.isActivation() && to.activationInputs().contains(from.symbol()) || isMaskedActivation(from, to)) {
            return Role.ACTIVATION;
        }
        if (from.kind().isParameter()) {
            return Role.INPUT;
        }
        for (Sym s : Symbols.free(factor)) {
            if (s.kind() == SymKind.PARAMETER) {
                return Role.WEIGHT;
            }
            // a folded call (mean(w)) names the parameters of its argument
            java.util.Optional<FoldedReductions.Call> call = FoldedReductions.call(s);
            if (call.isPresent() && Symbols.free(call.get().argument()).stream().anyMatch(a -> a.kind() == SymKind.PARAMETER)) {
                return Role.WEIGHT;
            }
        }
        return Role.LOCAL;
    }
}
