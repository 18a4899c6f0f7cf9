package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.paths.LayerForm.Group;
import chainrule.simplify.Simplifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recognition step of {@link LayerForm}: from the element edges between two groups, the
 * pattern a textbook writes (an elementwise factor, a weight matrix, a matrix parameter into a
 * layer, a scalar broadcast over a layer, a reduction into the loss, the softmax Jacobian, else a
 * general Jacobian), accepted only if every edge fits it exactly; the textbook's cancellations
 * across two of them ({@code p − y}); and which δs are printed by name. Nothing here is trusted:
 * {@link LayerVerification} checks every δ before {@link LayerForm} keeps it.
 */
final class LayerRecognition {
    private final PathGraph graph;
    private final LayerGroups groups;
    private final Group loss;
    /** The recognised and verified δs so far (kept by {@link LayerForm}), from the loss backwards. */
    private final Map<Group, LayerTerm> deltas;
    /** Groups whose δ reaches the loss through a vector: only their gradients are worth a layer form. */
    final Set<Group> touchesVector = new HashSet<>();
    /** Groups whose δ is printed by name ({@link #nameShared}). */
    final Set<Group> named = new HashSet<>();
    /** Target vectors whose given values sum to 1. */
    private final List<Group> unitSumTargets;
    /** The vectors whose softmax stands in elementwise factors ({@code softmax(z)} in {@code softmax(z) − y}), by their symbols. */
    final Map<Sym, Group> softmaxed = new HashMap<>();
    /** log_softmax outputs' arguments whose target's given values sum to 1: target to argument. */
    final Map<Group, Group> logSoftmaxUnitSumUsed = new LinkedHashMap<>();
    /** Softmax-cross-entropy arguments written inside the loss whose target's given values sum to 1: target to argument. */
    final Map<Group, Group> softmaxCrossEntropyUnitSumUsed = new LinkedHashMap<>();
    /** The vectors whose sums stand in elementwise factors ({@code Σy} in {@code p·Σy − y}), by their symbols. */
    final Map<Sym, Group> summed = new HashMap<>();
    /** The unit-sum targets a softmax δ was written {@code p − y} for: target to the softmax output p. */
    final Map<Group, Group> unitSumUsed = new LinkedHashMap<>();

    LayerRecognition(PathGraph graph, LayerGroups groups, Map<Group, LayerTerm> deltas) {
        this.graph = graph;
        this.groups = groups;
        this.loss = groups.loss();
        this.deltas = deltas;
        this.unitSumTargets = groups.unitSumTargets();
    }

    /**
     * The cancellations textbooks rely on, at the level of layers (each checked afterwards against
     * reverse accumulation like any recognised form):
     * <ul>
     * <li>two elementwise factors in a row become one, simplified when that is shorter: sigmoid
     *     with binary cross-entropy, {@code o ⊙ (1 − o) ⊙ (−y/o − (1 − y)/(1 − o))}, is {@code o − y};</li>
     * <li>softmax into cross-entropy, {@code p ⊙ (−y/p − ⟨p, −y/p⟩)}, is {@code p·Σy − y}, and
     *     {@code p − y} when the target's given values sum to 1 (a one-hot or probability target;
     *     {@link #unitSumTargets}).</li>
     * </ul>
     */
    LayerTerm simplified(Group u, LayerTerm term) {
        LayerTerm logSoftmax = logSoftmaxIntoLoss(u, term);
        if (logSoftmax != null) {
            return logSoftmax;
        }
        if (term instanceof LayerTerm.Elementwise outer && writtenOut(u, outer.rest()) instanceof LayerTerm.Elementwise inner
                && inner.at().size() == outer.at().size()) {
            Expr product = Exprs.mul(outer.factor(), inner.factor());
            Expr s = Simplifier.simplify(product);
            if (s.treeSize() < outer.factor().treeSize() + inner.factor().treeSize()) {
                return new LayerTerm.Elementwise(s, outer.at(), inner.rest(), outer.role());
            }
        }
        if (term instanceof LayerTerm.Softmax soft && writtenOut(u, soft.rest()) instanceof LayerTerm.Elementwise inner
                && inner.rest() instanceof LayerTerm.Delta d && d.group() == loss) {
            Sym p = soft.output().vectorSymbol();
            Expr pTimesRest = Simplifier.simplify(Exprs.mul(p, inner.factor()));
            // p ⊙ g − p·⟨p, g⟩ with p ⊙ g = c·y (c a number: −1 for cross-entropy, −1/n for a mean
            // of n of them) is −c·(p·Σy − y), and −c·(p − y) where y's given values sum to 1.
            for (Sym v : Symbols.free(pTimesRest)) {
                Group y = groups.vector(v);
                if (y == null || y.size() != soft.output().size() || y == soft.output()) {
                    continue;
                }
                Expr c = Simplifier.simplify(Exprs.div(pTimesRest, v));
                if (!(c instanceof chainrule.expr.Num n) || c == Exprs.ZERO) {
                    continue;
                }
                Expr scale = Exprs.neg(n);
                if (unitSumTargets.contains(y)) {
                    unitSumUsed.put(y, soft.output());
                    return new LayerTerm.Elementwise(Exprs.mul(scale, Exprs.sub(p, v)), soft.output(), inner.rest(), Role.LOSS);
                }
                Sym total = sumSymbol(y);
                summed.put(total, y);
                return new LayerTerm.Elementwise(Exprs.mul(scale, Exprs.sub(Exprs.mul(p, total), v)), soft.output(), inner.rest(), Role.LOSS);
            }
        }
        return term;
    }

    /**
     * log_softmax with the negative log-likelihood: {@code r = log_softmax(z)} into
     * {@code -sum(y*r)} has the Jacobian {@code ∂r[j]/∂z[k] = δjk − softmax(z)[k]}, so
     * {@code δ(z) = −y + softmax(z)·Σy}: {@code softmax(z)·Σy − y}, and {@code softmax(z) − y}
     * when the target's given values sum to 1. Whether r is the log_softmax of z is read from r's
     * definitions (each element applies log_softmax to z's elements in order), whatever z is: a
     * declared or defined vector, or the pre-activation {@code r.in} of {@code r = log_softmax(k*z)}.
     * Null when the term is not that.
     */
    private LayerTerm logSoftmaxIntoLoss(Group u, LayerTerm term) {
        if (!(term instanceof LayerTerm.Jacobian j) || j.input() != u || !isLogSoftmaxOf(j.output(), u)
                || !(writtenOut(u, j.rest()) instanceof LayerTerm.Elementwise inner)
                || !(inner.rest() instanceof LayerTerm.Delta d) || d.group() != loss || inner.at() != j.output()) {
            return null;
        }
        Sym softmax = softmaxSymbol(u);
        softmaxed.put(softmax, u);
        for (Group y : unitSumTargets) {
            if (inner.factor() == Exprs.neg(y.vectorSymbol()) && y.size() == u.size()) {
                logSoftmaxUnitSumUsed.put(y, u);
                return new LayerTerm.Elementwise(Exprs.sub(softmax, y.vectorSymbol()), u, inner.rest(), Role.LOSS);
            }
        }
        Group y = inner.factor() instanceof chainrule.expr.Product minus && minus.factors().size() == 2
                && minus.coefficient() == -1 && minus.factors().get(1) instanceof Sym v ? groups.vector(v) : null;
        if (y != null && y.size() == u.size()) {
            Sym total = sumSymbol(y);
            summed.put(total, y);
            return new LayerTerm.Elementwise(Exprs.sub(Exprs.mul(softmax, total), y.vectorSymbol()), u, inner.rest(), Role.LOSS);
        }
        return null;
    }

    /**
     * Softmax with cross-entropy written inside the loss, whatever the spelling
     * ({@code cross_entropy(softmax(z), y)}, {@code -sum(y*log(softmax(z)))},
     * {@code -sum(y*log_softmax(z))}): no vertex holds softmax(z), so the edges z[k] → loss carry
     * the whole derivative, each in terms of every softmax(z)[j]. It is {@code softmax(z)·Σy − y}
     * exactly when every edge's factor minus {@code softmax(z)[k]·(y[1] + … + y[n]) − y[k]}
     * simplifies to 0, for one vector y of z's size the factors mention; {@code softmax(z) − y}
     * where y's given values sum to 1. Null when the edges are not that.
     */
    private LayerTerm softmaxCrossEntropyInLoss(Group u, List<Edge> edges, LayerTerm rest) {
        int n = u.size();
        if (u.shape().size() != 1 || edges.size() != n || n < 2) {
            return null;
        }
        Edge[] at = new Edge[n];
        for (Edge e : edges) {
            if (at[e.from().flat()] != null) {
                return null;
            }
            at[e.from().flat()] = e;
        }
        List<Expr> z = new ArrayList<>();
        for (Vertex x : u.elements()) {
            z.add(x.symbol());
        }
        Set<Group> candidates = new java.util.LinkedHashSet<>();
        for (Sym s : Symbols.free(at[0].factor())) {
            Vertex x = graph.network().vertex(s.name()).orElse(null);
            Group g = x == null || x.symbol() != s ? null : groups.of(x);
            if (g != null && g != u && !g.isParameter() && g.shape().equals(u.shape())) {
                candidates.add(g);
            }
        }
        for (Group y : candidates) {
            List<Expr> ys = new ArrayList<>();
            for (Vertex x : y.elements()) {
                ys.add(x.symbol());
            }
            Expr total = Exprs.add(ys);
            boolean fits = true;
            for (int k = 0; k < n && fits; k++) {
                Expr softmax = Exprs.apply(new chainrule.expr.VectorElement(chainrule.expr.VectorPrimitive.SOFTMAX, k, n), z);
                Expr expected = Exprs.sub(Exprs.mul(softmax, total), ys.get(k));
                fits = Simplifier.simplify(Exprs.sub(at[k].factor(), expected)) == Exprs.ZERO;
            }
            if (!fits) {
                continue;
            }
            Sym softmax = softmaxSymbol(u);
            softmaxed.put(softmax, u);
            if (unitSumTargets.contains(y)) {
                (writesLogSoftmax() && appliesLogSoftmax(graph.network().loss().definition(), z, new HashSet<>())
                        ? logSoftmaxUnitSumUsed : softmaxCrossEntropyUnitSumUsed).put(y, u);
                return new LayerTerm.Elementwise(Exprs.sub(softmax, y.vectorSymbol()), u, rest, Role.LOSS);
            }
            Sym sum = sumSymbol(y);
            summed.put(sum, y);
            return new LayerTerm.Elementwise(Exprs.sub(Exprs.mul(softmax, sum), y.vectorSymbol()), u, rest, Role.LOSS);
        }
        return null;
    }

    /**
     * Whether the loss's statement is written with log_softmax (the analysis also writes
     * {@code cross_entropy(softmax(z), y)} with it, which the legend should not call log_softmax).
     */
    private boolean writesLogSoftmax() {
        Vertex l = graph.network().loss();
        chainrule.diag.Source source = graph.network().source();
        if (source == null || l.pos() == null || l.pos().line() < 1 || l.pos().line() > source.lineCount()) {
            return true;
        }
        return source.line(l.pos().line()).contains("log_softmax");
    }

    /** Whether {@code e} applies log_softmax to the arguments {@code z} somewhere (the legend then names it). */
    private static boolean appliesLogSoftmax(Expr e, List<Expr> z, Set<Expr> seen) {
        if (e == null || !seen.add(e)) {
            return false;
        }
        if (e instanceof chainrule.expr.Apply a && a.fn() instanceof chainrule.expr.VectorElement v
                && v.primitive() == chainrule.expr.VectorPrimitive.LOG_SOFTMAX && a.args().equals(z)) {
            return true;
        }
        for (Expr c : e.children()) {
            if (appliesLogSoftmax(c, z, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Whether element j of {@code r} is {@code log_softmax(z)[j]} of the elements of {@code z} in order, for every j. */
    private static boolean isLogSoftmaxOf(Group r, Group z) {
        if (r.size() != z.size() || r.isScalar()) {
            return false;
        }
        for (int j = 0; j < r.size(); j++) {
            if (!(r.elements().get(j).definition() instanceof chainrule.expr.Apply a)
                    || !(a.fn() instanceof chainrule.expr.VectorElement e) || e.primitive() != chainrule.expr.VectorPrimitive.LOG_SOFTMAX
                    || e.index() != j || a.args().size() != z.size()) {
                return false;
            }
            for (int k = 0; k < z.size(); k++) {
                if (a.arg(k) != z.elements().get(k).symbol()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The symbol for the vector {@code softmax(z)} in an elementwise factor (element i at index i).
     * Its kind is {@code LOCAL}, which no vertex of a network has, so it cannot be taken for a
     * name in the file.
     */
    static Sym softmaxSymbol(Group z) {
        return Exprs.sym("softmax(" + z.name() + ")", chainrule.expr.SymKind.LOCAL);
    }

    /**
     * The symbol for the sum of a vector's elements, {@code Σy}: one number in an elementwise
     * factor (the same at every index). Its kind is {@code LOCAL}, which no vertex of a network
     * has, so it cannot be taken for a name in the file.
     */
    static Sym sumSymbol(Group y) {
        return Exprs.sym("Σ" + y.name(), chainrule.expr.SymKind.LOCAL);
    }

    /**
     * A δ of a group as its recognised form, to simplify across it, when only {@code u} feeds that
     * group (so no other δ refers to it and nothing is written twice); any other term as it is.
     */
    private LayerTerm writtenOut(Group u, LayerTerm t) {
        if (!(t instanceof LayerTerm.Delta d) || d.group() == loss || deltas.get(d.group()) == null) {
            return t;
        }
        for (Vertex v : d.group().elements()) {
            for (Edge e : graph.incoming(v)) {
                if (groups.of(e.from()) != u) {
                    return t;
                }
            }
        }
        return deltas.get(d.group());
    }

    /** Whether some element of {@code g} lies between a parameter and the loss: only then has it a δ worth finding. */
    boolean relevant(Group g) {
        for (Vertex v : g.elements()) {
            if (graph.reachedFromParameter(v) && graph.reachesLoss(v)) {
                return true;
            }
        }
        return false;
    }

    /** δ(u) as the sum of one recognised term per group u feeds, or null. */
    LayerTerm deltaOf(Group u) {
        Map<Group, List<Edge>> byTarget = new LinkedHashMap<>();
        for (Vertex x : u.elements()) {
            for (Edge e : graph.outgoing(x)) {
                if (graph.vanishingReductions().carries(e)) { // a centred sum's mean: no term
                    byTarget.computeIfAbsent(groups.of(e.to()), k -> new ArrayList<>()).add(e);
                }
            }
        }
        List<LayerTerm> terms = new ArrayList<>();
        for (Map.Entry<Group, List<Edge>> e : byTarget.entrySet()) {
            Group v = e.getKey();
            if (v != loss && !deltas.containsKey(v)) {
                return null;
            }
            LayerTerm t = term(u, v, e.getValue());
            if (t == null) {
                return null;
            }
            terms.add(t);
        }
        if (terms.isEmpty()) {
            return null;
        }
        boolean vector = !u.isScalar();
        for (Group v : byTarget.keySet()) {
            vector |= touchesVector.contains(v) || !v.isScalar();
        }
        if (vector) {
            touchesVector.add(u);
        }
        return terms.size() == 1 ? terms.get(0) : new LayerTerm.Sum(terms);
    }

    /** The contribution of u's edges into v to δ(u), or null when no pattern fits every edge. */
    private LayerTerm term(Group u, Group v, List<Edge> edges) {
        LayerTerm rest = new LayerTerm.Delta(v);
        Role role = edges.get(0).role();
        if (u.isScalar() && v.isScalar()) {
            return new LayerTerm.Elementwise(edges.get(0).factor(), u, rest, role);
        }
        if (u.isScalar()) {
            Expr f = common(edges, v.size(), e -> e.to().flat(), e -> e.to().flat(), v.shape());
            return f == null ? null : new LayerTerm.Broadcast(f, v, rest, role);
        }
        if (v.isScalar()) {
            Expr g = common(edges, u.size(), e -> e.from().flat(), e -> e.from().flat(), u.shape());
            if (g == null && v == loss) {
                return softmaxCrossEntropyInLoss(u, edges, rest);
            }
            return g == null ? null : new LayerTerm.Elementwise(g, u, rest, role);
        }
        if (u.shape().equals(v.shape()) && sameIndex(edges)) {
            Expr f = common(edges, u.size(), e -> e.from().flat(), e -> e.from().flat(), u.shape());
            if (f != null) {
                return new LayerTerm.Elementwise(f, u, rest, role);
            }
            // else a one-unit layer: h[1] → o.in[1] through W[1,1] is also a weight matrix
        }
        if (u.shape().size() == 2 && v.shape().size() == 1 && u.shape().get(0).equals(v.shape().get(0))) {
            return outer(u, v, edges, rest);
        }
        if (u.shape().size() == 1 && v.shape().size() == 1 && edges.size() == (long) u.size() * v.size()) {
            return dense(u, v, edges, rest);
        }
        return null;
    }

    private boolean sameIndex(List<Edge> edges) {
        for (Edge e : edges) {
            if (e.from().flat() != e.to().flat()) {
                return false;
            }
        }
        return true;
    }

    /** A matrix parameter into a layer: W[i,j] → V[i] with factor g[j] for all i, j: δ(V) ⊗ g. */
    private LayerTerm outer(Group u, Group v, List<Edge> edges, LayerTerm rest) {
        int columns = u.shape().get(1);
        for (Edge e : edges) {
            if (e.from().flat() / columns != e.to().flat()) {
                return null;
            }
        }
        Expr g = common(edges, u.size(), e -> e.from().flat(), e -> e.from().flat() % columns,
                List.of(columns));
        return g == null ? null : new LayerTerm.Outer(rest, g, u);
    }

    /**
     * Every U[k] feeds every V[j]: a weight matrix ({@code Wᵀ δ(V)}), softmax, or a general Jacobian.
     */
    private LayerTerm dense(Group u, Group v, List<Edge> edges, LayerTerm rest) {
        int m = u.size();
        Expr[] factor = new Expr[edges.size()];
        for (Edge e : edges) {
            int at = e.to().flat() * m + e.from().flat();
            if (factor[at] != null) {
                return null;
            }
            factor[at] = e.factor();
        }
        Group weight = weightMatrix(factor, v.size(), m);
        if (weight != null) {
            return new LayerTerm.Transposed(weight, rest);
        }
        if (u.size() == v.size() && isSoftmax(factor, v)) {
            return new LayerTerm.Softmax(v, rest);
        }
        return new LayerTerm.Jacobian(v, u, rest);
    }

    /** The matrix W when factor[i·m + j] is exactly the element W[i,j] of an n×m group. */
    private Group weightMatrix(Expr[] factor, int n, int m) {
        Group w = null;
        for (int at = 0; at < factor.length; at++) {
            if (!(factor[at] instanceof Sym s)) {
                return null;
            }
            Vertex x = graph.network().vertex(s.name()).orElse(null);
            Group g = x == null || x.symbol() != s ? null : groups.of(x);
            if (g == null || (w != null && g != w) || !g.shape().equals(List.of(n, m)) || x.flat() != at) {
                return null;
            }
            w = g;
        }
        return w;
    }

    /** Whether ∂p[j]/∂z[k] = p[j]·(δjk − p[k]) for every j, k. */
    static boolean isSoftmax(Expr[] factor, Group p) {
        int n = p.size();
        for (int j = 0; j < n; j++) {
            Expr pj = p.elements().get(j).symbol();
            for (int k = 0; k < n; k++) {
                Expr pk = p.elements().get(k).symbol();
                Expr expected = Exprs.mul(pj, Exprs.sub(j == k ? Exprs.ONE : Exprs.ZERO, pk));
                Expr f = factor[j * n + k];
                if (f != expected && Simplifier.simplify(Exprs.sub(f, expected)) != Exprs.ZERO) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The one expression every edge's factor becomes once the elements at each edge's index are
     * replaced by their vector symbols; null unless {@code count} edges cover every index once and
     * all agree. Scalars stay; an element at another index, or of a vector of another shape, fails.
     *
     * @param position which of the {@code count} slots an edge fills
     * @param index    the index whose elements are replaced
     * @param shape    the shape those elements' vectors must have
     */
    private Expr common(List<Edge> edges, int count, java.util.function.ToIntFunction<Edge> position,
                        java.util.function.ToIntFunction<Edge> index, List<Integer> shape) {
        if (edges.size() != count) {
            return null;
        }
        boolean[] seen = new boolean[count];
        Expr common = null;
        for (Edge e : edges) {
            int at = position.applyAsInt(e);
            if (seen[at]) {
                return null;
            }
            seen[at] = true;
            Expr f = dropIndex(e.factor(), index.applyAsInt(e), shape);
            if (f == null || (common != null && f != common)) {
                return null;
            }
            common = f;
        }
        return common;
    }

    /** {@code f} with every element at {@code index} of a vector of {@code shape} replaced by its vector symbol. */
    private Expr dropIndex(Expr f, int index, List<Integer> shape) {
        if (f instanceof Sym s) { // most factors of a large layer (x[j] into W1 @ x): no walk needed
            Expr vector = vectorAt(s, index, shape);
            return vector == NO_MATCH ? null : vector == null ? f : vector;
        }
        Map<Expr, Expr> replace = new HashMap<>();
        for (Sym s : Symbols.free(f)) {
            Expr vector = vectorAt(s, index, shape);
            if (vector == NO_MATCH) {
                return null;
            }
            if (vector != null) {
                replace.put(s, vector);
            }
        }
        return replace.isEmpty() ? f : Substitution.replace(f, replace);
    }

    /** Marks an element that is at another index or of a vector of another shape. */
    private static final Expr NO_MATCH = Exprs.num(Double.NaN);

    /** The vector symbol for element {@code s} at {@code index}; null for a scalar; NO_MATCH otherwise. */
    private Expr vectorAt(Sym s, int index, List<Integer> shape) {
        Vertex x = graph.network().vertex(s.name()).orElse(null);
        Group g = x == null || x.symbol() != s ? null : groups.of(x);
        if (g == null || g.isScalar()) {
            return null;
        }
        if (!g.shape().equals(shape) || x.flat() != index) {
            return NO_MATCH;
        }
        return g.vectorSymbol();
    }

    /** Names δ(g) when two terms use it or a parameter enters g; every other δ is written out where used. */
    void nameShared() {
        Map<Group, Integer> uses = new HashMap<>();
        for (Map.Entry<Group, LayerTerm> e : deltas.entrySet()) {
            for (Group g : referenced(e.getValue())) {
                uses.merge(g, 1, Integer::sum);
                if (e.getKey().isParameter()) {
                    uses.merge(g, 1, Integer::sum);
                }
            }
        }
        uses.forEach((g, n) -> {
            if (n > 1 && g != loss && !g.isParameter()) {
                named.add(g);
            }
        });
    }

    /** The groups whose δ {@code t} uses directly. */
    static List<Group> referenced(LayerTerm t) {
        List<Group> out = new ArrayList<>();
        LayerTerm.visit(t, new LayerTerm.Visitor<Void>() {
            @Override public Void delta(LayerTerm.Delta d) { out.add(d.group()); return null; }
            @Override public Void elementwise(LayerTerm.Elementwise e) { return LayerTerm.visit(e.rest(), this); }
            @Override public Void transposed(LayerTerm.Transposed x) { return LayerTerm.visit(x.rest(), this); }
            @Override public Void outer(LayerTerm.Outer o) { return LayerTerm.visit(o.rest(), this); }
            @Override public Void broadcast(LayerTerm.Broadcast b) { return LayerTerm.visit(b.rest(), this); }
            @Override public Void softmax(LayerTerm.Softmax s) { return LayerTerm.visit(s.rest(), this); }
            @Override public Void jacobian(LayerTerm.Jacobian j) { return LayerTerm.visit(j.rest(), this); }
            @Override public Void sum(LayerTerm.Sum s) {
                s.terms().forEach(x -> LayerTerm.visit(x, this));
                return null;
            }
        });
        return out;
    }
}
