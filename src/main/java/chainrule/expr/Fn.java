package chainrule.expr;

import java.util.List;

/**
 * Something that can be applied: a built-in primitive, a user-defined function, or one element
 * of a built-in vector function ({@link VectorElement}, as {@code softmax(z)[j]}). The chain rule
 * (in {@code chainrule.diff.Differentiator}) is written once against this interface; a function
 * only supplies its local partial derivatives.
 */
public sealed interface Fn permits Primitive, UserFunction, VectorElement {

    /** The name used in source text. */
    String sourceName();

    /** Number of arguments, after defaults are filled in. */
    int arity();

    /** Numeric value at the given arguments. */
    double value(double[] args);

    /**
     * The partial derivative with respect to argument {@code i}, as an expression in the arguments.
     * {@code self} is the application itself, so a rule may reuse the forward output
     * (tanh' = 1 - self^2, sigmoid' = self*(1 - self)).
     */
    Expr partial(int i, List<Expr> args, Expr self);

    /**
     * The same partial in the form numbers are computed from: for most functions the printed
     * form itself; a built-in whose printed form loses digits somewhere (σ′ = σ·(1 − σ) in the
     * saturated tail) gives one that keeps them ({@link Primitive}'s numeric column).
     */
    default Expr numericPartial(int i, List<Expr> args, Expr self) { return partial(i, args, self); }
}
