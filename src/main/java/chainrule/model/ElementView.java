package chainrule.model;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Sym;
import chainrule.ir.Graph;
import chainrule.ir.Op;
import chainrule.ir.Shapes;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The element view, expanded from the op graph op by op: one scalar vertex per element of every
 * declared and defined value ({@code W1[1,2]}, {@code h.in[1]}, {@code h[1]}), each defined by the
 * element expression its op gives ({@link Op#element}). Paths, closed forms, LaTeX, the tape
 * compiler and the interpreter work on these elements.
 *
 * <p>What is not an op's own business is done here, once for every op: the vertices (a definition
 * and an implicit pre-activation become vertices named after it, the loss a loss vertex), and the
 * sharing of long reductions: a {@code sum} or {@code mean} of {@value #SHARED_REDUCTION} or more
 * elements that an elementwise op broadcasts over a vector becomes a vertex of its own, named after
 * the definition and the function ({@code v.mean}, then {@code v.mean2} …), so that
 * {@code x - mean(x)} refers to it instead of repeating the n-term sum in each of n elements (and
 * in every derivative).
 *
 * <p>Elements are expanded on demand ({@link Lazy}): the graph is walked once, in the same order
 * for the whole view and for a partial one, so that every group, shared reduction and name is made
 * alike; then either every element becomes a vertex ({@link #expand}) or only the cone of some
 * parameters ({@link #partial}: {@code grad --wrt 'W1[1,1]'}).
 */
final class ElementView {
    /**
     * The fewest elements a reduction broadcast over a vector must sum to become a vertex of its
     * own. Below it the element view inlines it (a hand-written softmax {@code exp(z)/sum(exp(z))}
     * over a few classes keeps its Jacobian layer form); at and above it, repeating the sum in every
     * element makes derivatives quadratic in the length.
     */
    static final int SHARED_REDUCTION = 16;

    /** Whether vertices are made (false for a function body or a lone expression: one scalar). */
    private final boolean withVertices;
    /** The groups in the order the whole view makes their vertices. */
    private final List<Slot> slots = new ArrayList<>();
    /** Declared and defined names, and shared reductions' names made so far, which a new shared name must not take. */
    private final Set<String> names = new HashSet<>();
    /** Leaves and definitions expanded so far: their element symbols. */
    private final Map<Op, Lazy> expanded = new IdentityHashMap<>();
    /** Reductions of at least {@link #SHARED_REDUCTION} elements expanded so far, by expression. */
    private final Map<Expr, Op.Reduce> reductions = new HashMap<>();
    /** A reduction's negation (as {@code x - mean(x)} expands it), to the reduction. */
    private final Map<Expr, Expr> negatedReductions = new HashMap<>();
    /** Reductions made vertices, by expression: {@code v.mean} in {@code v = sum((x - mean(x))^2)}. */
    private final Map<Expr, Expr> sharedReductions = new HashMap<>();
    /** The definition being expanded (a shared reduction is named after it). */
    private String lowering;

    /**
     * One group of vertices as the whole view makes them, in order: a declaration, a definition
     * (or pre-activation), or a shared reduction.
     *
     * @param symbols     its elements' symbols
     * @param definitions its elements' definitions; null for a declaration
     * @param source      the op whose values its elements are: the declaration, the definition, the reduction
     */
    private record Slot(VertexGroup group, VertexKind kind, Lazy symbols, Lazy definitions, Ast.Pos pos, Op source) {}

    /**
     * An op's elements, each expanded when first asked for (and remembered); which were asked for
     * is kept, so a partial view knows which elements of a value its definitions may mention.
     */
    private static final class Lazy {
        private final Op op;
        private final Op.Inputs inputs;
        private final Expr[] elements;
        private final boolean scalar;
        final BitSet asked = new BitSet();

        Lazy(Op op, Op.Inputs inputs) {
            this.op = op;
            this.inputs = inputs;
            this.elements = new Expr[op.size()];
            this.scalar = op.isScalar();
        }

        /** A scalar that is already known (a shared reduction's symbol). */
        Lazy(Expr e) {
            this.op = null;
            this.inputs = null;
            this.elements = new Expr[] {e};
            this.scalar = true;
        }

        Expr element(int k) {
            asked.set(k);
            Expr e = elements[k];
            if (e == null) {
                e = op.element(k, inputs);
                elements[k] = e;
            }
            return e;
        }

        boolean isScalar() { return scalar; }

        int size() { return elements.length; }
    }

    private ElementView(boolean withVertices) {
        this.withVertices = withVertices;
    }

    /** The element view of a checked network's graph; {@code declaredKinds} gives the declared vertices' kinds. */
    static Network.Structure expand(Graph graph, Map<String, VertexKind> declaredKinds) {
        ElementView view = walk(graph, declaredKinds);
        Map<String, Vertex> vertices = new LinkedHashMap<>();
        List<Vertex> definitions = new ArrayList<>();
        for (Slot slot : view.slots) {
            for (int k = 0; k < slot.group().size(); k++) {
                Vertex v = vertex(slot, k, slot.definitions() == null ? null : slot.definitions().element(k));
                vertices.put(v.name(), v);
                if (v.isDefined()) {
                    definitions.add(v);
                }
            }
        }
        // The maps are handed over and never touched again, so they are wrapped, not copied
        // (a 784-128-10 network has over 100,000 vertices).
        return new Network.Structure(Collections.unmodifiableMap(vertices), List.copyOf(definitions),
                vertices.get(graph.loss().name()), Map.of(), vertices.size());
    }

    /**
     * The part of the element view that derivatives by the parameter elements {@code wrt} involve:
     * every element computed from one of them (their cone, up to the loss), each with its
     * definition, and the elements those definitions mention. A mentioned element outside the cone
     * is a vertex without a definition ({@link Network.Frozen}: nothing below it depends on the
     * parameters, so for paths it is a leaf), whose value the network takes from the op graph
     * evaluated numerically. The vertices, their names, groups, order and definitions are the
     * whole view's; null when the loss is not in the cone, or a sigmoid or softmax output kept
     * without its definition is under a log in the cone (the whole view then answers).
     *
     * @param wrt declared parameter elements by name
     */
    static Network.Structure partial(Graph graph, Map<String, VertexKind> declaredKinds, Collection<String> wrt) {
        ElementView view = walk(graph, declaredKinds);
        // the asked-for elements, per declaration
        Map<Op, BitSet> seeds = new IdentityHashMap<>();
        Set<String> asked = new HashSet<>(wrt);
        for (Op.Declared d : graph.declared()) {
            if (!declaredKinds.get(d.name()).isParameter()) {
                continue;
            }
            List<String> elementNames = Shapes.elementNames(d.name(), d.shape());
            for (int k = 0; k < elementNames.size(); k++) {
                if (asked.contains(elementNames.get(k))) {
                    seeds.computeIfAbsent(d, x -> new BitSet()).set(k);
                }
            }
        }
        Reach cone = new Reach(op -> op instanceof Op.Declared d ? seeds.getOrDefault(d, new BitSet()) : new BitSet());
        Reach fromParameters = new Reach(op -> {
            BitSet all = new BitSet();
            if (op instanceof Op.Declared d && declaredKinds.get(d.name()).isParameter()) {
                all.set(0, d.size());
            }
            return all;
        });
        if (!cone.of(graph.loss()).get(0)) {
            return null;
        }
        // the cone's definitions, and every symbol they mention
        Map<Slot, Expr[]> defined = new IdentityHashMap<>();
        Set<Sym> mentioned = new HashSet<>();
        for (Slot slot : view.slots) {
            if (slot.definitions() == null) {
                continue;
            }
            BitSet in = cone.of(slot.source());
            if (in.isEmpty()) {
                continue;
            }
            Expr[] definitions = new Expr[slot.group().size()];
            for (int k = in.nextSetBit(0); k >= 0; k = in.nextSetBit(k + 1)) {
                definitions[k] = slot.definitions().element(k);
                mentioned.addAll(Symbols.free(definitions[k]));
            }
            defined.put(slot, definitions);
        }
        // A sigmoid or softmax output outside the cone that a definition with a log mentions keeps
        // its definition: SigmoidLogs computes a log of it from there (log σ(z) = -softplus(-z)),
        // as in the whole view. It is then a defined vertex that no parameter asked for reaches
        // (o[2] = sigmoid(o.in[2]) under a binary cross-entropy, for W2[1,1]), and what it mentions
        // is kept as everything else the cone mentions.
        Set<Sym> nearLogs = new HashSet<>();
        for (Expr[] own : defined.values()) {
            for (Expr e : own) {
                if (e != null && hasLog(e, new HashSet<>())) {
                    nearLogs.addAll(Symbols.free(e));
                }
            }
        }
        for (Slot slot : view.slots) {
            if (slot.definitions() == null || !isSigmoidOrSoftmax(slot.source())) {
                continue;
            }
            BitSet in = cone.of(slot.source());
            BitSet mentionedHere = (BitSet) slot.symbols().asked.clone();
            for (int k = mentionedHere.nextSetBit(0); k >= 0; k = mentionedHere.nextSetBit(k + 1)) {
                if (!in.get(k) && nearLogs.contains((Sym) slot.symbols().element(k))) {
                    Expr[] own = defined.computeIfAbsent(slot, x -> new Expr[x.group().size()]);
                    own[k] = slot.definitions().element(k);
                    mentioned.addAll(Symbols.free(own[k]));
                }
            }
        }
        // A shared reduction outside the cone that the cone mentions keeps its definition too: the
        // path graph writes shared reductions out in the factors it shows (the spec's graph has no
        // such vertex), as the whole view does. Last slot first: one mentions only earlier ones.
        for (int i = view.slots.size() - 1; i >= 0; i--) {
            Slot slot = view.slots.get(i);
            if (slot.group().origin() == VertexGroup.Origin.SHARED_REDUCTION && !defined.containsKey(slot)
                    && mentioned.contains((Sym) slot.symbols().element(0))) {
                Expr[] own = new Expr[] {slot.definitions().element(0)};
                mentioned.addAll(Symbols.free(own[0]));
                defined.put(slot, own);
            }
        }
        Map<String, Vertex> vertices = new LinkedHashMap<>();
        List<Vertex> definitions = new ArrayList<>();
        Map<Vertex, Network.Frozen> frozen = new HashMap<>();
        Set<Sym> sigmoids = new HashSet<>();
        int wholeSize = 0;
        for (Slot slot : view.slots) {
            wholeSize += slot.group().size();
            Expr[] own = defined.get(slot);
            // whether its frozen elements, if any, may take the op graph's numbers: asked once per slot
            boolean exact = slot.definitions() == null
                    || forwardIsTheInterpreters(slot.source(), java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            BitSet seeded = slot.source() instanceof Op.Declared d ? seeds.get(d) : null;
            BitSet candidates = (BitSet) slot.symbols().asked.clone();
            if (own != null) {
                candidates.or(cone.of(slot.source()));
            }
            if (seeded != null) {
                candidates.or(seeded);
            }
            if (slot.group().origin() == VertexGroup.Origin.SHARED_REDUCTION) {
                candidates.set(0); // its symbol is handed out directly, not asked for through the slot
            }
            for (int k = candidates.nextSetBit(0); k >= 0; k = candidates.nextSetBit(k + 1)) {
                Expr definition = own == null ? null : own[k];
                Sym symbol = (Sym) slot.symbols().element(k);
                if (definition == null && !mentioned.contains(symbol) && (seeded == null || !seeded.get(k))) {
                    continue;
                }
                Vertex v = vertex(slot, k, definition);
                vertices.put(v.name(), v);
                if (definition != null) {
                    definitions.add(v);
                } else if (slot.definitions() != null) {
                    if (!exact) {
                        return null;
                    }
                    if (isSigmoidOrSoftmax(slot.source())) {
                        sigmoids.add(symbol);
                    }
                    frozen.put(v, new Network.Frozen(slot.source(), k, fromParameters.of(slot.source()).get(k)));
                }
            }
        }
        // a log of a sigmoid or softmax output is computed from its definition (SigmoidLogs): one
        // kept without it must not be under a log
        if (!sigmoids.isEmpty()) {
            for (Vertex v : definitions) {
                if (!Collections.disjoint(Symbols.free(v.definition()), sigmoids) && hasLog(v.definition(), new HashSet<>())) {
                    return null;
                }
            }
        }
        return new Network.Structure(Collections.unmodifiableMap(vertices), List.copyOf(definitions),
                vertices.get(graph.loss().name()), Collections.unmodifiableMap(frozen), wholeSize);
    }

    /**
     * Whether the op graph evaluated numerically ({@link Op#forward}) gives a frozen vertex the very
     * bits the interpreter gives its expanded element in the whole view. The expansion is an
     * interned expression, normalised as it is built: like terms collected, a small inline
     * reduction distributed over the terms around it ({@code h - mean(h)} over 4 elements becomes
     * {@code 3/4·h[1] - h[2]/4 - …}), a softmax written as quotients of exponentials. Its rounding
     * then differs from the op's in the last digit, and {@code grad --json} prints every digit. Only
     * the ops whose expansion keeps the op's own order of operations pass: products ({@code W @ x},
     * summed in index order), sums of them ({@code W @ x + b}), functions applied elementwise,
     * indexing, and a reduction of at least {@value #SHARED_REDUCTION} elements of a named value
     * (the whole view makes it a vertex of its own, {@code v.mean}). Anything else below a frozen
     * vertex, and the whole view answers (review of session 6: a centred 3-4-2 network's
     * {@code grad --wrt 'W2[1,1]' --json} differed from the whole view's in the 17th digit).
     */
    private static boolean forwardIsTheInterpreters(Op op, Set<Op> seen) {
        if (!seen.add(op)) {
            return true;
        }
        boolean own = op.accept(new Op.Visitor<Boolean>() {
            @Override public Boolean declared(Op.Declared d) { return true; }
            @Override public Boolean atom(Op.Atom a) { return true; }
            @Override public Boolean definition(Op.Definition d) { return true; }
            @Override public Boolean negate(Op.Negate n) { return false; }
            @Override public Boolean chain(Op.Chain c) { return true; }
            @Override public Boolean arithmetic(Op.Arithmetic a) { return false; }
            @Override public Boolean apply(Op.Apply a) { return true; }
            @Override public Boolean matMul(Op.MatMul m) { return true; }
            @Override public Boolean reduce(Op.Reduce r) {
                return r.elements() >= SHARED_REDUCTION && !r.reduction().isLoss()
                        && r.args().stream().allMatch(x -> x instanceof Op.Declared || x instanceof Op.Definition);
            }
            @Override public Boolean vectorFunction(Op.VectorFunction v) { return false; }
            @Override public Boolean index(Op.Index i) { return true; }
            @Override public Boolean invalid(Op.Invalid i) { return false; }
        });
        if (!own) {
            return false;
        }
        for (Op in : op.inputs()) {
            if (!forwardIsTheInterpreters(in, seen)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code e} takes a log anywhere (each shared subterm looked at once). */
    private static boolean hasLog(Expr e, Set<Expr> seen) {
        if (!seen.add(e)) {
            return false;
        }
        if (e instanceof chainrule.expr.Apply a && a.fn() == chainrule.expr.Primitive.LOG) {
            return true;
        }
        for (Expr c : e.children()) {
            if (hasLog(c, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a definition's elements are sigmoid or softmax outputs: the numbers of a log of one
     * are computed from its definition ({@link SigmoidLogs}).
     */
    private static boolean isSigmoidOrSoftmax(Op source) {
        return source instanceof Op.Definition d && (d.body() instanceof Op.Apply a && a.fn() == chainrule.expr.Primitive.SIGMOID
                || d.body() instanceof Op.VectorFunction v && v.function() == chainrule.expr.VectorPrimitive.SOFTMAX);
    }

    /** Element {@code k} of a slot as a vertex of its group. */
    private static Vertex vertex(Slot slot, int k, Expr definition) {
        Sym s = (Sym) slot.symbols().element(k);
        return slot.group().add(k, s.name(), slot.kind(), s, definition, slot.pos());
    }

    /**
     * Which elements of each op some elements of the declared leaves reach ({@link Op#reaches}),
     * worked out op by op and remembered.
     */
    private static final class Reach {
        private final java.util.function.Function<Op, BitSet> leaves;
        private final Map<Op, BitSet> known = new IdentityHashMap<>();

        Reach(java.util.function.Function<Op, BitSet> leaves) {
            this.leaves = leaves;
        }

        BitSet of(Op op) {
            BitSet done = known.get(op);
            if (done != null) {
                return done;
            }
            BitSet out;
            if (op.inputs().isEmpty()) {
                out = leaves.apply(op);
            } else {
                out = new BitSet();
                BitSet target = out;
                List<Op> inputs = op.inputs();
                for (int i = 0; i < inputs.size(); i++) {
                    BitSet in = of(inputs.get(i));
                    for (int k = in.nextSetBit(0); k >= 0; k = in.nextSetBit(k + 1)) {
                        op.reaches(i, k, target::set);
                    }
                }
            }
            known.put(op, out);
            return out;
        }
    }

    /** Walks the graph in the whole view's order: every group, shared reduction and name made, no element expanded that is not needed. */
    private static ElementView walk(Graph graph, Map<String, VertexKind> declaredKinds) {
        ElementView view = new ElementView(true);
        for (Op.Declared d : graph.declared()) {
            view.names.add(d.name());
        }
        for (Op.Definition d : graph.definitions()) {
            view.names.add(d.name());
        }
        for (Op.Declared d : graph.declared()) {
            Lazy symbols = view.expand(d);
            VertexGroup group = VertexGroup.of(d.name(), d.shape(), VertexGroup.Origin.DECLARATION, d.name());
            view.slots.add(new Slot(group, declaredKinds.get(d.name()), symbols, null, d.pos(), d));
        }
        for (Op.Definition d : graph.definitions()) {
            view.lowering = d.name();
            view.expand(d);
        }
        return view;
    }

    /** The expression of a scalar op with no names of a network in it (a function body, a lone expression). */
    static Expr scalar(Op op) {
        return new ElementView(false).expand(op).element(0);
    }

    private Lazy expand(Op op) {
        Lazy done = expanded.get(op);
        if (done != null) {
            return done;
        }
        if (op instanceof Op.Definition d) {
            Lazy value = expand(d.body());
            Lazy symbols = define(d, value);
            expanded.put(op, symbols);
            return symbols;
        }
        List<Lazy> inputs = new ArrayList<>(op.inputs().size());
        for (Op in : op.inputs()) {
            inputs.add(expand(in));
        }
        if (op.broadcasts()) {
            inputs = shareReductions(inputs);
        }
        List<Lazy> operands = inputs;
        Lazy out = new Lazy(op, (i, k) -> operands.get(i).element(k));
        if (op instanceof Op.Declared) {
            expanded.put(op, out);
        } else if (op instanceof Op.Reduce r && !r.reduction().isLoss() && r.elements() >= SHARED_REDUCTION) {
            Expr e = out.element(0);
            if (!(e instanceof Num)) {
                reductions.putIfAbsent(e, r);
                negatedReductions.putIfAbsent(Exprs.neg(e), e);
            }
        }
        return out;
    }

    /**
     * Records the group of a definition's elements ({@code name} itself for a scalar, {@code name[i]}
     * for a vector), each defined by its element of {@code value}, and returns their symbols.
     */
    private Lazy define(Op.Definition d, Lazy value) {
        VertexKind kind = switch (d.role()) {
            case NODE -> VertexKind.NODE;
            case LOSS -> VertexKind.LOSS;
            case PRE_ACTIVATION -> VertexKind.PRE_ACTIVATION;
        };
        // the group is stated here, where the vertices are made, not read back from their names
        // later: h.in belongs to h, whose body is being expanded when its argument is reached
        boolean pre = d.role() == Op.Definition.Role.PRE_ACTIVATION;
        VertexGroup group = VertexGroup.of(d.name(), d.shape(),
                pre ? VertexGroup.Origin.PRE_ACTIVATION : VertexGroup.Origin.DEFINITION, pre ? lowering : d.name());
        names.add(d.name()); // h.in too: a shared reduction's name must not take it
        Lazy symbols = new Lazy(d, (i, k) -> {
            throw new IllegalStateException("a definition's symbols need no inputs");
        });
        if (withVertices) {
            slots.add(new Slot(group, kind, symbols, value, d.pos(), d));
        }
        return symbols;
    }

    /**
     * The operands of an elementwise op with every long reduction broadcast over a vector replaced
     * by a vertex of its own (see the class comment).
     */
    private List<Lazy> shareReductions(List<Lazy> operands) {
        boolean vector = false;
        for (Lazy t : operands) {
            vector |= !t.isScalar();
        }
        if (!withVertices || !vector) {
            return operands;
        }
        List<Lazy> out = new ArrayList<>(operands.size());
        for (Lazy t : operands) {
            Expr e = t.isScalar() ? t.element(0) : null;
            Expr negated = e == null ? null : negatedReductions.get(e);
            if (negated != null) {
                out.add(new Lazy(Exprs.neg(shared(negated, reductions.get(negated)))));
            } else {
                Op.Reduce call = e == null ? null : reductions.get(e);
                out.add(call == null ? t : new Lazy(shared(e, call)));
            }
        }
        return out;
    }

    private Expr shared(Expr reduction, Op.Reduce call) {
        return sharedReductions.computeIfAbsent(reduction, r -> {
            String base = lowering + "." + call.reduction().sourceName();
            String name = base;
            for (int k = 2; names.contains(name); k++) {
                name = base + k;
            }
            names.add(name);
            Sym s = Exprs.sym(name, chainrule.expr.SymKind.NODE);
            VertexGroup group = VertexGroup.of(name, List.of(), VertexGroup.Origin.SHARED_REDUCTION, lowering);
            slots.add(new Slot(group, VertexKind.NODE, new Lazy(s), new Lazy(r), call.at(), call));
            return s;
        });
    }
}
