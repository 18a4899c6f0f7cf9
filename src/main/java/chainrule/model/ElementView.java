package chainrule.model;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Sym;
import chainrule.ir.Graph;
import chainrule.ir.Op;
import java.util.ArrayList;
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
 * element expression its op gives ({@link Op#expand}). Paths, closed forms, LaTeX, the tape
 * compiler and the interpreter work on these elements.
 *
 * <p>What is not an op's own business is done here, once for every op: the vertices (a definition
 * and an implicit pre-activation become vertices named after it, the loss a loss vertex), and the
 * sharing of long reductions: a {@code sum} or {@code mean} of {@value #SHARED_REDUCTION} or more
 * elements that an elementwise op broadcasts over a vector becomes a vertex of its own, named after
 * the definition and the function ({@code v.mean}, then {@code v.mean2} …), so that
 * {@code x - mean(x)} refers to it instead of repeating the n-term sum in each of n elements (and
 * in every derivative).
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
    private final Map<String, Vertex> vertices = new LinkedHashMap<>();
    private final List<Vertex> definitions = new ArrayList<>();
    /** Declared and defined names, which a shared reduction's name must not take. */
    private final Set<String> names = new HashSet<>();
    /** Leaves and definitions expanded so far: their element symbols. */
    private final Map<Op, Tensor> expanded = new IdentityHashMap<>();
    /** Reductions of at least {@link #SHARED_REDUCTION} elements expanded so far, by expression. */
    private final Map<Expr, Op.Reduce> reductions = new HashMap<>();
    /** A reduction's negation (as {@code x - mean(x)} expands it), to the reduction. */
    private final Map<Expr, Expr> negatedReductions = new HashMap<>();
    /** Reductions made vertices, by expression: {@code v.mean} in {@code v = sum((x - mean(x))^2)}. */
    private final Map<Expr, Expr> sharedReductions = new HashMap<>();
    /** The definition being expanded (a shared reduction is named after it). */
    private String lowering;

    private ElementView(boolean withVertices) {
        this.withVertices = withVertices;
    }

    /** The element view of a checked network's graph; {@code declaredKinds} gives the declared vertices' kinds. */
    static Network.Structure expand(Graph graph, Map<String, VertexKind> declaredKinds) {
        ElementView view = new ElementView(true);
        for (Op.Declared d : graph.declared()) {
            view.names.add(d.name());
        }
        for (Op.Definition d : graph.definitions()) {
            view.names.add(d.name());
        }
        for (Op.Declared d : graph.declared()) {
            VertexKind kind = declaredKinds.get(d.name());
            Tensor t = view.expand(d);
            VertexGroup group = VertexGroup.of(d.name(), t.shape(), VertexGroup.Origin.DECLARATION, d.name());
            for (Expr e : t.elements()) {
                Sym s = (Sym) e;
                view.vertices.put(s.name(), group.add(s.name(), kind, s, null, d.pos()));
            }
        }
        for (Op.Definition d : graph.definitions()) {
            view.lowering = d.name();
            view.expand(d);
        }
        // The maps are handed over and never touched again, so they are wrapped, not copied
        // (a 784-128-10 network has over 100,000 vertices).
        return new Network.Structure(Collections.unmodifiableMap(view.vertices), List.copyOf(view.definitions),
                view.vertices.get(graph.loss().name()));
    }

    /** The expression of a scalar op with no names of a network in it (a function body, a lone expression). */
    static Expr scalar(Op op) {
        return new ElementView(false).expand(op).element(0);
    }

    private Tensor expand(Op op) {
        Tensor done = expanded.get(op);
        if (done != null) {
            return done;
        }
        if (op instanceof Op.Definition d) {
            Tensor value = expand(d.body());
            Tensor symbols = define(d, value);
            expanded.put(op, symbols);
            return symbols;
        }
        List<Tensor> inputs = new ArrayList<>(op.inputs().size());
        for (Op in : op.inputs()) {
            inputs.add(expand(in));
        }
        if (op.broadcasts()) {
            inputs = shareReductions(inputs);
        }
        List<List<Expr>> elements = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            elements.add(t.elements());
        }
        Tensor out = new Tensor(op.shape(), op.expand(elements));
        if (op instanceof Op.Declared) {
            expanded.put(op, out);
        } else if (op instanceof Op.Reduce r && !r.reduction().isLoss()) {
            Expr e = out.element(0);
            if (r.elements() >= SHARED_REDUCTION && !(e instanceof Num)) {
                reductions.putIfAbsent(e, r);
                negatedReductions.putIfAbsent(Exprs.neg(e), e);
            }
        }
        return out;
    }

    /**
     * Adds one defined vertex per element of {@code value} ({@code name} itself for a scalar,
     * {@code name[i]} for a vector) and returns their symbols.
     */
    private Tensor define(Op.Definition d, Tensor value) {
        VertexKind kind = switch (d.role()) {
            case NODE -> VertexKind.NODE;
            case LOSS -> VertexKind.LOSS;
            case PRE_ACTIVATION -> VertexKind.PRE_ACTIVATION;
        };
        // the group is stated here, where the vertices are made, not read back from their names
        // later: h.in belongs to h, whose body is being expanded when its argument is reached
        boolean pre = d.role() == Op.Definition.Role.PRE_ACTIVATION;
        VertexGroup group = VertexGroup.of(d.name(), value.shape(),
                pre ? VertexGroup.Origin.PRE_ACTIVATION : VertexGroup.Origin.DEFINITION, pre ? lowering : d.name());
        List<Expr> symbols = d.expand(List.of());
        for (int k = 0; k < symbols.size(); k++) {
            Sym s = (Sym) symbols.get(k);
            Vertex v = group.add(s.name(), kind, s, value.element(k), d.pos());
            vertices.put(s.name(), v);
            definitions.add(v);
        }
        return new Tensor(value.shape(), symbols);
    }

    /**
     * The operands of an elementwise op with every long reduction broadcast over a vector replaced
     * by a vertex of its own (see the class comment).
     */
    private List<Tensor> shareReductions(List<Tensor> operands) {
        boolean vector = false;
        for (Tensor t : operands) {
            vector |= !t.isScalar();
        }
        if (!withVertices || !vector) {
            return operands;
        }
        List<Tensor> out = new ArrayList<>(operands.size());
        for (Tensor t : operands) {
            Expr e = t.isScalar() ? t.element(0) : null;
            Expr negated = e == null ? null : negatedReductions.get(e);
            if (negated != null) {
                out.add(Tensor.scalar(Exprs.neg(shared(negated, reductions.get(negated)))));
            } else {
                Op.Reduce call = e == null ? null : reductions.get(e);
                out.add(call == null ? t : Tensor.scalar(shared(e, call)));
            }
        }
        return out;
    }

    private Expr shared(Expr reduction, Op.Reduce call) {
        return sharedReductions.computeIfAbsent(reduction, r -> {
            String base = lowering + "." + call.reduction().sourceName();
            String name = base;
            for (int k = 2; vertices.containsKey(name) || names.contains(name); k++) {
                name = base + k;
            }
            Sym s = Exprs.sym(name, chainrule.expr.SymKind.NODE);
            Vertex v = VertexGroup.of(name, List.of(), VertexGroup.Origin.SHARED_REDUCTION, lowering)
                    .add(name, VertexKind.NODE, s, r, call.at());
            vertices.put(name, v);
            definitions.add(v);
            return s;
        });
    }
}
