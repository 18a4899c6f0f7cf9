package chainrule.model;

import chainrule.expr.Apply;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.UserFunction;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether an expression can be infinite where every value it reads is finite: it divides (a power
 * with a negative or symbolic exponent: {@code 1/p}, {@code sqrt′ = 1/(2·sqrt)}, {@code log′},
 * {@code x^y}'s derivative, but not {@code e^y}) or calls a user function whose body does. Where none of this occurs,
 * a derivative is finite wherever the forward values are, so it can never need a limit
 * (docs/hardening.md, "Removable singularities"); used by paths.Limits and the code generators.
 */
public final class Divisions {
    private Divisions() {}

    public static boolean mayDivide(Expr e) {
        return mayDivide(e, new HashSet<>());
    }

    private static boolean mayDivide(Expr e, Set<Expr> seen) {
        if (!seen.add(e)) {
            return false;
        }
        if (e instanceof Power w && !(w.exponent() instanceof Num n && n.value() >= 0) && !positiveConstant(w.base())) {
            return true;
        }
        // a user function (or its derivative, itself a user function) may divide where its body does
        if (e instanceof Apply a && a.fn() instanceof UserFunction f && mayDivide(f.body(), seen)) {
            return true;
        }
        for (Expr c : e.children()) {
            if (mayDivide(c, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A positive number, {@code e} or {@code pi}: {@code b^y} and its derivative {@code b^y·log(b)}
     * are finite wherever y is ({@code e^x} is {@code exp(x)}), whatever the sign of y.
     */
    private static boolean positiveConstant(Expr b) {
        if (b instanceof Num n) {
            return n.value() > 0;
        }
        return b instanceof Apply a && a.args().isEmpty() && Evaluator.evaluate(a, java.util.Map.of()) > 0;
    }
}
