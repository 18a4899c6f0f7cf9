package chainrule.layer;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.diff.UserDerivation;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.ir.Reduction;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Builds the layer view ({@link LayerProgram}) of a file written with vectors, from its syntax
 * tree. Elementwise arithmetic and function calls are gathered into one expression per element
 * (computed in one loop), and a definition's value is stored once; {@code W @ v}, reductions,
 * softmax and the losses become their own ops.
 *
 * <p>Files it does not cover give an empty result, and the caller compiles the element view with
 * the tape compiler instead: files without any vector declaration, indexing ({@code x[1]}),
 * and anything unexpected (an unknown name or function, a shape that does
 * not match). {@code cross_entropy(softmax(z), y)} is fused into one op computed from the logits
 * (see {@link SoftmaxCrossEntropy}).
 */
public final class LayerLowering {

    private final Map<String, Leaf> leaves = new LinkedHashMap<>();
    private final Map<String, Ast.Definition> definitions = new HashMap<>();
    private final Map<String, Node> lowered = new HashMap<>();
    private final Set<String> inProgress = new HashSet<>();
    private final Map<String, UserFunction> functions;
    private final List<Node> ops = new ArrayList<>();
    private int nextId;

    /** Thrown for any form the layer view does not cover; the file then goes to the tape compiler. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    /** A value not stored yet: one scalar expression per element over the stored operands' element symbols. */
    private record Term(List<Integer> shape, Expr body, List<Node> operands) {}

    private LayerLowering(Map<String, UserFunction> functions) {
        this.functions = functions;
    }

    /** The layer view of an analysed network (shapes and functions from {@code network}), if it has one. */
    public static Optional<LayerProgram> lower(Ast.File file, Network network) {
        if (takesALogOfASigmoidName(file)) {
            // log(p), log(1 - p) of a named sigmoid vertex: the tape computes them from p's
            // pre-activation (model.SigmoidLogs); the loops would compute them from p, losing digits
            return Optional.empty();
        }
        return lower(file, d -> network.declaredShape(d.name().text()).orElse(List.of()), network.functions());
    }

    /**
     * The layer view straight from a syntax tree that has not been analysed (shapes read from the
     * declarations; functions may use built-ins only). For ops the analyser does not know yet, and
     * for tests.
     */
    public static Optional<LayerProgram> lower(Ast.File file) {
        Map<String, UserFunction> fns = new LinkedHashMap<>();
        for (Ast.Statement s : file.statements()) {
            if (s instanceof Ast.FunctionDef f) {
                standaloneFunction(f).ifPresent(u -> fns.put(u.sourceName(), u));
            }
        }
        return lower(file, LayerLowering::astShape, fns);
    }

    private static Optional<LayerProgram> lower(Ast.File file, Function<Ast.Declarator, List<Integer>> shapes,
                                                Map<String, UserFunction> functions) {
        try {
            return Optional.of(new LayerLowering(functions).run(file, shapes));
        } catch (Unsupported e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a log or binary_cross_entropy takes an expression of a name defined as
     * {@code sigmoid(...)}: read from the syntax tree, so that the element view is not built.
     */
    static boolean takesALogOfASigmoidName(Ast.File file) {
        java.util.Set<String> sigmoids = new java.util.HashSet<>();
        for (Ast.Statement s : file.statements()) {
            if (s instanceof Ast.Definition d && d.body() instanceof Ast.Call c && c.fn().text().equals("sigmoid")) {
                sigmoids.add(d.name().text());
            }
        }
        if (sigmoids.isEmpty()) {
            return false;
        }
        for (Ast.Statement s : file.statements()) {
            if (s instanceof Ast.Definition d && logOf(d.body(), sigmoids, false)) {
                return true;
            }
        }
        return false;
    }

    private static boolean logOf(Ast.Expr e, java.util.Set<String> sigmoids, boolean inLog) {
        if (e instanceof Ast.NameRef r) {
            return inLog && sigmoids.contains(r.name().text());
        }
        if (e instanceof Ast.Index x) {
            return inLog && sigmoids.contains(x.target().text()) || x.indices().stream().anyMatch(i -> logOf(i, sigmoids, inLog));
        }
        if (e instanceof Ast.Call c) {
            boolean log = inLog || c.fn().text().equals("log") || c.fn().text().equals("binary_cross_entropy");
            return c.args().stream().anyMatch(a -> logOf(a, sigmoids, log));
        }
        if (e instanceof Ast.Unary u) {
            return logOf(u.operand(), sigmoids, inLog);
        }
        if (e instanceof Ast.Binary b) {
            return logOf(b.left(), sigmoids, inLog) || logOf(b.right(), sigmoids, inLog);
        }
        return false; // a number
    }

    private static Optional<UserFunction> standaloneFunction(Ast.FunctionDef f) {
        try {
            Expr body = Analyzer.lowerStandalone(new Source(f.name().text(), ""), f.body());
            List<Sym> params = new ArrayList<>();
            for (Ast.Name p : f.params()) {
                params.add(Exprs.local(p.text()));
            }
            return Optional.of(new UserFunction(f.name().text(), params, body, UserDerivation.SIMPLIFIED));
        } catch (DiagnosticException e) {
            return Optional.empty();
        }
    }

    private static List<Integer> astShape(Ast.Declarator d) {
        List<Integer> shape = new ArrayList<>();
        for (Ast.Dim dim : d.shape()) {
            try {
                shape.add(Integer.parseInt(dim.text()));
            } catch (NumberFormatException e) {
                throw new Unsupported("shape " + dim.text());
            }
        }
        return shape;
    }

    private LayerProgram run(Ast.File file, Function<Ast.Declarator, List<Integer>> shapes) {
        int declared = 0;
        int parameters = 0;
        boolean vectors = false;
        Ast.Definition loss = null;
        for (Ast.Statement s : file.statements()) {
            if (s instanceof Ast.Declaration d) {
                for (Ast.Declarator x : d.declarators()) {
                    String name = x.name().text();
                    List<Integer> shape = shapes.apply(x);
                    if (leaves.containsKey(name)) {
                        throw new Unsupported("declared twice: " + name);
                    }
                    Leaf leaf = new Leaf(nextId++, name, d.kind(), shape, declared, d.kind().isParameter() ? parameters : -1);
                    leaves.put(name, leaf);
                    declared += leaf.size;
                    parameters += d.kind().isParameter() ? leaf.size : 0;
                    vectors |= !shape.isEmpty();
                }
            } else if (s instanceof Ast.Definition def) {
                definitions.put(def.name().text(), def);
                if (def.isLoss()) {
                    if (loss != null) {
                        throw new Unsupported("two losses");
                    }
                    loss = def;
                }
            }
        }
        if (!vectors || loss == null) {
            throw new Unsupported(vectors ? "no loss" : "no vectors: the tape compiler is as good");
        }
        Node lossNode = resolve(loss.name().text());
        if (!lossNode.isScalar()) {
            throw new Unsupported("the loss is not a scalar");
        }
        if (lossNode instanceof Leaf) {
            lossNode = add(new Elementwise(nextId++, List.of(), List.of(lossNode), lossNode.symbol));
        }
        return new LayerProgram(new ArrayList<>(leaves.values()), ops, lossNode, declared, parameters);
    }

    private <N extends Node> N add(N op) {
        ops.add(op);
        return op;
    }

    /** A declared name's array, or a definition's stored value (lowered once, on first use). */
    private Node resolve(String name) {
        Leaf leaf = leaves.get(name);
        if (leaf != null) {
            return leaf;
        }
        Node done = lowered.get(name);
        if (done != null) {
            return done;
        }
        Ast.Definition def = definitions.get(name);
        if (def == null || !inProgress.add(name)) {
            throw new Unsupported("undefined or cyclic: " + name);
        }
        Node n = store(lower(def.body()));
        inProgress.remove(name);
        lowered.put(name, n);
        return n;
    }

    /** The logits of {@code e} when it names a vertex defined as {@code softmax(z)}, else null. */
    private Node softmaxLogits(Ast.Expr e) {
        if (e instanceof Ast.NameRef r && definitions.containsKey(r.name().text())
                && resolve(r.name().text()) instanceof Softmax s) {
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

    private Term lower(Ast.Expr e) {
        return e.accept(new Ast.Visitor<Term>() {
            @Override public Term number(Ast.Number n) {
                return new Term(List.of(), Exprs.num(n.value()), List.of());
            }

            @Override public Term name(Ast.NameRef r) { return term(resolve(r.name().text())); }

            @Override public Term call(Ast.Call c) { return LayerLowering.this.call(c); }

            @Override public Term index(Ast.Index i) { throw new Unsupported("indexing"); }

            @Override public Term unary(Ast.Unary u) {
                Term t = lower(u.operand());
                return u.op() == Ast.UnaryOp.NEGATE ? new Term(t.shape(), Exprs.neg(t.body()), t.operands()) : t;
            }

            @Override public Term binary(Ast.Binary b) {
                if (b.op() == Ast.BinaryOp.MATMUL) {
                    return matVec(store(lower(b.left())), store(lower(b.right())));
                }
                Term l = lower(b.left());
                Term r = lower(b.right());
                BinaryOperator<Expr> op = switch (b.op()) {
                    case ADD -> Exprs::add;
                    case SUBTRACT -> Exprs::sub;
                    case MULTIPLY -> Exprs::mul;
                    case DIVIDE -> Exprs::div;
                    case POWER -> Exprs::pow;
                    case MATMUL -> throw new IllegalStateException("handled above");
                };
                return combine(List.of(l, r), bodies -> op.apply(bodies.get(0), bodies.get(1)));
            }
        });
    }

    private Term matVec(Node w, Node v) {
        if (w.shape.size() == 2 && v.shape.size() == 2 && w.shape.get(1).equals(v.shape.get(0))) {
            return term(add(new MatMul(nextId++, w, v)));
        }
        if (w.shape.size() != 2 || v.shape.size() != 1 || !w.shape.get(1).equals(v.shape.get(0))) {
            throw new Unsupported("@ other than matrix times vector or matrix");
        }
        return term(add(new MatVec(nextId++, w, v)));
    }

    /** Terms combined element by element (a scalar broadcast): the shapes must agree. */
    private static Term combine(List<Term> terms, Function<List<Expr>, Expr> body) {
        List<Integer> shape = List.of();
        Set<Node> operands = new LinkedHashSet<>();
        List<Expr> bodies = new ArrayList<>();
        for (Term t : terms) {
            if (!t.shape().isEmpty()) {
                if (!shape.isEmpty() && !shape.equals(t.shape())) {
                    throw new Unsupported("shapes " + shape + " and " + t.shape());
                }
                shape = t.shape();
            }
            operands.addAll(t.operands());
            bodies.add(t.body());
        }
        return new Term(shape, body.apply(bodies), new ArrayList<>(operands));
    }

    private Term call(Ast.Call c) {
        String name = c.fn().text();
        if (name.equals("cross_entropy") && c.args().size() == 2 && c.args().get(0) instanceof Ast.Call inner
                && inner.fn().text().equals("softmax") && inner.args().size() == 1) {
            return softmaxCrossEntropy(inner.args().get(0), c.args().get(1));
        }
        // a named p = softmax(z) in cross_entropy(p, y) or log(p): from the logits, as the element
        // view computes log p (model.SigmoidLogs), so a far-below element keeps its digits
        Node logits = c.args().isEmpty() ? null : softmaxLogits(c.args().get(0));
        if (logits != null && name.equals("cross_entropy") && c.args().size() == 2) {
            return softmaxCrossEntropy(logits, c.args().get(1));
        }
        if (logits != null && name.equals("log") && c.args().size() == 1) {
            return term(add(new LogSoftmax(nextId++, logits)));
        }
        List<Term> args = new ArrayList<>();
        for (Ast.Expr a : c.args()) {
            args.add(lower(a));
        }
        Optional<Reduction> reduction = Reduction.byName(name); // sum, mean and the losses: the element view's table
        if (reduction.isPresent()) {
            Reduction r = reduction.get();
            Term t = r.isLoss() ? combine(pair(args), r::signedTerm) : only(args);
            return reduce(t, r.scale(sizeOf(t.shape())));
        }
        switch (name) {
            case "softmax", "log_softmax" -> {
                Node z = store(only(args));
                if (z.shape.size() != 1) {
                    throw new Unsupported(name + " of a non-vector");
                }
                return term(add(name.equals("softmax") ? new Softmax(nextId++, z) : new LogSoftmax(nextId++, z)));
            }
            default -> {
                return apply(c, name, args);
            }
        }
    }

    /**
     * {@code cross_entropy(softmax(z), y)} written as one expression: fused, computed from the
     * logits. A softmax stored under a name ({@code p = softmax(z)}, then {@code cross_entropy(p, y)})
     * is fused the same way: the element view computes {@code log p[j]} as {@code log_softmax(z)[j]}
     * (model.SigmoidLogs), and every command must give the same numbers.
     */
    private Term softmaxCrossEntropy(Ast.Expr logits, Ast.Expr target) {
        return softmaxCrossEntropy(store(lower(logits)), target);
    }

    private Term softmaxCrossEntropy(Node z, Ast.Expr target) {
        Term y = lower(target);
        if (z.shape.size() != 1 || (!y.shape().isEmpty() && !y.shape().equals(z.shape))) {
            throw new Unsupported("cross_entropy shapes");
        }
        return term(add(new SoftmaxCrossEntropy(nextId++, z, store(y))));
    }

    private Term reduce(Term t, double scale) {
        return term(add(new Reduce(nextId++, t.operands(), t.body(), sizeOf(t.shape()), scale)));
    }

    /** A built-in or user function applied element by element (defaults filled in, scalars broadcast). */
    private Term apply(Ast.Call c, String name, List<Term> args) {
        Fn fn;
        Optional<Primitive> p = Primitive.byName(name);
        List<Term> all = new ArrayList<>(args);
        if (p.isPresent()) {
            Primitive prim = p.get();
            if (args.size() < prim.minArity() || args.size() > prim.arity()) {
                throw new Unsupported("arity of " + name);
            }
            double[] defaults = prim.defaults();
            for (int i = args.size(); i < prim.arity(); i++) {
                all.add(new Term(List.of(), Exprs.num(defaults[i - prim.minArity()]), List.of()));
            }
            fn = prim;
        } else {
            fn = functions.get(name);
            if (fn == null || fn.arity() != args.size()) {
                throw new Unsupported("function " + name);
            }
        }
        return combine(all, bodies -> Exprs.apply(fn, bodies));
    }

    private static Term only(List<Term> args) {
        if (args.size() != 1) {
            throw new Unsupported("argument count");
        }
        return args.get(0);
    }

    private static List<Term> pair(List<Term> args) {
        if (args.size() != 2) {
            throw new Unsupported("argument count");
        }
        return args;
    }

    private static int sizeOf(List<Integer> shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
