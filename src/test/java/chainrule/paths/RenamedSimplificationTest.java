package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.simplify.Simplifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RenamedSimplification} gives exactly what {@link Simplifier#simplify} gives (the same
 * interned expression, so the same printed form) for every member of a family, whether it renames
 * an earlier result or simplifies afresh; and it renames only where the canonical order of the
 * names is kept.
 */
class RenamedSimplificationTest {

    private static Sym p(String name) { return Exprs.sym(name, SymKind.PARAMETER); }

    private static Sym node(String name) { return Exprs.sym(name, SymKind.NODE); }

    /** The forms of a variance's edge factors and closed forms, and a few that rules rewrite. */
    private static List<Expr> family(String vector, String mean, String scale, int i) {
        Expr x = p(vector + "[" + i + "]");
        Expr m = node(mean);
        Expr s = p(scale);
        Expr two = Exprs.num(2);
        List<Expr> out = new ArrayList<>();
        out.add(Exprs.div(Exprs.mul(two, Exprs.mul(Exprs.sub(x, m), s)), Exprs.num(34))); // ∂v/∂x[i]
        out.add(Exprs.mul(Exprs.neg(two), Exprs.sub(m, x))); // reversed difference
        out.add(Exprs.sub(Exprs.mul(x, Exprs.apply(Primitive.SIGMOID, x)), Exprs.mul(x, Exprs.apply(Primitive.SIGMOID, x))));
        out.add(Exprs.div(Exprs.sub(Exprs.pow(x, two), Exprs.pow(m, two)), Exprs.sub(x, m))); // cancels to x + m
        out.add(Exprs.add(Exprs.mul(s, Exprs.pow(Exprs.sub(x, m), two)), Exprs.mul(Exprs.mul(two, s), Exprs.sub(x, m))));
        List<Expr> squares = new ArrayList<>();
        for (int k = 1; k <= 6; k++) {
            squares.add(Exprs.pow(Exprs.sub(p(vector + "[" + k + "]"), m), two));
        }
        out.add(Exprs.div(Exprs.mul(s, Exprs.add(squares)), Exprs.num(10))); // ∂v/∂S: no i
        return out;
    }

    @Test
    void everyMemberIsWhatSimplifyingItGives() {
        RenamedSimplification memo = new RenamedSimplification();
        // x1[1..9], then x2 (another vector, mean and scale), then names that sort before the
        // mean ("a[i]" < "v.mean"), whose order against it is not the first member's
        for (String[] names : new String[][] {{"x1", "v.mean", "S1"}, {"x2", "v.mean2", "S2"}, {"a", "v.mean", "S1"}}) {
            for (int i = 1; i <= 9; i++) {
                for (Expr e : family(names[0], names[1], names[2], i)) {
                    assertSame(Simplifier.simplify(e), memo.simplify(e), e.toString());
                }
            }
        }
    }

    @Test
    void renamesOnlyKeepingTheOrderOfTheNames() {
        Expr m = node("v.mean");
        Expr x = Exprs.sub(p("x[1]"), m);
        assertNotNull(RenamedSimplification.renaming(x, Exprs.sub(p("x[2]"), m)));
        assertNotNull(RenamedSimplification.renaming(x, Exprs.sub(p("y[2]"), node("w.mean"))));
        // a[1] sorts before m where x[1] sorts after it (a call's arguments keep their places, so
        // the shapes match): a rule comparing them might act otherwise
        Primitive fn = Primitive.byName("max").orElseThrow();
        Expr max = Exprs.apply(fn, p("x[1]"), p("m"));
        assertNotNull(RenamedSimplification.renaming(max, Exprs.apply(fn, p("x[2]"), p("m"))));
        assertNull(RenamedSimplification.renaming(max, Exprs.apply(fn, p("a[1]"), p("m"))));
        // not one to one: two names onto one
        assertNull(RenamedSimplification.renaming(Exprs.add(p("x[1]"), p("x[2]")), Exprs.mul(Exprs.num(2), p("x[1]"))));
        // another kind of name
        assertNull(RenamedSimplification.renaming(x, Exprs.sub(Exprs.sym("x[2]", SymKind.DATA), m)));
        // another number
        assertNull(RenamedSimplification.renaming(Exprs.mul(Exprs.num(2), p("x[1]")), Exprs.mul(Exprs.num(3), p("x[1]"))));
    }
}
