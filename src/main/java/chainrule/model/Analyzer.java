package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Fn;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.expr.UserFunction;
import chainrule.parse.Ast;
import chainrule.parse.Ast.Pos;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
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
 */
public final class Analyzer {
    private final Source source;
    private final List<Diagnostic> errors = new ArrayList<>();
    private final Map<String, Ast.Declarator> declared = new LinkedHashMap<>();
    private final Map<String, Ast.DeclKind> declaredKind = new HashMap<>();
    private final Map<String, Ast.Definition> defined = new LinkedHashMap<>();
    private final Map<String, Ast.FunctionDef> functionDefs = new LinkedHashMap<>();
    private final Map<String, UserFunction> functions = new LinkedHashMap<>();
    private Ast.Definition loss;

    private Analyzer(Source source) {
        this.source = source;
    }

    /** Parses and analyses a whole file. */
    public static Network analyze(Source source) throws DiagnosticException {
        return analyze(source, SourceParser.parseFile(source));
    }

    public static Network analyze(Source source, Ast.File file) throws DiagnosticException {
        return new Analyzer(source).run(file);
    }

    /**
     * Lowers a lone expression (for {@code diff}): every name is a free variable, functions are
     * the built-ins.
     */
    public static Expr lowerStandalone(Source source, Ast.Expr e) throws DiagnosticException {
        Analyzer a = new Analyzer(source);
        Expr out = a.lower(e, new Scope.Free());
        if (!a.errors.isEmpty()) {
            throw new DiagnosticException(a.errors);
        }
        return out;
    }

    private Network run(Ast.File file) throws DiagnosticException {
        collect(file);
        lowerFunctions();
        List<String> order = orderDefinitions();
        if (loss == null && errors.isEmpty()) {
            reportMissingLoss(file);
        }
        Map<String, Vertex> vertices = new LinkedHashMap<>();
        Map<String, Double> values = new LinkedHashMap<>();
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
            vertices.put(e.getKey(), new Vertex(e.getKey(), vk, declaredSymbol(e.getKey()), null, d.name().pos()));
            if (d.value() != null && d.shape().isEmpty()) { // a vector declaration is reported already
                scalarValue(d).ifPresent(v -> values.put(e.getKey(), v));
            }
        }
        List<Vertex> definitions = new ArrayList<>();
        Vertex lossVertex = null;
        for (String name : order) {
            Ast.Definition def = defined.get(name);
            boolean isLoss = def == loss;
            Scope scope = new Scope.Network();
            Ast.Expr body = def.body();
            Optional<Ast.Call> activation = activationWithComplexArgument(body);
            Expr expr;
            if (activation.isPresent()) {
                Ast.Call call = activation.get();
                String preName = name + ".in";
                Expr arg = lower(call.args().get(0), scope);
                Sym pre = Exprs.sym(preName, SymKind.NODE);
                Vertex preVertex = new Vertex(preName, VertexKind.PRE_ACTIVATION, pre, arg, call.args().get(0).pos());
                vertices.put(preName, preVertex);
                definitions.add(preVertex);
                List<Ast.Expr> rest = call.args().subList(1, call.args().size());
                expr = lowerCall(call, scope, pre, rest);
            } else {
                expr = lower(body, scope);
            }
            Vertex v = new Vertex(name, isLoss ? VertexKind.LOSS : VertexKind.NODE,
                    Exprs.sym(name, SymKind.NODE), expr, def.name().pos());
            vertices.put(name, v);
            definitions.add(v);
            if (isLoss) {
                lossVertex = v;
            }
        }
        if (!errors.isEmpty()) {
            errors.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                    : Integer.compare(a.column(), b.column()));
            throw new DiagnosticException(errors);
        }
        return new Network(source, vertices, definitions, lossVertex, functions, values);
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
                    if (!x.shape().isEmpty()) {
                        Ast.Dim first = x.shape().get(0);
                        error(first.pos(), "vector declarations ('" + x.name().text()
                                + "[...]') are not supported by this version of chainrule; write one scalar per element");
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
                if (Primitive.byName(f.name().text()).isPresent()) {
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

    private Sym declaredSymbol(String name) {
        Ast.DeclKind kind = declaredKind.get(name);
        SymKind sk = switch (kind) {
            case WEIGHT, BIAS -> SymKind.PARAMETER;
            case CONST -> SymKind.CONSTANT;
            case INPUT, TARGET -> SymKind.DATA;
        };
        return Exprs.sym(name, sk);
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
            functions.put(name, new UserFunction(name, params, body));
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
    private Optional<Ast.Call> activationWithComplexArgument(Ast.Expr body) {
        if (!(body instanceof Ast.Call c) || c.args().isEmpty() || c.args().get(0) instanceof Ast.NameRef) {
            return Optional.empty();
        }
        for (int i = 1; i < c.args().size(); i++) {
            if (!(c.args().get(i) instanceof Ast.Number)) {
                return Optional.empty();
            }
        }
        String name = c.fn().text();
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

    private Expr lower(Ast.Expr e, Scope scope) {
        return e.accept(new Ast.Visitor<Expr>() {
            @Override public Expr number(Ast.Number n) {
                if (!Double.isFinite(n.value())) {
                    error(n.pos(), "number " + n.text() + " is too large for a double");
                    return Exprs.ZERO;
                }
                return Exprs.num(n.value());
            }

            @Override public Expr name(Ast.NameRef r) { return Analyzer.this.name(r.name(), scope); }

            @Override public Expr unary(Ast.Unary u) {
                Expr x = lower(u.operand(), scope);
                return u.op() == Ast.UnaryOp.NEGATE ? Exprs.neg(x) : x;
            }

            @Override public Expr binary(Ast.Binary b) {
                if (b.op() == Ast.BinaryOp.ADD || b.op() == Ast.BinaryOp.SUBTRACT) {
                    return lowerChain(b, scope);
                }
                Expr l = lower(b.left(), scope);
                Expr r = lower(b.right(), scope);
                return switch (b.op()) {
                    case ADD -> Exprs.add(l, r);
                    case SUBTRACT -> Exprs.sub(l, r);
                    case MULTIPLY -> Exprs.mul(l, r);
                    case DIVIDE -> Exprs.div(l, r);
                    case POWER -> Exprs.pow(l, r);
                    case MATMUL -> {
                        error(b.pos(), "'@' multiplies a matrix by a vector, but both sides here are scalars; use '*'");
                        yield Exprs.mul(l, r);
                    }
                };
            }

            @Override public Expr call(Ast.Call c) { return lowerCall(c, scope, null, c.args()); }

            @Override public Expr index(Ast.Index i) {
                error(i.pos(), "'" + i.target().text() + "' is a scalar and cannot be indexed");
                return Exprs.ZERO;
            }
        });
    }

    /**
     * Lowers a chain {@code a + b - c + ...} with one call to {@link Exprs#add}: the parser nests it
     * to the left, and adding one term at a time would renormalise the growing sum each time
     * (quadratic in a layer's width). Walking the left spine iteratively also keeps long sums off
     * the stack.
     */
    private Expr lowerChain(Ast.Binary chain, Scope scope) {
        List<Ast.Expr> terms = new ArrayList<>();
        List<Boolean> negated = new ArrayList<>();
        Ast.Expr e = chain;
        while (e instanceof Ast.Binary b && (b.op() == Ast.BinaryOp.ADD || b.op() == Ast.BinaryOp.SUBTRACT)) {
            terms.add(b.right());
            negated.add(b.op() == Ast.BinaryOp.SUBTRACT);
            e = b.left();
        }
        terms.add(e);
        negated.add(false);
        List<Expr> lowered = new ArrayList<>(terms.size());
        for (int i = terms.size() - 1; i >= 0; i--) {
            Expr t = lower(terms.get(i), scope);
            lowered.add(negated.get(i) ? Exprs.neg(t) : t);
        }
        return Exprs.add(lowered);
    }

    /**
     * Lowers a call. {@code first}, when not null, is the already-lowered first argument (an
     * implicit pre-activation) and {@code rest} the remaining argument expressions.
     */
    private Expr lowerCall(Ast.Call c, Scope scope, Expr first, List<Ast.Expr> rest) {
        String name = c.fn().text();
        List<Expr> args = new ArrayList<>();
        if (first != null) {
            args.add(first);
        }
        for (Ast.Expr a : rest) {
            args.add(lower(a, scope));
        }
        Optional<Primitive> p = Primitive.byName(name);
        Fn fn;
        if (p.isPresent()) {
            Primitive prim = p.get();
            if (args.size() < prim.minArity() || args.size() > prim.arity()) {
                arityError(c, prim.minArity(), prim.arity());
                return Exprs.ZERO;
            }
            double[] defaults = prim.defaults();
            for (int i = args.size(); i < prim.arity(); i++) {
                args.add(Exprs.num(defaults[i - prim.minArity()]));
            }
            fn = prim;
        } else if (functions.containsKey(name) && !(scope instanceof Scope.Free)) {
            fn = functions.get(name);
            if (args.size() != fn.arity()) {
                arityError(c, fn.arity(), fn.arity());
                return Exprs.ZERO;
            }
        } else if (functionDefs.containsKey(name) && !(scope instanceof Scope.Free)) {
            return Exprs.ZERO; // its definition had errors, already reported
        } else {
            if (declared.containsKey(name) || defined.containsKey(name)) {
                error(c.fn().pos(), "'" + name + "' is a " + describeName(name) + ", not a function");
            } else {
                error(c.fn().pos(), "unknown function '" + name + "'" + Suggestions.didYouMean(name, functionNames()));
            }
            return Exprs.ZERO;
        }
        return Exprs.apply(fn, args);
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

    private Expr name(Ast.Name n, Scope scope) {
        String text = n.text();
        if (scope instanceof Scope.Free) {
            return Exprs.local(text);
        }
        if (scope instanceof Scope.Function f) {
            if (f.params().contains(text)) {
                return Exprs.local(text);
            }
            error(n.pos(), "'" + text + "' is not a parameter of this function; a function body may use only its parameters"
                    + Suggestions.didYouMean(text, f.params()));
            return Exprs.ZERO;
        }
        if (declared.containsKey(text)) {
            return declaredSymbol(text);
        }
        if (defined.containsKey(text)) {
            return Exprs.sym(text, SymKind.NODE);
        }
        if (functionDefs.containsKey(text) || Primitive.byName(text).isPresent()) {
            error(n.pos(), "'" + text + "' is a function; call it, as in " + text + "(x)");
            return Exprs.ZERO;
        }
        Set<String> known = new LinkedHashSet<>(declared.keySet());
        known.addAll(defined.keySet());
        error(n.pos(), "undefined name '" + text + "'" + Suggestions.didYouMean(text, known));
        return Exprs.ZERO;
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
        names.addAll(functionDefs.keySet());
        return names;
    }

    private void noteOnLast(String note) {
        errors.set(errors.size() - 1, errors.get(errors.size() - 1).withNote(note));
    }

    private void error(Pos pos, String message) {
        errors.add(Diagnostic.error(source, pos.line(), pos.column(), pos.length(), message));
    }
}
