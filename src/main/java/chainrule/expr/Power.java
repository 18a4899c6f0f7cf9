package chainrule.expr;

import java.util.List;

/** {@code base ^ exponent}; {@code a/b} is represented as {@code a * b^-1}. */
public final class Power extends Node implements Expr {
    private final Expr base;
    private final Expr exponent;

    Power(long id, Expr base, Expr exponent) {
        super(id, List.of(base, exponent));
        this.base = base;
        this.exponent = exponent;
    }

    public Expr base() { return base; }

    public Expr exponent() { return exponent; }

    @Override public <R> R accept(Visitor<R> v) { return v.power(this); }
}
