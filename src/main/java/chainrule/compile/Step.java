package chainrule.compile;

import chainrule.expr.Expr;
import java.util.List;

/**
 * One straight-line instruction of a {@link Tape}. Every back end (JVM bytecode, Java, C, Python
 * source) emits the same steps, so they compute the same numbers in the same order.
 *
 * <p>Operands are expressions: a {@link chainrule.expr.Num} is a constant, anything else is read
 * from its slot ({@link Tape#slot(Expr)}).
 *
 * @param kind     what the step does
 * @param target   the slot written, or with {@code intoGradient} the index in the gradient array
 * @param intoGradient whether {@code target} is a parameter's entry of the gradient array (parameters'
 *                 adjoints are accumulated there directly)
 * @param node     for {@link Kind#VALUE} and the continuation kinds: the node whose value is computed
 * @param operands the values read: a node's children, or for adjoint steps {@code [factor]}
 * @param source   for adjoint and gradient steps: the slot of the adjoint propagated from
 */
public record Step(Kind kind, int target, boolean intoGradient, Expr node, List<Expr> operands, int source) {

    /** The instruction kinds. */
    public enum Kind {
        /** {@code w[target] = node(operands)}: a sum, product, power, function or constant. */
        VALUE,
        /** {@code w[target] += operands[0] + operands[1] + ...}: the rest of a long sum. */
        MORE_TERMS,
        /** {@code w[target] *= operands[0] * operands[1] * ...}: the rest of a long product. */
        MORE_FACTORS,
        /** {@code w[target] = w[source] * operands[0]}: the first contribution to an adjoint. */
        ADJOINT_SET,
        /** {@code w[target] += w[source] * operands[0]}: a further contribution to an adjoint. */
        ADJOINT_ADD,
        /** {@code target = 1}: the loss's own adjoint. */
        ADJOINT_SEED,
        /** {@code g[target] = 0}: a parameter the loss does not depend on. */
        GRADIENT
    }

    /** Whether the adjoint factor is the constant 1, so the multiplication can be left out. */
    public boolean unitFactor() {
        return operands.size() == 1 && operands.get(0) == chainrule.expr.Exprs.ONE;
    }
}
