package chainrule.paths;

import chainrule.expr.Apply;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Substitution;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import chainrule.model.Network;
import chainrule.model.SigmoidLogs;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers of one evaluation: every vertex's value from the forward pass, and each edge
 * factor's value, computed once and remembered.
 *
 * <p>Where a value comes out nan or infinite, it is computed once more from a stable rewriting of
 * the same expression (docs/hardening.md, "Saturated tails"): a sigmoid or softmax vertex used in
 * the expression is replaced by its definition, so that {@code log(p)} with {@code p = sigmoid(z)}
 * is built as {@code -softplus(-z)} (see {@code expr.StableForms}) and {@code log(p[j])} with
 * {@code p = softmax(z)} as {@code log_softmax(z)[j]}; and declared values that are not parameters
 * (inputs, targets, constants) are put in as numbers, so that a factor such as {@code c*w/abs(w)}
 * with {@code c = 0} is the limit 0. Each rewriting is an identity, so it changes no finite value.
 */
public final class Values {
    private final Map<String, Double> vertexValues;
    /**
     * Sized for an edge per vertex, about what a reverse pass evaluates: 100,000 entries are not
     * rehashed on the way. Concurrent only where the values are shared between threads
     * ({@link #shared}); a concurrent map costs a 784-128-10 {@code grad --json} 0.15 s.
     */
    private final Map<Edge, Double> factorValues;
    private final Network network;
    /** Built on first use: only a value that is not finite needs them. */
    private Map<Expr, Expr> stable;
    /** Parameters' values as numbers, for {@link #heldFixed}, made as asked for. */
    private final Map<Expr, Expr> parameterNumbers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The δs of {@link ReverseAccumulator#adjoints} at these values, per path graph, made on first use. */
    private final Map<PathGraph, Map<Vertex, Double>> adjoints = new java.util.IdentityHashMap<>(1);
    private final SigmoidLogs sigmoidLogs;

    private Values(Map<String, Double> vertexValues, Network network, Map<Expr, Expr> stable, SigmoidLogs sigmoidLogs,
                   boolean shared) {
        this.vertexValues = new WithCalls(vertexValues, network);
        int capacity = Math.max(16, vertexValues.size() * 2);
        this.factorValues = shared ? new java.util.concurrent.ConcurrentHashMap<>(capacity) : new HashMap<>(capacity);
        this.network = network;
        this.stable = stable;
        this.sigmoidLogs = sigmoidLogs;
    }

    /**
     * Runs the forward pass; the network must have every value the loss needs. A vertex the loss
     * does not need may lack inputs (a loss folded to a constant, {@code E = 0*(y - t)^2}, needs
     * nothing): it gets no value rather than failing the whole pass.
     */
    public static Values of(Network network) {
        return of(network, false);
    }

    /**
     * {@link #of(Network)} for values that several threads read at once: the playground server
     * keeps one per cached network, and the page's formulas and flow requests for it are answered
     * at the same time (edge factors' values are then remembered in a concurrent map).
     */
    public static Values shared(Network network) {
        return of(network, true);
    }

    private static Values of(Network network, boolean shared) {
        Map<String, Double> env = new LinkedHashMap<>(network.values());
        env.putAll(network.frozenValues()); // a partial view's vertices without definitions: the op graph's numbers
        boolean recomputed = false;
        Map<Expr, Expr> stable = null;
        SigmoidLogs sigmoidLogs = SigmoidLogs.of(network);
        for (Vertex v : network.definitions()) {
            try {
                // log(p), log(1 - p) of a sigmoid vertex p from p's pre-activation: every digit
                double value = Evaluator.evaluate(sigmoidLogs.stableLogs(v.definition()), env);
                if (!Double.isFinite(value)) {
                    recomputed = true;
                    if (stable == null) {
                        stable = stableSubstitution(network);
                    }
                    double again = Evaluator.evaluate(Substitution.replace(v.definition(), stable), env);
                    if (Double.isFinite(again)) {
                        value = again;
                    }
                }
                env.put(v.name(), value);
            } catch (Evaluator.MissingValueException e) {
                // not needed by the loss (Network.missingValues() was empty): left without a value
            }
        }
        // a merged edge's factor names a shared reduction by its call (mean(x), FoldedReductions):
        // the call has the shared vertex's value
        for (Map.Entry<Expr, Expr> f : FoldedReductions.of(network).calls().entrySet()) {
            Double value = env.get(((chainrule.expr.Sym) f.getKey()).name());
            if (value != null) {
                env.put(((chainrule.expr.Sym) f.getValue()).name(), value);
            }
        }
        // a factor of a definition that holds a long reduction names it by its call (sum(w^2)*mean(w):
        // FoldedReductions.inline), whose value is its definition's
        for (Map.Entry<chainrule.expr.Sym, Expr> c : FoldedReductions.inlineCalls(network).entrySet()) {
            if (!env.containsKey(c.getKey().name())) {
                try {
                    env.put(c.getKey().name(), Evaluator.evaluate(c.getValue(), env));
                } catch (Evaluator.MissingValueException e) {
                    // not needed by the loss, like the definition it is in
                }
            }
        }
        Values out = new Values(env, network, stable, sigmoidLogs, shared);
        out.recomputed = recomputed;
        return out;
    }

    /**
     * The vertices' values, and each folded call's ({@code sum(w - mean(w))}, made where a partial
     * is left with a long sum: {@link FoldedReductions#foldPartial}) computed from its definition
     * when first asked for, since factors are derived after the forward pass.
     */
    private static final class WithCalls extends java.util.AbstractMap<String, Double> {
        private final Map<String, Double> base;
        private final Network network;
        private final Map<String, Double> calls = new java.util.concurrent.ConcurrentHashMap<>();

        WithCalls(Map<String, Double> base, Network network) {
            this.base = base;
            this.network = network;
        }

        @Override
        public Double get(Object key) {
            Double v = base.get(key);
            if (v != null || !(key instanceof String name) || name.indexOf('(') < 0) {
                return v; // a call's name has its parentheses; no vertex's has
            }
            v = calls.get(name);
            if (v != null) {
                return v;
            }
            Expr definition = FoldedReductions.definition(network, name);
            if (definition == null) {
                return null;
            }
            try {
                v = Evaluator.evaluate(definition, this);
            } catch (Evaluator.MissingValueException e) {
                return null;
            }
            calls.put(name, v);
            return v;
        }

        @Override
        public boolean containsKey(Object key) { return get(key) != null; }

        @Override
        public int size() { return base.size(); }

        @Override
        public java.util.Set<Map.Entry<String, Double>> entrySet() { return base.entrySet(); }
    }

    /** Sigmoid and softmax vertices to their definitions, declared non-parameters to their values. */
    private static Map<Expr, Expr> stableSubstitution(Network network) {
        Map<Expr, Expr> out = new HashMap<>();
        for (Vertex v : network.vertices()) {
            if (v.isDefined() && v.definition() instanceof Apply a && (a.fn() == Primitive.SIGMOID
                    || a.fn() instanceof VectorElement e && e.primitive() == VectorPrimitive.SOFTMAX)) {
                out.put(v.symbol(), a);
            } else if (v.kind().isDeclared() && !v.kind().isParameter() && network.values().containsKey(v.name())) {
                out.put(v.symbol(), Exprs.num(network.values().get(v.name())));
            }
        }
        return out;
    }

    public double vertex(String name) { return vertexValues.get(name); }

    /**
     * Whether a number came out nan or infinite and was computed again (a stable rewriting, a
     * limit; see the class comment). Those rewritings substitute definitions, which a partial
     * element view ({@link Network#partial}) lacks outside its cone: its caller then asks the
     * whole view.
     */
    public boolean recomputedNonFinite() { return recomputed; }

    private volatile boolean recomputed;

    /** The network these are the values of. */
    Network network() { return network; }

    public Map<String, Double> vertices() { return vertexValues; }

    public double of(Edge e) {
        Double v = factorValues.get(e);
        if (v == null) {
            // the table's numeric column, with 1 - p of a sigmoid vertex p as σ(-z)
            // (∂ of a log of p: p as σ(z), declared values as numbers, so (p - 1)/(1 - p) cancels);
            // an edge of the spec's graph through shared reductions: the sum over its routes of the
            // products of their edges' values, the numbers reverse accumulation multiplies
            v = e.routes() != null ? routesValue(e)
                    : Evaluator.evaluate(sigmoidLogs.feedsLog(e.from(), e.to())
                    ? sigmoidLogs.reflected(stableFactor(e)) : e.numericFactor(), vertexValues);
            if (!Double.isFinite(v)) {
                recomputed = true;
                double again = Evaluator.evaluate(stableFactor(e), vertexValues);
                if (!Double.isFinite(again)) {
                    again = Evaluator.evaluate(powerOfZero(heldFixed(e)), vertexValues);
                }
                if (Double.isFinite(again)) {
                    v = again;
                }
            }
            factorValues.put(e, v);
        }
        return v;
    }

    /** The value of an edge of the spec's graph made of the element view's routes ({@link Edge#routes}). */
    private double routesValue(Edge e) {
        double sum = 0;
        for (List<Edge> route : e.routes()) {
            double product = 1;
            for (Edge f : route) {
                product *= of(f);
            }
            sum += product;
        }
        return sum;
    }

    /** The edge factor in its stable rewriting (the factor itself when nothing applies). */
    public Expr stableFactor(Edge e) {
        return stable(e.factor());
    }

    /** An expression over vertex values in its stable rewriting. */
    Expr stable(Expr e) {
        if (stable == null) {
            stable = stableSubstitution(network);
        }
        return Substitution.replace(e, stable);
    }

    /**
     * The factor ∂to/∂from with every other parameter held at its value as a number: a partial
     * derivative holds them fixed, so {@code y·x^(y - 1)} at y = 0 is {@code 0·x^-1} = 0, the
     * derivative of {@code x^0 = 1}.
     */
    private Expr heldFixed(Edge e) {
        if (stable == null) {
            stable = stableSubstitution(network);
        }
        Map<Expr, Expr> stableMap = stable;
        Expr free = e.from().symbol();
        // the stable substitution with every parameter but the edge's own source as its number, as
        // a lookup: a saturated point of a 784-128-10 network asks for it edge after edge, and a
        // map of 100,000 numbers per edge (or even once) cost more than the factors themselves
        java.util.function.Function<Expr, Expr> fixed = key -> {
            if (key == free) {
                return null;
            }
            if (key instanceof chainrule.expr.Sym s) {
                Vertex v = network.vertex(s.name()).orElse(null);
                Double value = v != null && v.symbol() == s && v.kind().isParameter() ? network.values().get(s.name()) : null;
                if (value != null) {
                    return parameterNumbers.computeIfAbsent(s, k -> Exprs.num(value));
                }
            }
            return stableMap.get(key);
        };
        return Substitution.replace(e.factor(), fixed);
    }

    /**
     * {@code 0^b·log(0)} (the derivative of {@code 0^b} in b) as 0 where b ≥ 0, as PyTorch's
     * {@code pow} backward masks it: 0^b is 0 for every b > 0, so its derivative there is 0.
     */
    private Expr powerOfZero(Expr e) {
        if (e instanceof Sum s) {
            List<Expr> terms = new ArrayList<>();
            for (Expr t : s.terms()) {
                terms.add(powerOfZero(t));
            }
            return Exprs.add(terms);
        }
        if (e instanceof Product p) {
            boolean power = false;
            boolean log = false;
            for (Expr f : p.factors()) {
                power |= f instanceof Power w && w.base() == Exprs.ZERO && evaluate(w.exponent()) >= 0;
                log |= f instanceof Apply a && a.fn() == Primitive.LOG && a.arg(0) == Exprs.ZERO;
            }
            return power && log ? Exprs.ZERO : e;
        }
        return e;
    }

    /**
     * The δs over {@code graph} at these values, computed once: {@code grad}, the playground's
     * finiteness check, layer-form verification and layer-form numbers all ask for the same map,
     * and at 784-128-10 each pass over 100,000 edges costs a noticeable part of a second.
     */
    synchronized Map<Vertex, Double> adjoints(PathGraph graph, java.util.function.Function<PathGraph, Map<Vertex, Double>> compute) {
        Map<Vertex, Double> known = adjoints.get(graph);
        if (known == null) {
            known = java.util.Collections.unmodifiableMap(compute.apply(graph));
            adjoints.put(graph, known);
        }
        return known;
    }

    /**
     * What no parameter of {@code graph} reaches, each symbol to its value as a number (the limits
     * of reverse accumulation hold them fixed), made once rather than once per singular vertex.
     */
    synchronized Map<Expr, Expr> unreached(PathGraph graph, java.util.function.Function<PathGraph, Map<Expr, Expr>> compute) {
        recomputed = true; // asked for by the limit of a δ that came out nan or infinite only
        if (unreached == null || unreachedGraph != graph) {
            unreached = java.util.Collections.unmodifiableMap(compute.apply(graph));
            unreachedGraph = graph;
        }
        return unreached;
    }

    private Map<Expr, Expr> unreached;
    private PathGraph unreachedGraph;

    /** The δs over {@code graph} if {@link #adjoints} has made them already, else null. */
    synchronized Map<Vertex, Double> knownAdjoints(PathGraph graph) {
        return adjoints.get(graph);
    }

    /** The value of an expression over the vertex values. */
    public double evaluate(Expr e) {
        return Evaluator.evaluate(e, vertexValues);
    }
}
