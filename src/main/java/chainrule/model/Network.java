package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A resolved network: every vertex of the path graph (declared names, defined nodes, implicit
 * pre-activations, the loss) with definitions as interned expressions over vertex symbols, the
 * user's functions, and the declared values. Immutable; {@link #withValues} gives a network with
 * values overridden (as {@code --set} does).
 */
public final class Network {
    private final Source source;
    private final Map<String, Vertex> vertices;
    private final List<Vertex> definitions;
    private final Vertex loss;
    private final Map<String, UserFunction> functions;
    private final Map<String, Double> values;
    private final Map<String, List<Integer>> shapes;

    Network(Source source, Map<String, Vertex> vertices, List<Vertex> definitions, Vertex loss,
            Map<String, UserFunction> functions, Map<String, Double> values, Map<String, List<Integer>> shapes) {
        // The analyser hands its freshly built maps over and never touches them again, so they are
        // wrapped, not copied (a 784-128-10 network has over 100,000 vertices and values).
        this(source, Collections.unmodifiableMap(vertices), List.copyOf(definitions), loss,
                Collections.unmodifiableMap(new LinkedHashMap<>(functions)),
                Collections.unmodifiableMap(values), Map.copyOf(shapes), true);
    }

    /** Takes the (already unmodifiable) collections as they are: {@link #withValues} shares them. */
    private Network(Source source, Map<String, Vertex> vertices, List<Vertex> definitions, Vertex loss,
            Map<String, UserFunction> functions, Map<String, Double> values, Map<String, List<Integer>> shapes,
            boolean alreadyUnmodifiable) {
        this.source = source;
        this.vertices = vertices;
        this.definitions = definitions;
        this.loss = loss;
        this.functions = functions;
        this.values = values;
        this.shapes = shapes;
    }

    public Source source() { return source; }

    /** Every vertex: declared names in declaration order, then defined ones in evaluation order. */
    public Collection<Vertex> vertices() { return vertices.values(); }

    public Optional<Vertex> vertex(String name) { return Optional.ofNullable(vertices.get(name)); }

    /** The vertex whose symbol is {@code s}. */
    public Vertex vertex(Sym s) {
        Vertex v = vertices.get(s.name());
        if (v == null || v.symbol() != s) {
            throw new IllegalArgumentException("not a vertex of this network: " + s.name());
        }
        return v;
    }

    /** Defined vertices in an order where each comes after everything its definition uses. */
    public List<Vertex> definitions() { return definitions; }

    public Vertex loss() { return loss; }

    /** Weights and biases, in declaration order. */
    public List<Vertex> parameters() {
        List<Vertex> out = new ArrayList<>();
        for (Vertex v : vertices.values()) {
            if (v.kind().isParameter()) {
                out.add(v);
            }
        }
        return out;
    }

    public Map<String, UserFunction> functions() { return functions; }

    /** The shape of a declared vector ({@code [2,2]} for {@code weight W1[2,2]}); empty for anything else. */
    public Optional<List<Integer>> declaredShape(String name) { return Optional.ofNullable(shapes.get(name)); }

    /** The element vertex names of a declared vector, in row-major order ({@code W1[1,1]}, {@code W1[1,2]}, ...). */
    public List<String> elementNames(String vectorName) {
        List<Integer> shape = shapes.getOrDefault(vectorName, List.of());
        return shape.isEmpty() ? List.of() : Tensor.elementNames(vectorName, shape);
    }

    /**
     * The name of element {@code flat} (row-major) of a value of {@code shape} called {@code base}:
     * {@code W1[1,2]}, 1-based; a scalar is {@code base} itself. The names the element view gives.
     */
    public static String elementName(String base, List<Integer> shape, int flat) {
        return Tensor.elementName(base, shape, flat);
    }

    /** Declared values (after overrides); a declared name without a value is absent. */
    public Map<String, Double> values() { return values; }

    /** A copy with some declared values replaced. Names must be declared vertices. */
    public Network withValues(Map<String, Double> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, Double> v = new LinkedHashMap<>(values);
        for (Map.Entry<String, Double> e : overrides.entrySet()) {
            Vertex x = vertices.get(e.getKey());
            if (x == null || !x.kind().isDeclared()) {
                throw new IllegalArgumentException(e.getKey() + " is not a declared name");
            }
            v.put(e.getKey(), e.getValue());
        }
        return new Network(source, vertices, definitions, loss, functions, Collections.unmodifiableMap(v), shapes, true);
    }

    /** Declared names that the loss depends on and that have no value. */
    public List<Vertex> missingValues() {
        List<Vertex> unvalued = new ArrayList<>();
        for (Vertex v : vertices.values()) {
            if (v.kind().isDeclared() && !values.containsKey(v.name())) {
                unvalued.add(v);
            }
        }
        if (unvalued.isEmpty()) {
            return unvalued; // the usual case, answered without walking the definitions
        }
        // What the loss depends on: one backward pass, since each definition uses only earlier ones.
        Set<Sym> needed = new HashSet<>();
        needed.add(loss.symbol());
        for (int i = definitions.size() - 1; i >= 0; i--) {
            Vertex v = definitions.get(i);
            if (needed.contains(v.symbol())) {
                needed.addAll(Symbols.free(v.definition()));
            }
        }
        List<Vertex> missing = new ArrayList<>();
        for (Vertex v : unvalued) {
            if (needed.contains(v.symbol())) {
                missing.add(v);
            }
        }
        return missing;
    }

    /** Throws a diagnostic for every missing value the loss needs, naming how to supply it. */
    public void requireValues() throws DiagnosticException {
        List<Diagnostic> ds = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (Vertex v : missingValues()) {
            // The elements of one vector declaration share its position: report the vector once.
            int bracket = v.name().indexOf('[');
            String name = bracket > 0 ? v.name().substring(0, bracket) : v.name();
            if (!reported.add(name)) {
                continue;
            }
            String what = v.kind().word() + " '" + name + "' has no value" + (bracket > 0 ? " for " + v.name() : "");
            ds.add(Diagnostic.error(source, v.pos().line(), v.pos().column(), v.pos().length(),
                    what + "; give one in the file (" + name + " = ...) or on the command line (--set "
                            + name + "=VALUE)"));
        }
        if (!ds.isEmpty()) {
            throw new DiagnosticException(ds);
        }
    }

    /**
     * The forward pass by the interpreter: the value of every vertex, declared and defined.
     * Requires every value the loss needs ({@link #requireValues()}).
     */
    public Map<String, Double> forward() {
        Map<String, Double> env = new LinkedHashMap<>(values);
        for (Vertex v : definitions) {
            env.put(v.name(), Evaluator.evaluate(v.definition(), env));
        }
        return env;
    }

    /** Forward pass from a flat name-to-value map (used by finite differences). */
    public double lossAt(Map<String, Double> declaredValues) {
        Map<String, Double> env = new LinkedHashMap<>(declaredValues);
        for (Vertex v : definitions) {
            env.put(v.name(), Evaluator.evaluate(v.definition(), env));
        }
        return env.get(loss.name());
    }

    /** The definition of {@code v} with every defined vertex substituted, down to declared names. */
    public Expr inlined(Vertex v) {
        Map<Expr, Expr> done = new LinkedHashMap<>();
        for (Vertex d : definitions) {
            done.put(d.symbol(), chainrule.expr.Substitution.replace(d.definition(), done));
            if (d == v) {
                break;
            }
        }
        return v.isDefined() ? done.get(v.symbol()) : v.symbol();
    }
}
