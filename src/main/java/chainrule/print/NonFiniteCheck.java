package chainrule.print;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.expr.Apply;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Numbers;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.TextPrinter;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Refuses to print silent {@code nan}/{@code inf}: finds the first vertex (in forward order) whose
 * value is not finite and explains it at that vertex's definition, naming the operation where the
 * value first went wrong ({@code 'h' is -inf: log of 0}). Declared values are always finite (the
 * parser and {@code --set} refuse others), so the first non-finite vertex has finite inputs and the
 * culprit lies inside its own definition.
 */
public final class NonFiniteCheck {
    private NonFiniteCheck() {}

    /**
     * @param values every vertex's forward value (vertices the loss does not need may be absent)
     * @throws DiagnosticException at the first vertex whose value is nan or infinite
     */
    public static void require(Network network, Map<String, Double> values) throws DiagnosticException {
        for (Vertex v : network.definitions()) {
            Double value = values.get(v.name());
            if (value != null && !Double.isFinite(value)) {
                throw new DiagnosticException(Diagnostic.error(network.source(), v.pos().line(), v.pos().column(),
                        v.pos().length(), "'" + v.name() + "' is " + Numbers.exact(value) + ": "
                                + explain(v.definition(), values) + advice(network, v.definition(), values)));
            }
        }
    }

    /**
     * What to do: change the values or the formula; or, in the one case the element view cannot
     * make stable (the log of a softmax vertex's element that underflowed to 0, as in
     * {@code cross_entropy(p, y)} with {@code p = softmax(...)}), write the softmax inline:
     * {@code cross_entropy(softmax(z), y)} is built with log_softmax and stays finite.
     */
    private static String advice(Network network, Expr definition, Map<String, Double> values) {
        Culprit finder = new Culprit(values);
        Expr culprit = finder.find(definition);
        if (culprit instanceof Apply log && log.fn() == Primitive.LOG && log.arg(0) instanceof Sym s) {
            Vertex p = network.vertex(s.name()).orElse(null);
            if (p != null && p.definition() instanceof Apply a && a.fn() instanceof VectorElement e
                    && e.primitive() == VectorPrimitive.SOFTMAX) {
                return "; '" + s.name() + "' is a softmax output too small for a double, and its log is taken"
                        + " after rounding to 0: write the softmax inside the loss, as in cross_entropy(softmax(...), y),"
                        + " which is computed with log_softmax";
            }
        }
        return "; change the values feeding it or the formula";
    }

    /** The innermost operation of {@code definition} that turns finite operands into a non-finite value. */
    public static String explain(Expr definition, Map<String, Double> values) {
        Culprit finder = new Culprit(values);
        Expr culprit = finder.find(definition);
        return culprit == null ? "computed from finite values" : describe(culprit, finder);
    }

    private static String describe(Expr e, Culprit values) {
        String operands;
        if (e instanceof Apply a) {
            StringBuilder args = new StringBuilder();
            for (Expr arg : a.args()) {
                args.append(args.length() == 0 ? "" : ", ").append(Numbers.text(values.value(arg)));
            }
            operands = a.fn().sourceName() + " of " + args;
        } else if (e instanceof Power p) {
            double base = values.value(p.base());
            double exponent = values.value(p.exponent());
            operands = exponent == -1 ? "division by " + Numbers.text(base)
                    : Numbers.text(base) + " to the power " + Numbers.text(exponent);
        } else if (e instanceof Product) {
            operands = "a product overflows";
        } else if (e instanceof Sum) {
            operands = "a sum overflows";
        } else {
            operands = "a value that is not finite";
        }
        return operands + " in " + TextPrinter.plain().print(e);
    }

    /**
     * Refuses a local derivative that is not finite where the forward values are: {@code sqrt(w*x)}
     * at {@code w*x = 0} has the value 0 but an infinite derivative, and every gradient through it
     * would print as {@code nan}, unless the singularity is removable: reverse accumulation
     * ({@link ReverseAccumulator}) takes the symbolic limit of a product such as
     * {@code -1/p · p·(1 - p)}, so only a δ that is still not finite is refused.
     * Explains the edge out of the vertex nearest the loss whose δ is not finite, at the definition
     * it differentiates: which derivative, at which argument, and the operation that goes wrong.
     *
     * @param values the forward values, already checked by {@link #require}
     * @throws DiagnosticException at the first vertex with a non-finite local derivative
     */
    public static void requireFiniteDerivatives(PathGraph graph, Values values) throws DiagnosticException {
        check(graph, values, null);
    }

    /**
     * As {@link #requireFiniteDerivatives(PathGraph, Values)} for the derivatives by {@code parameters}
     * only (those a command prints, as {@code grad --wrt}): only the edge factors below them are
     * derived and evaluated, and a parameter not asked for cannot make the command fail.
     */
    public static void requireFiniteDerivatives(PathGraph graph, Values values, java.util.List<Vertex> parameters)
            throws DiagnosticException {
        check(graph, values, parameters);
    }

    /** @param parameters null for every parameter (one full reverse pass, shared with the callers' own) */
    private static void check(PathGraph graph, Values values, java.util.List<Vertex> parameters) throws DiagnosticException {
        Network network = graph.network();
        Map<Vertex, Double> delta = parameters == null ? ReverseAccumulator.adjoints(graph, values)
                : ReverseAccumulator.adjointsBelow(graph, values, parameters);
        Vertex worst = null;
        for (Vertex p : parameters == null ? network.parameters() : parameters) {
            Double d = delta.get(p);
            if (d != null && !Double.isFinite(d)) {
                worst = p;
                break;
            }
        }
        if (worst == null) {
            return; // every gradient is finite: infinite local derivatives were removable (docs/hardening.md)
        }
        for (boolean deeper = true; deeper; ) { // toward the loss, to the last vertex whose δ is not finite
            deeper = false;
            for (Edge e : graph.outgoing(worst)) {
                Double below = delta.get(e.to());
                if (below != null && !Double.isFinite(below)) {
                    worst = e.to();
                    deeper = true;
                    break;
                }
            }
        }
        for (Edge e : graph.outgoing(worst)) {
            Double below = delta.get(e.to());
            if (below != null && below != 0 && Double.isFinite(below) && !Double.isFinite(values.of(e))) {
                throw new DiagnosticException(Diagnostic.error(network.source(), e.to().pos().line(), e.to().pos().column(),
                        e.to().pos().length(), derivativeMessage(e, values.of(e), values.vertices())));
            }
        }
        for (Vertex to : graph.vertices()) {
            if (!to.isDefined() || !graph.reachesLoss(to) || !delta.containsKey(to)) {
                continue;
            }
            for (Edge e : graph.incoming(to)) {
                if (!graph.reachedFromParameter(e.from()) || !delta.containsKey(e.from())) {
                    continue;
                }
                double d = values.of(e);
                if (!Double.isFinite(d)) {
                    throw new DiagnosticException(Diagnostic.error(network.source(), to.pos().line(), to.pos().column(),
                            to.pos().length(), derivativeMessage(e, d, values.vertices())));
                }
            }
        }
        Vertex loss = network.loss();
        throw new DiagnosticException(Diagnostic.error(network.source(), loss.pos().line(), loss.pos().column(),
                loss.pos().length(), "the derivative of '" + loss.name() + "' with respect to '" + worst.name() + "' is "
                        + Numbers.exact(delta.get(worst)) + ": a product of finite local derivatives overflows"));
    }

    private static String derivativeMessage(Edge e, double d, Map<String, Double> values) {
        Vertex from = e.from();
        Vertex to = e.to();
        String at = from.name() + " = " + Numbers.text(values.get(from.name()));
        String what;
        if (to.isActivation() && to.activationInput() == from.symbol()) {
            what = "'" + to.name() + "' = " + TextPrinter.plain().print(to.definition()) + " has no finite derivative at "
                    + at + ": " + ((Apply) to.definition()).fn().sourceName() + "′ there is " + Numbers.exact(d);
        } else {
            what = "the derivative of '" + to.name() + "' with respect to '" + from.name() + "' is " + Numbers.exact(d)
                    + " at " + at;
        }
        return what + " (" + explain(e.factor(), values) + "), so the gradient through it is not defined"
                + "; change the values feeding it or the formula";
    }

    /** Finds the culprit, each subexpression evaluated once (definitions are DAGs with shared parts). */
    private static final class Culprit {
        private final Map<String, Double> env;
        private final Map<Expr, Double> memo = new IdentityHashMap<>();

        Culprit(Map<String, Double> env) {
            this.env = env;
        }

        double value(Expr e) {
            Double v = memo.get(e);
            if (v == null) {
                v = e instanceof Num n ? n.value() : Evaluator.evaluate(e, env);
                memo.put(e, v);
            }
            return v;
        }

        Expr find(Expr e) {
            if (Double.isFinite(value(e))) {
                return null;
            }
            for (Expr child : e.children()) {
                Expr inner = find(child);
                if (inner != null) {
                    return inner;
                }
            }
            return e;
        }
    }
}
