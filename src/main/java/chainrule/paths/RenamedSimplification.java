package chainrule.paths;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.ExprOrder;
import chainrule.expr.Num;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.model.Symbols;
import chainrule.simplify.Simplifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Simplifier#simplify} for expressions that come in families alike up to their names: the
 * edge factors from the elements of a vector into one vertex ({@code ∂v/∂x1[i] =
 * 2·(x1[i] − v.mean)·S[1]/34} for i = 1..35), the same edges of the next vector ({@code x2[i]},
 * {@code v.mean2}, {@code S[2]}), and the closed forms built from them. An expression that is an
 * earlier one with its names renamed gets the earlier result with the same renaming, for the cost
 * of a walk and a substitution instead of a simplification ({@code grad} of a variance over three
 * vectors of 35: 6 simplifications instead of 111 edge factors and 109 closed forms, about 40 ms
 * of main-thread CPU in a cold run, docs/performance.md).
 *
 * <p>The result is the one simplifying would give, not merely an equal one. The simplifier reads
 * names only through their identity and the canonical order ({@link ExprOrder}, by kind and name):
 * its rules, budgets and costs look at shapes and numbers. So it does the same to two expressions
 * alike up to a renaming that is one-to-one, keeps each name's kind and keeps the order of every
 * two names present. Those three are checked; anything else is simplified.
 */
final class RenamedSimplification {
    /** Members remembered per shape; the oldest is forgotten past this. */
    private static final int PER_SHAPE = 4;

    /** Simplified expressions by the hash of their shape (names left out). */
    private final Map<Integer, List<Member>> byShape = new HashMap<>();

    /** A simplified expression, its result and the result's names. */
    private record Member(Expr expr, Expr simplified, java.util.Set<Sym> names) {}

    /** {@code Simplifier.simplify(e)}, or a remembered result renamed. */
    synchronized Expr simplify(Expr e) {
        int shape = shape(e, new IdentityHashMap<>());
        List<Member> members = byShape.computeIfAbsent(shape, k -> new ArrayList<>(1));
        for (Member m : members) {
            Map<Sym, Sym> renaming = renaming(m.expr(), e);
            if (renaming != null && renaming.keySet().containsAll(m.names())) {
                return Substitution.replace(m.simplified(), renaming);
            }
        }
        Expr simplified = Simplifier.simplify(e);
        if (members.size() == PER_SHAPE) {
            members.remove(0);
        }
        members.add(new Member(e, simplified, Symbols.free(simplified)));
        return simplified;
    }

    /** A hash of {@code e} that names' kinds enter but not the names. */
    private static int shape(Expr e, Map<Expr, Integer> memo) {
        Integer known = memo.get(e);
        if (known != null) {
            return known;
        }
        int h;
        if (e instanceof Sym s) {
            h = 0x51 + s.kind().ordinal();
        } else if (e instanceof Num) {
            h = e.hashCode(); // interned: one number, one node
        } else {
            h = e.getClass().hashCode();
            if (e instanceof Apply a) {
                h = h * 31 + a.fn().hashCode();
            }
            for (Expr c : e.children()) {
                h = h * 31 + shape(c, memo);
            }
        }
        memo.put(e, h);
        return h;
    }

    /**
     * The renaming that turns {@code from} into {@code to} when there is one that is one-to-one,
     * keeps kinds and keeps the canonical order of the names of {@code from}; else null.
     */
    static Map<Sym, Sym> renaming(Expr from, Expr to) {
        Map<Sym, Sym> names = new HashMap<>();
        if (!match(from, to, names, new IdentityHashMap<>())) {
            return null;
        }
        List<Sym> order = new ArrayList<>(names.keySet());
        order.sort(ExprOrder.FACTORS);
        for (int i = 1; i < order.size(); i++) {
            if (ExprOrder.FACTORS.compare(names.get(order.get(i - 1)), names.get(order.get(i))) >= 0) {
                return null; // not order-preserving (and so not one-to-one either)
            }
        }
        return names;
    }

    /** Whether {@code b} is {@code a} with names renamed consistently with {@code names} (which it extends). */
    private static boolean match(Expr a, Expr b, Map<Sym, Sym> names, Map<Expr, Expr> matched) {
        if (a instanceof Sym x) {
            if (!(b instanceof Sym y) || x.kind() != y.kind()) {
                return false;
            }
            Sym earlier = names.putIfAbsent(x, y);
            return earlier == null || earlier == y;
        }
        if (a instanceof Num || b instanceof Num) {
            return a == b;
        }
        Expr earlier = matched.get(a);
        if (earlier != null) {
            return earlier == b;
        }
        if (a.getClass() != b.getClass()
                || a instanceof Apply x && !x.fn().equals(((Apply) b).fn())) {
            return false;
        }
        List<Expr> ca = a.children();
        List<Expr> cb = b.children();
        if (ca.size() != cb.size()) {
            return false;
        }
        for (int i = 0; i < ca.size(); i++) {
            if (!match(ca.get(i), cb.get(i), names, matched)) {
                return false;
            }
        }
        matched.put(a, b);
        return true;
    }
}
