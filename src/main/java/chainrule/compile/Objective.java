package chainrule.compile;

/**
 * A loss as a function of the declared values, with its gradient: one sample (the file's values)
 * or the mean over a data set. Implementations are thread-safe.
 */
public interface Objective {
    /** The compiled network this objective evaluates. */
    CompiledGradient compiled();

    /** The loss at {@code declared} (values in the order of {@link CompiledGradient#declaredNames()}). */
    double loss(double[] declared);

    /** The loss at {@code declared}; the gradient with respect to every parameter goes to {@code gradOut}. */
    double gradient(double[] declared, double[] gradOut);

    /**
     * Whether some relu, leaky_relu or abs argument that differs at {@code low} and {@code high} has
     * 0 between its two values, inclusive: whether the loss may have a kink between the two points.
     */
    boolean kinkBetween(double[] low, double[] high);

    /** The objective of a single sample: the declared values as given. */
    static Objective single(CompiledGradient compiled) {
        return new SingleSample(compiled);
    }

    /** {@link #kinkBetween} for one sample, evaluated in the given workspaces. */
    static boolean kinkBetween(CompiledGradient.Workspace atLow, CompiledGradient.Workspace atHigh) {
        atLow.loss();
        atHigh.loss();
        double[] a = atLow.kinkArguments();
        double[] b = atHigh.kinkArguments();
        for (int i = 0; i < a.length; i++) {
            // an argument the step does not move (relu(w*x) at w = 0 while another parameter moves) is no kink of this row
            if (a[i] != b[i] && Math.min(a[i], b[i]) <= 0 && Math.max(a[i], b[i]) >= 0) {
                return true;
            }
        }
        return false;
    }
}
