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
 *   <li>{@code log(1 + exp(x))} = {@code softplus(x)} (exp overflows above x ≈ 709).</li>
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

    /**
     * The factors of a product with a zero coefficient whose value is not finite, such as the
     * {@code 0^-1} of {@code 0/0} ({@code (x - x)/0}) or the {@code log(0)} of {@code 0*log(0)}:
     * undefined stays undefined. {@link Exprs#mul} keeps them as {@code 0·factor}, whose value is
     * nan, so that every command reports it naming the operation (division by 0, log of 0) rather
     * than folding it to 0. Empty when every factor is finite or not a constant (0·x is 0).
     *
     * @param exponents the product's factors, base to the exponents collected for it (see {@link Exprs#mul})
     * @return a new modifiable list, in canonical factor order
     */
    static List<Expr> undefinedFactors(Map<Expr, List<Expr>> exponents) {
        List<Expr> kept = new ArrayList<>();
        for (Map.Entry<Expr, List<Expr>> e : exponents.entrySet()) {
            Expr f = e.getValue().size() == 1 && e.getValue().get(0) == Exprs.ONE ? e.getKey()
                    : Exprs.pow(e.getKey(), Exprs.add(e.getValue()));
            if (!Double.isFinite(constantValue(f))) {
                kept.add(f);
            }
        }
        kept.sort(ExprOrder.FACTORS);
        return kept;
    }

    /** The value of a small expression of numbers ({@code 0^-1}, {@code log(0)}); 0 when it names anything. */
    private static double constantValue(Expr f) {
        if (f instanceof Num n) {
            return n.value();
        }
        if (f instanceof Power p && p.base() instanceof Num b && p.exponent() instanceof Num x) {
            return Fns.pow(b.value(), x.value());
        }
        if (f instanceof Apply a && !(a.fn() instanceof UserFunction)) {
            double[] args = new double[a.args().size()];
            for (int i = 0; i < args.length; i++) {
                if (!(a.arg(i) instanceof Num n)) {
                    return 0;
                }
                args[i] = n.value();
            }
            return a.fn().value(args);
        }
        return 0;
    }
}
