package chainrule.train;

/**
 * Training stopped because the loss became NaN or infinite: the steps are diverging (or a value
 * overflowed). Carries the step and the advice the user needs; the CLI prints it as an error.
 * Meant to be the one place that words this stop, for full-batch and minibatch training alike.
 */
public final class NonFiniteLoss extends Exception {
    private final int step;
    private final double loss;

    public NonFiniteLoss(int step, double loss, double rate) {
        super("the loss became " + (Double.isNaN(loss) ? "NaN" : loss > 0 ? "+infinity" : "-infinity")
                + " at step " + step + "; training stopped. The steps are diverging: try a smaller --lr (now "
                + rate + ")", null, false, false);
        this.step = step;
        this.loss = loss;
    }

    /** Check after computing the loss at {@code step}. */
    public static void check(int step, double loss, double rate) throws NonFiniteLoss {
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLoss(step, loss, rate);
        }
    }

    public int step() { return step; }

    public double loss() { return loss; }
}
