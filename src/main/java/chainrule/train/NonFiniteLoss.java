package chainrule.train;

/**
 * Training stopped because the loss, an entry of the gradient, or a parameter became NaN or
 * infinite. Carries the step, what went wrong, the values it happened at and the advice the user
 * needs; the CLI prints it as an error, and nothing is written. Meant to be the one place that
 * words this stop, for full-batch and minibatch training alike.
 *
 * <p>At step 0 nothing has moved yet: a non-finite loss or gradient there comes from the starting
 * values or the data, never from the learning rate, and is worded so. Later, it is the steps
 * diverging (or, for a gradient, possibly one row of the data: the CLI looks for it).
 */
public final class NonFiniteLoss extends Exception {
    /** What stopped being finite. */
    public enum Kind { LOSS, GRADIENT, PARAMETER }

    private final Kind kind;
    private final int step;
    private final double value;
    private final String parameter;
    private final double[] values;

    private NonFiniteLoss(Kind kind, int step, double value, String parameter, double[] values, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.step = step;
        this.value = value;
        this.parameter = parameter;
        this.values = values;
    }

    public NonFiniteLoss(int step, double loss, double rate) {
        this(Kind.LOSS, step, loss, null, null, lossMessage(step, loss, rate));
    }

    private static String lossMessage(int step, double loss, double rate) {
        if (step == 0) {
            return "the loss is " + word(loss) + " at step 0, at the starting values, before any step: the network's"
                    + " values or the data give it, not the learning rate; training stopped, nothing written";
        }
        return "the loss became " + word(loss) + " at step " + step + "; training stopped. Nothing was written. The steps"
                + " are diverging: try a smaller --lr (now " + chainrule.expr.Numbers.exact(rate) + ")";
    }

    /** "NaN", "+infinity" or "-infinity". */
    static String word(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";
    }

    /** Check after computing the loss at {@code step}. */
    public static void check(int step, double loss, double rate) throws NonFiniteLoss {
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLoss(step, loss, rate);
        }
    }

    /**
     * Check the gradient computed at {@code step} (at {@code x}, declared layout), entry {@code i}
     * for the parameter named {@code names.get(i)}, before it moves anything ({@code frozen[i]}: not checked).
     */
    public static void checkGradient(int step, double loss, double[] grad, boolean[] frozen, java.util.List<String> names,
                                     double[] x, double rate) throws NonFiniteLoss {
        for (int i = 0; i < grad.length; i++) {
            if (!Double.isFinite(grad[i]) && !frozen[i]) { // a frozen parameter's gradient moves nothing
                String name = names.get(i);
                String where = step == 0
                        ? " at step 0, at the starting values, before any step (the loss is " + chainrule.expr.Numbers.text(loss) + "): the network's"
                                + " values or the data give it, not the learning rate"
                        : " at step " + step + " (the loss is " + chainrule.expr.Numbers.text(loss) + "): the steps are diverging, or a row of the data"
                                + " makes it so; try a smaller --lr (now " + chainrule.expr.Numbers.exact(rate) + ")";
                throw new NonFiniteLoss(Kind.GRADIENT, step, grad[i], name, x.clone(),
                        "the gradient of the loss with respect to " + name + " is " + word(grad[i]) + where
                                + "; training stopped, nothing written");
            }
        }
    }

    /**
     * Check the parameters after the update of step {@code step} moved them ({@code index[i]} is parameter
     * {@code i}'s position in {@code x}): a finite gradient times the rate can still overflow.
     */
    public static void checkValues(int step, double[] x, int[] index, java.util.List<String> names, double rate)
            throws NonFiniteLoss {
        for (int i = 0; i < index.length; i++) {
            double v = x[index[i]];
            if (!Double.isFinite(v)) {
                throw new NonFiniteLoss(Kind.PARAMETER, step, v, names.get(i), x.clone(),
                        names.get(i) + " became " + word(v) + " at step " + step + " (its step overflowed); training"
                                + " stopped. Nothing was written. The steps are diverging: try a smaller --lr (now " + chainrule.expr.Numbers.exact(rate) + ")");
            }
        }
    }

    public Kind kind() { return kind; }

    public int step() { return step; }

    /** The non-finite value: the loss, the gradient's entry or the parameter's value. */
    public double value() { return value; }

    /** The parameter whose gradient or value is not finite (null for the loss). */
    public String parameter() { return parameter; }

    /** The declared values where the gradient was computed or the parameter moved to (null for the loss). */
    public double[] values() { return values == null ? null : values.clone(); }
}
