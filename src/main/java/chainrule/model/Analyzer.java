package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.diff.UserDerivation;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.ir.Graph;
import chainrule.ir.Op;
import chainrule.parse.Ast.Pos;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The analyser: checks a parsed file and lowers it, once, to its op graph ({@link Network#graph()}),
 * finding as many independent errors as it can in one run: names defined twice, undefined names
 * and functions (with a suggestion), wrong argument counts and shapes, cycles among definitions
 * (listing the cycle), a missing or second loss, numbers out of range, the vertex limit.
 *
 * <p>It works in rooms, as jlox's {@code Resolver} does its one job: this class resolves names
 * (declarations, definitions in dependency order, functions in call order, the loss) and counts
 * vertices against the limit; {@link DeclaredValues} reads declared values; {@link OpBuilder}
 * lowers each definition's expression to ops, checking arities and shapes; {@link ElementView}
 * expands the finished graph into the element view (one scalar vertex per element,
 * {@code W1[1,2]}, {@code h.in[1]}) on the first call that needs it. All report into one
 * {@link Reporter}.
 */
public final class Analyzer {
    private final Source source;
    private final Reporter report;
    /** What name resolution finds: the file's names, shapes, loss and functions. */
    private final Names names = new Names();
    private final OpBuilder builder;
    private final DeclaredValues declaredValues;
    /** The most vertices this analysis builds, and how many it has so far (declared elements first). */
    private final VertexLimit limit;
    private long vertexCount;
    /** Set when a declaration passes the limit: lowering the definitions would only add errors caused by it. */
    private boolean limitPassed;

    private Analyzer(Source source, VertexLimit limit) {
        this.source = source;
        this.limit = limit;
        this.report = new Reporter(source);
        this.builder = new OpBuilder(names, report, limit);
        this.declaredValues = new DeclaredValues(report);
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
        Op out = a.builder.lowerOp(e, new OpBuilder.Scope.Free());
        if (!a.report.isEmpty()) {
            throw new DiagnosticException(a.report.sorted());
        }
        return ElementView.scalar(out);
    }

    private Network run(Ast.File file) throws DiagnosticException {
        collect(file);
        if (limitPassed) {
            throw new DiagnosticException(report.sorted());
        }
        lowerFunctions();
        List<String> order = orderDefinitions();
        if (names.loss == null && report.isEmpty()) {
            reportMissingLoss(file);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, VertexKind> declaredKinds = new LinkedHashMap<>();
        List<Op.Declared> leaves = new ArrayList<>();
        for (Map.Entry<String, Ast.Declarator> e : names.declared.entrySet()) {
            Ast.Declarator d = e.getValue();
            Ast.DeclKind kind = names.declaredKind.get(e.getKey());
            VertexKind vk = switch (kind) {
                case INPUT -> VertexKind.INPUT;
                case TARGET -> VertexKind.TARGET;
                case WEIGHT -> VertexKind.WEIGHT;
                case BIAS -> VertexKind.BIAS;
                case CONST -> VertexKind.CONSTANT;
            };
            declaredKinds.put(e.getKey(), vk);
            leaves.add(builder.declaredOp(e.getKey()));
            List<Integer> shape = names.shapes.getOrDefault(e.getKey(), List.of());
            if (d.value() == null || names.badShapes.contains(e.getKey())) {
                continue;
            }
            if (shape.isEmpty()) {
                declaredValues.scalarValue(d).ifPresent(v -> values.put(e.getKey(), v));
            } else {
                List<Double> elementValues = declaredValues.vectorValues(d, shape);
                if (!elementValues.isEmpty()) {
                    List<String> elementNames = Tensor.elementNames(e.getKey(), shape);
                    for (int k = 0; k < elementValues.size(); k++) {
                        values.put(elementNames.get(k), elementValues.get(k));
                    }
                }
            }
        }
        List<Op.Definition> definitions = new ArrayList<>();
        Op.Definition lossOp = null;
        for (String name : order) {
            Ast.Definition def = names.defined.get(name);
            Op.Definition d = builder.definition(def, def == names.loss, this::reserveVertices);
            definitions.add(d);
            if (def == names.loss) {
                lossOp = d;
            }
        }
        if (!report.isEmpty()) {
            throw new DiagnosticException(report.sorted());
        }
        Graph graph = new Graph(leaves, definitions, lossOp);
        return new Network(source, graph, () -> ElementView.expand(graph, declaredKinds), names.functions, values, names.shapes,
                declaredKinds, names.loss.name().text());
    }

    /**
     * Counts {@code n} more vertices for {@code what}, defined at {@code pos}; past the limit the
     * analysis stops here with the errors found so far, before building them.
     */
    private void reserveVertices(long n, Pos pos, String what) throws DiagnosticException {
        if (n > limit.maxVertices() - vertexCount) {
            report.error(pos, what + " would bring the network to " + VertexLimit.count(vertexCount + n)
                    + " vertices (one per element), " + limit.passed());
            throw new DiagnosticException(report.sorted());
        }
        vertexCount += n;
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
        report.error(new Pos(line, column, 1), file.statements().isEmpty()
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
                        names.declared.put(x.name().text(), x);
                        names.declaredKind.put(x.name().text(), d.kind());
                    }
                    if (x.shape().isEmpty()) {
                        vertexCount++; // checked with the definitions: one vertex cannot pass the limit alone
                    } else {
                        List<Integer> shape = declaredShape(x);
                        if (shape == null) {
                            names.badShapes.add(x.name().text());
                        } else if (!names.shapes.containsKey(x.name().text())) {
                            names.shapes.put(x.name().text(), shape);
                        }
                    }
                    if (d.kind() == Ast.DeclKind.CONST && x.value() == null) {
                        report.error(x.name().pos(), "const '" + x.name().text() + "' needs a value, as in 'const "
                                + x.name().text() + " = 0.5'");
                    }
                }
            } else if (s instanceof Ast.Definition def) {
                if (claim(def.name(), firstSeen, def.isLoss() ? "loss" : "node")) {
                    names.defined.put(def.name().text(), def);
                }
                if (def.isLoss()) {
                    if (names.loss != null) {
                        report.error(def.name().pos(), "a second loss '" + def.name().text() + "'; a file has exactly one loss");
                        report.noteOnLast("the loss '" + names.loss.name().text() + "' is defined at line " + names.loss.name().pos().line());
                    } else {
                        names.loss = def;
                    }
                }
            } else if (s instanceof Ast.FunctionDef f) {
                if (Primitive.byName(f.name().text()).isPresent() || Names.isVectorBuiltin(f.name().text())) {
                    report.error(f.name().pos(), "'" + f.name().text() + "' is a built-in function and cannot be redefined");
                } else if (claim(f.name(), firstSeen, "function")) {
                    names.functionDefs.put(f.name().text(), f);
                }
            }
        }
    }

    /** Records a new name; reports it if taken. Returns whether the name was free. */
    private boolean claim(Ast.Name name, Map<String, Pos> firstSeen, String what) {
        Pos previous = firstSeen.putIfAbsent(name.text(), name.pos());
        if (previous != null) {
            report.add(Diagnostic.error(source, name.pos().line(), name.pos().column(), name.pos().length(),
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
                report.error(dim.pos(), "a shape extent must be a positive whole number, not '" + dim.text() + "'");
                return null;
            }
            total = VertexLimit.saturatingProduct(total, extent);
            shape.add((int) extent);
        }
        String name = "'" + x.name().text() + "'";
        if (total > limit.maxVertices() - vertexCount) {
            report.error(x.name().pos(), name + " has " + VertexLimit.count(total) + " elements, each a vertex"
                    + (vertexCount > 0 ? " (with the " + VertexLimit.count(vertexCount) + " declared before it)" : "")
                    + ": " + limit.passed());
            limitPassed = true;
            return null;
        }
        if (total > Integer.MAX_VALUE - 8) {
            report.error(x.name().pos(), name + " has " + VertexLimit.count(total) + " elements; one declaration holds at most "
                    + VertexLimit.count(Integer.MAX_VALUE - 8));
            return null;
        }
        vertexCount += total;
        return shape;
    }

    // ------------------------------------------------------------ functions

    private void lowerFunctions() {
        // Functions may call each other (not recursively): lower them in dependency order.
        Map<String, Set<String>> calls = new LinkedHashMap<>();
        for (Ast.FunctionDef f : names.functionDefs.values()) {
            Set<String> callees = new LinkedHashSet<>();
            collectCalls(f.body(), callees);
            callees.retainAll(names.functionDefs.keySet());
            calls.put(f.name().text(), callees);
        }
        for (List<String> cycle : Cycles.find(calls)) {
            Ast.FunctionDef f = names.functionDefs.get(cycle.get(0));
            report.error(f.name().pos(), "functions call each other in a cycle: " + String.join(" -> ", cycle)
                    + "; recursion is not allowed");
            for (String n : cycle) {
                calls.remove(n);
            }
        }
        for (String name : Cycles.topologicalOrder(calls)) {
            Ast.FunctionDef f = names.functionDefs.get(name);
            List<Sym> params = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (Ast.Name p : f.params()) {
                if (!seen.add(p.text())) {
                    report.error(p.pos(), "parameter '" + p.text() + "' appears twice in function '" + name + "'");
                }
                params.add(Exprs.local(p.text()));
            }
            Op lowered = builder.lowerOp(f.body(), new OpBuilder.Scope.Function(seen));
            // a body with an error (reported) is never called: the file is rejected
            Expr body = OpBuilder.valid(lowered) ? ElementView.scalar(lowered) : Exprs.ZERO;
            names.functions.put(name, new UserFunction(name, params, body, UserDerivation.SIMPLIFIED));
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
        for (Ast.Definition d : names.defined.values()) {
            Set<String> used = new LinkedHashSet<>();
            collectNames(d.body(), used);
            used.retainAll(names.defined.keySet());
            uses.put(d.name().text(), used);
        }
        for (List<String> cycle : Cycles.find(uses)) {
            Ast.Definition d = names.defined.get(cycle.get(0));
            List<String> shown = new ArrayList<>(cycle);
            shown.add(cycle.get(0));
            if (cycle.size() == 1) {
                report.error(d.name().pos(), "'" + cycle.get(0) + "' is defined in terms of itself: "
                        + String.join(" -> ", shown) + "; definitions must not form a cycle");
                uses.remove(cycle.get(0));
                continue;
            }
            report.error(d.name().pos(), "definitions form a cycle: " + String.join(" -> ", shown));
            for (int i = 0; i < cycle.size(); i++) {
                Ast.Definition user = names.defined.get(shown.get(i));
                report.noteOnLast("'" + shown.get(i) + "' uses '" + shown.get(i + 1) + "' (line " + user.name().pos().line() + ")");
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
}
