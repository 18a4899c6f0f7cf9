package chainrule.flow;

/**
 * The gradient flow through one layer depth (see {@link GradientFlow} for the definitions).
 *
 * @param depth       1 for the layer nearest the loss
 * @param act         |액|: the activation-derivative factors of this depth; null if it has none (a linear layer)
 * @param weight      |웨|: the weight factors of this depth; null if it has none
 * @param product     |액·웨|: for each weight edge, its factor times the activation derivative that follows it
 * @param accumulated the product of the median |액·웨| of depths 1..depth: how much a typical path's
 *                    factor has shrunk or grown between the network's output and this depth
 * @param gradNorm    the L2 norm of ∂loss/∂p over the parameters p feeding this depth (0 if none)
 * @param deltaNorm   the L2 norm of ∂loss/∂(pre-activation) over this depth's pre-activations (들), the δ of
 *                    backpropagation; NaN if the depth has none (no weight edge)
 * @param parameters  how many parameters feed this depth
 */
public record LayerFlow(int depth, Magnitudes act, Magnitudes weight, Magnitudes product,
                        double accumulated, double gradNorm, double deltaNorm, int parameters) {}
