package chainrule.simplify;

import chainrule.expr.Expr;

/**
 * A named rewrite rule: inspectable data, tested one rule at a time. {@link #rewrite} returns the
 * rewritten node, or null where the rule does not apply (its guard failed).
 */
public record Rule(String name, String description, Rewrite rewrite) {

    /** The rule's action at one node (children already simplified). */
    @FunctionalInterface
    public interface Rewrite {
        Expr at(Expr node);
    }

    /** Applies the rule at one node; null when it does not apply or changes nothing. */
    public Expr applyAt(Expr node) {
        Expr r = rewrite.at(node);
        return r == node ? null : r;
    }
}
