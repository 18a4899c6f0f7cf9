package chainrule.diff;

import chainrule.expr.UserFunction;
import chainrule.simplify.Simplifier;

/**
 * How the partials of a user function ({@code function swish(z) = z*sigmoid(z)}) are derived:
 * differentiated once from the body and simplified, so {@code swish′} prints in its textbook form.
 * Given to {@link UserFunction} by the front ends that build one (the analyser, the layer lowering).
 */
public final class UserDerivation {
    private UserDerivation() {}

    /** ∂body/∂param, simplified. */
    public static final UserFunction.Derivation SIMPLIFIED =
            (body, param) -> Simplifier.simplify(Differentiator.derivative(body, param));
}
