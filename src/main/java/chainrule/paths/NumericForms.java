package chainrule.paths;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Primitive;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/** Whether an expression calls a built-in whose numeric derivative differs from its printed one. */
final class NumericForms {
    private NumericForms() {}

    static boolean differ(Expr e) {
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
}
