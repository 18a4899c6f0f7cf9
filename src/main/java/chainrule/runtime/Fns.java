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
