package chainrule.diff;

import static chainrule.expr.Exprs.ONE;
import static chainrule.expr.Exprs.ZERO;
import static chainrule.expr.Exprs.add;
import static chainrule.expr.Exprs.div;
import static chainrule.expr.Exprs.mul;
import static chainrule.expr.Exprs.pow;
import static chainrule.expr.Exprs.sub;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbolic differentiation. The chain rule is written exactly once, in {@link #apply(Apply)}:
 * a function supplies only its local partial derivatives ({@link chainrule.expr.Fn#partial}).
 * Results are memoised per node, so a DAG is differentiated in time linear in its size.
 */
public final class Differentiator implements Expr.Visitor<Expr> {
    private final Sym wrt;
    private final Map<Expr, Expr> memo = new IdentityHashMap<>();

    private Differentiator(Sym wrt) {
        this.wrt = wrt;
    }

    /** d e / d wrt, normalised but not simplified further. */
    public static Expr derivative(Expr e, Sym wrt) {
        return new Differentiator(wrt).d(e);
    }

    private Expr d(Expr e) {
        Expr r = memo.get(e);
        if (r == null) {
            r = e.accept(this);
            memo.put(e, r);
        }
        return r;
    }

    @Override public Expr num(Num e) { return ZERO; }

    @Override public Expr sym(Sym e) { return e == wrt ? ONE : ZERO; }

    @Override
    public Expr sum(Sum e) {
        List<Expr> terms = new ArrayList<>(e.terms().size());
        for (Expr t : e.terms()) {
            terms.add(d(t));
        }
        return add(terms);
    }

    /** Product rule: Σ_i f_i' Π_{j≠i} f_j. */
    @Override
    public Expr product(Product e) {
        List<Expr> f = e.factors();
        List<Expr> terms = new ArrayList<>(f.size());
        for (int i = 0; i < f.size(); i++) {
            Expr di = d(f.get(i));
            if (di == ZERO) {
                continue;
            }
            List<Expr> factors = new ArrayList<>(f);
            factors.set(i, di);
            terms.add(mul(factors));
        }
        return add(terms);
    }

    @Override
    public Expr power(Power e) {
        Expr b = e.base();
        Expr x = e.exponent();
        Expr db = d(b);
        Expr dx = d(x);
        if (dx == ZERO) {
            // x * b^(x-1) * b'
            return db == ZERO ? ZERO : mul(x, pow(b, sub(x, ONE)), db);
        }
        Expr log = Exprs.apply(Primitive.LOG, b);
        if (db == ZERO) {
            // b^x * log(b) * x'
            return mul(e, log, dx);
        }
        // b^x * (x' log b + x b'/b)
        return mul(e, add(mul(dx, log), mul(x, div(db, b))));
    }

    /** The chain rule, once for every function: Σ_i ∂f/∂arg_i · arg_i'. */
    @Override
    public Expr apply(Apply e) {
        List<Expr> args = e.args();
        List<Expr> terms = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            Expr da = d(args.get(i));
            if (da != ZERO) {
                terms.add(mul(e.fn().partial(i, args, e), da));
            }
        }
        return add(terms);
    }
}
