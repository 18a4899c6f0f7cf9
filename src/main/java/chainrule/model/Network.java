package chainrule.model;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.ir.Graph;
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
    private final Elements elements;
    private final Map<String, UserFunction> functions;
    private final Map<String, Double> values;
    private final Map<String, List<Integer>> shapes;
    /** Declared names (a vector by its own name) and their kinds, in declaration order. */
    private final Map<String, VertexKind> declared;
    private final String lossName;

    /**
     * The element view: every vertex, the definitions in evaluation order, the loss; in a partial
     * view ({@link #partial}) the vertices kept without their definitions, and the whole view's
     * number of vertices.
     */
    record Structure(Map<String, Vertex> vertices, List<Vertex> definitions, Vertex loss, Map<Vertex, Frozen> frozen,
                     int wholeSize) {
        /** A whole view. */
        Structure(Map<String, Vertex> vertices, List<Vertex> definitions, Vertex loss) {
            this(vertices, definitions, loss, Map.of(), vertices.size());
        }
    }

    /**
     * A vertex of a partial element view ({@link #partial}) that is kept without its definition:
     * an element outside the cone of the parameters asked for that a definition in it mentions
     * ({@code h[2]} when asking for {@code W1[1,1]}). Its value is {@code source}'s element
     * {@code flat} in the op graph evaluated numerically ({@link #frozenValues()}).
     *
     * @param reachedFromParameter whether, in the whole view, the element is computed from some
     *                             parameter ({@code h[2]} is, from {@code W1[2,1]}): the path graph
     *                             treats it as the whole view does ({@code paths.PathGraph#reachedFromParameter})
     */
    public record Frozen(chainrule.ir.Op source, int flat, boolean reachedFromParameter) {}

    /**
     * The op graph and the element view expanded from it at most once, on first use (the network
     * has been checked, so expanding it cannot fail). Shared by every {@link #withValues} copy,
     * since values change neither.
     */
    private static final class Elements {
        private final Graph graph;
        private java.util.function.Supplier<Structure> expand;
        private Structure built;
        private List<String> declaredNames;
        private Set<String> declaredNameSet;
        /** Whether the structure is a partial element view ({@link Network#partial}). */
        private final boolean partial;

        Elements(Graph graph, java.util.function.Supplier<Structure> expand) {
            this(graph, expand, false);
        }

        Elements(Graph graph, java.util.function.Supplier<Structure> expand, boolean partial) {
            this.graph = graph;
            this.expand = expand;
            this.partial = partial;
        }

        synchronized Structure get() {
            if (built == null) {
                built = expand.get();
                expand = null;
            }
            return built;
        }

        synchronized boolean isBuilt() { return built != null; }
    }

    /**
     * A network whose element view is built by {@code expand} on first use. The analyser hands its
     * freshly built maps over and never touches them again, so they are wrapped, not copied.
     */
    Network(Source source, Graph graph, java.util.function.Supplier<Structure> expand, Map<String, UserFunction> functions,
            Map<String, Double> values, Map<String, List<Integer>> shapes, Map<String, VertexKind> declared, String lossName) {
        this(source, new Elements(graph, expand), Collections.unmodifiableMap(new LinkedHashMap<>(functions)),
                Collections.unmodifiableMap(values), Map.copyOf(shapes),
                Collections.unmodifiableMap(new LinkedHashMap<>(declared)), lossName);
    }

    /** Takes the (already unmodifiable) collections as they are: {@link #withValues} shares them. */
    private Network(Source source, Elements elements, Map<String, UserFunction> functions, Map<String, Double> values,
            Map<String, List<Integer>> shapes, Map<String, VertexKind> declared, String lossName) {
        this.source = source;
        this.elements = elements;
        this.functions = functions;
        this.values = values;
        this.shapes = shapes;
        this.declared = declared;
        this.lossName = lossName;
    }

    public Source source() { return source; }

    /**
     * Whether the element view has been built. A network from {@link Analyzer#check} builds it on
     * the first call that needs vertices ({@link #vertices()}, {@link #loss()}, ...); the compiled
     * commands ({@code eval}, {@code check}, {@code train}) never do on a file written with layers.
     */
    public boolean isExpanded() { return elements.isBuilt(); }

    Structure structure() { return elements.get(); }

    /**
     * The network as one op graph, lowered once from the syntax tree: the element view is expanded
     * from it, and the loop program ({@code layer.LayerLowering}) is lowered from it.
     */
    public Graph graph() { return elements.graph; }

    /** Every vertex: declared names in declaration order, then defined ones in evaluation order. */
    public Collection<Vertex> vertices() { return structure().vertices().values(); }

    public Optional<Vertex> vertex(String name) { return Optional.ofNullable(structure().vertices().get(name)); }

    /** The vertex whose symbol is {@code s}. */
    public Vertex vertex(Sym s) {
        Vertex v = structure().vertices().get(s.name());
        if (v == null || v.symbol() != s) {
            throw new IllegalArgumentException("not a vertex of this network: " + s.name());
        }
        return v;
    }

    /** Defined vertices in an order where each comes after everything its definition uses. */
    public List<Vertex> definitions() { return structure().definitions(); }

    public Vertex loss() { return structure().loss(); }

    /** The loss's name, without building the element view. */
    public String lossName() { return lossName; }

    /**
     * The declared element names in declaration order (a vector's elements row-major): the slots
     * of compiled code. Equal to the declared vertices of {@link #vertices()}, without building them.
     */
    public List<String> declaredNames() {
        synchronized (elements) {
            if (elements.declaredNames == null) {
                List<String> out = new ArrayList<>();
                for (String name : declared.keySet()) {
                    List<Integer> shape = shapes.getOrDefault(name, List.of());
                    out.addAll(Tensor.elementNames(name, shape));
                }
                elements.declaredNames = Collections.unmodifiableList(out);
            }
            return elements.declaredNames;
        }
    }

    /** The parameters' element names in declaration order, as {@link #parameters()} without building vertices. */
    public List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, VertexKind> e : declared.entrySet()) {
            if (e.getValue().isParameter()) {
                out.addAll(Tensor.elementNames(e.getKey(), shapes.getOrDefault(e.getKey(), List.of())));
            }
        }
        return out;
    }

    /**
     * The weight and bias declarations in declaration order, each with its shape (empty for a
     * scalar): how {@link #parameterNames()} falls into declarations, without building vertices.
     */
    public Map<String, List<Integer>> parameterShapes() {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (Map.Entry<String, VertexKind> e : declared.entrySet()) {
            if (e.getValue().isParameter()) {
                out.put(e.getKey(), shapes.getOrDefault(e.getKey(), List.of()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Whether {@code name} is a declared scalar or an element of a declared vector. */
    public boolean isDeclaredElement(String name) {
        if (elements.isBuilt() && !elements.partial) { // the vertices say, whatever their names
            Vertex v = structure().vertices().get(name);
            return v != null && v.kind().isDeclared();
        }
        if (declared.containsKey(name)) {
            return !shapes.containsKey(name);
        }
        synchronized (elements) {
            if (elements.declaredNameSet == null) {
                elements.declaredNameSet = new java.util.HashSet<>(declaredNames());
            }
            return elements.declaredNameSet.contains(name);
        }
    }

    /** Weights and biases, in declaration order. */
    public List<Vertex> parameters() {
        Structure structure = structure();
        Object[] known = parameterList;
        if (known == null || known[0] != structure) {
            List<Vertex> found = new ArrayList<>();
            for (Vertex v : structure.vertices().values()) {
                if (v.kind().isParameter()) {
                    found.add(v);
                }
            }
            known = new Object[] {structure, found.toArray(new Vertex[0])};
            parameterList = known; // a commands asks many times; at 784-128-10 each walk is 100,000 vertices
        }
        return new ArrayList<>(java.util.Arrays.asList((Vertex[]) known[1]));
    }

    /** {@link #parameters()} of one structure: {@code {structure, Vertex[]}}, replaced whole (safe to share between threads). */
    private volatile Object[] parameterList;

    /**
     * Every group of the element view (a declaration, definition, pre-activation or shared
     * reduction, each with its shape and elements), in the order of their first vertices: declared
     * names in declaration order, then defined ones in evaluation order. As the analysis states
     * them ({@link Vertex#group()}), never read back from element names.
     */
    public List<VertexGroup> groups() {
        return List.copyOf(groupIndex().values());
    }

    /** The group printed as {@code name} ({@code W1}, {@code h.in}, {@code v.mean}), if the element view has one. */
    public Optional<VertexGroup> group(String name) {
        return Optional.ofNullable(groupIndex().get(name));
    }

    private Map<String, VertexGroup> groupIndex() {
        Structure structure = structure();
        Object[] known = groupList;
        if (known == null || known[0] != structure) {
            Map<String, VertexGroup> found = new LinkedHashMap<>();
            for (Vertex v : structure.vertices().values()) {
                found.putIfAbsent(v.group().name(), v.group());
            }
            known = new Object[] {structure, Collections.unmodifiableMap(found)};
            groupList = known;
        }
        @SuppressWarnings("unchecked")
        Map<String, VertexGroup> out = (Map<String, VertexGroup>) known[1];
        return out;
    }

    /** {@link #groupIndex()} of one structure: {@code {structure, Map}}, replaced whole. */
    private volatile Object[] groupList;

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
        return chainrule.ir.Shapes.elementName(base, shape, flat);
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
            if (!isDeclaredElement(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + " is not a declared name");
            }
            v.put(e.getKey(), e.getValue());
        }
        return new Network(source, elements, functions, Collections.unmodifiableMap(v), shapes, declared, lossName);
    }

    /**
     * The network with only the part of the element view that the derivatives by {@code wrt} (declared
     * parameter elements, by name) involve: the elements computed from them up to the loss, with
     * their definitions, and the vertices those definitions mention, the ones outside that cone
     * kept without their definitions ({@link Frozen}). Everything else is the whole view's: names,
     * groups, order, definitions, shared reductions. Null when the loss does not depend on them
     * (the whole view then answers). {@code grad --wrt 'W1[1,1]'} on a 784-128-10 network expands
     * one row of the first layer and the layer above, not its 102,841 vertices.
     */
    public Network partial(java.util.Collection<String> wrt) {
        Structure s = ElementView.partial(elements.graph, declared, wrt);
        if (s == null) {
            return null;
        }
        return new Network(source, new Elements(elements.graph, () -> s, true), functions, values, shapes, declared, lossName);
    }

    /** Whether this network's element view is partial ({@link #partial}). */
    public boolean isPartial() { return elements.partial; }

    /** The number of vertices of the whole element view, of which a partial view ({@link #partial}) has some. */
    public int wholeVertexCount() { return structure().wholeSize(); }

    /** Where {@code v} is a vertex of a partial view kept without its definition, what it is; else null. */
    public Frozen frozen(Vertex v) { return structure().frozen().get(v); }

    /**
     * The values of the vertices a partial view keeps without their definitions ({@link Frozen}),
     * by name: the op graph evaluated numerically from the declared values (empty for the whole
     * view). Computed once per network (values differ between {@link #withValues} copies).
     */
    public Map<String, Double> frozenValues() {
        Map<Vertex, Frozen> frozen = structure().frozen();
        if (frozen.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> known = frozenValues;
        if (known == null) {
            Map<chainrule.ir.Op, double[]> done = new java.util.IdentityHashMap<>();
            Map<String, Double> out = new java.util.HashMap<>();
            for (Map.Entry<Vertex, Frozen> e : frozen.entrySet()) {
                out.put(e.getKey().name(), forward(e.getValue().source(), done)[e.getValue().flat()]);
            }
            known = Collections.unmodifiableMap(out);
            frozenValues = known;
        }
        return known;
    }

    private volatile Map<String, Double> frozenValues;

    /** The values of {@code op}'s elements, from the declared values ({@link chainrule.ir.Op#forward}); a missing value is nan. */
    private double[] forward(chainrule.ir.Op op, Map<chainrule.ir.Op, double[]> done) {
        double[] known = done.get(op);
        if (known != null) {
            return known;
        }
        double[] out;
        if (op instanceof chainrule.ir.Op.Declared d) {
            List<String> names = chainrule.ir.Shapes.elementNames(d.name(), d.shape());
            out = new double[names.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = values.getOrDefault(names.get(k), Double.NaN);
            }
        } else {
            List<double[]> inputs = new ArrayList<>(op.inputs().size());
            for (chainrule.ir.Op in : op.inputs()) {
                inputs.add(forward(in, done));
            }
            out = op.forward(inputs);
        }
        done.put(op, out);
        return out;
    }

    /** How many declared elements there are: {@code declaredNames().size()}, without the names. */
    private long declaredElementCount() {
        long n = 0;
        for (String name : declared.keySet()) {
            long size = 1;
            for (int d : shapes.getOrDefault(name, List.of())) {
                size *= d;
            }
            n += size;
        }
        return n;
    }

    /** Declared names that the loss depends on and that have no value. */
    public List<Vertex> missingValues() {
        if (values.size() == declaredElementCount()) {
            // The usual case, answered without the element view and without making the 100,000
            // element names of a large network: values holds declared elements only (the analyser
            // puts nothing else, withValues checks), so as many values as elements means all.
            return List.of();
        }
        List<Vertex> unvalued = new ArrayList<>();
        for (Vertex v : vertices()) {
            if (v.kind().isDeclared() && !values.containsKey(v.name())) {
                unvalued.add(v);
            }
        }
        // What the loss depends on: one backward pass, since each definition uses only earlier ones.
        Set<Sym> needed = new HashSet<>();
        needed.add(loss().symbol());
        List<Vertex> definitions = definitions();
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
        Set<VertexGroup> reported = new HashSet<>();
        for (Vertex v : missingValues()) {
            // The elements of one vector declaration share its position: report the vector once.
            String name = v.group().name();
            if (!reported.add(v.group())) {
                continue;
            }
            String what = v.kind().word() + " '" + name + "' has no value" + (v.isElement() ? " for " + v.name() : "");
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
        for (Vertex v : definitions()) {
            env.put(v.name(), Evaluator.evaluate(v.definition(), env));
        }
        return env;
    }

    /** Forward pass from a flat name-to-value map (used by finite differences). */
    public double lossAt(Map<String, Double> declaredValues) {
        Map<String, Double> env = new LinkedHashMap<>(declaredValues);
        for (Vertex v : definitions()) {
            env.put(v.name(), Evaluator.evaluate(v.definition(), env));
        }
        return env.get(lossName);
    }

    /** The definition of {@code v} with every defined vertex substituted, down to declared names. */
    public Expr inlined(Vertex v) {
        Map<Expr, Expr> done = new LinkedHashMap<>();
        for (Vertex d : definitions()) {
            done.put(d.symbol(), chainrule.expr.Substitution.replace(d.definition(), done));
            if (d == v) {
                break;
            }
        }
        return v.isDefined() ? done.get(v.symbol()) : v.symbol();
    }
}
