package chainrule.paths;

import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import chainrule.simplify.Simplifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Backpropagation written per layer, read off the element path graph: the element vertices of
 * each vector ({@code h[1]}, {@code h[2]}) form a group, and the element edges between two groups
 * are matched against the patterns a textbook writes (an elementwise factor, a weight matrix, a
 * matrix parameter into a layer, a scalar broadcast over a layer, a reduction into the loss, the
 * softmax Jacobian). Every group's δ is a {@link LayerTerm} over the δs of the groups it feeds:
 * {@code δ(h.in) = (W2ᵀ δ(o.in)) ⊙ step(h.in)}, and a parameter's gradient is its δ:
 * {@code ∂L/∂W1 = δ(h.in) ⊗ x}.
 *
 * <p>Nothing is taken on trust. A pattern is accepted only if every element edge fits it exactly
 * (an elementwise factor must be the same expression for every index once indices are dropped),
 * and every recognised δ is then evaluated from its layer form alone and compared, element by
 * element, with reverse accumulation over the element graph: at the network's values when it has
 * them and at a fixed pseudo-random point. A group whose form is not recognised or does not match
 * has none, nor does anything computed from it; printers then fall back to the element forms.
 */
public final class LayerForm {

    /**
     * The element vertices of one vector, matrix or scalar name, in row-major order.
     *
     * @param shape empty for a scalar
     */
    public record Group(String name, List<Integer> shape, List<Vertex> elements) {
        public int size() { return elements.size(); }

        public boolean isScalar() { return shape.isEmpty(); }

        public boolean isParameter() { return elements.get(0).kind().isParameter(); }

        /** The symbol that stands for every element in an elementwise factor: {@code h} for {@code h[i]}. */
        public Sym vectorSymbol() { return Exprs.sym(name, elements.get(0).symbol().kind()); }

        /** A network has one group per name: compared by identity, never by hashing every element. */
        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }

        /** {@code 2×2}, {@code 128}, or empty for a scalar. */
        public String shapeText() {
            StringBuilder sb = new StringBuilder();
            for (int d : shape) {
                sb.append(sb.length() == 0 ? "" : "×").append(d);
            }
            return sb.toString();
        }
    }

    /** Relative agreement required between a layer form's numbers and reverse accumulation. */
    static final double TOLERANCE = 1e-9;

    private final PathGraph graph;
    private final Group loss;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<Vertex, Group> groupOf = new HashMap<>();
    private final Map<Vertex, Integer> indexOf = new HashMap<>();
    /** Names whose elements do not fill a rectangular shape: no pattern involves them. */
    private final Set<Group> irregular = new HashSet<>();
    private final Map<Sym, Group> vectorSymbols = new HashMap<>();
    /** The recognised and verified δ of each group (a parameter's: its gradient), loss excluded. */
    private final Map<Group, LayerTerm> deltas = new LinkedHashMap<>();
    private final Set<Group> named = new HashSet<>();
    private final Set<Group> touchesVector = new HashSet<>();

    private LayerForm(PathGraph graph) {
        this.graph = graph;
        collectGroups();
        findUnitSumTargets();
        this.loss = groupOf.get(graph.network().loss());
    }

    /** Whether the network has a vector parameter: only then is a layer form worth printing. */
    public static boolean hasVectorParameters(Network network) {
        for (Vertex p : network.parameters()) {
            if (p.name().endsWith("]")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code wrt} holds every element of some parameter (a scalar parameter is its own only
     * element): only then can a layer form be shown, and only then is it worth recognising them.
     */
    public static boolean asksForAWholeParameter(Network network, List<Vertex> wrt) {
        Map<String, Integer> asked = new HashMap<>();
        for (Vertex v : wrt) {
            asked.merge(baseName(v.name()), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : asked.entrySet()) {
            if (e.getValue() >= Math.max(1, network.elementNames(e.getKey()).size())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Recognises and verifies the layer forms of {@code graph}.
     *
     * @param values the network's values, or null (then only the pseudo-random point verifies)
     */
    public static LayerForm of(PathGraph graph, Values values) {
        LayerForm form = new LayerForm(graph);
        List<Values> points = new ArrayList<>();
        if (values != null) {
            points.add(values);
        }
        Values probe = probe(graph.network());
        if (probe != null) {
            points.add(probe);
        }
        form.recognise(points, probe != null);
        return form;
    }

    public Group loss() { return loss; }

    /** The group of a vertex. */
    public Group groupOf(Vertex v) { return groupOf.get(v); }

    public Optional<Group> group(String name) { return Optional.ofNullable(groups.get(name)); }

    /**
     * ∂loss/∂p at the layer level, when recognised, verified and worth it (the parameter is a
     * vector or reaches the loss through one); empty otherwise.
     */
    public Optional<LayerTerm> gradient(Group parameter) {
        if (!parameter.isParameter() || !touchesVector.contains(parameter)) {
            return Optional.empty();
        }
        return Optional.ofNullable(deltas.get(parameter));
    }

    /**
     * The parameter group whose elements are {@code wrt[i..]}, all of them in order, when it has a
     * layer form ({@link #gradient}); null when {@code wrt[i]} is to be shown element by element
     * (one element asked for, or no layer form).
     */
    public Group wholeGroupAt(List<Vertex> wrt, int i) {
        Group g = groupOf.get(wrt.get(i));
        boolean whole = g != null && i + g.size() <= wrt.size() && wrt.subList(i, i + g.size()).equals(g.elements());
        return whole && gradient(g).isPresent() ? g : null;
    }

    /** δ(g) as a layer form (recognised and verified), or null. */
    public LayerTerm delta(Group g) { return deltas.get(g); }

    /**
     * Whether δ(g) is printed by name with its own definition (used twice, or where a parameter
     * enters: the book's 들 of a layer) rather than written out where it is used.
     */
    public boolean isNamed(Group g) { return named.contains(g); }

    /**
     * The named δs {@code term} uses, directly or through other named δs: each needs a definition
     * line. Ordered from the loss backwards, the order backpropagation computes them in.
     */
    public List<Group> namedDeltasUsedBy(List<LayerTerm> terms) {
        Set<Group> found = new HashSet<>();
        List<LayerTerm> todo = new ArrayList<>(terms);
        while (!todo.isEmpty()) {
            for (Group g : referenced(todo.remove(todo.size() - 1))) {
                if (g == loss) {
                    continue;
                }
                if (!named.contains(g) || found.add(g)) { // a written-out δ may use named ones
                    todo.add(deltas.get(g));
                }
            }
        }
        List<Group> ordered = new ArrayList<>();
        for (Group g : groups.values()) {
            if (found.contains(g)) {
                ordered.add(g);
            }
        }
        Collections.reverse(ordered);
        return ordered;
    }

    // ------------------------------------------------------------ groups

    private void collectGroups() {
        Network network = graph.network();
        Map<String, List<Vertex>> members = new LinkedHashMap<>();
        for (Vertex v : graph.vertices()) {
            members.computeIfAbsent(baseName(v.name()), k -> new ArrayList<>()).add(v);
        }
        for (Map.Entry<String, List<Vertex>> e : members.entrySet()) {
            String name = e.getKey();
            List<Vertex> vs = e.getValue();
            if (vs.size() == 1 && vs.get(0).name().equals(name)) {
                add(new Group(name, List.of(), List.of(vs.get(0))), false);
                continue;
            }
            List<int[]> indices = new ArrayList<>();
            for (Vertex v : vs) {
                indices.add(indices(v.name()));
            }
            List<Integer> shape = network.declaredShape(name).orElseGet(() -> extent(indices));
            Vertex[] slots = new Vertex[(int) Math.min(Integer.MAX_VALUE, product(shape))];
            boolean regular = slots.length == vs.size();
            for (int k = 0; regular && k < vs.size(); k++) {
                int flat = flatIndex(shape, indices.get(k));
                regular = flat >= 0 && slots[flat] == null;
                if (regular) {
                    slots[flat] = vs.get(k);
                }
            }
            add(new Group(name, shape, regular ? List.of(slots) : List.copyOf(vs)), !regular);
        }
    }

    private void add(Group g, boolean isIrregular) {
        groups.put(g.name(), g);
        for (int k = 0; k < g.size(); k++) {
            groupOf.put(g.elements().get(k), g);
            indexOf.put(g.elements().get(k), k);
        }
        if (isIrregular) {
            irregular.add(g);
        } else if (!g.isScalar()) {
            vectorSymbols.put(g.vectorSymbol(), g);
        }
    }

    /** {@code h.in} for {@code h.in[3]}; a scalar's name is its own. */
    public static String baseName(String element) {
        int bracket = element.indexOf('[');
        return bracket > 0 && element.endsWith("]") ? element.substring(0, bracket) : element;
    }

    private static int[] indices(String element) {
        String inside = element.substring(element.indexOf('[') + 1, element.length() - 1);
        String[] parts = inside.split(",");
        int[] out = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            out[k] = Integer.parseInt(parts[k].trim());
        }
        return out;
    }

    private static List<Integer> extent(List<int[]> indices) {
        int[] max = new int[indices.get(0).length];
        for (int[] ix : indices) {
            if (ix.length != max.length) {
                return List.of(-1);
            }
            for (int k = 0; k < ix.length; k++) {
                max[k] = Math.max(max[k], ix[k]);
            }
        }
        List<Integer> shape = new ArrayList<>();
        for (int m : max) {
            shape.add(m);
        }
        return shape;
    }

    private static long product(List<Integer> shape) {
        long n = 1;
        for (int d : shape) {
            n *= Math.max(d, 0);
        }
        return n;
    }

    /** Row-major position of 1-based {@code index}, or -1 when it does not fit {@code shape}. */
    private static int flatIndex(List<Integer> shape, int[] index) {
        if (index.length != shape.size()) {
            return -1;
        }
        int flat = 0;
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 1 || index[k] > shape.get(k)) {
                return -1;
            }
            flat = flat * shape.get(k) + index[k] - 1;
        }
        return flat;
    }

    // ------------------------------------------------------------ recognition

    /** From the loss backwards: each group's δ from the δs of the groups it feeds, verified at every point. */
    private void recognise(List<Values> given, boolean lastIsProbe) {
        List<Values> points = new ArrayList<>(given);
        List<Map<Group, double[]>> numbers = new ArrayList<>();
        List<Map<Vertex, Double>> adjoints = new ArrayList<>();
        for (Values p : given) {
            boolean probe = lastIsProbe && p == given.get(given.size() - 1);
            // at the probe: stop at the first δ that is not finite, where the probe is dropped anyway
            Map<Vertex, Double> a = probe ? ReverseAccumulator.adjointsUnlessInfinite(graph, p) : ReverseAccumulator.adjoints(graph, p);
            if (probe && (a == null || !finiteOnParameterPaths(a))) {
                // The probe saturated (a wide layer of positive weights: softmax underflows to 0,
                // so −y/p is −∞ while the stable loss stays finite). It can check nothing there;
                // verifying against it rejected every layer form of a 784-128-10 network.
                points.remove(points.size() - 1);
                continue;
            }
            numbers.add(new HashMap<>());
            adjoints.add(a);
        }
        List<Double> scales = new ArrayList<>();
        for (Map<Vertex, Double> a : adjoints) {
            scales.add(largest(a.values()));
        }
        List<Group> order = new ArrayList<>(groups.values());
        Collections.reverse(order);
        for (Group u : order) {
            if (u == loss || !relevant(u)) {
                continue;
            }
            LayerTerm term = points.isEmpty() ? null : deltaOf(u);
            if (term != null) {
                // The textbook's simplified δ (p − y) where it holds at every point, else as recognised.
                LayerTerm simpler = u.isParameter() ? term : simplified(u, term);
                if (simpler != term && verifies(u, simpler, points, numbers, adjoints, scales)) {
                    term = simpler;
                } else if (!verifies(u, term, points, numbers, adjoints, scales)) {
                    term = null;
                }
            }
            if (term != null) {
                deltas.put(u, term);
            }
        }
        nameShared();
    }

    /** Whether {@code term} gives δ(u) at every point; if so its values are kept for the δs above. */
    private boolean verifies(Group u, LayerTerm term, List<Values> points, List<Map<Group, double[]>> numbers,
                             List<Map<Vertex, Double>> adjoints, List<Double> scales) {
        List<double[]> values = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            double[] value = evaluate(term, points.get(k), numbers.get(k));
            if (!agrees(u, value, adjoints.get(k), scales.get(k))) {
                rejectedSome = true;
                return false;
            }
            values.add(value);
        }
        for (int k = 0; k < points.size(); k++) {
            numbers.get(k).put(u, values.get(k));
        }
        return true;
    }

    // ------------------------------------------------------------ textbook simplifications

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
    private LayerTerm simplified(Group u, LayerTerm term) {
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
            for (Group y : unitSumTargets) {
                if (pTimesRest == Exprs.neg(y.vectorSymbol()) && y.size() == soft.output().size()) {
                    // p ⊙ (−y/p) − p·⟨p, −y/p⟩ = −y + p·Σy = p − y, as Σy = 1.
                    unitSumUsed.add(y);
                    return new LayerTerm.Elementwise(Exprs.sub(p, y.vectorSymbol()), soft.output(), inner.rest(), Role.LOSS);
                }
            }
            Group y = pTimesRest instanceof chainrule.expr.Product minus && minus.factors().size() == 2
                    && minus.coefficient() == -1 && minus.factors().get(1) instanceof Sym v ? vectorSymbols.get(v) : null;
            if (y != null && y.size() == soft.output().size()) {
                // Any other target: p ⊙ (−y/p) − p·⟨p, −y/p⟩ = p·Σy − y, with Σy one number.
                Sym total = sumSymbol(y);
                summed.put(total, y);
                return new LayerTerm.Elementwise(Exprs.sub(Exprs.mul(p, total), y.vectorSymbol()), soft.output(), inner.rest(), Role.LOSS);
            }
        }
        return term;
    }

    /** The vectors whose sums stand in elementwise factors ({@code Σy} in {@code p·Σy − y}), by their symbols. */
    private final Map<Sym, Group> summed = new HashMap<>();

    /**
     * The symbol for the sum of a vector's elements, {@code Σy}: one number in an elementwise
     * factor (the same at every index). Its kind is {@code LOCAL}, which no vertex of a network
     * has, so it cannot be taken for a name in the file.
     */
    static Sym sumSymbol(Group y) {
        return Exprs.sym("Σ" + y.name(), chainrule.expr.SymKind.LOCAL);
    }

    /** The vectors whose sums ({@code Σy}) some δ uses, for a printer's legend. */
    public List<Group> summedGroupsUsed() {
        return new ArrayList<>(summed.values());
    }

    /** The vector that a symbol of an elementwise factor is the sum of ({@code y} for {@code Σy}), if it is one. */
    public Optional<Group> summedGroup(Sym s) {
        return Optional.ofNullable(summed.get(s));
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
                if (groupOf.get(e.from()) != u) {
                    return t;
                }
            }
        }
        return deltas.get(d.group());
    }

    private final Set<Group> unitSumUsed = new java.util.LinkedHashSet<>();

    /**
     * The unit-sum targets (given values summing to 1) some δ relies on: softmax with
     * cross-entropy is written {@code p − y} for them, which printers say.
     */
    public List<Group> unitSumTargetsUsed() {
        List<Group> out = new ArrayList<>();
        for (Group g : unitSumUsed) {
            for (LayerTerm t : deltas.values()) {
                if (t instanceof LayerTerm.Elementwise e && e.factor() instanceof chainrule.expr.Sum s
                        && Symbols.free(s).contains(g.vectorSymbol())) {
                    out.add(g);
                    break;
                }
            }
        }
        return out;
    }

    /** Target vectors whose given values sum to 1 (within 1e-12): for them softmax with cross-entropy gives p − y. */
    private final List<Group> unitSumTargets = new ArrayList<>();

    private void findUnitSumTargets() {
        unitSumTargets.addAll(unitSumTargetsOf(graph.network()));
    }

    private List<Group> unitSumTargetsOf(Network network) {
        List<Group> out = new ArrayList<>();
        Map<String, Double> given = network.values();
        for (Group g : groups.values()) {
            if (g.isScalar() || g.elements().get(0).kind() != VertexKind.TARGET) {
                continue;
            }
            double sum = 0;
            boolean all = true;
            for (Vertex v : g.elements()) {
                Double x = given.get(v.name());
                all &= x != null;
                sum += x == null ? 0 : x;
            }
            if (all && Math.abs(sum - 1) <= 1e-12) {
                out.add(g);
            }
        }
        return out;
    }

    private boolean relevant(Group g) {
        for (Vertex v : g.elements()) {
            if (graph.reachedFromParameter(v) && graph.reachesLoss(v)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every vertex between a parameter and the loss has a finite adjoint (the ones layer forms give). */
    private boolean finiteOnParameterPaths(Map<Vertex, Double> adjoints) {
        for (Map.Entry<Vertex, Double> e : adjoints.entrySet()) {
            Double x = e.getValue();
            if (x != null && !Double.isFinite(x) && graph.reachedFromParameter(e.getKey()) && graph.reachesLoss(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** The largest finite magnitude among {@code xs}, 0 if none. */
    private static double largest(Iterable<Double> xs) {
        double m = 0;
        for (Double x : xs) {
            if (x != null && Double.isFinite(x)) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    /**
     * Whether the layer form's numbers equal reverse accumulation's: relatively, or below a floor
     * set by the largest adjoint anywhere in the graph. The floor matters where a δ is 0 in exact
     * arithmetic but a sum of cancelling terms numerically (equal weights feeding p − y, which sums
     * to 0): both sides are then round-off of the size of the terms, which the group's own
     * adjoints (1e-19) do not show but the graph's largest adjoint bounds.
     */
    private boolean agrees(Group u, double[] value, Map<Vertex, Double> adjoints, double graphScale) {
        double scale = graphScale;
        for (Vertex v : u.elements()) {
            Double a = adjoints.get(v);
            scale = Math.max(scale, a == null ? 0 : Math.abs(a));
        }
        for (int k = 0; k < u.size(); k++) {
            Double a = adjoints.get(u.elements().get(k));
            if (a == null || !Double.isFinite(value[k])
                    || Math.abs(value[k] - a) > TOLERANCE * (Math.abs(a) + Math.abs(value[k])) + 1e-12 * scale) {
                return false;
            }
        }
        return true;
    }

    /** δ(u) as the sum of one recognised term per group u feeds, or null. */
    private LayerTerm deltaOf(Group u) {
        if (irregular.contains(u)) {
            return null;
        }
        Map<Group, List<Edge>> byTarget = new LinkedHashMap<>();
        for (Vertex x : u.elements()) {
            for (Edge e : graph.outgoing(x)) {
                if (graph.reachesLoss(e.to())) {
                    byTarget.computeIfAbsent(groupOf.get(e.to()), k -> new ArrayList<>()).add(e);
                }
            }
        }
        List<LayerTerm> terms = new ArrayList<>();
        for (Map.Entry<Group, List<Edge>> e : byTarget.entrySet()) {
            Group v = e.getKey();
            if (irregular.contains(v) || (v != loss && !deltas.containsKey(v))) {
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
            Expr f = common(edges, v.size(), e -> indexOf.get(e.to()), e -> indexOf.get(e.to()), v.shape());
            return f == null ? null : new LayerTerm.Broadcast(f, v, rest, role);
        }
        if (v.isScalar()) {
            Expr g = common(edges, u.size(), e -> indexOf.get(e.from()), e -> indexOf.get(e.from()), u.shape());
            return g == null ? null : new LayerTerm.Elementwise(g, u, rest, role);
        }
        if (u.shape().equals(v.shape()) && sameIndex(edges)) {
            Expr f = common(edges, u.size(), e -> indexOf.get(e.from()), e -> indexOf.get(e.from()), u.shape());
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
            if (!indexOf.get(e.from()).equals(indexOf.get(e.to()))) {
                return false;
            }
        }
        return true;
    }

    /** A matrix parameter into a layer: W[i,j] → V[i] with factor g[j] for all i, j: δ(V) ⊗ g. */
    private LayerTerm outer(Group u, Group v, List<Edge> edges, LayerTerm rest) {
        int columns = u.shape().get(1);
        for (Edge e : edges) {
            if (indexOf.get(e.from()) / columns != indexOf.get(e.to())) {
                return null;
            }
        }
        Expr g = common(edges, u.size(), e -> indexOf.get(e.from()), e -> indexOf.get(e.from()) % columns,
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
            int at = indexOf.get(e.to()) * m + indexOf.get(e.from());
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
            Group g = x == null || x.symbol() != s ? null : groupOf.get(x);
            if (g == null || (w != null && g != w) || !g.shape().equals(List.of(n, m)) || indexOf.get(x) != at) {
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
        Group g = x == null || x.symbol() != s ? null : groupOf.get(x);
        if (g == null || g.isScalar()) {
            return null;
        }
        if (irregular.contains(g) || !g.shape().equals(shape) || indexOf.get(x) != index) {
            return NO_MATCH;
        }
        return g.vectorSymbol();
    }

    /** Names δ(g) when two terms use it or a parameter enters g; every other δ is written out where used. */
    private void nameShared() {
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
    private static List<Group> referenced(LayerTerm t) {
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

    // ------------------------------------------------------------ numbers

    /**
     * The numbers of a layer form, computed from the form alone (the δs it names from their own
     * forms): element k of the result is element k of the group, row-major.
     */
    public double[] evaluate(LayerTerm term, Values values) {
        return evaluate(term, values, new HashMap<>());
    }

    private double[] evaluate(LayerTerm term, Values values, Map<Group, double[]> known) {
        return LayerTerm.visit(term, new LayerTerm.Visitor<double[]>() {
            @Override public double[] delta(LayerTerm.Delta d) {
                if (d.group() == loss) {
                    return new double[] {1};
                }
                double[] v = known.get(d.group());
                if (v == null) {
                    v = evaluate(deltas.get(d.group()), values, known);
                    known.put(d.group(), v);
                }
                return v;
            }

            @Override public double[] elementwise(LayerTerm.Elementwise e) {
                double[] rest = LayerTerm.visit(e.rest(), this);
                double[] out = new double[e.at().size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = factorAt(e.factor(), i, values) * rest[rest.length == 1 ? 0 : i];
                }
                return out;
            }

            @Override public double[] transposed(LayerTerm.Transposed t) {
                double[] rest = LayerTerm.visit(t.rest(), this);
                int n = t.weight().shape().get(0);
                int m = t.weight().shape().get(1);
                double[] out = new double[m];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        out[j] += values.vertex(t.weight().elements().get(i * m + j).name()) * rest[i];
                    }
                }
                return out;
            }

            @Override public double[] outer(LayerTerm.Outer o) {
                double[] rest = LayerTerm.visit(o.rest(), this);
                int m = o.at().shape().get(1);
                double[] right = new double[m];
                for (int j = 0; j < m; j++) {
                    right[j] = factorAt(o.right(), j, values);
                }
                double[] out = new double[o.at().size()];
                for (int k = 0; k < out.length; k++) {
                    out[k] = rest[k / m] * right[k % m];
                }
                return out;
            }

            @Override public double[] broadcast(LayerTerm.Broadcast b) {
                double[] rest = LayerTerm.visit(b.rest(), this);
                double sum = 0;
                for (int i = 0; i < rest.length; i++) {
                    sum += factorAt(b.factor(), i, values) * rest[i];
                }
                return new double[] {sum};
            }

            @Override public double[] softmax(LayerTerm.Softmax s) {
                double[] rest = LayerTerm.visit(s.rest(), this);
                double[] p = new double[rest.length];
                double inner = 0;
                for (int j = 0; j < p.length; j++) {
                    p[j] = values.vertex(s.output().elements().get(j).name());
                    inner += p[j] * rest[j];
                }
                double[] out = new double[p.length];
                for (int k = 0; k < p.length; k++) {
                    out[k] = p[k] * (rest[k] - inner);
                }
                return out;
            }

            @Override public double[] jacobian(LayerTerm.Jacobian j) {
                double[] rest = LayerTerm.visit(j.rest(), this);
                double[] out = new double[j.input().size()];
                for (int k = 0; k < out.length; k++) {
                    for (Edge e : graph.outgoing(j.input().elements().get(k))) {
                        if (groupOf.get(e.to()) == j.output()) {
                            out[k] += values.of(e) * rest[indexOf.get(e.to())];
                        }
                    }
                }
                return out;
            }

            @Override public double[] sum(LayerTerm.Sum s) {
                double[] out = null;
                for (LayerTerm x : s.terms()) {
                    double[] v = LayerTerm.visit(x, this);
                    if (out == null) {
                        out = v.clone();
                    } else {
                        for (int k = 0; k < out.length; k++) {
                            out[k] += v[k];
                        }
                    }
                }
                return out;
            }
        });
    }

    /**
     * An elementwise factor's value at each index {@code 0 .. size-1} (the {@code h(1 - h)} of
     * {@code h ⊙ (1 - h) ⊙ δ(h)}): each vector name stands for its element at that index.
     */
    public double[] factorValues(Expr factor, int size, Values values) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = factorAt(factor, i, values);
        }
        return out;
    }

    /** An elementwise factor at index i: each vector symbol stands for its element i. */
    private double factorAt(Expr factor, int i, Values values) {
        try {
            return Evaluator.evaluate(factor, s -> {
                Group total = summed.get(s);
                if (total != null) {
                    double sum = 0;
                    for (Vertex v : total.elements()) {
                        Double x = values.vertices().get(v.name());
                        if (x == null) {
                            throw new Evaluator.MissingValueException(v.name());
                        }
                        sum += x;
                    }
                    return sum;
                }
                Group g = vectorSymbols.get(s);
                Double v = values.vertices().get(g == null ? s.name() : g.elements().get(i).name());
                if (v == null) {
                    throw new Evaluator.MissingValueException(s.name());
                }
                return v;
            });
        } catch (Evaluator.MissingValueException e) {
            return Double.NaN; // cannot be checked here: the form is not accepted
        }
    }

    /**
     * The network at a fixed pseudo-random point (declared values between 0.1 and 0.9, constants
     * kept): a second check, and the only one when the file has no values. Null when some value
     * there is not finite.
     */
    private static Values probe(Network network) {
        Random random = new Random(0x5EED);
        Map<String, Double> point = new LinkedHashMap<>();
        for (Vertex v : network.vertices()) {
            if (v.kind().isDeclared() && v.kind() != VertexKind.CONSTANT) {
                point.put(v.name(), 0.1 + 0.8 * random.nextDouble());
            }
        }
        // A target whose given values sum to 1 (one-hot) sums to 1 at the probe too: the p − y of
        // softmax with cross-entropy holds only there, and the probe must check that form.
        for (List<String> names : unitSumTargetElements(network)) {
            double probed = 0;
            for (String n : names) {
                probed += point.get(n);
            }
            for (String n : names) {
                point.put(n, point.get(n) / probed);
            }
        }
        Values values = Values.of(network.withValues(point));
        for (Double x : values.vertices().values()) {
            if (!Double.isFinite(x)) {
                return null;
            }
        }
        return values.vertices().containsKey(network.loss().name()) ? values : null;
    }

    /** The element names of each vector target whose given values sum to 1 (the probe keeps that sum). */
    private static List<List<String>> unitSumTargetElements(Network network) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (Vertex v : network.vertices()) {
            if (v.kind() == VertexKind.TARGET && !baseName(v.name()).equals(v.name())) {
                targets.computeIfAbsent(baseName(v.name()), k -> new ArrayList<>()).add(v.name());
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (List<String> names : targets.values()) {
            double given = 0;
            for (String n : names) {
                Double x = network.values().get(n);
                given += x == null ? Double.NaN : x;
            }
            if (Math.abs(given - 1) <= 1e-12) {
                out.add(names);
            }
        }
        return out;
    }

    // ------------------------------------------------------------ the same form at other values

    /** Whether a check rejected some candidate form: then which form a group got depended on the numbers. */
    private boolean rejectedSome;

    /**
     * Whether {@link #of}{@code (other, values)} recognises exactly this form (the same δs, named the
     * same way), so that it can be used there as it is: {@code other} is this form's graph with
     * other declared values ({@link PathGraph#withValuesOf}); no check rejected a candidate here, so
     * no choice depended on the numbers; the pseudo-random probe point and the unit-sum targets are
     * the same (the constants' values and which targets sum to 1 are unchanged); and every δ agrees
     * with reverse accumulation at {@code values}, the check {@link #of} makes there. Recognising
     * the patterns, the probe's passes and its checks are not repeated: the playground reuses the
     * form of the last values of a structure while a slider moves.
     */
    public boolean sameAt(PathGraph other, Values values) {
        Network was = graph.network();
        Network now = other.network();
        if (rejectedSome || values == null || other.vertices() != graph.vertices()
                || !unitSumTargets.equals(unitSumTargetsOf(now))
                || !unitSumTargetElements(was).equals(unitSumTargetElements(now))) {
            return false;
        }
        for (Vertex v : now.vertices()) {
            if (v.kind() == VertexKind.CONSTANT && !java.util.Objects.equals(was.values().get(v.name()), now.values().get(v.name()))) {
                return false; // the probe keeps the constants' values
            }
        }
        Map<Vertex, Double> adjoints = ReverseAccumulator.adjoints(other, values);
        double scale = largest(adjoints.values());
        Map<Group, double[]> known = new HashMap<>();
        for (Map.Entry<Group, LayerTerm> e : deltas.entrySet()) {
            double[] value = evaluate(e.getValue(), values, known);
            if (!agrees(e.getKey(), value, adjoints, scale)) {
                return false;
            }
            known.put(e.getKey(), value);
        }
        return true;
    }
}
