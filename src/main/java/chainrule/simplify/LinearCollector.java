package chainrule.simplify;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds terms of the form {@code c·m} and {@code c·(c1·m1 + c2·m2 + …)} by summing coefficients per
 * monomial, the way {@link Exprs#add} expands a number times a sum, but without building an
 * expression for every expanded term first. The result is then handed to {@link Exprs#add}, so it
 * is in the same normal form.
 */
final class LinearCollector {
    private LinearCollector() {}

    /** One monomial's summed coefficient, and its only contribution's term while there is one. */
    private static final class Entry {
        Num coefficient = Exprs.ZERO;
        Expr sole;
        Num soleScale;
        int contributions;
    }

    /** The sum of {@code terms}, or null when the work budget runs out. */
    static Expr sum(List<Expr> terms, Work work) {
        long units = 0;
        for (Expr t : terms) {
            Expr rest = rest(t);
            units += rest instanceof Sum s ? s.terms().size() : 1;
        }
        if (!work.charge(units)) {
            return null;
        }
        Map<Expr, Entry> entries = new LinkedHashMap<>();
        for (Expr t : terms) {
            Num c = coefficient(t);
            Expr rest = rest(t);
            if (rest instanceof Sum s) {
                for (Expr u : s.terms()) {
                    Num cu = coefficient(u);
                    Expr m = rest(u);
                    add(entries, m, c.times(cu), u, c);
                }
            } else {
                add(entries, rest, c, t, Exprs.ONE);
            }
        }
        List<Expr> out = new ArrayList<>(entries.size());
        for (Map.Entry<Expr, Entry> e : entries.entrySet()) {
            Entry x = e.getValue();
            if (x.coefficient.isZero()) {
                continue;
            }
            if (x.contributions > 1) {
                out.add(Exprs.mul(x.coefficient, e.getKey()));
            } else {
                out.add(x.soleScale.isOne() ? x.sole : Exprs.mul(x.soleScale, x.sole));
            }
        }
        return Exprs.add(out);
    }

    private static void add(Map<Expr, Entry> entries, Expr monomial, Num c, Expr term, Num scale) {
        Entry x = entries.computeIfAbsent(monomial, k -> new Entry());
        x.coefficient = x.coefficient.plus(c); // exact: 18·(1/9) is 2, not 2.0000000000000004
        x.contributions++;
        x.sole = term; // built only if it stays alone
        x.soleScale = scale;
    }

    /** The numeric coefficient of a term (1 when it has none), exact as the term holds it. */
    private static Num coefficient(Expr t) {
        if (t instanceof Num n) {
            return n;
        }
        return t instanceof Product p && p.factors().get(0) instanceof Num n ? n : Exprs.ONE;
    }

    /** The term without its numeric coefficient (1 for a number). */
    private static Expr rest(Expr t) {
        if (t instanceof Num) {
            return Exprs.ONE;
        }
        if (t instanceof Product p && p.factors().get(0) instanceof Num) {
            List<Expr> f = p.factors();
            return f.size() == 2 ? f.get(1) : Exprs.mul(f.subList(1, f.size()));
        }
        return t;
    }
}
