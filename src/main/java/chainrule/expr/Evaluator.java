package chainrule.expr;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The reference interpreter: evaluates an expression to a double. Shared subterms are evaluated
 * once per call. The compiled code is checked against this.
 */
public final class Evaluator implements Expr.Visitor<Double> {
    private final ToDoubleFunction<Sym> env;
    private final Map<Expr, Double> memo = new IdentityHashMap<>();

    /**
     * Arithmetic on a few names and numbers only (a weight times an input): not remembered, since
     * evaluating it again costs no more than a lookup, so sharing cannot make the work grow; a
     * layer's pre-activation has hundreds of them. (A call is always remembered: a user function's
     * body is not part of the expression's size.)
     */
    private static boolean isSmallArithmetic(Expr e) {
        if (!(e instanceof Product || e instanceof Sum || e instanceof Power) || e.treeSize() > 9) {
            return false;
        }
        for (Expr c : e.children()) {
            if (!(c instanceof Num || c instanceof Sym)) {
                return false;
            }
        }
        return true;
    }

    private Evaluator(ToDoubleFunction<Sym> env) {
        this.env = env;
    }

    /** Evaluates {@code e}; {@code env} gives every free symbol's value (or throws). */
    public static double evaluate(Expr e, ToDoubleFunction<Sym> env) {
        if (e instanceof Num n) {
            return n.value();
        }
        if (e instanceof Sym s) {
            return env.applyAsDouble(s); // most edge factors: no memo table needed
        }
        return new Evaluator(env).eval(e);
    }

    /** Evaluates {@code e} with values looked up by name; names absent from the map throw. */
    public static double evaluate(Expr e, Map<String, Double> values) {
        return evaluate(e, sym -> {
            Double v = values.get(sym.name());
            if (v == null) {
                throw new MissingValueException(sym.name());
            }
            return v;
        });
    }

    /** Thrown when a name has no value; callers turn it into a diagnostic. */
    public static final class MissingValueException extends RuntimeException {
        private final String name;

        public MissingValueException(String name) {
            super("no value for " + name, null, false, false);
            this.name = name;
        }

        public String name() { return name; }
    }

    private double eval(Expr e) {
        if (e instanceof Num n) {
            return n.value();
        }
        if (e instanceof Sym s) {
            return env.applyAsDouble(s); // a lookup already: remembering it would only cost another
        }
        if (isSmallArithmetic(e)) {
            return e.accept(this); // cheaper to compute again than to look up, however often it is shared
        }
        Double v = memo.get(e);
        if (v == null) {
            v = e.accept(this);
            memo.put(e, v);
        }
        return v;
    }

    @Override public Double num(Num e) { return e.value(); }

    @Override public Double sym(Sym e) { return env.applyAsDouble(e); }

    @Override
    public Double sum(Sum e) {
        double s = 0;
        for (Expr t : e.terms()) {
            s += eval(t);
        }
        return s;
    }

    @Override
    public Double product(Product e) {
        if (!QuotientEntry.divides(e)) {
            double p = 1;
            for (Expr f : e.factors()) {
                p *= eval(f);
            }
            return p;
        }
        List<Expr> operands = QuotientEntry.operands(e);
        return QuotientEntry.fold(e, new QuotientEntry.Operations<Double>() { // a true division (QuotientEntry)
            @Override public Double one() { return 1.0; }

            @Override public Double operand(int k) { return eval(operands.get(k)); }

            @Override public Double times(Double a, Double b) { return a * b; }

            @Override public Double over(Double a, Double b) { return a / b; }
        });
    }

    @Override
    public Double power(Power e) {
        return PowerEntry.value(eval(e.base()), eval(e.exponent())); // the power entry's value
    }

    @Override
    public Double apply(Apply e) {
        List<Expr> args = e.args();
        double[] a = new double[args.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = eval(args.get(i));
        }
        return e.fn().value(a);
    }
}
