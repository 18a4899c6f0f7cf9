package chainrule.expr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** The numeric reference every derivative test compares against. */
public final class FiniteDifference {
    private FiniteDifference() {}

    /** Step for a point {@code x}: large enough for round-off, small enough for truncation. */
    public static double step(double x) {
        return 1e-4 * Math.max(1, Math.abs(x));
    }

    /** Fourth-order central difference: error O(h^4) plus round-off ~ eps·|f|/h. */
    public static double derivative(DoubleUnaryOperator f, double x) {
        return derivative(f, x, step(x));
    }

    /** {@link #derivative(DoubleUnaryOperator, double)} with step {@code h}. */
    public static double derivative(DoubleUnaryOperator f, double x, double h) {
        return (-f.applyAsDouble(x + 2 * h) + 8 * f.applyAsDouble(x + h)
                - 8 * f.applyAsDouble(x - h) + f.applyAsDouble(x - 2 * h)) / (12 * h);
    }

    /** Tolerance for comparing an exact derivative with {@link #derivative}: relative plus absolute. */
    public static double tolerance(double exact, double scaleOfF) {
        return 1e-6 * (1 + Math.abs(exact)) + 1e-10 * scaleOfF;
    }

    /**
     * Whether every kinked function (relu, abs, step, …) in {@code exprs} has its argument on one
     * side of the kink, with some margin, over the whole stencil around {@code point[wrt]}.
     */
    public static boolean awayFromKinks(List<Expr> exprs, Sym wrt, Map<String, Double> point) {
        List<Expr> kinkArgs = new ArrayList<>();
        for (Expr e : exprs) {
            collectKinkArgs(e, kinkArgs, new java.util.HashSet<>());
        }
        double x = point.get(wrt.name());
        double h = step(x);
        for (Expr arg : kinkArgs) {
            double sign = 0;
            for (int k = -3; k <= 3; k++) {
                Map<String, Double> p = new HashMap<>(point);
                p.put(wrt.name(), x + k * h);
                double v = Evaluator.evaluate(arg, p);
                if (!(Math.abs(v) > 1e-6)) {
                    return false;
                }
                if (sign != 0 && Math.signum(v) != sign) {
                    return false;
                }
                sign = Math.signum(v);
            }
        }
        return true;
    }

    private static void collectKinkArgs(Expr e, List<Expr> out, java.util.Set<Expr> seen) {
        if (!seen.add(e)) {
            return;
        }
        if (e instanceof Apply a && RandomExprs.isKinked(a.fn())) {
            out.add(a.arg(0));
        }
        for (Expr c : e.children()) {
            collectKinkArgs(c, out, seen);
        }
    }
}
