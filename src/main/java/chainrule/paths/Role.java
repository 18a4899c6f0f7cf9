package chainrule.paths;

/**
 * What an edge factor is, in the words of LANGUAGE.md and of the book. Along a path from a weight to
 * the loss the factors read: the input the weight multiplies (나 of the layer before), then per
 * layer an activation derivative (액) and a weight (웨), and last the loss derivative.
 */
public enum Role {
    /** ∂(pre-activation)/∂(parameter): what the weight multiplies, 1 for a bias. */
    INPUT("input", "나"),
    /** ∂(activation)/∂(pre-activation): σ′, tanh′, relu′, ... */
    ACTIVATION("activation", "액"),
    /** ∂(pre-activation)/∂(previous activation): a weight. */
    WEIGHT("weight", "웨"),
    /** ∂(loss)/∂(the vertex it is computed from). */
    LOSS("loss", "∂L/∂나"),
    /** Any other local derivative. */
    LOCAL("local", "국소");

    private final String label;
    private final String bookLabel;

    Role(String label, String bookLabel) {
        this.label = label;
        this.bookLabel = bookLabel;
    }

    /** The label in JSON and in the default notation. */
    public String label() { return label; }

    /** The label with {@code --notation book}. */
    public String bookLabel() { return bookLabel; }
}
