package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.diff.UserDerivation;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.UserFunction;
import chainrule.expr.VectorPrimitive;
import chainrule.ir.Graph;
import chainrule.ir.Op;
import chainrule.ir.Reduction;
import chainrule.parse.Ast.Pos;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resolver: checks a parsed file and builds the {@link Network}. It finds as many independent
 * errors as it can in one run: names defined twice, undefined names and functions (with a
 * suggestion), wrong argument counts, cycles among definitions (listing the cycle), a missing or
 * second loss, numbers out of range.
 *
 * <p>Where a node is an activation applied to something other than a plain name
 * ({@code h = sigmoid(w*x + b)}), its argument becomes the implicit vertex {@code h.in}: the
 * pre-activation (들) whose output {@code h} is the activation (나), as LANGUAGE.md's path graph
 * requires.
 *
 * <p>Vectors are expanded to elements here: a declaration {@code weight W1[2,2]} becomes the scalar
 * vertices {@code W1[1,1]} … {@code W1[2,2]}, and a vector node {@code h = sigmoid(W1 @ x + b1)}
 * the vertices {@code h.in[1]}, {@code h.in[2]}, {@code h[1]}, {@code h[2]} (each expression is
 * lowered to a {@link Tensor} of element expressions). Every command then works on the element
 * view unchanged.
 */
public final class Analyzer {
    private final Source source;
    private final List<Diagnostic> errors = new ArrayList<>();
    private final Map<String, Ast.Declarator> declared = new LinkedHashMap<>();
    private final Map<String, Ast.DeclKind> declaredKind = new HashMap<>();
    private final Map<String, Ast.Definition> defined = new LinkedHashMap<>();
    private final Map<String, Ast.FunctionDef> functionDefs = new LinkedHashMap<>();
    private final Map<String, UserFunction> functions = new LinkedHashMap<>();
    /** Declared vectors' shapes; a scalar declaration (or one with a bad shape) is absent. */
    private final Map<String, List<Integer>> shapes = new HashMap<>();
    private final Set<String> badShapes = new LinkedHashSet<>();
    /** The leaf of each declared name (one object per name, shared by every use). */
    private final Map<String, Op.Declared> declaredOps = new HashMap<>();
    /** Definitions lowered so far, by name. */
    private final Map<String, Op.Definition> nodes = new HashMap<>();
    private Ast.Definition loss;

    /**
     * Longest vector softmax/log_softmax takes: in the element view each of its n outputs has all
     * n inputs as arguments and an edge from each, n² edges and n³ work for the unrolled compiler
     * (256 classes: grad and eval in about 25 s on the development machine; 1024: minutes).
     */
    static final int MAX_SOFTMAX = 256;
    /** The most vertices this analysis builds, and how many it has so far (declared elements first). */
    private final VertexLimit limit;
    private long vertexCount;
    /** Set when a declaration passes the limit: lowering the definitions would only add errors caused by it. */
    private boolean limitPassed;

    private Analyzer(Source source, VertexLimit limit) {
        this.source = source;
        this.limit = limit;
    }

    /** Parses and analyses a whole file. */
    public static Network analyze(Source source) throws DiagnosticException {
        return analyze(source, SourceParser.parseFile(source));
    }

    /** Analyses a parsed file within the vertex limit of this thread ({@link VertexLimit#current()}). */
    public static Network analyze(Source source, Ast.File file) throws DiagnosticException {
        return analyze(source, file, VertexLimit.current());
    }

    /**
     * Analyses a parsed file; passing {@code limit} is an error at the declaration, definition or
     * {@code @} that passes it, reported before the vertices are built. The element view is built
     * at once (see {@link #check} for a network that builds it on first use).
     */
    public static Network analyze(Source source, Ast.File file, VertexLimit limit) throws DiagnosticException {
        Network network = new Analyzer(source, limit).run(file);
        network.structure();
        return network;
    }

    /**
     * Checks a parsed file and lowers it to its op graph ({@link Network#graph()}): every
     * diagnostic, names, shapes, values and functions, without building the element view, which is
     * expanded from the graph on the first call that needs a vertex. {@code eval}, {@code check}
     * and {@code train} compile a file written with layers from the graph ({@code chainrule.layer}),
     * so on a 784-128-10 network they never build its 102,841 vertices.
     */
    public static Network check(Source source, Ast.File file) throws DiagnosticException {
        return new Analyzer(source, VertexLimit.current()).run(file);
    }

    /**
     * Lowers a lone expression (for {@code diff}): every name is a free variable, functions are
     * the built-ins.
     */
    public static Expr lowerStandalone(Source source, Ast.Expr e) throws DiagnosticException {
        Analyzer a = new Analyzer(source, VertexLimit.current());
        Op out = a.lowerOp(e, new Scope.Free());
        if (!a.errors.isEmpty()) {
            throw new DiagnosticException(a.errors);
        }
        return ElementView.scalar(out);
    }

    private Network run(Ast.File file) throws DiagnosticException {
        collect(file);
        if (limitPassed) {
            throw new DiagnosticException(sortedErrors());
        }
        lowerFunctions();
        List<String> order = orderDefinitions();
        if (loss == null && errors.isEmpty()) {
            reportMissingLoss(file);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, VertexKind> declaredKinds = new LinkedHashMap<>();
        List<Op.Declared> leaves = new ArrayList<>();
        for (Map.Entry<String, Ast.Declarator> e : declared.entrySet()) {
            Ast.Declarator d = e.getValue();
            Ast.DeclKind kind = declaredKind.get(e.getKey());
            VertexKind vk = switch (kind) {
                case INPUT -> VertexKind.INPUT;
                case TARGET -> VertexKind.TARGET;
                case WEIGHT -> VertexKind.WEIGHT;
                case BIAS -> VertexKind.BIAS;
                case CONST -> VertexKind.CONSTANT;
            };
            declaredKinds.put(e.getKey(), vk);
            leaves.add(declaredOp(e.getKey()));
            List<Integer> shape = shapes.getOrDefault(e.getKey(), List.of());
            if (d.value() == null || badShapes.contains(e.getKey())) {
                continue;
            }
            if (shape.isEmpty()) {
                scalarValue(d).ifPresent(v -> values.put(e.getKey(), v));
            } else {
                List<Double> elementValues = vectorValues(d, shape);
                if (!elementValues.isEmpty()) {
                    List<String> names = Tensor.elementNames(e.getKey(), shape);
                    for (int k = 0; k < elementValues.size(); k++) {
                        values.put(names.get(k), elementValues.get(k));
                    }
                }
            }
        }
        List<Op.Definition> definitions = new ArrayList<>();
        Op.Definition lossOp = null;
        for (String name : order) {
            Ast.Definition def = defined.get(name);
            boolean isLoss = def == loss;
            Scope scope = new Scope.Network();
            Ast.Expr body = def.body();
            Optional<Ast.Binary> masked = maskedActivation(body);
            Optional<Ast.Call> activation = activationWithComplexArgument(
                    masked.map(b -> b.left() instanceof Ast.Call ? b.left() : b.right()).orElse(body));
            Op value;
            if (activation.isPresent()) {
                Ast.Call call = activation.get();
                Op arg = lowerOp(call.args().get(0), scope);
                reserveVertices(arg.size(), def.name().pos(), "'" + name + ".in'");
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
                error(def.name().pos(), "the loss must be a scalar, but '" + name + "' has shape "
                        + Tensor.shapeText(value.shape()) + "; reduce it with sum(...) or mean(...)");
                value = new Op.Invalid(List.of());
            }
            reserveVertices(value.size(), def.name().pos(), "'" + name + "'");
            Op.Definition d = new Op.Definition(name, isLoss ? Op.Definition.Role.LOSS : Op.Definition.Role.NODE,
                    value, def.name().pos());
            nodes.put(name, d);
            definitions.add(d);
            if (isLoss) {
                lossOp = d;
            }
        }
        if (!errors.isEmpty()) {
            throw new DiagnosticException(sortedErrors());
        }
        Graph graph = new Graph(leaves, definitions, lossOp);
        return new Network(source, graph, () -> ElementView.expand(graph, declaredKinds), functions, values, shapes,
                declaredKinds, loss.name().text());
    }

    /**
     * Counts {@code n} more vertices for {@code what}, defined at {@code pos}; past the limit the
     * analysis stops here with the errors found so far, before building them.
     */
    private void reserveVertices(long n, Pos pos, String what) throws DiagnosticException {
        if (n > limit.maxVertices() - vertexCount) {
            error(pos, what + " would bring the network to " + VertexLimit.count(vertexCount + n)
                    + " vertices (one per element), " + limit.passed());
            throw new DiagnosticException(sortedErrors());
        }
        vertexCount += n;
    }

    private List<Diagnostic> sortedErrors() {
        errors.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                : Integer.compare(a.column(), b.column()));
        return errors;
    }

    /** At the end of the last non-blank line, where the loss would go; an empty file says so. */
    private void reportMissingLoss(Ast.File file) {
        int line = source.lineCount();
        while (line > 1 && source.line(line).isBlank()) {
            line--;
        }
        String text = source.line(line).stripTrailing();
        int column = text.codePointCount(0, text.length()) + 1;
        String example = "; add a line such as 'loss E = 0.5*(t - out)^2'";
        error(new Pos(line, column, 1), file.statements().isEmpty()
                ? "the file defines nothing: no loss" + example
                : "no loss defined" + example);
    }

    // ------------------------------------------------------------ collecting names

    private void collect(Ast.File file) {
        Map<String, Pos> firstSeen = new HashMap<>();
        for (Ast.Statement s : file.statements()) {
            if (s instanceof Ast.Declaration d) {
                for (Ast.Declarator x : d.declarators()) {
                    if (claim(x.name(), firstSeen, d.kind().keyword())) {
                        declared.put(x.name().text(), x);
                        declaredKind.put(x.name().text(), d.kind());
                    }
                    if (x.shape().isEmpty()) {
                        vertexCount++; // checked with the definitions: one vertex cannot pass the limit alone
                    } else {
                        List<Integer> shape = declaredShape(x);
                        if (shape == null) {
                            badShapes.add(x.name().text());
                        } else if (!shapes.containsKey(x.name().text())) {
                            shapes.put(x.name().text(), shape);
                        }
                    }
                    if (d.kind() == Ast.DeclKind.CONST && x.value() == null) {
                        error(x.name().pos(), "const '" + x.name().text() + "' needs a value, as in 'const "
                                + x.name().text() + " = 0.5'");
                    }
                }
            } else if (s instanceof Ast.Definition def) {
                if (claim(def.name(), firstSeen, def.isLoss() ? "loss" : "node")) {
                    defined.put(def.name().text(), def);
                }
                if (def.isLoss()) {
                    if (loss != null) {
                        error(def.name().pos(), "a second loss '" + def.name().text() + "'; a file has exactly one loss");
                        noteOnLast("the loss '" + loss.name().text() + "' is defined at line " + loss.name().pos().line());
                    } else {
                        loss = def;
                    }
                }
            } else if (s instanceof Ast.FunctionDef f) {
                if (Primitive.byName(f.name().text()).isPresent() || isVectorBuiltin(f.name().text())) {
                    error(f.name().pos(), "'" + f.name().text() + "' is a built-in function and cannot be redefined");
                } else if (claim(f.name(), firstSeen, "function")) {
                    functionDefs.put(f.name().text(), f);
                }
            }
        }
    }

    /** Records a new name; reports it if taken. Returns whether the name was free. */
    private boolean claim(Ast.Name name, Map<String, Pos> firstSeen, String what) {
        Pos previous = firstSeen.putIfAbsent(name.text(), name.pos());
        if (previous != null) {
            errors.add(Diagnostic.error(source, name.pos().line(), name.pos().column(), name.pos().length(),
                    "'" + name.text() + "' is defined twice").withNote(
                    "first defined at line " + previous.line() + ", column " + previous.column()));
            return false;
        }
        return true;
    }

    /**
     * The validated shape of a vector declaration, its elements counted as vertices; null
     * (reported) when an extent is not a positive whole number or the elements would pass the
     * vertex limit (checked from the written extents, before anything is allocated).
     */
    private List<Integer> declaredShape(Ast.Declarator x) {
        List<Integer> shape = new ArrayList<>();
        long total = 1;
        for (Ast.Dim dim : x.shape()) {
            long extent = dim.text().matches("[0-9]{1,9}") ? Long.parseLong(dim.text()) : -1;
            if (extent < 1) {
                error(dim.pos(), "a shape extent must be a positive whole number, not '" + dim.text() + "'");
                return null;
            }
            total = VertexLimit.saturatingProduct(total, extent);
            shape.add((int) extent);
        }
        String name = "'" + x.name().text() + "'";
        if (total > limit.maxVertices() - vertexCount) {
            error(x.name().pos(), name + " has " + VertexLimit.count(total) + " elements, each a vertex"
                    + (vertexCount > 0 ? " (with the " + VertexLimit.count(vertexCount) + " declared before it)" : "")
                    + ": " + limit.passed());
            limitPassed = true;
            return null;
        }
        if (total > Integer.MAX_VALUE - 8) {
            error(x.name().pos(), name + " has " + VertexLimit.count(total) + " elements; one declaration holds at most "
                    + VertexLimit.count(Integer.MAX_VALUE - 8));
            return null;
        }
        vertexCount += total;
        return shape;
    }

    /**
     * The element values of a vector declaration in row-major order: one number is broadcast to
     * every element; nested brackets must match the shape exactly. Empty (reported) when they do not.
     */
    private List<Double> vectorValues(Ast.Declarator d, List<Integer> shape) {
        if (d.value() instanceof Ast.Scalar s) {
            return finite(s) ? Collections.nCopies(Tensor.size(shape), s.value()) : List.of();
        }
        List<Double> out = new ArrayList<>();
        return flattenValue(d, d.value(), shape, 0, out) ? out : List.of();
    }

    private boolean flattenValue(Ast.Declarator d, Ast.Value v, List<Integer> shape, int depth, List<Double> out) {
        if (depth == shape.size() && v instanceof Ast.Scalar s) {
            out.add(s.value());
            return finite(s);
        }
        String declaredAs = "'" + d.name().text() + "' is declared " + Tensor.shapeText(shape);
        if (depth == shape.size()) {
            error(v.pos(), declaredAs + ": expected a number here, found a list");
            return false;
        }
        int extent = shape.get(depth);
        if (!(v instanceof Ast.Array a)) {
            error(v.pos(), declaredAs + ": expected a list of " + plural(extent, "value") + " here, found a number");
            return false;
        }
        if (a.items().size() != extent) {
            error(a.pos(), declaredAs + ": expected " + plural(extent, "value") + " in this list, found " + a.items().size());
            return false;
        }
        for (Ast.Value item : a.items()) {
            if (!flattenValue(d, item, shape, depth + 1, out)) {
                return false;
            }
        }
        return true;
    }

    private boolean finite(Ast.Scalar s) {
        if (!Double.isFinite(s.value())) {
            error(s.pos(), "number " + s.text() + " is too large for a double");
            return false;
        }
        return true;
    }

    private Optional<Double> scalarValue(Ast.Declarator d) {
        if (d.value() instanceof Ast.Scalar s) {
            if (!Double.isFinite(s.value())) {
                error(s.pos(), "number " + s.text() + " is too large for a double");
                return Optional.empty();
            }
            return Optional.of(s.value());
        }
        error(d.value().pos(), "'" + d.name().text() + "' is a scalar; give it a single number, not a list");
        return Optional.empty();
    }

    /** The leaf of a declared name (a scalar, or a declaration whose shape is bad, has the empty shape). */
    private Op.Declared declaredOp(String name) {
        return declaredOps.computeIfAbsent(name, n -> new Op.Declared(n, declaredKind.get(n),
                shapes.getOrDefault(n, List.of()), declared.get(n).name().pos()));
    }

    // ------------------------------------------------------------ functions

    private void lowerFunctions() {
        // Functions may call each other (not recursively): lower them in dependency order.
        Map<String, Set<String>> calls = new LinkedHashMap<>();
        for (Ast.FunctionDef f : functionDefs.values()) {
            Set<String> callees = new LinkedHashSet<>();
            collectCalls(f.body(), callees);
            callees.retainAll(functionDefs.keySet());
            calls.put(f.name().text(), callees);
        }
        for (List<String> cycle : Cycles.find(calls)) {
            Ast.FunctionDef f = functionDefs.get(cycle.get(0));
            error(f.name().pos(), "functions call each other in a cycle: " + String.join(" -> ", cycle)
                    + "; recursion is not allowed");
            for (String n : cycle) {
                calls.remove(n);
            }
        }
        for (String name : Cycles.topologicalOrder(calls)) {
            Ast.FunctionDef f = functionDefs.get(name);
            List<Sym> params = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (Ast.Name p : f.params()) {
                if (!seen.add(p.text())) {
                    error(p.pos(), "parameter '" + p.text() + "' appears twice in function '" + name + "'");
                }
                params.add(Exprs.local(p.text()));
            }
            Op lowered = lowerOp(f.body(), new Scope.Function(seen));
            // a body with an error (reported) is never called: the file is rejected
            Expr body = valid(lowered) ? ElementView.scalar(lowered) : Exprs.ZERO;
            functions.put(name, new UserFunction(name, params, body, UserDerivation.SIMPLIFIED));
        }
    }

    /** Whether no op of a function body stands for an error. */
    private static boolean valid(Op op) {
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

    private static void collectCalls(Ast.Expr e, Set<String> out) {
        for (Ast.Expr x : Ast.subexpressions(e)) {
            if (x instanceof Ast.Call c) {
                out.add(c.fn().text());
            }
        }
    }

    // ------------------------------------------------------------ definitions

    /** Definitions in dependency order; reports cycles, listing them. */
    private List<String> orderDefinitions() {
        Map<String, Set<String>> uses = new LinkedHashMap<>();
        for (Ast.Definition d : defined.values()) {
            Set<String> names = new LinkedHashSet<>();
            collectNames(d.body(), names);
            names.retainAll(defined.keySet());
            uses.put(d.name().text(), names);
        }
        for (List<String> cycle : Cycles.find(uses)) {
            Ast.Definition d = defined.get(cycle.get(0));
            List<String> shown = new ArrayList<>(cycle);
            shown.add(cycle.get(0));
            if (cycle.size() == 1) {
                error(d.name().pos(), "'" + cycle.get(0) + "' is defined in terms of itself: "
                        + String.join(" -> ", shown) + "; definitions must not form a cycle");
                uses.remove(cycle.get(0));
                continue;
            }
            error(d.name().pos(), "definitions form a cycle: " + String.join(" -> ", shown));
            for (int i = 0; i < cycle.size(); i++) {
                Ast.Definition user = defined.get(shown.get(i));
                noteOnLast("'" + shown.get(i) + "' uses '" + shown.get(i + 1) + "' (line " + user.name().pos().line() + ")");
            }
            for (String n : cycle) {
                uses.remove(n);
            }
        }
        return Cycles.topologicalOrder(uses);
    }

    private static void collectNames(Ast.Expr e, Set<String> out) {
        for (Ast.Expr x : Ast.subexpressions(e)) {
            if (x instanceof Ast.NameRef n) {
                out.add(n.name().text());
            } else if (x instanceof Ast.Index i) {
                out.add(i.target().text());
            }
        }
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
        Ast.DeclKind kind = maskName == null ? null : declaredKind.get(maskName);
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
        UserFunction f = functions.get(name);
        return f != null && f.arity() == 1 && c.args().size() == 1 ? Optional.of(c) : Optional.empty();
    }

    // ------------------------------------------------------------ lowering expressions to the op graph

    /** What names mean where an expression stands. */
    private sealed interface Scope permits Scope.Network, Scope.Function, Scope.Free {
        record Network() implements Scope {}

        record Function(Set<String> params) implements Scope {}

        record Free() implements Scope {}
    }

    /**
     * Lowers an expression to its op, checking names, arities and shapes (each error is reported,
     * and the op standing for the wrong part is an {@link Op.Invalid} of the shape the check goes
     * on with). No element expression is built here: that is {@link ElementView}'s job.
     */
    private Op lowerOp(Ast.Expr e, Scope scope) {
        return e.accept(new Ast.Visitor<Op>() {
            @Override public Op number(Ast.Number n) {
                Expr value = literal(n); // exact: 0.1 is 1/10
                if (!Double.isFinite(((chainrule.expr.Num) value).value()) && !((chainrule.expr.Num) value).isExact()) {
                    error(n.pos(), "number " + n.text() + " is too large for a double");
                    return new Op.Invalid(List.of());
                }
                return new Op.Atom(value);
            }

            @Override public Op name(Ast.NameRef r) { return Analyzer.this.name(r.name(), scope); }

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

            @Override public Op index(Ast.Index i) { return Analyzer.this.index(i, scope); }
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
        error(at, "shapes do not match for " + what + ": " + Tensor.shapeText(a) + " and "
                + Tensor.shapeText(b) + "; elementwise operations need equal shapes or a scalar");
        return null;
    }

    /** {@code W @ v}: matrix [m,n] times vector [n] (or matrix [n,p]). */
    private Op matmul(Ast.Binary b, Op l, Op r) {
        if (l.isScalar() && r.isScalar()) {
            error(b.pos(), "'@' multiplies a matrix by a vector, but both sides here are scalars; use '*'");
            return new Op.Invalid(List.of());
        }
        if (l.shape().size() != 2 || r.shape().isEmpty() || r.shape().size() > 2) {
            error(b.pos(), "'@' multiplies a matrix [m,n] by a vector [n] or a matrix [n,p], but the operands here are "
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
            error(b.pos(), "'@' here multiplies " + VertexLimit.count(products) + " pairs of elements, each a term and an edge: "
                    + limit.passed());
            return new Op.Invalid(List.of());
        }
        if (r.shape().get(0) != n) {
            error(b.pos(), "shapes do not match for '@': " + Tensor.shapeText(l.shape()) + " and " + Tensor.shapeText(r.shape())
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
        } else if (functions.containsKey(name) && !(scope instanceof Scope.Free)) {
            fn = functions.get(name);
            if (args.size() != fn.arity()) {
                arityError(c, fn.arity(), fn.arity());
                return new Op.Invalid(List.of());
            }
        } else if (functionDefs.containsKey(name) && !(scope instanceof Scope.Free)) {
            return new Op.Invalid(List.of()); // its definition had errors, already reported
        } else {
            if (declared.containsKey(name) || defined.containsKey(name)) {
                error(c.fn().pos(), "'" + name + "' is a " + describeName(name) + ", not a function");
            } else {
                Set<String> functions = functionNames();
                String help = NameHints.help(name, functions);
                error(c.fn().pos(), "unknown function '" + name + "'"
                        + (NameHints.replacesSuggestion(name) ? "" : Suggestions.didYouMean(name, functions)));
                if (help != null) {
                    helpOnLast(help);
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

    /** Names of the built-ins that act on whole vectors (not in the primitive table). */
    private static boolean isVectorBuiltin(String name) {
        return Reduction.byName(name).isPresent() || VectorPrimitive.byName(name).isPresent();
    }

    /** {@code softmax(z)} and {@code log_softmax(z)} of a vector of at most {@link #MAX_SOFTMAX} elements. */
    private Op vectorFunction(Ast.Call c, VectorPrimitive f, List<Op> args) {
        if (args.size() != 1) {
            arityError(c, 1, 1);
            return new Op.Invalid(List.of());
        }
        Op z = args.get(0);
        if (z.shape().size() != 1) {
            error(c.fn().pos(), "'" + f.sourceName() + "' takes a vector, but its argument here "
                    + (z.isScalar() ? "is a scalar" : "has shape " + Tensor.shapeText(z.shape()))
                    + (z.isScalar() ? "" : "; apply it to one row at a time, as in " + f.sourceName() + "(W @ x)"));
            return new Op.Invalid(z.shape());
        }
        if (z.size() > MAX_SOFTMAX) {
            error(c.fn().pos(), "'" + f.sourceName() + "' of " + z.size() + " elements is more than chainrule takes ("
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
        error(c.fn().pos(), "'" + c.fn().text() + "' takes " + expected + ", but " + given
                + (given == 1 ? " was" : " were") + " given");
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** {@code x[i]} or {@code W[i,j]}: one element, by 1-based integer literals. */
    private Op index(Ast.Index i, Scope scope) {
        String text = i.target().text();
        boolean known = declared.containsKey(text) || defined.containsKey(text);
        if (!(scope instanceof Scope.Network) || !known) {
            if (scope instanceof Scope.Network) {
                return name(i.target(), scope); // reports the undefined name
            }
            error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return new Op.Invalid(List.of());
        }
        Op t = name(i.target(), scope);
        List<Integer> shape = t.shape();
        if (t.isScalar()) {
            error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return new Op.Invalid(List.of());
        }
        if (i.indices().size() != shape.size()) {
            error(i.pos(), "'" + text + "' has shape " + Tensor.shapeText(shape) + ", so it takes "
                    + (shape.size() == 1 ? "1 index" : shape.size() + " indices") + ", but "
                    + i.indices().size() + (i.indices().size() == 1 ? " was" : " were") + " given");
            return new Op.Invalid(List.of());
        }
        int[] index = new int[shape.size()];
        boolean ok = true;
        for (int k = 0; k < index.length; k++) {
            Ast.Expr x = i.indices().get(k);
            if (!(x instanceof Ast.Number n) || n.value() != Math.rint(n.value())) {
                error(x.pos(), "an index must be a whole number written in the file, from 1 to " + shape.get(k));
                ok = false;
            } else if (n.value() < 1 || n.value() > shape.get(k)) {
                error(x.pos(), "index " + n.text() + " is out of range for '" + text + "' of shape "
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
            error(n.pos(), "'" + text + "' is not a parameter of this function; a function body may use only its parameters"
                    + Suggestions.didYouMean(text, f.params()));
            return new Op.Invalid(List.of());
        }
        if (declared.containsKey(text)) {
            return declaredOp(text);
        }
        if (defined.containsKey(text)) {
            // Not lowered yet only when its definition is part of a cycle (reported).
            Op.Definition d = nodes.get(text);
            return d != null ? d : new Op.Invalid(List.of());
        }
        if (Primitive.byName(text).filter(Primitive::isConstant).isPresent()) {
            // pi and e, unless the file declares or defines the name (checked above): it then
            // means the file's own e (an error term, say) throughout the file
            return new Op.Atom(Exprs.apply(Primitive.byName(text).get(), List.of()));
        }
        if (functionDefs.containsKey(text) || Primitive.byName(text).isPresent() || isVectorBuiltin(text)) {
            error(n.pos(), "'" + text + "' is a function; call it, as in " + text + "(x)");
            return new Op.Invalid(List.of());
        }
        Set<String> known = new LinkedHashSet<>(declared.keySet());
        known.addAll(defined.keySet());
        error(n.pos(), "undefined name '" + text + "'" + Suggestions.didYouMean(text, known));
        String declaration = NameHints.undeclaredParameter(text, declared, declaredKind);
        if (declaration != null) {
            helpOnLast("if it is a parameter, declare it: " + declaration);
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

    private String describeName(String name) {
        Ast.DeclKind k = declaredKind.get(name);
        return k != null ? k.keyword() : defined.get(name).isLoss() ? "loss" : "node";
    }

    private Set<String> functionNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Primitive p : Primitive.values()) {
            names.add(p.sourceName());
        }
        for (Reduction r : Reduction.values()) {
            names.add(r.sourceName());
        }
        for (VectorPrimitive p : VectorPrimitive.values()) {
            names.add(p.sourceName());
        }
        names.addAll(functionDefs.keySet());
        return names;
    }

    private void helpOnLast(String help) {
        errors.set(errors.size() - 1, errors.get(errors.size() - 1).withHelp(help));
    }

    private void noteOnLast(String note) {
        errors.set(errors.size() - 1, errors.get(errors.size() - 1).withNote(note));
    }

    private void error(Pos pos, String message) {
        errors.add(Diagnostic.error(source, pos.line(), pos.column(), pos.length(), message));
    }
}
