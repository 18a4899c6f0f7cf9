package chainrule.expr;

import java.util.List;

/** A numeric constant. {@code -0.0} is normalised to {@code 0.0}. */
public final class Num extends Node implements Expr {
    private final double value;

    Num(long id, double value) {
        super(id, List.of());
        this.value = value;
    }

    public double value() { return value; }

    public boolean isInteger() { return value == Math.rint(value) && !Double.isInfinite(value); }

    @Override public <R> R accept(Visitor<R> v) { return v.num(this); }
}
