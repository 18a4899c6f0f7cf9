package chainrule.compile;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiled gradient against central finite differences, one row per parameter.
 *
 * <p>The step for a parameter of value w is h = cbrt(ε)·max(1, |w|), which balances the O(h²)
 * truncation error of a central difference against its O(ε/h) rounding error. A row passes when
 * the relative error |a − n| / max(|a|, |n|, tiny) is at most {@link #TOLERANCE}, or when |a − n|
 * is within the rounding noise of the difference quotient (so that gradients that are zero up to
 * rounding do not fail). Where a relu, leaky_relu or abs argument crosses 0 within the step, the
 * loss has a kink there and the central difference means nothing: the row passes when the analytic
 * value lies between the two one-sided differences, and is marked as a kink.
 */
public final class GradientCheck {
    /** Largest accepted relative error. */
    public static final double TOLERANCE = 1e-5;

    private static final double EPS = Math.ulp(1.0);
    private static final double STEP = Math.cbrt(EPS);
    private static final double TINY = Double.MIN_NORMAL;

    private GradientCheck() {}

    /** One parameter's comparison. {@code numeric} is the central difference. */
    public record Row(String name, double analytic, double numeric, double relativeError, boolean ok, boolean kink,
                      double leftDifference, double rightDifference) {}

    /** Checks every parameter at the declared values {@code declared}. */
    public static List<Row> run(Objective objective, double[] declared) {
        return run(objective, declared, java.util.stream.IntStream.range(0, objective.compiled().parameters().size()).toArray());
    }

    /**
     * Checks the parameters at positions {@code which} (in the order of
     * {@link CompiledGradient#parameters()}) at the declared values {@code declared}: one gradient,
     * then two forward passes per checked parameter.
     */
    public static List<Row> run(Objective objective, double[] declared, int[] which) {
        CompiledGradient g = objective.compiled();
        double[] grad = new double[g.parameters().size()];
        double f0 = objective.gradient(declared, grad);
        int[] index = g.parameterIndices();
        List<Row> rows = new ArrayList<>();
        double[] x = declared.clone();
        double[] high = declared.clone(); // reused: a copy per parameter is 800 KB at 784-128-10
        for (int i : which) {
            double w = declared[index[i]];
            double h = STEP * Math.max(1.0, Math.abs(w));
            double up = w + h;
            double down = w - h;
            x[index[i]] = up;
            double fUp = objective.loss(x);
            high[index[i]] = up;
            x[index[i]] = down;
            double fDown = objective.loss(x);
            boolean kink = objective.kinkBetween(x, high);
            x[index[i]] = w;
            high[index[i]] = w;
            rows.add(row(g.parameters().get(i), grad[i], f0, fUp, fDown, up - w, w - down, kink));
        }
        return rows;
    }

    private static Row row(String name, double a, double f0, double fUp, double fDown, double hUp, double hDown,
                           boolean kink) {
        double right = (fUp - f0) / hUp;
        double left = (f0 - fDown) / hDown;
        // at the edge of a domain (sqrt(w) at w = 0) one side is not defined: the derivative there
        // is the one-sided one, as the analytic value (a zero adjoint skips the infinite edge) is
        double numeric = Double.isFinite(f0) && Double.isFinite(fUp) && !Double.isFinite(fDown) ? right
                : Double.isFinite(f0) && Double.isFinite(fDown) && !Double.isFinite(fUp) ? left
                : (fUp - fDown) / (hUp + hDown);
        if (!Double.isFinite(fDown)) {
            fDown = f0; // the noise estimate below
        }
        if (!Double.isFinite(fUp)) {
            fUp = f0;
        }
        double noise = 8 * EPS * (Math.abs(fUp) + Math.abs(fDown) + Math.abs(f0)) / Math.min(hUp, hDown);
        double rel = relativeError(a, numeric);
        boolean ok = rel <= TOLERANCE || Math.abs(a - numeric) <= noise;
        if (kink) {
            double lo = Math.min(left, right);
            double hi = Math.max(left, right);
            double slack = TOLERANCE * Math.max(Math.abs(lo), Math.abs(hi)) + noise;
            ok = ok || (a >= lo - slack && a <= hi + slack);
        }
        return new Row(name, a, numeric, rel, ok, kink, left, right);
    }

    /** |a − n| / max(|a|, |n|, tiny); 0 when both are 0. */
    public static double relativeError(double a, double n) {
        if (a == n) {
            return 0;
        }
        return Math.abs(a - n) / Math.max(Math.max(Math.abs(a), Math.abs(n)), TINY);
    }
}
