package chainrule.simplify;

import chainrule.expr.Expr;

/**
 * A named rewrite rule: inspectable data, tested one rule at a time. {@link #rewrite} returns the
 * rewritten node, or null where the rule does not apply (its guard failed, or the work budget ran
 * out while it searched).
 */
public record Rule(String name, String description, Rewrite rewrite) {

    /** The rule's action at one node (children already simplified), charging its work to {@code work}. */
    @FunctionalInterface
    public interface Rewrite {
        Expr at(Expr node, Work work);
    }

    /** A rule whose work is a few steps whatever the node: nothing to charge beyond the runner's visit. */
    static Rule local(String name, String description, java.util.function.UnaryOperator<Expr> rewrite) {
        return new Rule(name, description, (e, work) -> rewrite.apply(e));
    }

    /** Applies the rule at one node; null when it does not apply or changes nothing. */
    public Expr applyAt(Expr node, Work work) {
        Expr r = rewrite.at(node, work);
        return r == node ? null : r;
    }

    /** {@link #applyAt(Expr, Work)} without a budget. */
    public Expr applyAt(Expr node) {
        return applyAt(node, Work.unlimited());
    }
}
