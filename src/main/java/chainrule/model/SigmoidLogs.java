package chainrule.model;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Substitution;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import java.util.HashMap;
import java.util.Map;

/**
 * The numbers of {@code log(p)}, {@code log(1 - p)} (and the cross-entropy built from them) where
 * {@code p = sigmoid(z)} is a named vertex (docs/hardening.md, "A named sigmoid inside a log").
 * The printed forms and the path graph keep the vertex p; only the values change: the log is
 * computed from p's pre-activation, {@code log σ(z) = -softplus(-z)} and
 * {@code log(1 - σ(z)) = -softplus(z)} (expr.StableForms), and in an edge factor {@code 1 - p} is
 * {@code σ(-z)}, which keeps its digits where 1 - p would cancel (z above ≈ 18).
 *
 * <p>A named softmax vertex {@code p = softmax(z)} gets the same treatment: {@code log(p[j])}
 * (written out, or through {@code cross_entropy(p, y)}) is computed as {@code log_softmax(z)[j]}.
 * An element far below the others has lost digits before it underflows (p[j] = 1e-320 is a
 * subnormal with 3 digits, so log p[j] was off by 1e-3), and was silent; the identity keeps them
 * all, in the interpreter, the compiled code and generated Java/C/Python.
 */
public final class SigmoidLogs {
    /** Each sigmoid vertex's symbol to its definition {@code sigmoid(z)}, each softmax element's to {@code softmax(z)[j]}. */
    private final Map<Expr, Expr> definitions = new HashMap<>();
    /** As {@link #definitions}, with {@code 1 - p} to {@code σ(-z)} and {@code p - 1} to {@code -σ(-z)}. */
    private final Map<Expr, Expr> reflections = new HashMap<>();

    private SigmoidLogs(Network network) {
        for (Vertex v : network.vertices()) {
            if (v.isDefined() && v.definition() instanceof Apply a && a.fn() instanceof VectorElement e
                    && e.primitive() == VectorPrimitive.SOFTMAX) {
                // log(p[j]) of a softmax vertex is log_softmax(z)[j] once p is inlined (Exprs.apply)
                definitions.put(v.symbol(), a);
            }
            if (v.isDefined() && v.definition() instanceof Apply a && a.fn() == Primitive.SIGMOID) {
                definitions.put(v.symbol(), a);
                Expr mirrored = Exprs.apply(Primitive.SIGMOID, Exprs.neg(a.arg(0)));
                reflections.put(Exprs.sub(Exprs.ONE, v.symbol()), mirrored);
                reflections.put(Exprs.sub(v.symbol(), Exprs.ONE), Exprs.neg(mirrored));
                reflections.put(Exprs.sub(Exprs.ONE, a), mirrored);
                reflections.put(Exprs.sub(a, Exprs.ONE), Exprs.neg(mirrored));
            }
        }
        reflections.putAll(definitions);
    }

    public static SigmoidLogs of(Network network) {
        return new SigmoidLogs(network);
    }

    /** Whether the network has a sigmoid or softmax vertex at all (nothing to do otherwise). */
    public boolean isEmpty() {
        return definitions.isEmpty();
    }

    /**
     * The stable form of {@code log(arg)} when arg uses a sigmoid vertex and the composition has
     * one ({@code -softplus(∓z)}), or null.
     */
    public Expr stableLog(Apply log) {
        if (definitions.isEmpty() || log.fn() != Primitive.LOG) {
            return null;
        }
        Expr inlined = Substitution.replace(log.arg(0), definitions);
        if (inlined == log.arg(0)) {
            return null;
        }
        Expr rebuilt = Exprs.apply(Primitive.LOG, inlined);
        return rebuilt instanceof Apply a && a.fn() == Primitive.LOG ? null : rebuilt;
    }

    /**
     * {@code e} with every {@code log(…p…)} that has a stable form replaced by it; {@code e} itself
     * when none has.
     */
    public Expr stableLogs(Expr e) {
        if (definitions.isEmpty() || !hasLog(e)) {
            return e;
        }
        Map<Expr, Expr> logs = new HashMap<>();
        collect(e, logs);
        return logs.isEmpty() ? e : Substitution.replace(e, logs);
    }

    /** An edge factor with {@code 1 - p} as {@code σ(-z)} (and p as {@code σ(z)}); {@code e} when it has no p. */
    public Expr reflected(Expr e) {
        if (definitions.isEmpty()) {
            return e;
        }
        return Substitution.replace(stableLogs(e), reflections);
    }

    /** Whether some definition takes a log of a sigmoid vertex that has a stable form. */
    public boolean takesALogOfAVertex(Network network) {
        if (definitions.isEmpty()) {
            return false;
        }
        for (Vertex v : network.definitions()) {
            if (stableLogs(v.definition()) != v.definition()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code to} takes a log of an expression of the sigmoid vertex {@code from}. */
    public boolean feedsLog(Vertex from, Vertex to) {
        return definitions.containsKey(from.symbol()) && to.isDefined() && hasLog(to.definition());
    }

    private static boolean hasLog(Expr e) {
        if (e instanceof Apply a && a.fn() == Primitive.LOG) {
            return true;
        }
        for (Expr c : e.children()) {
            if (hasLog(c)) {
                return true;
            }
        }
        return false;
    }

    private void collect(Expr e, Map<Expr, Expr> logs) {
        if (e instanceof Apply a && a.fn() == Primitive.LOG) {
            Expr s = stableLog(a);
            if (s != null) {
                logs.put(a, s);
                return;
            }
        }
        for (Expr c : e.children()) {
            collect(c, logs);
        }
    }
}
