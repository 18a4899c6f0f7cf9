package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Product;
import chainrule.expr.Substitution;
import chainrule.expr.Sum;
import chainrule.model.Vertex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of a product of local derivatives that is not finite as numbers but whose symbolic
 * form has a finite limit (docs/hardening.md, "Removable singularities"): {@code p·(1 - p)·(-1/p)}
 * is {@code p - 1} once normalised. Used by reverse accumulation, path values and closed forms,
 * only where the numbers came out nan or infinite.
 */
public final class Limits {
    private Limits() {}

    /** Edges below a parameter past which {@link #singularGradient} gives no form (generated code stays small). */
    public static final int MAX_EDGES = 400;

    /** Terms a multiplied-out product may have; past that it is left as it is. */
    static final int MAX_TERMS = 64;

    /** A product multiplied out over the sums with fractions among its factors (see {@link #expand(Expr, int)}). */
    static Expr expand(Expr e) {
        return expand(e, MAX_TERMS);
    }

    /**
     * The value of {@code form} (an expression over vertex values), multiplied out; where that is
     * not finite, with the vertices replaced by their definitions, up to three levels
     * ({@code u/sqrt(w)} with {@code u = sqrt(w)} is 1). May still be nan or infinite.
     */
    static double value(Expr form, Values values) {
        form = expand(form);
        double limit = values.evaluate(form);
        if (Double.isFinite(limit)) {
            return limit;
        }
        Map<Expr, Expr> definitions = new HashMap<>();
        for (Vertex v : values.network().definitions()) {
            definitions.put(v.symbol(), v.definition());
        }
        for (int level = 0; level < 3 && !Double.isFinite(limit); level++) {
            Expr inlined = expand(Substitution.replace(form, definitions));
            if (inlined == form) {
                break;
            }
            form = inlined;
            limit = values.evaluate(form);
        }
        return limit;
    }

    /**
     * The forms {@link #value} tries in turn, for generated code, which cannot take a limit at run
     * time: {@code form} multiplied out, then with the defined vertices replaced by their
     * definitions, one level at a time, up to three levels (the same steps, so the same limits).
     */
    public static List<Expr> forms(Expr form, chainrule.model.Network network) {
        Map<Expr, Expr> definitions = new HashMap<>();
        for (Vertex v : network.definitions()) {
            definitions.put(v.symbol(), v.definition());
        }
        List<Expr> out = new ArrayList<>();
        form = expand(form);
        out.add(form);
        for (int level = 0; level < 3; level++) {
            Expr inlined = expand(Substitution.replace(form, definitions));
            if (inlined == form) {
                break;
            }
            form = inlined;
            out.add(form);
        }
        return out;
    }

    /**
     * ∂loss/∂{@code wrt} as one expression over vertex values (the closed form, δs substituted),
     * or null when it could never need a limit: no factor on a path from {@code wrt} to the loss
     * divides (a power with a negative or symbolic exponent, {@code 1/p}, {@code sqrt′}, {@code log′})
     * or calls a user function, so every factor is finite wherever the forward values are; null
     * too past {@link #MAX_EDGES} edges below {@code wrt}.
     */
    public static Expr singularGradient(PathGraph graph, Vertex wrt) {
        return maySingular(graph, wrt) ? ClosedForm.of(graph, wrt).toExpr() : null;
    }

    /** Whether {@link #singularGradient} gives a form for {@code wrt}, without building it. */
    public static boolean maySingular(PathGraph graph, Vertex wrt) {
        return maySingular(graph, wrt, false);
    }

    /**
     * As {@link #maySingular(PathGraph, Vertex)}; with {@code besideStableForms}, edges out of a
     * sigmoid or softmax vertex do not count (a log of one, whose factor {@code 1/p} is the only
     * way such an edge divides: the layer loops compute those logs stably from the pre-activation).
     */
    public static boolean maySingular(PathGraph graph, Vertex wrt, boolean besideStableForms) {
        boolean singular = false;
        int edges = 0;
        for (Vertex v : graph.below(wrt)) {
            boolean stable = besideStableForms && v.definition() instanceof chainrule.expr.Apply a
                    && (a.fn() == chainrule.expr.Primitive.SIGMOID || a.fn() instanceof chainrule.expr.VectorElement);
            for (Edge e : graph.outgoing(v)) {
                if (graph.reachesLoss(e.to())) {
                    edges++;
                    singular |= !stable && mayBeInfinite(e.factor());
                }
            }
        }
        return singular && edges <= MAX_EDGES;
    }

    /** Whether {@code e} divides (a power with a negative or symbolic exponent) or calls a user function. */
    public static boolean mayBeInfinite(Expr e) {
        return mayBeInfinite(e, new java.util.HashSet<>());
    }

    private static boolean mayBeInfinite(Expr e, java.util.Set<Expr> seen) {
        if (!seen.add(e)) {
            return false;
        }
        if (e instanceof Power w && !(w.exponent() instanceof Num n && n.value() >= 0)) {
            return true;
        }
        if (e instanceof chainrule.expr.Apply a && a.fn() instanceof chainrule.expr.UserFunction) {
            return true;
        }
        for (Expr c : e.children()) {
            if (mayBeInfinite(c, seen)) {
                return true;
            }
        }
        return false;
    }

    /** The product of edge factors (in their stable rewriting), by {@link #value}. */
    static double product(List<Edge> edges, Values values) {
        List<Expr> factors = new ArrayList<>(edges.size());
        for (Edge e : edges) {
            factors.add(values.stableFactor(e));
        }
        return value(Exprs.mul(factors), values);
    }

    /**
     * A product multiplied out over the sums among its factors, so that a factor cancels against a
     * term's denominator ({@code σ·(1 - σ)·(-t/σ - (t - 1)/(1 - σ))} is {@code -t·(1 - σ) - (t - 1)·σ});
     * left as it is when that would give more than {@code limit} terms.
     */
    static Expr expand(Expr e, int limit) {
        if (!(e instanceof Product p)) {
            return e;
        }
        List<Expr> terms = List.of(Exprs.ONE);
        for (Expr f : p.factors()) {
            List<Expr> parts = f instanceof Sum s && hasFraction(s) ? s.terms() : List.of(f);
            if (terms.size() * parts.size() > limit) {
                return e;
            }
            List<Expr> next = new ArrayList<>(terms.size() * parts.size());
            for (Expr t : terms) {
                for (Expr part : parts) {
                    next.add(Exprs.mul(t, part));
                }
            }
            terms = next;
        }
        List<Expr> out = new ArrayList<>(terms.size());
        for (Expr t : terms) {
            out.add(t == e ? t : expand(t, limit));
        }
        return Exprs.add(out);
    }

    /** Whether a term of the sum divides by something (only such sums are multiplied out). */
    private static boolean hasFraction(Sum s) {
        for (Expr t : s.terms()) {
            List<Expr> factors = t instanceof Product p ? p.factors() : List.of(t);
            for (Expr f : factors) {
                if (f instanceof Power w && w.exponent() instanceof Num n && n.value() < 0) {
                    return true;
                }
            }
        }
        return false;
    }

}
