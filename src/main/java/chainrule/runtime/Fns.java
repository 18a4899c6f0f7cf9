package chainrule.runtime;

/**
 * Numerically stable implementations of the built-in functions. Compiled gradient classes call
 * these with {@code invokestatic}; the interpreter calls them directly, so both agree to the bit.
 * They are public and static because generated classes in another class loader reach them.
 */
public final class Fns {
    private Fns() {}

    /** 1/(1+e^-x), never overflowing: for x &lt; 0 it is computed as e^x/(1+e^x). */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    public static double tanh(double x) { return Math.tanh(x); }

    public static double relu(double x) { return x > 0 ? x : 0.0; }

    /** The derivative of relu: 1 where x &gt; 0, else 0 (0 at the kink, as LANGUAGE.md fixes). */
    public static double step(double x) { return x > 0 ? 1.0 : 0.0; }

    public static double leakyRelu(double x, double a) { return x > 0 ? x : a * x; }

    /** The derivative of leaky_relu with respect to x: 1 where x &gt; 0, else a. */
    public static double leakyStep(double x, double a) { return x > 0 ? 1.0 : a; }

    /** log(1+e^x) without overflow for large x or loss of precision for very negative x. */
    public static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    public static double exp(double x) { return Math.exp(x); }

    public static double log(double x) { return Math.log(x); }

    public static double sqrt(double x) { return Math.sqrt(x); }

    public static double abs(double x) { return Math.abs(x); }

    /** Sign with sign(0) = 0, which makes abs'(0) = 0. */
    public static double sign(double x) { return Math.signum(x); }

    public static double sin(double x) { return Math.sin(x); }

    public static double cos(double x) { return Math.cos(x); }

    public static double tan(double x) { return Math.tan(x); }

    public static double atan(double x) { return Math.atan(x); }

    public static double asin(double x) { return Math.asin(x); }

    public static double acos(double x) { return Math.acos(x); }

    public static double sinh(double x) { return Math.sinh(x); }

    public static double cosh(double x) { return Math.cosh(x); }

    private static final double LN2 = 0.6931471805599453;

    /**
     * The inverse hyperbolic sine, odd and accurate to a few ulps: log1p(a + a²/(1 + √(1 + a²)))
     * for |x| = a up to 1e8 (no cancellation near 0), log(a) + log 2 beyond (a² would overflow).
     */
    public static double asinh(double x) {
        double a = Math.abs(x);
        double r;
        if (a > 1e8) {
            r = Math.log(a) + LN2;
        } else {
            double t = a * a;
            r = Math.log1p(a + t / (1.0 + Math.sqrt(1.0 + t)));
        }
        return Math.copySign(r, x);
    }

    /** The inverse hyperbolic cosine: nan below 1; log1p(t + √(2t + t²)) with t = x − 1 exact near 1. */
    public static double acosh(double x) {
        if (!(x >= 1.0)) {
            return Double.NaN;
        }
        if (x > 1e8) {
            return Math.log(x) + LN2;
        }
        double t = x - 1.0;
        return Math.log1p(t + Math.sqrt(2.0 * t + t * t));
    }

    /** The inverse hyperbolic tangent: ½·log1p(2a/(1 − a)), ±inf at ±1, nan beyond. */
    public static double atanh(double x) {
        double a = Math.abs(x);
        if (a > 1.0) {
            return Double.NaN;
        }
        if (a == 1.0) {
            return Math.copySign(Double.POSITIVE_INFINITY, x);
        }
        return Math.copySign(0.5 * Math.log1p(2.0 * a / (1.0 - a)), x);
    }

    public static double log2(double x) { return Math.log(x) / LN2; }

    public static double log10(double x) { return Math.log10(x); }

    /**
     * The error function, to about an ulp. With a = |x| and e^(−a²) computed from a² split exactly
     * into hi + lo (fma), so that it keeps its digits:
     * <ul>
     * <li>below 2, the series erf(a) = (2/√π)·e^(−a²)·Σ (2a²)ⁿ·a/(1·3·…·(2n + 1)), whose terms
     *     are all positive (no cancellation, unlike the Taylor series in powers of −a²);
     * <li>from 2 to 6, 1 − erfc(a), with erfc(a) = e^(−a²)/√π / (a + (1/2)/(a + 1/(a + (3/2)/(a + …))))
     *     by Lentz's continued-fraction method (erfc ≤ 0.005 there, so its rounding barely reaches erf);
     * <li>from 6 on, 1 to double precision (1 − erf(6) ≈ 2e−17).
     * </ul>
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 6.0) {
            return Math.copySign(1.0, x);
        }
        double hi = a * a;
        double lo = Math.fma(a, a, -hi);
        double g = Math.exp(-hi) * (1.0 - lo);
        double r;
        if (a < 2.0) {
            double t = a;
            double s = a;
            for (int n = 1; n < 100 && t > 1e-17 * s; n++) {
                t *= 2.0 * hi / (2 * n + 1);
                s += t;
            }
            r = TWO_OVER_SQRT_PI * g * s;
        } else {
            double f = a;
            double c = a;
            double d = 0.0;
            for (int k = 1; k < 500; k++) {
                double ak = 0.5 * k;
                d = 1.0 / (a + ak * d);
                c = a + ak / c;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1.0) < 1e-16) {
                    break;
                }
            }
            r = 1.0 - g / (SQRT_PI * f);
        }
        return Math.copySign(Math.min(1.0, r), x);
    }

    private static final double SQRT_PI = 1.7724538509055159;

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /** The larger of a and b (nan if either is). */
    public static double max(double a, double b) { return a >= b || a != a ? a : b; }

    /** The smaller of a and b (nan if either is). */
    public static double min(double a, double b) { return a <= b || a != a ? a : b; }

    /** The Heaviside step with H(0) = ½: max's and min's derivative, splitting a tie evenly. */
    public static double heaviside(double x) { return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? 0.5 : x; }

    public static double pi() { return Math.PI; }

    public static double e() { return Math.E; }

    public static double pow(double b, double e) {
        if (e == 2.0) {
            return b * b;
        }
        return Math.pow(b, e);
    }

    /**
     * Element {@code j} of softmax(z), stable for large inputs: the maximum is subtracted before
     * exponentiating, so no exp overflows and the largest term is exactly 1.
     */
    public static double softmax(double[] z, int j) {
        double max = max(z);
        return Math.exp(z[j] - max) / sumExp(z, max);
    }

    /**
     * Element {@code j} of log(softmax(z)) computed as {@code z_j - max - log Σ exp(z_k - max)}:
     * finite wherever the inputs are, even where softmax(z)_j itself underflows to 0.
     */
    public static double logSoftmax(double[] z, int j) {
        double max = max(z);
        return z[j] - max - Math.log(sumExp(z, max));
    }

    private static double max(double[] z) {
        double m = z[0];
        for (double x : z) {
            if (x > m) {
                m = x;
            }
        }
        return m;
    }

    private static double sumExp(double[] z, double max) {
        double s = 0.0;
        for (double x : z) {
            s += Math.exp(x - max);
        }
        return s;
    }
}
