package chainrule.compile;

/**
 * What a generated class implements. Not for direct use: {@link CompiledGradient} lays out the
 * work array and hands it in. Public so that generated classes can implement it.
 */
public interface GradientKernel {
    /** Runs the forward pass over {@code work} (declared values in its first slots); returns the loss. */
    double loss(double[] work);

    /** Forward pass and reverse accumulation; writes the gradient to {@code grad}; returns the loss. */
    double gradient(double[] work, double[] grad);
}
