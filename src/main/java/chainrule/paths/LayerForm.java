package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Sym;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>The steps are separate classes: {@link LayerGroups} (grouping, as the analysis states it),
 * {@link LayerRecognition} (the patterns and the textbook's cancellations), {@link LayerEvaluation}
 * (a form's numbers from the form alone) and {@link LayerVerification} (those numbers against
 * reverse accumulation at the file's values and a probe point). This class runs them from the loss
 * backwards and answers the printers.
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

    private final PathGraph graph;
    private final LayerGroups groups;
    private final Group loss;
    /** The recognised and verified δ of each group (a parameter's: its gradient), loss excluded. */
    private final Map<Group, LayerTerm> deltas = new LinkedHashMap<>();
    private final LayerRecognition recognition;
    private final LayerEvaluation evaluation;

    private LayerForm(PathGraph graph) {
        this.graph = graph;
        this.groups = new LayerGroups(graph);
        this.loss = groups.loss();
        this.recognition = new LayerRecognition(graph, groups, deltas);
        this.evaluation = new LayerEvaluation(graph, groups, deltas, recognition);
    }

    /** Whether the network has a vector parameter: only then is a layer form worth printing. */
    public static boolean hasVectorParameters(Network network) {
        for (List<Integer> shape : network.parameterShapes().values()) { // the declarations say, whatever part of the view is built
            if (!shape.isEmpty()) {
                return true;
            }
        }
        java.util.Set<chainrule.expr.Sym> scalars = new java.util.HashSet<>();
        for (Vertex p : network.parameters()) {
            scalars.add(p.symbol());
        }
        // A scalar parameter used in a vector's elements (yhat = w*x + b over data vectors) has
        // the layer form a textbook writes too: ∂L/∂w = Σᵢ δ(yhat)[i]·x[i], δ(yhat) = (yhat - y)/2.
        for (Vertex v : network.definitions()) {
            if (v.isElement() && v.definition() != null) {
                for (chainrule.expr.Sym s : chainrule.model.Symbols.free(v.definition())) {
                    if (scalars.contains(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code wrt} holds every element of some parameter (a scalar parameter is its own only
     * element): only then can a layer form be shown, and only then is it worth recognising them.
     */
    public static boolean asksForAWholeParameter(Network network, List<Vertex> wrt) {
        Map<VertexGroup, Integer> asked = new HashMap<>();
        for (Vertex v : wrt) {
            asked.merge(v.group(), 1, Integer::sum);
        }
        for (Map.Entry<VertexGroup, Integer> e : asked.entrySet()) {
            if (e.getValue() >= e.getKey().size()) {
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
    /** {@code factor} as printed: a shared reduction as its call ({@link PathGraph#printedForm}). */
    public Expr printed(Expr factor) {
        return graph.printedForm(factor);
    }

    /**
     * The call a group that is a shared reduction is printed as ({@code mean(h)} for the element
     * view's {@code L.mean}, whose name is no name of the file), or null for any other group.
     */
    public Sym printedCall(Group g) {
        if (!g.isScalar() || g.elements().get(0).group().origin() != chainrule.model.VertexGroup.Origin.SHARED_REDUCTION) {
            return null;
        }
        Sym s = g.elements().get(0).symbol();
        Expr printed = graph.printedForm(s);
        return printed != s && printed instanceof Sym call ? call : null;
    }

    /** A group's name as printers write it: a shared reduction as its call ({@link #printedCall}), else its name. */
    public String printedName(Group g) {
        Sym call = printedCall(g);
        return call == null ? g.name() : chainrule.expr.TextPrinter.pretty().print(call);
    }

    public static LayerForm of(PathGraph graph, Values values) {
        LayerForm form = new LayerForm(graph);
        form.recognise(new LayerVerification(graph, form.evaluation, values));
        return form;
    }

    public Group loss() { return loss; }

    /** The group of a vertex. */
    public Group groupOf(Vertex v) { return groups.of(v); }

    public Optional<Group> group(String name) { return groups.named(name); }

    /**
     * ∂loss/∂p at the layer level, when recognised, verified and worth it (the parameter is a
     * vector or reaches the loss through one); empty otherwise.
     */
    public Optional<LayerTerm> gradient(Group parameter) {
        if (!parameter.isParameter() || !recognition.touchesVector.contains(parameter)) {
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
        Group g = groupOf(wrt.get(i));
        boolean whole = g != null && i + g.size() <= wrt.size() && wrt.subList(i, i + g.size()).equals(g.elements());
        return whole && gradient(g).isPresent() ? g : null;
    }

    /** δ(g) as a layer form (recognised and verified), or null. */
    public LayerTerm delta(Group g) { return deltas.get(g); }

    /**
     * Whether δ(g) is printed by name with its own definition (used twice, or where a parameter
     * enters: the book's 들 of a layer) rather than written out where it is used.
     */
    public boolean isNamed(Group g) { return recognition.named.contains(g); }

    /**
     * The named δs {@code term} uses, directly or through other named δs: each needs a definition
     * line. Ordered from the loss backwards, the order backpropagation computes them in.
     */
    public List<Group> namedDeltasUsedBy(List<LayerTerm> terms) {
        Set<Group> found = new HashSet<>();
        List<LayerTerm> todo = new ArrayList<>(terms);
        while (!todo.isEmpty()) {
            for (Group g : LayerRecognition.referenced(todo.remove(todo.size() - 1))) {
                if (g == loss) {
                    continue;
                }
                if (!recognition.named.contains(g) || found.add(g)) { // a written-out δ may use named ones
                    todo.add(deltas.get(g));
                }
            }
        }
        // From the loss backwards (a δ after every δ it uses); δs as far from the loss in the
        // order of the file (δ(p1.in) before δ(p2.in) in a mean over two samples).
        List<Group> ordered = new ArrayList<>();
        for (Group g : groups.all()) {
            if (found.contains(g)) {
                ordered.add(g);
            }
        }
        Map<Group, Integer> depth = new HashMap<>();
        ordered.sort(java.util.Comparator.comparingInt(g -> depth(g, depth)));
        return ordered;
    }

    /** How many δs lie between δ(g) and the loss along the longest chain of uses (the loss's own: 0). */
    private int depth(Group g, Map<Group, Integer> memo) {
        if (g == loss) {
            return 0;
        }
        Integer known = memo.get(g);
        if (known != null) {
            return known;
        }
        memo.put(g, 0); // the groups form no cycle; this only guards against one
        LayerTerm t = deltas.get(g);
        int d = 0;
        if (t != null) {
            for (Group h : LayerRecognition.referenced(t)) {
                d = Math.max(d, depth(h, memo));
            }
        }
        memo.put(g, d + 1);
        return d + 1;
    }

    /** The vector that a symbol of an elementwise factor is the softmax of ({@code z} for {@code softmax(z)}), if it is one. */
    public Optional<Group> softmaxOf(Sym s) {
        return Optional.ofNullable(recognition.softmaxed.get(s));
    }

    /**
     * The unit-sum targets that a log_softmax δ relies on ({@code softmax(z) − y}), each with the
     * vector z, for a printer's legend.
     */
    public Map<Group, Group> logSoftmaxUnitSumTargetsUsed() {
        return softmaxTargetsUsed(recognition.logSoftmaxUnitSumUsed);
    }

    /**
     * The unit-sum targets that softmax with cross-entropy written inside the loss relies on
     * ({@code cross_entropy(softmax(z), y)} gives {@code softmax(z) − y}), each with the vector z,
     * for a printer's legend.
     */
    public Map<Group, Group> softmaxCrossEntropyUnitSumTargetsUsed() {
        return softmaxTargetsUsed(recognition.softmaxCrossEntropyUnitSumUsed);
    }

    private Map<Group, Group> softmaxTargetsUsed(Map<Group, Group> used) {
        Map<Group, Group> out = new LinkedHashMap<>();
        used.forEach((y, z) -> {
            for (LayerTerm t : deltas.values()) {
                if (t instanceof LayerTerm.Elementwise e && Symbols.free(e.factor()).contains(y.vectorSymbol())
                        && Symbols.free(e.factor()).contains(LayerRecognition.softmaxSymbol(z))) {
                    out.put(y, z);
                    break;
                }
            }
        });
        return out;
    }

    /** The vectors whose sums ({@code Σy}) some δ uses, for a printer's legend. */
    public List<Group> summedGroupsUsed() {
        return new ArrayList<>(recognition.summed.values());
    }

    /** The vector that a symbol of an elementwise factor is the sum of ({@code y} for {@code Σy}), if it is one. */
    public Optional<Group> summedGroup(Sym s) {
        return Optional.ofNullable(recognition.summed.get(s));
    }

    /**
     * The unit-sum targets (given values summing to 1) some δ relies on: softmax with
     * cross-entropy is written {@code p − y} for them, which printers say.
     */
    public List<Group> unitSumTargetsUsed() {
        return new ArrayList<>(unitSumSoftmaxOutputs().keySet());
    }

    /**
     * {@link #unitSumTargetsUsed()}, each with the softmax output p its δ is written
     * {@code p − y} with, in the order of the file.
     */
    public Map<Group, Group> unitSumSoftmaxOutputs() {
        Map<Group, Group> out = new LinkedHashMap<>();
        for (Group g : groups.all()) {
            Group p = recognition.unitSumUsed.get(g);
            if (p == null) {
                continue;
            }
            for (LayerTerm t : deltas.values()) {
                if (t instanceof LayerTerm.Elementwise e && Symbols.free(e.factor()).contains(g.vectorSymbol())
                        && Symbols.free(e.factor()).contains(p.vectorSymbol())) {
                    out.put(g, p);
                    break;
                }
            }
        }
        return out;
    }


    /**
     * The numbers of a layer form, computed from the form alone (the δs it names from their own
     * forms): element k of the result is element k of the group, row-major.
     */
    public double[] evaluate(LayerTerm term, Values values) {
        return evaluation.evaluate(term, values, new HashMap<>());
    }

    /**
     * An elementwise factor's value at each index {@code 0 .. size-1} (the {@code h(1 - h)} of
     * {@code h ⊙ (1 - h) ⊙ δ(h)}): each vector name stands for its element at that index.
     */
    public double[] factorValues(Expr factor, int size, Values values) {
        return evaluation.factorValues(factor, size, values);
    }

    /** Whether ∂p[j]/∂z[k] = p[j]·(δjk − p[k]) for every j, k. */
    static boolean isSoftmax(Expr[] factor, Group p) {
        return LayerRecognition.isSoftmax(factor, p);
    }

    /** From the loss backwards: each group's δ from the δs of the groups it feeds, verified at every point. */
    private void recognise(LayerVerification verification) {
        List<Group> order = new ArrayList<>(groups.all());
        Collections.reverse(order);
        for (Group u : order) {
            if (u == loss || !recognition.relevant(u)) {
                continue;
            }
            LayerTerm term = verification.canCheck() ? recognition.deltaOf(u) : null;
            if (term != null) {
                // The textbook's simplified δ (p − y) where it holds at every point, else as recognised.
                LayerTerm simpler = u.isParameter() ? term : recognition.simplified(u, term);
                boolean simplerHolds = simpler != term && verification.verifies(u, simpler);
                rejectedSome |= simpler != term && !simplerHolds;
                if (simplerHolds) {
                    term = simpler;
                } else if (!verification.verifies(u, term)) {
                    rejectedSome = true;
                    term = null;
                }
            }
            if (term != null) {
                deltas.put(u, term);
            }
        }
        recognition.nameShared();
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
                || !groups.unitSumTargets().equals(groups.unitSumTargetsAt(now.values()))
                || !LayerVerification.unitSumTargetElements(was).equals(LayerVerification.unitSumTargetElements(now))) {
            return false;
        }
        for (Vertex v : now.vertices()) {
            if (v.kind() == chainrule.model.VertexKind.CONSTANT
                    && !java.util.Objects.equals(was.values().get(v.name()), now.values().get(v.name()))) {
                return false; // the probe keeps the constants' values
            }
        }
        Map<Vertex, Double> adjoints = ReverseAccumulator.adjoints(other, values);
        double scale = LayerVerification.largest(adjoints.values());
        Map<Group, double[]> known = new HashMap<>();
        for (Map.Entry<Group, LayerTerm> e : deltas.entrySet()) {
            double[] value = evaluation.evaluate(e.getValue(), values, known);
            if (!LayerVerification.agrees(e.getKey(), value, adjoints, scale)) {
                return false;
            }
            known.put(e.getKey(), value);
        }
        return true;
    }
}
