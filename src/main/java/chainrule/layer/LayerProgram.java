package chainrule.layer;

import chainrule.compile.CompiledGradient;
import chainrule.expr.Evaluator;
import chainrule.expr.Sym;
import chainrule.model.Network;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer view of a network: its declared arrays and the vector ops computing the loss from
 * them, in evaluation order, with every value's place in one flat work array.
 *
 * <p>Work array layout: the declared values first (exactly the element layout of
 * {@link CompiledGradient.Layout}: declaration order, row-major), then each op's value, then the
 * adjoint of each op that depends on a parameter. Parameters' adjoints are their entries of the
 * gradient array, which is laid out like the declared parameters.
 */
public final class LayerProgram {
    private final List<Leaf> leaves;
    private final List<Node> ops;
    private final Node loss;
    private final int declaredCount;
    private final int parameterCount;
    private final int workSize;

    LayerProgram(List<Leaf> leaves, List<Node> ops, Node loss, int declaredCount, int parameterCount) {
        this.leaves = List.copyOf(leaves);
        this.ops = List.copyOf(ops);
        this.loss = loss;
        this.declaredCount = declaredCount;
        this.parameterCount = parameterCount;
        int next = declaredCount;
        for (Node n : ops) {
            n.offset = next;
            next += n.size + n.extraSlots();
        }
        for (Node n : ops) {
            for (Node in : n.inputs()) {
                if (in.active() && n.adjoint == null) {
                    n.adjoint = LoopWriter.Slice.work(next);
                    next += n.size;
                }
            }
        }
        this.workSize = next;
    }

    List<Leaf> leaves() { return leaves; }

    List<Node> ops() { return ops; }

    Node loss() { return loss; }

    /** Number of declared element values (the first slots of the work array). */
    public int declaredCount() { return declaredCount; }

    /** Number of parameter elements (the length of the gradient array). */
    public int parameterCount() { return parameterCount; }

    /** Length of the work array. */
    public int workSize() { return workSize; }

    /** Number of vector ops (declared arrays not counted). */
    public int opCount() { return ops.size(); }

    /** The declared element names in layout order: {@code W1[1,1]}, {@code W1[1,2]}, ..., scalars by their name. */
    public List<String> declaredNames() {
        return elementNames(false);
    }

    /** The parameter element names in gradient order. */
    public List<String> parameterNames() {
        return elementNames(true);
    }

    private List<String> elementNames(boolean parametersOnly) {
        List<String> out = new ArrayList<>();
        for (Leaf l : leaves) {
            if (!parametersOnly || l.isParameter()) {
                for (int k = 0; k < l.size; k++) {
                    out.add(Network.elementName(l.name, l.shape, k));
                }
            }
        }
        return out;
    }

    /** Reads the kink arguments (relu, leaky_relu, abs) of every element after a forward pass, by the interpreter. */
    CompiledGradient.KinkProbe kinkProbe() {
        List<Node.KinkSite> sites = new ArrayList<>();
        for (Node n : ops) {
            sites.addAll(n.kinks());
        }
        if (sites.isEmpty()) {
            return work -> new double[0];
        }
        return work -> {
            List<Double> out = new ArrayList<>();
            for (Node.KinkSite site : sites) {
                Map<Sym, Node> operands = new HashMap<>();
                for (Node o : site.body().operands) {
                    operands.put(o.symbol, o);
                }
                for (int k = 0; k < site.body().size; k++) {
                    int element = k;
                    out.add(Evaluator.evaluate(site.argument(), s -> {
                        Node o = operands.get(s);
                        return work[o.offset + (o.size == 1 ? 0 : element)];
                    }));
                }
            }
            double[] values = new double[out.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = out.get(i);
            }
            return values;
        };
    }

    /** The work slot holding the loss after a forward pass. */
    public int lossSlot() { return loss.offset; }

    /**
     * The loss and gradient as source loops: the statements of a function over {@code d} (the
     * declared values, copied into the first slots of a work array {@code w} of {@link #workSize()}
     * doubles, which the caller declares) and {@code g} (the gradient); after them, the loss is
     * {@code w[lossSlot()]}. The same ops, order and adjoint rules as the bytecode
     * ({@link LoopCompiler}): each op writes its forward and backward loops next to its bytecode.
     */
    public SourceWriter source(SourceSyntax syntax) {
        SourceWriter s = new SourceWriter(syntax);
        for (Node n : ops) {
            s.comment(opText(n));
            n.forwardSource(s);
        }
        Adjoints adjoints = new Adjoints();
        if (loss.active()) {
            adjoints.first(loss);
            s.comment("backward: the adjoint of the loss is 1");
            s.assign(s.at(loss.adjoint, null), "1.0");
            for (int k = ops.size() - 1; k >= 0; k--) {
                Node n = ops.get(k);
                if (n.active()) {
                    s.comment("backward through " + label(n));
                    n.backwardSource(s, adjoints);
                }
            }
        }
        for (Leaf l : leaves) {
            if (l.isParameter() && !adjoints.written(l)) {
                s.comment("the loss does not depend on " + l.name);
                s.zero(l.adjoint, l.size);
            }
        }
        return s;
    }

    /** The declared arrays: name, kind, shape and first slot, in layout order. */
    public List<Declared> declared() {
        List<Declared> out = new ArrayList<>();
        for (Leaf l : leaves) {
            out.add(new Declared(l.name, l.kind, l.shape, l.offset, l.gradientOffset));
        }
        return out;
    }

    /** A declared array of the program: its first slot in the work array and (a parameter) in the gradient. */
    public record Declared(String name, chainrule.parse.Ast.DeclKind kind, List<Integer> shape, int slot, int gradientSlot) {
        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private String opText(Node n) {
        List<String> in = new ArrayList<>();
        for (Node i : n.inputs()) {
            in.add(label(i));
        }
        return label(n) + " = " + n.getClass().getSimpleName() + "(" + String.join(", ", in) + ") " + n.shape
                + (n == loss ? "  (loss)" : "");
    }

    /** One line per op, for inspection: {@code v5 = MatVec(W1 [128,784], x [784]) [128]}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Node n : ops) {
            sb.append(label(n)).append(" = ").append(n.getClass().getSimpleName()).append('(');
            List<String> in = new ArrayList<>();
            for (Node i : n.inputs()) {
                in.add(label(i));
            }
            sb.append(String.join(", ", in)).append(") ").append(n.shape).append(n == loss ? "  (loss)" : "").append('\n');
        }
        return sb.toString();
    }

    private static String label(Node n) {
        return n instanceof Leaf l ? l.name : "v" + n.id;
    }
}
