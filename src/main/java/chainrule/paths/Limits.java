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
final class Limits {
    private Limits() {}

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
