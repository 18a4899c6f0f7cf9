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
}
