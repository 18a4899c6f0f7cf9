package chainrule.simplify;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;

/**
 * What can be proved about an expression's sign from its shape alone, for every real value of its
 * names. Rules whose identity holds only on part of the real line (exp(log(u)) = u needs u &gt; 0)
 * use it as their guard. It is conservative: "don't know" is {@code false}.
 */
public final class Positivity {
    private Positivity() {}

    /** Deeper expressions are "don't know": the recursion is not memoised, and a DAG can be deep. */
    private static final int MAX_DEPTH = 32;

    /** Provably &gt; 0 wherever it is defined: 2, exp(u), sigmoid(u), 1 + u^2, exp(u)*sigmoid(v). */
    public static boolean isPositive(Expr e) {
        if (e.depth() > MAX_DEPTH) {
            return false;
        }
        if (e instanceof Num n) {
            return n.value() > 0;
        }
        if (e instanceof Apply a) {
            return range(a) == Primitive.Range.POSITIVE; // the table's facts
        }
        if (e instanceof Power p) {
            return isPositive(p.base());
        }
        if (e instanceof Product p) {
            for (Expr f : p.factors()) {
                if (!isPositive(f)) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Sum s) {
            boolean somePositive = false;
            for (Expr t : s.terms()) {
                if (!isNonNegative(t)) {
                    return false;
                }
                somePositive |= isPositive(t);
            }
            return somePositive;
        }
        return false;
    }

    /** Provably &ge; 0 wherever it is defined: the above, and u^2, abs(u), relu(u), sqrt(u), step(u). */
    public static boolean isNonNegative(Expr e) {
        if (e.depth() > MAX_DEPTH) {
            return false;
        }
        if (isPositive(e) || e instanceof Num n && n.value() == 0) {
            return true;
        }
        if (e instanceof Apply a) {
            return range(a) == Primitive.Range.NON_NEGATIVE;
        }
        if (e instanceof Power p) {
            return isEvenInteger(p.exponent()) || isNonNegative(p.base());
        }
        if (e instanceof Product p) {
            for (Expr f : p.factors()) {
                if (!isNonNegative(f)) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Sum s) {
            for (Expr t : s.terms()) {
                if (!isNonNegative(t)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** What the primitive table (or the vector table) states about a call's value; nothing for a user function. */
    private static Primitive.Range range(Apply a) {
        if (a.fn() instanceof chainrule.expr.VectorElement element) {
            return element.primitive().range();
        }
        return a.fn() instanceof Primitive p ? p.range() : Primitive.Range.ANY;
    }

    private static boolean isEvenInteger(Expr e) {
        return e instanceof Num n && n.isInteger() && n.value() % 2 == 0;
    }
}
