package chainrule.expr;

import java.util.List;

/**
 * A sum of at least two terms, flattened, like terms collected, in canonical order, the constant
 * last (a number, or a lone exact fraction such as {@code 1/3}).
 */
public final class Sum extends Node implements Expr {
    private final List<Expr> terms;

    Sum(long id, List<Expr> terms) {
        super(id, terms);
        this.terms = terms;
    }

    public List<Expr> terms() { return terms; }

    @Override public <R> R accept(Visitor<R> v) { return v.sum(this); }
}
