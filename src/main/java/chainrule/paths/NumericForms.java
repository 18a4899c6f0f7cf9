package chainrule.paths;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether an expression's edge factors need a numeric derivation of their own: it calls a built-in
 * whose numeric derivative differs from its printed one (σ′ = σ(x)·σ(−x), not σ·(1 − σ)), or one
 * whose derivative calls such a built-in (softplus′ = σ). In the second case the printed factor is
 * simplified with rules that are exact in algebra but cancel in floating point —
 * {@code (1 − t)·σ(z) − t·σ(−z)} becomes {@code σ(z) − t}, which is 0 at z = 40, t = 1 where the
 * derivative is −4.2e−18 — so numbers must come from the unsimplified derivative.
 */
final class NumericForms {
    private NumericForms() {}

    /** Per built-in: whether its derivative calls a built-in with a numeric form (softplus′ = σ). */
    private static final Map<Primitive, Boolean> DERIVATIVE_HAS_NUMERIC_FORM = new EnumMap<>(Primitive.class);

    static {
        for (Primitive p : Primitive.values()) {
            boolean found = false;
            List<Expr> args = new ArrayList<>();
            for (int i = 0; i < p.arity(); i++) {
                args.add(Exprs.sym("arg" + i, chainrule.expr.SymKind.PARAMETER));
            }
            if (p.arity() > 0) {
                Expr self = Exprs.apply(p, args);
                for (int i = 0; i < p.arity() && !found; i++) {
                    found = callsNumericForm(p.partial(i, args, self));
                }
            }
            DERIVATIVE_HAS_NUMERIC_FORM.put(p, found);
        }
    }

    private static boolean callsNumericForm(Expr e) {
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Expr> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Apply a && a.fn() instanceof Primitive p && p.hasNumericForm()) {
                return true;
            }
            for (Expr c : x.children()) {
                todo.push(c);
            }
        }
        return false;
    }

    static boolean differ(Expr e) {
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Expr> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Expr x = todo.pop();
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Apply a && a.fn() instanceof Primitive p
                    && (p.hasNumericForm() || DERIVATIVE_HAS_NUMERIC_FORM.get(p))) {
                return true;
            }
            for (Expr c : x.children()) {
                todo.push(c);
            }
        }
        return false;
    }
}
