package chainrule.expr;

import chainrule.runtime.Fns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compositions rewritten into a numerically stable form when they are built, like
 * {@code log(softmax(z)[j])} = {@code log_softmax(z)[j]} (see {@link Exprs#apply}). Each rewrite
 * is local, one step, never longer, and exact in real arithmetic; it is done at construction
 * rather than by a simplifier rule so that the value does not depend on whether (or how far) a
 * command simplifies:
 *
 * <ul>
 *   <li>{@code log(sigmoid(z))} = {@code -softplus(-z)} (σ(z) underflows to 0 below z ≈ -745, its
 *       log is finite: z);</li>
 *   <li>{@code log(1 - sigmoid(z))} = {@code -softplus(z)} (1 - σ(z) rounds to 0 above z ≈ 37);</li>
 *   <li>{@code log(1 + exp(x))} = {@code softplus(x)} (exp overflows above x ≈ 709);</li>
 *   <li>a hand-written sigmoid is {@code sigmoid}: {@code (1 + exp(-u))^-1} = {@code σ(u)}
 *       ({@link #reciprocal}), and {@code exp(u)·σ(-u)} = {@code σ(u)} ({@link #product}), which
 *       covers {@code exp(u)/(1 + exp(u))}. Every view then gets the sigmoid's textbook derivative
 *       σ·(1 − σ) and its stable tails ({@code log(σ(u))} above; exp(800) overflows, σ does not).</li>
 * </ul>
 */
final class StableForms {
    private StableForms() {}

    /** The stable form of {@code fn(args)}, or null when it is none of the compositions above. */
    static Expr rewrite(Fn fn, List<Expr> args) {
        if (fn != Primitive.LOG) {
            return null;
        }
        Expr x = args.get(0);
        if (x instanceof Apply a && a.fn() == Primitive.SIGMOID) {
            return Exprs.neg(Exprs.apply(Primitive.SOFTPLUS, Exprs.neg(a.arg(0))));
        }
        if (x instanceof Sum s && s.terms().size() == 2 && s.terms().get(1) == Exprs.ONE) {
            Expr t = s.terms().get(0);
            if (t instanceof Apply e && e.fn() == Primitive.EXP) {
                return Exprs.apply(Primitive.SOFTPLUS, e.arg(0));
            }
            if (t instanceof Product p && p.coefficient() == -1 && p.nonNumericFactors().size() == 1
                    && p.nonNumericFactors().get(0) instanceof Apply a && a.fn() == Primitive.SIGMOID) {
                return Exprs.neg(Exprs.apply(Primitive.SOFTPLUS, a.arg(0)));
            }
        }
        return null;
    }

    /** {@code σ(-v)} for {@code base = exp(v) + 1} raised to -1, else null. */
    static Expr reciprocal(Expr base) {
        if (base instanceof Sum s && s.terms().size() == 2 && s.terms().get(1) == Exprs.ONE
                && s.terms().get(0) instanceof Apply e && e.fn() == Primitive.EXP) {
            return Exprs.apply(Primitive.SIGMOID, Exprs.neg(e.arg(0)));
        }
        return null;
    }

    /** {@code σ(u)} for the two factors {@code exp(u)} and {@code σ(-u)} in either order, else null. */
    static Expr product(Expr a, Expr b) {
        if (a instanceof Apply x && b instanceof Apply y) {
            if (x.fn() == Primitive.SIGMOID && y.fn() == Primitive.EXP) {
                return product(b, a);
            }
            if (x.fn() == Primitive.EXP && y.fn() == Primitive.SIGMOID && Exprs.neg(x.arg(0)) == y.arg(0)) {
                return Exprs.apply(Primitive.SIGMOID, x.arg(0));
            }
        }
        return null;
    }

    /**
     * The factors of a product with each pair {@code exp(u)}, {@code σ(-u)} replaced by {@code σ(u)},
     * or null when there is no such pair (the common case: one pass over the factors).
     */
    static List<Expr> products(List<Expr> factors) {
        boolean sigmoid = false;
        boolean exp = false;
        for (Expr f : factors) {
            sigmoid |= f instanceof Apply a && a.fn() == Primitive.SIGMOID;
            exp |= f instanceof Apply a && a.fn() == Primitive.EXP;
        }
        if (!sigmoid || !exp) {
            return null;
        }
        List<Expr> out = new ArrayList<>(factors);
        boolean changed = false;
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                Expr joined = product(out.get(i), out.get(j));
                if (joined != null) {
                    out.set(i, joined);
                    out.remove(j);
                    changed = true;
                    break;
                }
            }
        }
        return changed ? out : null;
    }
}
