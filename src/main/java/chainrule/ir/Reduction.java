package chainrule.ir;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import java.util.List;
import java.util.Optional;

/**
 * The table of built-ins that reduce whole vectors to one number — {@code sum}, {@code mean} and
 * the losses — laid out like the primitive table: each entry states once its name, its number of
 * arguments, the term it takes of each element and how the terms are combined (a sign, and 1/n
 * for a mean). Both lowerings read it: the element view ({@code model.ElementView}: one sum over the
 * element expressions) and the layer program ({@code layer.LayerLowering}: a {@code Reduce} op
 * whose loop computes the term per element). {@code softmax} and {@code log_softmax} have their
 * table in {@link chainrule.expr.VectorPrimitive}; the fused {@code cross_entropy(softmax(z), y)}
 * is the layer program's own op.
 */
public enum Reduction {
    /** Σ x. */
    SUM("sum", 1, false, false),
    /** Σ x / n. */
    MEAN("mean", 1, true, false),
    /** Σ (p − y)² / n. */
    MSE("mse", 2, true, false),
    /** −Σ y·log p. */
    CROSS_ENTROPY("cross_entropy", 2, false, true),
    /** −Σ (y·log p + (1 − y)·log(1 − p)) / n. */
    BINARY_CROSS_ENTROPY("binary_cross_entropy", 2, true, false),
    /** Σ (softplus(z) − y·z) / n, computed as (1 − y)·softplus(z) + y·softplus(−z). */
    BCE_WITH_LOGITS("bce_with_logits", 2, true, false);

    private final String name;
    private final int arity;
    private final boolean mean;
    private final boolean negated;

    Reduction(String name, int arity, boolean mean, boolean negated) {
        this.name = name;
        this.arity = arity;
        this.mean = mean;
        this.negated = negated;
    }

    /** The name in source text. */
    public String sourceName() { return name; }

    /** Arguments: 1 for {@code sum} and {@code mean}, 2 (prediction, target) for a loss. */
    public int arity() { return arity; }

    /** Whether a loss (two arguments, a prediction and a target). */
    public boolean isLoss() { return arity == 2; }

    /**
     * The term of one element, before the sign: {@code x} for sum and mean; (p − y)² for mse;
     * y·log p for cross_entropy (negated once for the whole sum); for binary_cross_entropy
     * −(y·log p + (1 − y)·log(1 − p)), where a sigmoid p becomes softplus terms
     * ({@code expr.StableForms}); for bce_with_logits (1 − y)·softplus(z) + y·softplus(−z), which
     * is softplus(z) − y·z without the cancellation of 40 − 40 at y = 1 (docs/hardening.md).
     */
    public Expr term(List<Expr> element) {
        Expr p = element.get(0);
        return switch (this) {
            case SUM, MEAN -> p;
            case MSE -> Exprs.pow(Exprs.sub(p, element.get(1)), Exprs.TWO);
            case CROSS_ENTROPY -> Exprs.mul(element.get(1), Exprs.apply(Primitive.LOG, p));
            case BINARY_CROSS_ENTROPY -> {
                Expr y = element.get(1);
                yield Exprs.neg(Exprs.add(Exprs.mul(y, Exprs.apply(Primitive.LOG, p)),
                        Exprs.mul(Exprs.sub(Exprs.ONE, y), Exprs.apply(Primitive.LOG, Exprs.sub(Exprs.ONE, p)))));
            }
            case BCE_WITH_LOGITS -> {
                Expr y = element.get(1);
                yield Exprs.add(Exprs.mul(Exprs.sub(Exprs.ONE, y), Exprs.apply(Primitive.SOFTPLUS, p)),
                        Exprs.mul(y, Exprs.apply(Primitive.SOFTPLUS, Exprs.neg(p))));
            }
        };
    }

    /** The element view's value: the terms summed, negated for cross_entropy, divided by n for a mean. */
    public Expr total(List<Expr> terms, int n) {
        Expr total = Exprs.add(terms);
        if (negated) {
            total = Exprs.neg(total);
        }
        return mean ? Exprs.div(total, Exprs.num(n)) : total;
    }

    /** The layer program's loop body: the term with its sign (the loop sums it and multiplies by {@link #scale}). */
    public Expr signedTerm(List<Expr> element) {
        Expr t = term(element);
        return negated ? Exprs.neg(t) : t;
    }

    /** What the layer program's sum is multiplied by: 1/n for a mean, else 1. */
    public double scale(int n) {
        return mean ? 1.0 / n : 1.0;
    }

    /** The entry called {@code name} in source, if any. */
    public static Optional<Reduction> byName(String name) {
        for (Reduction r : values()) {
            if (r.name.equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
