package chainrule.expr;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Replaces subexpressions (by identity, which for interned expressions is equality). */
public final class Substitution {
    private Substitution() {}

    /** {@code e} with every occurrence of a key of {@code map} replaced by its value, renormalised. */
    public static Expr replace(Expr e, Map<? extends Expr, ? extends Expr> map) {
        if (map.isEmpty()) {
            return e;
        }
        return new Replacer(map::get).go(e);
    }

    /**
     * {@code e} with every subexpression for which {@code lookup} gives a value (not null) replaced
     * by it, renormalised: for a replacement computed on demand rather than listed in a map.
     */
    public static Expr replace(Expr e, Function<Expr, ? extends Expr> lookup) {
        return new Replacer(lookup).go(e);
    }

    private static final class Replacer implements Expr.Visitor<Expr> {
        private final Function<Expr, ? extends Expr> lookup;
        private final Map<Expr, Expr> memo = new IdentityHashMap<>();

        Replacer(Function<Expr, ? extends Expr> lookup) {
            this.lookup = lookup;
        }

        Expr go(Expr e) {
            Expr r = lookup.apply(e);
            if (r != null) {
                return r;
            }
            r = memo.get(e);
            if (r == null) {
                r = e.accept(this);
                memo.put(e, r);
            }
            return r;
        }

        private List<Expr> all(List<Expr> xs) {
            List<Expr> out = new ArrayList<>(xs.size());
            boolean changed = false;
            for (Expr x : xs) {
                Expr y = go(x);
                changed |= y != x;
                out.add(y);
            }
            return changed ? out : xs;
        }

        @Override public Expr num(Num e) { return e; }

        @Override public Expr sym(Sym e) { return e; }

        @Override public Expr sum(Sum e) {
            List<Expr> t = all(e.terms());
            return t == e.terms() ? e : Exprs.add(t);
        }

        @Override public Expr product(Product e) {
            List<Expr> f = all(e.factors());
            return f == e.factors() ? e : Exprs.mul(f);
        }

        @Override public Expr power(Power e) {
            Expr b = go(e.base());
            Expr x = go(e.exponent());
            return b == e.base() && x == e.exponent() ? e : Exprs.pow(b, x);
        }

        @Override public Expr apply(Apply e) {
            List<Expr> a = all(e.args());
            return a == e.args() ? e : Exprs.apply(e.fn(), a);
        }
    }
}
