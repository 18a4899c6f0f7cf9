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
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
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
import java.util.function.BinaryOperator;

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
    private final Map<String, Tensor> declaredTensors = new HashMap<>();
    /** Definitions lowered so far, as element symbols. */
    private final Map<String, Tensor> nodes = new HashMap<>();
    private Ast.Definition loss;
    /**
     * Reductions ({@code sum}, {@code mean}) of vectors lowered so far: the scalar expression, the
     * function's name and where it was called. Where one is broadcast over a vector
     * ({@code x - mean(x)}), it becomes a vertex of its own ({@link #shared}).
     */
    private final Map<Expr, Ast.Call> reductions = new HashMap<>();
    /** A reduction's negation (as {@code x - mean(x)} lowers it), to the reduction. */
    private final Map<Expr, Expr> negatedReductions = new HashMap<>();
    /**
     * The fewest elements a reduction broadcast over a vector must sum to become a vertex of its
     * own. Below it the element view inlines it, as before (a hand-written softmax
     * {@code exp(z)/sum(exp(z))} over a few classes keeps its Jacobian layer form); at and above it,
     * repeating the sum in every element makes derivatives quadratic in the length.
     */
    static final int SHARED_REDUCTION = 16;
    /** Reductions made vertices, by expression: {@code v.mean} in {@code v = sum((x - mean(x))^2)}. */
    private final Map<Expr, Expr> sharedReductions = new HashMap<>();
    /** The element view being built (full analysis only) and the definition being lowered. */
    private Map<String, Vertex> building;
    private List<Vertex> buildingDefinitions;
    private String lowering;

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

    /**
     * False for the shape check ({@link #check}): every name, shape and literal is checked as in a
     * full analysis, with the same diagnostics, but vectors' element expressions are not built.
     */
    private final boolean buildElements;

    private Analyzer(Source source, VertexLimit limit) {
        this(source, limit, true);
    }

    private Analyzer(Source source, VertexLimit limit, boolean buildElements) {
        this.source = source;
        this.limit = limit;
        this.buildElements = buildElements;
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
     * {@code @} that passes it, reported before the vertices are built.
     */
    public static Network analyze(Source source, Ast.File file, VertexLimit limit) throws DiagnosticException {
        return new Analyzer(source, limit).run(file, null);
    }

    /**
     * Checks a parsed file exactly as {@link #analyze(Source, Ast.File, VertexLimit)} does (the same
     * diagnostics) without building the element view: names, shapes, values and functions are
     * ready at once, and the vertices are built on the first call that needs them. {@code eval},
     * {@code check} and {@code train} compile a file written with layers from its syntax tree
     * ({@code chainrule.layer}), so on a 784-128-10 network they never build its 102,841 vertices.
     */
    public static Network check(Source source, Ast.File file) throws DiagnosticException {
        VertexLimit limit = VertexLimit.current();
        return new Analyzer(source, limit, false).run(file, () -> {
            try {
                return new Analyzer(source, limit, true).run(file, null).structure();
            } catch (DiagnosticException e) {
                throw new IllegalStateException("the shape check passed a file the analysis rejects", e);
            }
        });
    }

    /**
     * Lowers a lone expression (for {@code diff}): every name is a free variable, functions are
     * the built-ins.
     */
    public static Expr lowerStandalone(Source source, Ast.Expr e) throws DiagnosticException {
        Analyzer a = new Analyzer(source, VertexLimit.current());
        Expr out = a.lower(e, new Scope.Free());
        if (!a.errors.isEmpty()) {
            throw new DiagnosticException(a.errors);
        }
        return out;
    }

    private Network run(Ast.File file, java.util.function.Supplier<Network.Structure> expand) throws DiagnosticException {
        collect(file);
        if (limitPassed) {
            throw new DiagnosticException(sortedErrors());
        }
        lowerFunctions();
        List<String> order = orderDefinitions();
        if (loss == null && errors.isEmpty()) {
            reportMissingLoss(file);
        }
        Map<String, Vertex> vertices = new LinkedHashMap<>();
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, VertexKind> declaredKinds = new LinkedHashMap<>();
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
            List<Integer> shape = shapes.getOrDefault(e.getKey(), List.of());
            if (buildElements) {
                Tensor t = declaredTensor(e.getKey());
                VertexGroup group = VertexGroup.of(e.getKey(), t.shape(), VertexGroup.Origin.DECLARATION, e.getKey());
                for (int k = 0; k < t.size(); k++) {
                    Sym s = (Sym) t.element(k);
                    vertices.put(s.name(), group.add(s.name(), vk, s, null, d.name().pos()));
                }
            }
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
        List<Vertex> definitions = new ArrayList<>();
        building = vertices;
        buildingDefinitions = definitions;
        Vertex lossVertex = null;
        for (String name : order) {
            Ast.Definition def = defined.get(name);
            lowering = name;
            boolean isLoss = def == loss;
            Scope scope = new Scope.Network();
            Ast.Expr body = def.body();
            Optional<Ast.Binary> masked = maskedActivation(body);
            Optional<Ast.Call> activation = activationWithComplexArgument(
                    masked.map(b -> b.left() instanceof Ast.Call ? b.left() : b.right()).orElse(body));
            Tensor value;
            if (activation.isPresent()) {
                Ast.Call call = activation.get();
                Tensor arg = lowerTensor(call.args().get(0), scope);
                reserveVertices(arg.size(), def.name().pos(), "'" + name + ".in'");
                Tensor pre = !buildElements ? arg : define(VertexGroup.of(name + ".in", arg.shape(),
                        VertexGroup.Origin.PRE_ACTIVATION, name), VertexKind.PRE_ACTIVATION, arg,
                        call.args().get(0).pos(), vertices, definitions);
                List<Ast.Expr> rest = call.args().subList(1, call.args().size());
                value = lowerCall(call, scope, pre, rest);
                if (masked.isPresent()) {
                    Ast.Binary b = masked.get();
                    Tensor mask = lowerTensor(b.left() == call ? b.right() : b.left(), scope);
                    value = b.left() == call ? elementwise(b, value, mask, Exprs::mul)
                            : elementwise(b, mask, value, Exprs::mul);
                }
            } else {
                value = lowerTensor(body, scope);
            }
            if (isLoss && !value.isScalar()) {
                error(def.name().pos(), "the loss must be a scalar, but '" + name + "' has shape "
                        + Tensor.shapeText(value.shape()) + "; reduce it with sum(...) or mean(...)");
                value = Tensor.scalar(Exprs.ZERO);
            }
            reserveVertices(value.size(), def.name().pos(), "'" + name + "'");
            if (!buildElements) {
                nodes.put(name, value.isScalar() ? Tensor.shapeOnly(List.of()) : value);
                continue;
            }
            nodes.put(name, define(VertexGroup.of(name, value.shape(), VertexGroup.Origin.DEFINITION, name),
                    isLoss ? VertexKind.LOSS : VertexKind.NODE, value, def.name().pos(), vertices, definitions));
            if (isLoss) {
                lossVertex = vertices.get(name);
            }
        }
        building = null;
        lowering = null;
        if (!errors.isEmpty()) {
            throw new DiagnosticException(sortedErrors());
        }
        if (!buildElements) {
            return new Network(source, expand, functions, values, shapes, declaredKinds, loss.name().text());
        }
        return new Network(source, vertices, definitions, lossVertex, functions, values, shapes, declaredKinds);
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

    /**
     * Adds one defined vertex per element of {@code value} to {@code group} ({@code name} itself
     * for a scalar, {@code name[i]} for a vector) and returns their symbols.
     */
    private static Tensor define(VertexGroup group, VertexKind kind, Tensor value, Pos pos,
            Map<String, Vertex> vertices, List<Vertex> definitions) {
        List<Expr> symbols = new ArrayList<>(value.size());
        List<String> names = Tensor.elementNames(group.name(), value.shape());
        for (int k = 0; k < value.size(); k++) {
            String element = names.get(k);
            Sym s = Exprs.sym(element, SymKind.NODE);
            Vertex v = group.add(element, kind, s, value.element(k), pos);
            vertices.put(element, v);
            definitions.add(v);
            symbols.add(s);
        }
        return new Tensor(value.shape(), symbols);
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

    /** The element symbols of a declared name (one symbol for a scalar). */
    private Tensor declaredTensor(String name) {
        return declaredTensors.computeIfAbsent(name, n -> {
            SymKind sk = switch (declaredKind.get(n)) {
                case WEIGHT, BIAS -> SymKind.PARAMETER;
                case CONST -> SymKind.CONSTANT;
                case INPUT, TARGET -> SymKind.DATA;
            };
            List<Integer> shape = shapes.getOrDefault(n, List.of());
            if (!buildElements && !shape.isEmpty()) {
                return Tensor.shapeOnly(shape);
            }
            List<Expr> elements = new ArrayList<>(Tensor.size(shape));
            for (String element : Tensor.elementNames(n, shape)) {
                elements.add(Exprs.sym(element, sk));
            }
            return new Tensor(shape, elements);
        });
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
            Expr body = lower(f.body(), new Scope.Function(seen));
            functions.put(name, new UserFunction(name, params, body, UserDerivation.SIMPLIFIED));
        }
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

    // ------------------------------------------------------------ lowering expressions

    /** What names mean where an expression stands. */
    private sealed interface Scope permits Scope.Network, Scope.Function, Scope.Free {
        record Network() implements Scope {}

        record Function(Set<String> params) implements Scope {}

        record Free() implements Scope {}
    }

    /** Lowers an expression where every value is a scalar (function bodies, {@code diff}). */
    private Expr lower(Ast.Expr e, Scope scope) {
        return lowerTensor(e, scope).element(0);
    }

    private Tensor lowerTensor(Ast.Expr e, Scope scope) {
        return e.accept(new Ast.Visitor<Tensor>() {
            @Override public Tensor number(Ast.Number n) {
                Expr value = literal(n); // exact: 0.1 is 1/10
                if (!Double.isFinite(((chainrule.expr.Num) value).value()) && !((chainrule.expr.Num) value).isExact()) {
                    error(n.pos(), "number " + n.text() + " is too large for a double");
                    return Tensor.scalar(Exprs.ZERO);
                }
                return Tensor.scalar(value);
            }

            @Override public Tensor name(Ast.NameRef r) { return Analyzer.this.name(r.name(), scope); }

            @Override public Tensor unary(Ast.Unary u) {
                Tensor x = lowerTensor(u.operand(), scope);
                return u.op() == Ast.UnaryOp.NEGATE ? x.map(Exprs::neg) : x;
            }

            @Override public Tensor binary(Ast.Binary b) {
                if (b.op() == Ast.BinaryOp.ADD || b.op() == Ast.BinaryOp.SUBTRACT) {
                    return lowerChain(b, scope);
                }
                Tensor l = lowerTensor(b.left(), scope);
                Tensor r = lowerTensor(b.right(), scope);
                return switch (b.op()) {
                    case ADD -> elementwise(b, l, r, Exprs::add);
                    case SUBTRACT -> elementwise(b, l, r, Exprs::sub);
                    case MULTIPLY -> elementwise(b, l, r, Exprs::mul);
                    case DIVIDE -> elementwise(b, l, r, Exprs::div);
                    case POWER -> elementwise(b, l, r, Exprs::pow);
                    case MATMUL -> matmul(b, l, r);
                };
            }

            @Override public Tensor call(Ast.Call c) { return lowerCall(c, scope, null, c.args()); }

            @Override public Tensor index(Ast.Index i) { return Analyzer.this.index(i, scope); }
        });
    }

    /** {@code l op r} element by element; a scalar side is broadcast. */
    private Tensor elementwise(Ast.Binary b, Tensor l, Tensor r, BinaryOperator<Expr> op) {
        List<Integer> shape = commonShape(b.pos(), "'" + b.op().symbol() + "'", List.of(l, r));
        if (shape == null) {
            return zeros(l.shape());
        }
        if (unbuilt(shape, List.of(l, r))) {
            return Tensor.shapeOnly(shape);
        }
        List<Tensor> both = shareReductions(shape, List.of(l, r));
        l = both.get(0);
        r = both.get(1);
        List<Expr> out = new ArrayList<>(Tensor.size(shape));
        for (int k = 0; k < Tensor.size(shape); k++) {
            out.add(op.apply(l.broadcastElement(k), r.broadcastElement(k)));
        }
        return new Tensor(shape, out);
    }

    /**
     * The shape of an elementwise combination: the one shape all non-scalar operands share, or
     * null (reported at {@code at}, naming both shapes) when two differ.
     */
    private List<Integer> commonShape(Pos at, String what, List<Tensor> operands) {
        List<Integer> shape = List.of();
        for (Tensor t : operands) {
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

    /**
     * The operands with every reduction of a vector that is broadcast over {@code shape} replaced
     * by a vertex of its own, so that {@code x - mean(x)} refers to one vertex {@code v.mean}
     * instead of repeating the 875-term sum in each of 875 elements (and in every derivative).
     */
    private List<Tensor> shareReductions(List<Integer> shape, List<Tensor> operands) {
        if (!buildElements || building == null || shape == null || shape.isEmpty()) {
            return operands;
        }
        List<Tensor> out = new ArrayList<>(operands.size());
        for (Tensor t : operands) {
            Expr e = t.isScalar() ? t.element(0) : null;
            Expr negated = e == null ? null : negatedReductions.get(e);
            if (negated != null) {
                out.add(Tensor.scalar(Exprs.neg(shared(negated, reductions.get(negated)))));
            } else {
                Ast.Call call = e == null ? null : reductions.get(e);
                out.add(call == null ? t : Tensor.scalar(shared(e, call)));
            }
        }
        return out;
    }

    private Expr shared(Expr reduction, Ast.Call call) {
        return sharedReductions.computeIfAbsent(reduction, r -> {
            String base = lowering + "." + call.fn().text();
            String name = base;
            for (int k = 2; building.containsKey(name) || declared.containsKey(name) || defined.containsKey(name); k++) {
                name = base + k;
            }
            Sym s = Exprs.sym(name, SymKind.NODE);
            Vertex v = VertexGroup.of(name, List.of(), VertexGroup.Origin.SHARED_REDUCTION, lowering)
                    .add(name, VertexKind.NODE, s, r, call.fn().pos());
            building.put(name, v);
            buildingDefinitions.add(v);
            return s;
        });
    }

    /** Whether a result of {@code shape} from {@code operands} is shape-only (the shape check, a vector). */
    private boolean unbuilt(List<Integer> shape, List<Tensor> operands) {
        if (buildElements || shape.isEmpty()) {
            return false;
        }
        for (Tensor t : operands) {
            if (t.isShapeOnly()) {
                return true;
            }
        }
        return false;
    }

    private Tensor zeros(List<Integer> shape) {
        if (!buildElements) {
            return Tensor.shapeOnly(shape);
        }
        return new Tensor(shape, Collections.nCopies(Tensor.size(shape), Exprs.ZERO));
    }

    /**
     * {@code W @ v}: matrix [m,n] times vector [n] (or matrix [n,p]). Each element's sum is built
     * with one {@link Exprs#add(List)} call, so a wide layer costs time linear in its size.
     */
    private Tensor matmul(Ast.Binary b, Tensor l, Tensor r) {
        if (l.isScalar() && r.isScalar()) {
            error(b.pos(), "'@' multiplies a matrix by a vector, but both sides here are scalars; use '*'");
            return Tensor.scalar(Exprs.mul(l.element(0), r.element(0)));
        }
        if (l.shape().size() != 2 || r.shape().isEmpty() || r.shape().size() > 2) {
            error(b.pos(), "'@' multiplies a matrix [m,n] by a vector [n] or a matrix [n,p], but the operands here are "
                    + Tensor.shapeText(l.shape()) + " and " + Tensor.shapeText(r.shape())
                    + (l.isScalar() || r.isScalar() ? "; use '*' to scale" : ""));
            return Tensor.scalar(Exprs.ZERO);
        }
        int m = l.shape().get(0);
        int n = l.shape().get(1);
        int p = r.shape().size() == 2 ? r.shape().get(1) : 1;
        List<Integer> shape = r.shape().size() == 2 ? List.of(m, p) : List.of(m);
        long products = VertexLimit.saturatingProduct(VertexLimit.saturatingProduct(m, n), p);
        if (products > limit.maxVertices()) {
            error(b.pos(), "'@' here multiplies " + VertexLimit.count(products) + " pairs of elements, each a term and an edge: "
                    + limit.passed());
            return Tensor.scalar(Exprs.ZERO);
        }
        if (r.shape().get(0) != n) {
            error(b.pos(), "shapes do not match for '@': " + Tensor.shapeText(l.shape()) + " and " + Tensor.shapeText(r.shape())
                    + "; the matrix has " + plural(n, "column") + ", so the right side needs " + plural(n, "row"));
            return zeros(shape);
        }
        if (unbuilt(shape, List.of(l, r))) {
            return Tensor.shapeOnly(shape);
        }
        List<Expr> out = new ArrayList<>(m * p);
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < p; c++) {
                List<Expr> terms = new ArrayList<>(n);
                for (int j = 0; j < n; j++) {
                    terms.add(Exprs.mul(l.element(i * n + j), r.element(j * p + c)));
                }
                out.add(Exprs.add(terms));
            }
        }
        return new Tensor(shape, out);
    }

    /**
     * Lowers a chain {@code a + b - c + ...} with one call to {@link Exprs#add} per element: the
     * parser nests it to the left, and adding one term at a time would renormalise the growing sum
     * each time (quadratic in a layer's width). Walking the left spine iteratively also keeps long
     * sums off the stack.
     */
    private Tensor lowerChain(Ast.Binary chain, Scope scope) {
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
        List<Tensor> lowered = new ArrayList<>(terms.size());
        List<Integer> shape = List.of();
        boolean mismatch = false;
        for (int i = terms.size() - 1; i >= 0; i--) {
            Ast.Binary op = operators.get(i);
            Tensor t = lowerTensor(terms.get(i), scope);
            lowered.add(op != null && op.op() == Ast.BinaryOp.SUBTRACT ? t.map(Exprs::neg) : t);
            if (!mismatch) {
                List<Integer> both = commonShape(op == null ? chain.pos() : op.pos(),
                        "'" + (op == null ? "+" : op.op().symbol()) + "'", shape, t.shape());
                mismatch = both == null;
                shape = mismatch ? shape : both;
            }
        }
        if (unbuilt(shape, lowered)) {
            return Tensor.shapeOnly(shape);
        }
        lowered = shareReductions(mismatch ? null : shape, lowered);
        List<Expr> out = new ArrayList<>(Tensor.size(shape));
        for (int k = 0; k < Tensor.size(shape); k++) {
            List<Expr> elementTerms = new ArrayList<>(lowered.size());
            for (Tensor t : lowered) {
                elementTerms.add(t.isScalar() || t.shape().equals(shape) ? t.broadcastElement(k) : Exprs.ZERO);
            }
            out.add(Exprs.add(elementTerms));
        }
        return new Tensor(shape, out);
    }

    /**
     * Lowers a call, element by element over vector arguments (a scalar argument is broadcast).
     * {@code first}, when not null, is the already-lowered first argument (an implicit
     * pre-activation) and {@code rest} the remaining argument expressions.
     */
    private Tensor lowerCall(Ast.Call c, Scope scope, Tensor first, List<Ast.Expr> rest) {
        String name = c.fn().text();
        List<Tensor> args = new ArrayList<>();
        if (first != null) {
            args.add(first);
        }
        for (Ast.Expr a : rest) {
            args.add(lowerTensor(a, scope));
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
                return Tensor.scalar(Exprs.ZERO);
            }
            double[] defaults = prim.defaults();
            for (int i = args.size(); i < prim.arity(); i++) {
                args.add(Tensor.scalar(Exprs.num(defaults[i - prim.minArity()])));
            }
            fn = prim;
        } else if (functions.containsKey(name) && !(scope instanceof Scope.Free)) {
            fn = functions.get(name);
            if (args.size() != fn.arity()) {
                arityError(c, fn.arity(), fn.arity());
                return Tensor.scalar(Exprs.ZERO);
            }
        } else if (functionDefs.containsKey(name) && !(scope instanceof Scope.Free)) {
            return Tensor.scalar(Exprs.ZERO); // its definition had errors, already reported
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
            return Tensor.scalar(Exprs.ZERO);
        }
        List<Integer> shape = commonShape(c.fn().pos(), "the arguments of '" + name + "'", args);
        if (shape == null) {
            return zeros(args.get(0).shape());
        }
        if (unbuilt(shape, args)) {
            return Tensor.shapeOnly(shape);
        }
        args = shareReductions(shape, args);
        List<Expr> out = new ArrayList<>(Tensor.size(shape));
        for (int k = 0; k < Tensor.size(shape); k++) {
            List<Expr> elementArgs = new ArrayList<>(args.size());
            for (Tensor a : args) {
                elementArgs.add(a.broadcastElement(k));
            }
            out.add(Exprs.apply(fn, elementArgs));
        }
        return new Tensor(shape, out);
    }

    /** {@code sum(v)} and {@code mean(v)}: one {@link Exprs#add(List)} over the elements. */
    private Tensor reduce(Ast.Call c, Reduction r, List<Tensor> args) {
        if (args.size() != 1) {
            arityError(c, 1, 1);
            return Tensor.scalar(Exprs.ZERO);
        }
        Tensor v = args.get(0);
        if (v.isShapeOnly()) {
            return Tensor.shapeOnly(List.of());
        }
        Expr out = r.total(v.elements(), v.size()); // a term of sum and mean is the element itself
        if (v.size() >= SHARED_REDUCTION && !(out instanceof chainrule.expr.Num)) {
            reductions.putIfAbsent(out, c);
            negatedReductions.putIfAbsent(Exprs.neg(out), out);
        }
        return Tensor.scalar(out);
    }

    /** Names of the built-ins that act on whole vectors (not in the primitive table). */
    private static boolean isVectorBuiltin(String name) {
        return Reduction.byName(name).isPresent() || VectorPrimitive.byName(name).isPresent();
    }

    /**
     * {@code softmax(z)} and {@code log_softmax(z)} of a vector: element j is
     * {@code Apply(VectorElement(f, j, n), [z1 … zn])}, so every element of z feeds every output.
     */
    private Tensor vectorFunction(Ast.Call c, VectorPrimitive f, List<Tensor> args) {
        if (args.size() != 1) {
            arityError(c, 1, 1);
            return Tensor.scalar(Exprs.ZERO);
        }
        Tensor z = args.get(0);
        if (z.shape().size() != 1) {
            error(c.fn().pos(), "'" + f.sourceName() + "' takes a vector, but its argument here "
                    + (z.isScalar() ? "is a scalar" : "has shape " + Tensor.shapeText(z.shape()))
                    + (z.isScalar() ? "" : "; apply it to one row at a time, as in " + f.sourceName() + "(W @ x)"));
            return z.isScalar() ? Tensor.scalar(Exprs.ZERO) : zeros(z.shape());
        }
        if (z.size() > MAX_SOFTMAX) {
            error(c.fn().pos(), "'" + f.sourceName() + "' of " + z.size() + " elements is more than chainrule takes ("
                    + MAX_SOFTMAX + "): every output element depends on every input element, so the element view"
                    + " would have " + (long) z.size() * z.size() + " edges");
            return zeros(z.shape());
        }
        if (z.isShapeOnly()) {
            return z;
        }
        List<Expr> out = new ArrayList<>(z.size());
        for (int j = 0; j < z.size(); j++) {
            out.add(Exprs.apply(new VectorElement(f, j, z.size()), z.elements()));
        }
        return new Tensor(z.shape(), out);
    }

    /**
     * {@code mse(p, y)} as {@code mean((p - y)^2)} and {@code cross_entropy(p, y)} as
     * {@code -sum(y*log(p))}, element by element (a scalar side is broadcast). A loss adds no vertex.
     */
    private Tensor lossFunction(Ast.Call c, Reduction r, List<Tensor> args) {
        String name = c.fn().text();
        if (args.size() != 2) {
            arityError(c, 2, 2);
            return Tensor.scalar(Exprs.ZERO);
        }
        List<Integer> shape = commonShape(c.fn().pos(), "the arguments of '" + name + "'", args);
        if (shape == null) {
            return Tensor.scalar(Exprs.ZERO);
        }
        if (unbuilt(shape, args)) {
            return Tensor.shapeOnly(List.of());
        }
        args = shareReductions(shape, args);
        Tensor p = args.get(0);
        Tensor y = args.get(1);
        int n = Tensor.size(shape);
        List<Expr> terms = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Expr pk = p.broadcastElement(k);
            Expr yk = y.broadcastElement(k);
            terms.add(r.term(List.of(pk, yk)));
        }
        return Tensor.scalar(r.total(terms, n));
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
    private Tensor index(Ast.Index i, Scope scope) {
        String text = i.target().text();
        boolean known = declared.containsKey(text) || defined.containsKey(text);
        if (!(scope instanceof Scope.Network) || !known) {
            if (scope instanceof Scope.Network) {
                return name(i.target(), scope); // reports the undefined name
            }
            error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return Tensor.scalar(Exprs.ZERO);
        }
        Tensor t = name(i.target(), scope);
        List<Integer> shape = t.shape();
        if (t.isScalar()) {
            error(i.pos(), "'" + text + "' is a scalar and cannot be indexed");
            return Tensor.scalar(Exprs.ZERO);
        }
        if (i.indices().size() != shape.size()) {
            error(i.pos(), "'" + text + "' has shape " + Tensor.shapeText(shape) + ", so it takes "
                    + (shape.size() == 1 ? "1 index" : shape.size() + " indices") + ", but "
                    + i.indices().size() + (i.indices().size() == 1 ? " was" : " were") + " given");
            return Tensor.scalar(Exprs.ZERO);
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
        return ok ? Tensor.scalar(t.element(Tensor.flatIndex(shape, index))) : Tensor.scalar(Exprs.ZERO);
    }

    private Tensor name(Ast.Name n, Scope scope) {
        String text = n.text();
        if (scope instanceof Scope.Free) {
            Optional<Primitive> constant = Primitive.byName(text).filter(Primitive::isConstant);
            return Tensor.scalar(constant.isPresent() ? Exprs.apply(constant.get(), List.of()) : Exprs.local(text));
        }
        if (scope instanceof Scope.Function f) {
            if (f.params().contains(text)) {
                return Tensor.scalar(Exprs.local(text)); // a parameter named e or pi shadows the constant
            }
            if (Primitive.byName(text).filter(Primitive::isConstant).isPresent()) {
                return Tensor.scalar(Exprs.apply(Primitive.byName(text).get(), List.of()));
            }
            error(n.pos(), "'" + text + "' is not a parameter of this function; a function body may use only its parameters"
                    + Suggestions.didYouMean(text, f.params()));
            return Tensor.scalar(Exprs.ZERO);
        }
        if (declared.containsKey(text)) {
            return declaredTensor(text);
        }
        if (defined.containsKey(text)) {
            // Not lowered yet only when its definition is part of a cycle (reported).
            return nodes.getOrDefault(text, Tensor.scalar(Exprs.sym(text, SymKind.NODE)));
        }
        if (Primitive.byName(text).filter(Primitive::isConstant).isPresent()) {
            // pi and e, unless the file declares or defines the name (checked above): it then
            // means the file's own e (an error term, say) throughout the file
            return Tensor.scalar(Exprs.apply(Primitive.byName(text).get(), List.of()));
        }
        if (functionDefs.containsKey(text) || Primitive.byName(text).isPresent() || isVectorBuiltin(text)) {
            error(n.pos(), "'" + text + "' is a function; call it, as in " + text + "(x)");
            return Tensor.scalar(Exprs.ZERO);
        }
        Set<String> known = new LinkedHashSet<>(declared.keySet());
        known.addAll(defined.keySet());
        error(n.pos(), "undefined name '" + text + "'" + Suggestions.didYouMean(text, known));
        String declaration = NameHints.undeclaredParameter(text, declared, declaredKind);
        if (declaration != null) {
            helpOnLast("if it is a parameter, declare it: " + declaration);
        }
        return Tensor.scalar(Exprs.ZERO);
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
