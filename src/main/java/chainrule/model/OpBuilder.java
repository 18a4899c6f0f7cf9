package chainrule.model;

import chainrule.diag.DiagnosticException;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.Primitive;
import chainrule.expr.UserFunction;
import chainrule.expr.VectorPrimitive;
import chainrule.ir.Op;
import chainrule.ir.Reduction;
import chainrule.parse.Ast;
import chainrule.parse.Ast.Pos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The analyser's room that lowers expressions to the op graph ({@link Op}): names are looked up
 * in the resolved {@link Names}, and every arity, shape and index is checked here, each error
 * reported with its position and help (the op standing for a wrong part is an {@link Op.Invalid}
 * of the shape the check goes on with, so one run finds as many independent errors as it can).
 * No element expression is built: that is {@link ElementView}'s job, from the finished graph.
 *
 * <p>Where a definition is an activation applied to something other than a plain name
 * ({@code h = sigmoid(w*x + b)}), its argument becomes the implicit definition {@code h.in}: the
 * pre-activation (들) whose output {@code h} is the activation (나), as LANGUAGE.md's path graph
 * requires.
 */
final class OpBuilder {
    /**
     * Longest vector softmax/log_softmax takes: in the element view each of its n outputs has all
     * n inputs as arguments and an edge from each, n² edges and n³ work for the unrolled compiler
     * (256 classes: grad and eval in about 25 s on the development machine; 1024: minutes).
     */
    static final int MAX_SOFTMAX = 256;

    private final Names names;
    private final Reporter report;
    private final VertexLimit limit;
    /** The leaf of each declared name (one object per name, shared by every use). */
    private final Map<String, Op.Declared> declaredOps = new HashMap<>();
    /** Definitions lowered so far, by name. */
    private final Map<String, Op.Definition> nodes = new HashMap<>();

    /** Counts the vertices a definition will have; past the limit, the analysis stops. */
    interface Budget {
        void reserve(long n, Pos pos, String what) throws DiagnosticException;
    }

    OpBuilder(Names names, Reporter report, VertexLimit limit) {
        this.names = names;
        this.report = report;
        this.limit = limit;
    }

    /**
     * Lowers a definition of the file (definitions it uses are lowered already: they come in
     * dependency order) to its {@link Op.Definition}, with an implicit pre-activation where its
     * body is an activation of an expression.
     */
    Op.Definition definition(Ast.Definition def, boolean isLoss, Budget budget) throws DiagnosticException {
        String name = def.name().text();
        Scope scope = new Scope.Network();
        Ast.Expr body = def.body();
        Optional<Ast.Binary> masked = maskedActivation(body);
        Optional<Ast.Call> activation = activationWithComplexArgument(
                masked.map(b -> b.left() instanceof Ast.Call ? b.left() : b.right()).orElse(body));
        Op value;
        if (activation.isPresent()) {
            Ast.Call call = activation.get();
            Op arg = lowerOp(call.args().get(0), scope);
            budget.reserve(arg.size(), def.name().pos(), "'" + name + ".in'");
            Op pre = new Op.Definition(name + ".in", Op.Definition.Role.PRE_ACTIVATION, arg, call.args().get(0).pos());
            List<Ast.Expr> rest = call.args().subList(1, call.args().size());
            value = lowerCall(call, scope, pre, rest);
            if (masked.isPresent()) {
                Ast.Binary b = masked.get();
                Op mask = lowerOp(b.left() == call ? b.right() : b.left(), scope);
                value = b.left() == call ? elementwise(b, value, mask) : elementwise(b, mask, value);
            }
        } else {
            value = lowerOp(body, scope);
        }
        if (isLoss && !value.isScalar()) {
            report.error(def.name().pos(), "the loss must be a scalar, but '" + name + "' has shape "
                    + Tensor.shapeText(value.shape()) + "; reduce it with sum(...) or mean(...)");
            value = new Op.Invalid(List.of());
        }
        budget.reserve(value.size(), def.name().pos(), "'" + name + "'");
        Op.Definition d = new Op.Definition(name, isLoss ? Op.Definition.Role.LOSS : Op.Definition.Role.NODE,
                value, def.name().pos());
        nodes.put(name, d);
        return d;
    }

    /** The leaf of a declared name (a scalar, or a declaration whose shape is bad, has the empty shape). */
    Op.Declared declaredOp(String name) {
        return declaredOps.computeIfAbsent(name, n -> new Op.Declared(n, names.declaredKind.get(n),
                names.shapes.getOrDefault(n, List.of()), names.declared.get(n).name().pos()));
    }

    /** Whether no op of a function body stands for an error. */
    static boolean valid(Op op) {
        if (op instanceof Op.Invalid) {
            return false;
        }
        for (Op in : op.inputs()) {
            if (!valid(in)) {
                return false;
            }
        }
        return true;
    }

    /** The call, if {@code body} is an activation applied to something that is not a plain name. */
    /**
     * {@code relu(W @ x + b) * m} or {@code m * relu(…)} with {@code m} a declared input or
     * constant (a dropout mask): the activation's argument still becomes {@code h.in}, so the layer
     * keeps its pre-activation (and its layer form, δ(h.in) = m ⊙ step(h.in) ⊙ …), the mask being
     * one more elementwise factor between {@code h.in} and {@code h}.
     */
    private Optional<Ast.Binary> maskedActivation(Ast.Expr body) {
        if (!(body instanceof Ast.Binary b) || b.op() != Ast.BinaryOp.MULTIPLY) {
            return Optional.empty();
        }
        boolean leftCall = b.left() instanceof Ast.Call;
        Ast.Expr call = leftCall ? b.left() : b.right();
        Ast.Expr mask = leftCall ? b.right() : b.left();
        String maskName = mask instanceof Ast.NameRef r ? r.name().text() : null;
        Ast.DeclKind kind = maskName == null ? null : names.declaredKind.get(maskName);
        boolean constant = kind == Ast.DeclKind.CONST || kind == Ast.DeclKind.INPUT || kind == Ast.DeclKind.TARGET;
        return constant && activationWithComplexArgument(call).isPresent() ? Optional.of(b) : Optional.empty();
    }

    private Optional<Ast.Call> activationWithComplexArgument(Ast.Expr body) {
        if (!(body instanceof Ast.Call c) || c.args().isEmpty() || c.args().get(0) instanceof Ast.NameRef
                || c.args().get(0) instanceof Ast.Index) { // an element is a plain name too
            return Optional.empty();
        }
        for (int i = 1; i < c.args().size(); i++) {
            if (!(c.args().get(i) instanceof Ast.Number)) {
                return Optional.empty();
            }
        }
        String name = c.fn().text();
        if (VectorPrimitive.byName(name).isPresent()) {
            return c.args().size() == 1 ? Optional.of(c) : Optional.empty();
        }
        Optional<Primitive> p = Primitive.byName(name);
        if (p.isPresent()) {
            return p.get().minArity() == 1 && c.args().size() <= p.get().arity() ? Optional.of(c) : Optional.empty();
        }
        UserFunction f = names.functions.get(name);
        return f != null && f.arity() == 1 && c.args().size() == 1 ? Optional.of(c) : Optional.empty();
    }

    /** What names mean where an expression stands. */
    sealed interface Scope permits Scope.Network, Scope.Function, Scope.Free {
        record Network() implements Scope {}

        record Function(Set<String> params) implements Scope {}

        record Free() implements Scope {}
    }

    /**
     * Lowers an expression to its op, checking names, arities and shapes (each error is reported,
     * and the op standing for the wrong part is an {@link Op.Invalid} of the shape the check goes
     * on with). No element expression is built here: that is {@link ElementView}'s job.
     */
    Op lowerOp(Ast.Expr e, Scope scope) {
        return e.accept(new Ast.Visitor<Op>() {
            @Override public Op number(Ast.Number n) {
                Expr value = literal(n); // exact: 0.1 is 1/10
                if (!Double.isFinite(((chainrule.expr.Num) value).value()) && !((chainrule.expr.Num) value).isExact()) {
                    report.error(n.pos(), "number " + n.text() + " is too large for a double");
                    return new Op.Invalid(List.of());
                }
                return new Op.Atom(value);
            }

            @Override public Op name(Ast.NameRef r) { return OpBuilder.this.name(r.name(), scope); }

            @Override public Op unary(Ast.Unary u) {
                Op x = lowerOp(u.operand(), scope);
                return u.op() == Ast.UnaryOp.NEGATE ? new Op.Negate(x) : x;
            }

            @Override public Op binary(Ast.Binary b) {
                if (b.op() == Ast.BinaryOp.ADD || b.op() == Ast.BinaryOp.SUBTRACT) {
                    return lowerChain(b, scope);
                }
                Op l = lowerOp(b.left(), scope);
                Op r = lowerOp(b.right(), scope);
                return switch (b.op()) {
                    case MULTIPLY, DIVIDE, POWER -> elementwise(b, l, r);
                    case MATMUL -> matmul(b, l, r);
                    case ADD, SUBTRACT -> throw new IllegalStateException("a chain, lowered above");
                };
            }

            @Override public Op call(Ast.Call c) { return lowerCall(c, scope, null, c.args()); }

            @Override public Op index(Ast.Index i) { return OpBuilder.this.index(i, scope); }
        });
    }

    /** {@code l op r} element by element; a scalar side is broadcast. */
    private Op elementwise(Ast.Binary b, Op l, Op r) {
        List<Integer> shape = commonShape(b.pos(), "'" + b.op().symbol() + "'", List.of(l, r));
        if (shape == null) {
            return new Op.Invalid(l.shape());
        }
        return new Op.Arithmetic(b.op(), l, r, shape);
    }

    /**
     * The shape of an elementwise combination: the one shape all non-scalar operands share, or
     * null (reported at {@code at}, naming both shapes) when two differ.
     */
    private List<Integer> commonShape(Pos at, String what, List<Op> operands) {
        List<Integer> shape = List.of();
        for (Op t : operands) {
            shape = commonShape(at, what, shape, t.shape());
            if (shape == null) {
                return null;
            }
        }
        return shape;
    }

    private List<Integer> commonShape(Pos at, String what, List<Integer> a, List<Integer> b) {
        if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
            return a.isEmpty() ? b : a;
        }
        report.error(at, "shapes do not match for " + what + ": " + Tensor.shapeText(a) + " and "
                + Tensor.shapeText(b) + "; elementwise operations need equal shapes or a scalar");
        return null;
    }

    /** {@code W @ v}: matrix [m,n] times vector [n] (or matrix [n,p]). */
    private Op matmul(Ast.Binary b, Op l, Op r) {
        if (l.isScalar() && r.isScalar()) {
            report.error(b.pos(), "'@' multiplies a matrix by a vector, but both sides here are scalars; use '*'");
            return new Op.Invalid(List.of());
        }
        if (l.shape().size() != 2 || r.shape().isEmpty() || r.shape().size() > 2) {
            report.error(b.pos(), "'@' multiplies a matrix [m,n] by a vector [n] or a matrix [n,p], but the operands here are "
                    + Tensor.shapeText(l.shape()) + " and " + Tensor.shapeText(r.shape())
                    + (l.isScalar() || r.isScalar() ? "; use '*' to scale" : ""));
            return new Op.Invalid(List.of());
        }
        int m = l.shape().get(0);
        int n = l.shape().get(1);
        int p = r.shape().size() == 2 ? r.shape().get(1) : 1;
        List<Integer> shape = r.shape().size() == 2 ? List.of(m, p) : List.of(m);
        long products = VertexLimit.saturatingProduct(VertexLimit.saturatingProduct(m, n), p);
        if (products > limit.maxVertices()) {
            report.error(b.pos(), "'@' here multiplies " + VertexLimit.count(products) + " pairs of elements, each a term and an edge: "
                    + limit.passed());
            return new Op.Invalid(List.of());
        }
        if (r.shape().get(0) != n) {
            report.error(b.pos(), "shapes do not match for '@': " + Tensor.shapeText(l.shape()) + " and " + Tensor.shapeText(r.shape())
                    + "; the matrix has " + plural(n, "column") + ", so the right side needs " + plural(n, "row"));
            return new Op.Invalid(shape);
        }
        return new Op.MatMul(l, r, shape);
    }

    /**
     * Lowers a chain {@code a + b - c + ...} to one {@link Op.Chain} (the parser nests it to the
     * left; walking the left spine iteratively also keeps long sums off the stack).
     */
    private Op lowerChain(Ast.Binary chain, Scope scope) {
        List<Ast.Expr> terms = new ArrayList<>();
        List<Ast.Binary> operators = new ArrayList<>();
        Ast.Expr e = chain;
        while (e instanceof Ast.Binary b && (b.op() == Ast.BinaryOp.ADD || b.op() == Ast.BinaryOp.SUBTRACT)) {
            terms.add(b.right());
            operators.add(b);
            e = b.left();
        }
        terms.add(e);
        operators.add(null);
        List<Op> lowered = new ArrayList<>(terms.size());
        List<Boolean> subtracted = new ArrayList<>(terms.size());
        List<Integer> shape = List.of();
        boolean mismatch = false;
        for (int i = terms.size() - 1; i >= 0; i--) {
            Ast.Binary op = operators.get(i);
            Op t = lowerOp(terms.get(i), scope);
            lowered.add(t);
            subtracted.add(op != null && op.op() == Ast.BinaryOp.SUBTRACT);
            if (!mismatch) {
                List<Integer> both = commonShape(op == null ? chain.pos() : op.pos(),
                        "'" + (op == null ? "+" : op.op().symbol()) + "'", shape, t.shape());
                mismatch = both == null;
                shape = mismatch ? shape : both;
            }
        }
        return mismatch ? new Op.Invalid(shape) : new Op.Chain(lowered, subtracted, shape);
    }

    /**
     * Lowers a call, element by element over vector arguments (a scalar argument is broadcast).
     * {@code first}, when not null, is the already-lowered first argument (an implicit
     * pre-activation) and {@code rest} the remaining argument expressions.
     */
    private Op lowerCall(Ast.Call c, Scope scope, Op first, List<Ast.Expr> rest) {
        String name = c.fn().text();
        List<Op> args = new ArrayList<>();
        if (first != null) {
            args.add(first);
        }
        for (Ast.Expr a : rest) {
            args.add(lowerOp(a, scope));
        }
        Optional<Reduction> reduction = Reduction.byName(name); // sum, mean and the losses: one table
        if (reduction.isPresent() && !reduction.get().isLoss()) {
            return reduce(c, reduction.get(), args);
        }
        Optional<VectorPrimitive> vector = VectorPrimitive.byName(name);
        if (vector.isPresent()) {
            return vectorFunction(c, vector.get(), args);
        }
        if (reduction.isPresent()) {
            return lossFunction(c, reduction.get(), args);
        }
        Optional<Primitive> p = Primitive.byName(name);
        Fn fn;
        if (p.isPresent()) {
            Primitive prim = p.get();
            if (args.size() < prim.minArity() || args.size() > prim.arity()) {
                arityError(c, prim.minArity(), prim.arity());
                return new Op.Invalid(List.of());
            }
            double[] defaults = prim.defaults();
            for (int i = args.size(); i < prim.arity(); i++) {
                args.add(new Op.Atom(Exprs.num(defaults[i - prim.minArity()])));
            }
            fn = prim;
        } else if (names.functions.containsKey(name) && !(scope instanceof Scope.Free)) {
            fn = names.functions.get(name);
            if (args.size() != fn.arity()) {
                arityError(c, fn.arity(), fn.arity());
                return new Op.Invalid(List.of());
            }
        } else if (names.functionDefs.containsKey(name) && !(scope instanceof Scope.Free)) {
            return new Op.Invalid(List.of()); // its definition had errors, already reported
        } else {
            if (names.declared.containsKey(name) || names.defined.containsKey(name)) {
                report.error(c.fn().pos(), "'" + name + "' is a " + names.describe(name) + ", not a function");
            } else {
                Set<String> functions = names.functionNames();
                String help = NameHints.help(name, functions);
                report.error(c.fn().pos(), "unknown function '" + name + "'"
                        + (NameHints.replacesSuggestion(name) ? "" : Suggestions.didYouMean(name, functions)));
                if (help != null) {
                    report.helpOnLast(help);
                }
            }
            return new Op.Invalid(List.of());
        }
        List<Integer> shape = commonShape(c.fn().pos(), "the arguments of '" + name + "'", args);
        if (shape == null) {
            return new Op.Invalid(args.get(0).shape());
        }
        return new Op.Apply(fn, args, shape);
    }

    /** {@code sum(v)} and {@code mean(v)}. */
    private Op reduce(Ast.Call c, Reduction r, List<Op> args) {
        if (args.size() != 1) {
            arityError(c, 1, 1);
            return new Op.Invalid(List.of());
        }
        return new Op.Reduce(r, args, c.fn().pos());
    }

    /** {@code softmax(z)} and {@code log_softmax(z)} of a vector of at most {@link #MAX_SOFTMAX} elements. */
    private Op vectorFunction(Ast.Call c, VectorPrimitive f, List<Op> args) {
        if (args.size() != 1) {
            arityError(c, 1, 1);
            return new Op.Invalid(List.of());
        }
        Op z = args.get(0);
        if (z.shape().size() != 1) {
            report.error(c.fn().pos(), "'" + f.sourceName() + "' takes a vector, but its argument here "
                    + (z.isScalar() ? "is a scalar" : "has shape " + Tensor.shapeText(z.shape()))
                    + (z.isScalar() ? "" : "; apply it to one row at a time, as in " + f.sourceName() + "(W @ x)"));
            return new Op.Invalid(z.shape());
        }
        if (z.size() > MAX_SOFTMAX) {
            report.error(c.fn().pos(), "'" + f.sourceName() + "' of " + z.size() + " elements is more than chainrule takes ("
                    + MAX_SOFTMAX + "): every output element depends on every input element, so the element view"
                    + " would have " + (long) z.size() * z.size() + " edges");
            return new Op.Invalid(z.shape());
        }
        return new Op.VectorFunction(f, z);
    }

    /**
     * {@code mse(p, y)}, {@code cross_entropy(p, y)} and the other losses of the {@link Reduction}
     * table: two arguments of one shape (a scalar side is broadcast). A loss adds no vertex.
     */
    private Op lossFunction(Ast.Call c, Reduction r, List<Op> args) {
        String name = c.fn().text();
        if (args.size() != 2) {
            arityError(c, 2, 2);
            return new Op.Invalid(List.of());
        }
        List<Integer> shape = commonShape(c.fn().pos(), "the arguments of '" + name + "'", args);
        if (shape == null) {
            return new Op.Invalid(List.of());
        }
        return new Op.Reduce(r, args, c.fn().pos());
    }

    private void arityError(Ast.Call c, int min, int max) {
        String expected = min == max ? plural(min, "argument") : min + " or " + plural(max, "argument");
        int given = c.args().size();
        report.error(c.fn().pos(), "'" + c.fn().text() + "' takes " + expected + ", but " + given
                + (given == 1 ? " was" : " were") + " given");
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** {@code x[i]} or {@code W[i,j]}: one element, by 1-based integer literals. */
    private Op index(Ast.Index i, Scope scope) {
        String text = i.target().text();
        boolean known = names.declared.containsKey(text) || names.defined.containsKey(text);
        if (!(scope instanceof Scope.Network) || !known) {
            if (scope instanceof Scope.Network) {
                return name(i.target(), scope); // reports the undefined name
            }
            report.error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return new Op.Invalid(List.of());
        }
        Op t = name(i.target(), scope);
        List<Integer> shape = t.shape();
        if (t.isScalar()) {
            report.error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return new Op.Invalid(List.of());
        }
        if (i.indices().size() != shape.size()) {
            report.error(i.pos(), "'" + text + "' has shape " + Tensor.shapeText(shape) + ", so it takes "
                    + (shape.size() == 1 ? "1 index" : shape.size() + " indices") + ", but "
                    + i.indices().size() + (i.indices().size() == 1 ? " was" : " were") + " given");
            return new Op.Invalid(List.of());
        }
        int[] index = new int[shape.size()];
        boolean ok = true;
        for (int k = 0; k < index.length; k++) {
            Ast.Expr x = i.indices().get(k);
            if (!(x instanceof Ast.Number n) || n.value() != Math.rint(n.value())) {
                report.error(x.pos(), "an index must be a whole number written in the file, from 1 to " + shape.get(k));
                ok = false;
            } else if (n.value() < 1 || n.value() > shape.get(k)) {
                report.error(x.pos(), "index " + n.text() + " is out of range for '" + text + "' of shape "
                        + Tensor.shapeText(shape) + "; indices run from 1 to " + shape.get(k));
                ok = false;
            } else {
                index[k] = (int) n.value();
            }
        }
        return ok ? new Op.Index(t, Tensor.flatIndex(shape, index)) : new Op.Invalid(List.of());
    }

    private Op name(Ast.Name n, Scope scope) {
        String text = n.text();
        if (scope instanceof Scope.Free) {
            Optional<Primitive> constant = Primitive.byName(text).filter(Primitive::isConstant);
            return new Op.Atom(constant.isPresent() ? Exprs.apply(constant.get(), List.of()) : Exprs.local(text));
        }
        if (scope instanceof Scope.Function f) {
            if (f.params().contains(text)) {
                return new Op.Atom(Exprs.local(text)); // a parameter named e or pi shadows the constant
            }
            if (Primitive.byName(text).filter(Primitive::isConstant).isPresent()) {
                return new Op.Atom(Exprs.apply(Primitive.byName(text).get(), List.of()));
            }
            report.error(n.pos(), "'" + text + "' is not a parameter of this function; a function body may use only its parameters"
                    + Suggestions.didYouMean(text, f.params()));
            return new Op.Invalid(List.of());
        }
        if (names.declared.containsKey(text)) {
            return declaredOp(text);
        }
        if (names.defined.containsKey(text)) {
            // Not lowered yet only when its definition is part of a cycle (reported).
            Op.Definition d = nodes.get(text);
            return d != null ? d : new Op.Invalid(List.of());
        }
        if (Primitive.byName(text).filter(Primitive::isConstant).isPresent()) {
            // pi and e, unless the file declares or defines the name (checked above): it then
            // means the file's own e (an error term, say) throughout the file
            return new Op.Atom(Exprs.apply(Primitive.byName(text).get(), List.of()));
        }
        if (names.functionDefs.containsKey(text) || Primitive.byName(text).isPresent() || Names.isVectorBuiltin(text)) {
            report.error(n.pos(), "'" + text + "' is a function; call it, as in " + text + "(x)");
            return new Op.Invalid(List.of());
        }
        Set<String> known = new LinkedHashSet<>(names.declared.keySet());
        known.addAll(names.defined.keySet());
        report.error(n.pos(), "undefined name '" + text + "'" + Suggestions.didYouMean(text, known));
        String declaration = NameHints.undeclaredParameter(text, names.declared, names.declaredKind);
        if (declaration != null) {
            report.helpOnLast("if it is a parameter, declare it: " + declaration);
        }
        return new Op.Invalid(List.of());
    }

    /** A literal's exact value, from its text (more digits than a double holds are kept). */
    private static Expr literal(Ast.Number n) {
        try {
            return Exprs.decimal(new java.math.BigDecimal(n.text().replace("_", "")));
        } catch (NumberFormatException e) {
            return Exprs.num(n.value());
        }
    }

}
