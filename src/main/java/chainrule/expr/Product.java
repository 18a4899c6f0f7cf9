package chainrule.expr;

import java.util.List;

/**
 * A product of at least two factors, flattened, powers of equal bases collected, in canonical
 * order. A numeric coefficient other than 1, if any, is the first factor. Where dividing by a
 * number is not exact in doubles, the divisor stays as a factor {@code m^-1} ({@code x/3}, {@code 2/3}).
 */
public final class Product extends Node implements Expr {
    private final List<Expr> factors;

    Product(long id, List<Expr> factors) {
        super(id, factors);
        this.factors = factors;
    }

    public List<Expr> factors() { return factors; }

    /** The numeric coefficient (1 when there is none). */
    public double coefficient() {
        return factors.get(0) instanceof Num n ? n.value() : 1.0;
    }

    /** The factors without the numeric coefficient. */
    public List<Expr> nonNumericFactors() {
        return factors.get(0) instanceof Num ? factors.subList(1, factors.size()) : factors;
    }

    @Override public <R> R accept(Visitor<R> v) { return v.product(this); }
}
