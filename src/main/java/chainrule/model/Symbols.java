package chainrule.model;

import chainrule.expr.Expr;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Free symbols of an expression, in first-occurrence order. */
public final class Symbols {
    private Symbols() {}

    public static Set<Sym> free(Expr e) {
        Set<Sym> out = new LinkedHashSet<>();
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Expr> stack = new ArrayList<>();
        stack.add(e);
        while (!stack.isEmpty()) {
            Expr x = stack.remove(stack.size() - 1);
            if (x instanceof Sym s) {
                out.add(s); // a set already: leaves need no "seen" entry of their own
                continue;
            }
            List<Expr> children = x.children();
            if (children.isEmpty() || !seen.add(x)) {
                continue;
            }
            for (int i = children.size() - 1; i >= 0; i--) {
                stack.add(children.get(i));
            }
        }
        return out;
    }
}
