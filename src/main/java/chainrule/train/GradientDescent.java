package chainrule.train;

import chainrule.compile.Objective;

/**
 * Plain gradient descent: each step evaluates the loss and gradient at the current values and moves
 * every trainable parameter by {@code -rate · gradient}. Frozen parameters keep their values. A
 * gradient or a parameter that stops being finite stops it ({@link NonFiniteLoss}); the loss is
 * checked by the {@link Progress} it is told to.
 */
public final class GradientDescent {
    private GradientDescent() {}

    /** Told the loss before each step (step 0 is the starting point) and once more at the end. */
    @FunctionalInterface
    public interface Progress {
        void step(int step, int steps, double loss);
    }

    /**
     * @param declared the starting values (layout of the compiled network's declared names); not modified
     * @param values   the values after training
     * @param loss     the loss at {@code values}, after the last step
     */
    public record Result(double[] declared, double[] values, double loss, int steps) {}

    /**
     * Runs {@code steps} steps of size {@code rate}. {@code frozen[i]} keeps parameter {@code i}
     * (in the order of {@link chainrule.compile.CompiledGradient#parameters()}) fixed.
     */
    public static Result run(Objective objective, double[] declared, double rate, int steps, boolean[] frozen,
                             Progress progress) throws NonFiniteLoss {
        double[] x = declared.clone();
        int[] index = objective.compiled().parameterIndices();
        double[] grad = new double[index.length];
        for (int s = 0; s < steps; s++) {
            double loss = objective.gradient(x, grad);
            progress.step(s, steps, loss);
            NonFiniteLoss.checkGradient(s, loss, grad, frozen, objective.compiled().parameters(), x, rate);
            for (int i = 0; i < index.length; i++) {
                if (!frozen[i]) {
                    x[index[i]] -= rate * grad[i];
                }
            }
            NonFiniteLoss.checkValues(s, x, index, objective.compiled().parameters(), rate);
        }
        double loss = objective.loss(x);
        progress.step(steps, steps, loss);
        return new Result(declared, x, loss, steps);
    }
}
