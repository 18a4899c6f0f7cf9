package chainrule.layer;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Primitive;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.expr.VectorPrimitive;
import chainrule.ir.Graph;
import chainrule.ir.Op;
import chainrule.ir.Reduction;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the layer view ({@link LayerProgram}) of a file written with vectors from its op graph
 * ({@link Network#graph()}), op by op: what an op means is stated once, in {@link Op} (its shape and
 * element expansion) and the layer op it lowers to (its loops and backward rule). Elementwise ops
 * ({@link Op.Negate}, {@link Op.Chain}, {@link Op.Arithmetic}, {@link Op.Apply}, an implicit
 * pre-activation) are gathered into one expression per element, computed in one loop, and a
 * definition's value is stored once; {@link Op.MatMul} becomes {@link MatVec} or {@link MatMul},
 * {@link Op.Reduce} a {@link Reduce} loop over its table entry's term, {@link Op.VectorFunction}
 * {@link Softmax} or {@link LogSoftmax}, {@link Op.Index} a {@link Pick}.
 *
 * <p>Files it does not cover give an empty result, and the caller compiles the element view with
 * the tape compiler instead: files without any vector declaration (the tape is as good there).
 * The constants {@code pi} and {@code e} are numbers in the element bodies; an element
 * {@code x[1]} is a {@link Pick}. {@code cross_entropy(softmax(z), y)} is fused into one op
 * computed from the logits (see {@link SoftmaxCrossEntropy}). A log of a named sigmoid
 * {@code p = σ(z)} ({@code log p}, {@code log(1 - p)}, inside binary_cross_entropy too) is computed
 * in its element body from z ({@code -softplus(∓z)}), and {@code log p[i]} of a named softmax as a
 * {@link Pick} of a {@link LogSoftmax}, as the element view computes them (model.SigmoidLogs), so
 * every command gives the same digits at saturation ({@link #stableLogs}).
 */
public final class LayerLowering {

    private final List<Leaf> leaves = new ArrayList<>();
    private final Map<Op, Leaf> leafOf = new IdentityHashMap<>();
    private final Map<Op, Node> lowered = new IdentityHashMap<>();
    private final List<Node> ops = new ArrayList<>();
    /** The {@link LogSoftmax} of each stored softmax a log of an element asked for (one per softmax). */
    private final Map<Node, Node> logSoftmaxes = new IdentityHashMap<>();
    private int nextId;

    /** Thrown for any form the layer view does not cover; the file then goes to the tape compiler. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    /** A value not stored yet: one scalar expression per element over the stored operands' element symbols. */
    private record Term(List<Integer> shape, Expr body, List<Node> operands) {}

    private LayerLowering() {}

    /** The layer view of an analysed network, lowered from its op graph, if it has one. */
    public static Optional<LayerProgram> lower(Network network) {
        Graph graph = network.graph();
        try {
            return Optional.of(new LayerLowering().run(graph));
        } catch (Unsupported e) {
            return Optional.empty();
        }
    }

    /** {@link #lower(Network)}; {@code file} is the syntax tree {@code network} was analysed from. */
    public static Optional<LayerProgram> lower(Ast.File file, Network network) {
        return lower(network);
    }

    /**
     * The layer view of a syntax tree that has not been analysed yet: it is checked first
     * ({@link Analyzer#check}, which builds no element), and a file with an error has none. For tests.
     */
    public static Optional<LayerProgram> lower(Ast.File file) {
        if (file.statements().stream().noneMatch(s -> s instanceof Ast.Definition d && d.isLoss())) {
            return Optional.empty();
        }
        try {
            return lower(Analyzer.check(new Source("layers.nn", ""), file));
        } catch (DiagnosticException e) {
            return Optional.empty();
        }
    }

    private LayerProgram run(Graph graph) {
        int declared = 0;
        int parameters = 0;
        boolean vectors = false;
        for (Op.Declared d : graph.declared()) {
            Leaf leaf = new Leaf(nextId++, d.name(), d.kind(), d.shape(), declared, d.kind().isParameter() ? parameters : -1);
            leaves.add(leaf);
            leafOf.put(d, leaf);
            declared += leaf.size;
            parameters += d.kind().isParameter() ? leaf.size : 0;
            vectors |= !d.shape().isEmpty();
        }
        if (!vectors) {
            throw new Unsupported("no vectors: the tape compiler is as good");
        }
        Node lossNode = resolve(graph.loss());
        if (lossNode instanceof Leaf) {
            lossNode = add(new Elementwise(nextId++, List.of(), List.of(lossNode), lossNode.symbol));
        }
        // A stored sigmoid whose only use was inside a log, now read from its pre-activation
        // (stableLogs), computes nothing the loss needs: left out, it has no adjoint to read.
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> stack = new ArrayList<>(List.of(lossNode));
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (live.add(n)) {
                stack.addAll(n.inputs());
            }
        }
        ops.removeIf(n -> !live.contains(n));
        return new LayerProgram(leaves, ops, lossNode, declared, parameters);
    }

    private <N extends Node> N add(N op) {
        ops.add(op);
        return op;
    }

    /** A definition's stored value (lowered once, on first use). */
    private Node resolve(Op.Definition d) {
        Node done = lowered.get(d);
        if (done == null) {
            done = store(lower(d.body()));
            lowered.put(d, done);
        }
        return done;
    }

    /** The logits of {@code op} when it is a definition stored as {@code softmax(z)}, else null. */
    private Node softmaxLogits(Op op) {
        if (op instanceof Op.Definition d && d.role() != Op.Definition.Role.PRE_ACTIVATION
                && resolve(d) instanceof Softmax s) {
            return s.input;
        }
        return null;
    }

    private static Term term(Node n) {
        return new Term(n.shape, n.symbol, List.of(n));
    }

    /** The node holding a term's value: the operand itself when the term is just one stored value. */
    private Node store(Term t) {
        if (t.operands().size() == 1 && t.body() == t.operands().get(0).symbol) {
            return t.operands().get(0);
        }
        return add(new Elementwise(nextId++, t.shape(), t.operands(), t.body()));
    }

    private Term lower(Op op) {
        return op.accept(new Op.Visitor<Term>() {
            @Override public Term declared(Op.Declared d) { return term(leafOf.get(d)); }

            @Override public Term atom(Op.Atom a) {
                if (a.expr() instanceof Num n) {
                    return new Term(List.of(), Exprs.num(n.value()), List.of());
                }
                if (a.expr() instanceof Apply c && c.args().isEmpty()) {
                    return new Term(List.of(), c, List.of()); // pi, e: a number in the element bodies
                }
                throw new IllegalStateException("a checked network's graph has no free name: " + a.expr());
            }

            @Override public Term definition(Op.Definition d) {
                // an implicit pre-activation is fused into its activation's loop, not stored
                return d.role() == Op.Definition.Role.PRE_ACTIVATION ? lower(d.body()) : term(resolve(d));
            }

            @Override public Term negate(Op.Negate n) {
                Term t = lower(n.operand());
                return new Term(t.shape(), Exprs.neg(t.body()), t.operands());
            }

            @Override public Term chain(Op.Chain c) {
                Term sum = lower(c.terms().get(0));
                for (int i = 1; i < c.terms().size(); i++) {
                    boolean subtract = c.subtracted().get(i);
                    sum = combine(List.of(sum, lower(c.terms().get(i))),
                            b -> subtract ? Exprs.sub(b.get(0), b.get(1)) : Exprs.add(b.get(0), b.get(1)));
                }
                return sum;
            }

            @Override public Term arithmetic(Op.Arithmetic a) {
                Term l = lower(a.left());
                Term r = lower(a.right());
                return combine(List.of(l, r), b -> a.of(b.get(0), b.get(1)));
            }

            @Override public Term apply(Op.Apply a) {
                // log of a stored p = softmax(z): from the logits, as the element view computes
                // log p (model.SigmoidLogs), so a far-below element keeps its digits
                Node logits = softmaxLogits(a.args().get(0));
                if (logits != null && a.fn() == Primitive.LOG) {
                    return term(add(new LogSoftmax(nextId++, logits)));
                }
                List<Term> args = new ArrayList<>();
                for (Op in : a.args()) {
                    args.add(lower(in));
                }
                Term t = combine(args, b -> Exprs.apply(a.fn(), b));
                return a.fn() == Primitive.LOG ? stableLogs(t) : t;
            }

            @Override public Term matMul(Op.MatMul m) {
                Node l = store(lower(m.left()));
                Node r = store(lower(m.right()));
                return term(add(r.shape.size() == 2 ? new MatMul(nextId++, l, r) : new MatVec(nextId++, l, r)));
            }

            @Override public Term reduce(Op.Reduce r) { return LayerLowering.this.reduce(r); }

            @Override public Term vectorFunction(Op.VectorFunction v) {
                Node z = store(lower(v.argument()));
                return term(add(v.function() == VectorPrimitive.SOFTMAX ? new Softmax(nextId++, z) : new LogSoftmax(nextId++, z)));
            }

            @Override public Term index(Op.Index i) {
                Node t = store(lower(i.target()));
                return term(add(new Pick(nextId++, t, i.flat())));
            }

            @Override public Term invalid(Op.Invalid i) {
                throw new IllegalStateException("a checked network's graph has no error");
            }
        });
    }

    /** Terms combined element by element (a scalar broadcast); the analyser has checked the shapes. */
    private static Term combine(List<Term> terms, Function<List<Expr>, Expr> body) {
        List<Integer> shape = List.of();
        Set<Node> operands = new LinkedHashSet<>();
        List<Expr> bodies = new ArrayList<>();
        for (Term t : terms) {
            if (!t.shape().isEmpty()) {
                shape = t.shape();
            }
            operands.addAll(t.operands());
            bodies.add(t.body());
        }
        return new Term(shape, body.apply(bodies), new ArrayList<>(operands));
    }

    /**
     * A reduction: a {@link Reduce} loop over its table entry's signed term, except
     * {@code cross_entropy} of a softmax, written as one expression or of a stored
     * {@code p = softmax(z)}: fused, computed from the logits (the element view computes
     * {@code log p[j]} as {@code log_softmax(z)[j]}, model.SigmoidLogs, and every command must give
     * the same numbers).
     */
    private Term reduce(Op.Reduce r) {
        Reduction table = r.reduction();
        if (table == Reduction.CROSS_ENTROPY) {
            Op p = r.args().get(0);
            if (p instanceof Op.VectorFunction v && v.function() == VectorPrimitive.SOFTMAX) {
                return softmaxCrossEntropy(store(lower(v.argument())), r.args().get(1));
            }
            Node logits = softmaxLogits(p);
            if (logits != null) {
                return softmaxCrossEntropy(logits, r.args().get(1));
            }
        }
        List<Term> args = new ArrayList<>();
        for (Op in : r.args()) {
            args.add(lower(in));
        }
        Term t = table.isLoss() ? stableLogs(combine(args, table::signedTerm)) : args.get(0);
        int n = sizeOf(t.shape());
        return term(add(new Reduce(nextId++, t.operands(), t.body(), n, table.scale(n))));
    }

    /**
     * {@code t} with each log of a stored sigmoid {@code p = σ(z)} computed from z, as the element
     * view computes it (model.SigmoidLogs; docs/hardening.md, "A named sigmoid inside a log"):
     * {@code log p} is {@code -softplus(-z)} and {@code log(1 - p)} is {@code -softplus(z)}, also
     * inside binary_cross_entropy, so that p rounding to 0 or 1 (|z| above ≈ 37, or 745) costs no
     * digits and no infinity; and each {@code log p[i]} of a stored {@code p = softmax(z)} as
     * {@code log_softmax(z)[i]}, a {@link Pick} of a {@link LogSoftmax} loop. A log with no such
     * form stays as it is (the same rule as the element view: the log must disappear). The
     * element body then reads z's operands instead of p; p itself is still stored for its other uses.
     */
    private Term stableLogs(Term t) {
        Map<Expr, Node> sigmoids = new HashMap<>();
        Map<Expr, Pick> softmaxElements = new HashMap<>();
        for (Node o : t.operands()) {
            Elementwise e = sigmoidOf(o);
            if (e != null) {
                sigmoids.put(o.symbol, o);
            } else if (o instanceof Pick p && p.input instanceof Softmax) {
                softmaxElements.put(o.symbol, p);
            }
        }
        if (sigmoids.isEmpty() && softmaxElements.isEmpty()) {
            return t;
        }
        Map<Expr, Expr> logs = new HashMap<>();
        List<Node> added = new ArrayList<>();
        collectLogs(t.body(), sigmoids, softmaxElements, logs, added, new HashSet<>());
        if (logs.isEmpty()) {
            return t;
        }
        Expr body = Substitution.replace(t.body(), logs);
        Set<Sym> used = chainrule.model.Symbols.free(body);
        List<Node> operands = new ArrayList<>();
        for (Node o : t.operands()) {
            if (used.contains(o.symbol)) {
                operands.add(o);
            }
        }
        for (Node o : added) {
            if (used.contains(o.symbol) && !operands.contains(o)) {
                operands.add(o);
            }
        }
        return new Term(t.shape(), body, operands);
    }

    /** The stored elementwise {@code σ(...)} that {@code n} is, or (for an element p[i]) picks from; else null. */
    private static Elementwise sigmoidOf(Node n) {
        Node stored = n instanceof Pick p ? p.input : n;
        return stored instanceof Elementwise e && e.body.expr instanceof Apply a && a.fn() == Primitive.SIGMOID ? e : null;
    }

    private void collectLogs(Expr e, Map<Expr, Node> sigmoids, Map<Expr, Pick> softmaxElements,
                             Map<Expr, Expr> logs, List<Node> added, Set<Expr> seen) {
        if (!seen.add(e)) {
            return;
        }
        if (e instanceof Apply a && a.fn() == Primitive.LOG) {
            Pick element = softmaxElements.get(a.arg(0));
            if (element != null) {
                Node logSoftmax = logSoftmaxes.computeIfAbsent(element.input,
                        s -> add(new LogSoftmax(nextId++, ((Softmax) s).input)));
                Pick pick = add(new Pick(nextId++, logSoftmax, element.flat));
                added.add(pick);
                logs.put(a, pick.symbol);
                return;
            }
            // one sigmoid inside the log: the stable forms are log σ(u) and log(1 - σ(u))
            Node sigmoid = null;
            int count = 0;
            for (Sym x : chainrule.model.Symbols.free(a.arg(0))) {
                if (sigmoids.containsKey(x)) {
                    sigmoid = sigmoids.get(x);
                    count++;
                }
            }
            if (count == 1) {
                Elementwise p = sigmoidOf(sigmoid);
                Expr rebuilt = Exprs.apply(Primitive.LOG, Substitution.replace(a.arg(0), Map.of(sigmoid.symbol, p.body.expr)));
                if (!(rebuilt instanceof Apply r && r.fn() == Primitive.LOG)) {
                    logs.put(a, withOperandsOf(rebuilt, sigmoid, p, added));
                    return;
                }
            }
        }
        for (Expr c : e.children()) {
            collectLogs(c, sigmoids, softmaxElements, logs, added, seen);
        }
    }

    /**
     * {@code e}, a stable form written over the operands of the sigmoid {@code p} it inlined for
     * {@code node} (p itself, or an element p[i] of it), with those operands added; for an element,
     * each vector operand {@code a} of p read as its element a[i] (a {@link Pick}; a broadcast
     * scalar as it is).
     */
    private Expr withOperandsOf(Expr e, Node node, Elementwise p, List<Node> added) {
        Set<Sym> free = chainrule.model.Symbols.free(e);
        Map<Expr, Expr> renamed = new HashMap<>();
        for (Node o : p.body.operands) {
            if (!free.contains(o.symbol)) {
                continue;
            }
            if (node instanceof Pick pick && o.size > 1) {
                Pick element = add(new Pick(nextId++, o, pick.flat));
                added.add(element);
                renamed.put(o.symbol, element.symbol);
            } else {
                added.add(o);
            }
        }
        return renamed.isEmpty() ? e : Substitution.replace(e, renamed);
    }

    private Term softmaxCrossEntropy(Node z, Op target) {
        Term y = lower(target);
        if (z.shape.size() != 1 || (!y.shape().isEmpty() && !y.shape().equals(z.shape))) {
            throw new Unsupported("cross_entropy shapes");
        }
        return term(add(new SoftmaxCrossEntropy(nextId++, z, store(y))));
    }

    private static int sizeOf(List<Integer> shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
