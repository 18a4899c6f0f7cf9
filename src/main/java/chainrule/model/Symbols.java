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
            if (!seen.add(x)) {
                continue;
            }
            if (x instanceof Sym s) {
                out.add(s);
            }
            List<Expr> children = x.children();
            for (int i = children.size() - 1; i >= 0; i--) {
                stack.add(children.get(i));
            }
        }
        return out;
    }
}
