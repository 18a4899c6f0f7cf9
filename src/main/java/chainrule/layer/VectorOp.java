package chainrule.layer;

import java.util.List;

/** An op from one vector to a vector of the same shape ({@code softmax}, {@code log_softmax}). */
abstract class VectorOp extends Node {
    final Node input;

    VectorOp(int id, Node input) {
        super(id, input.shape);
        this.input = input;
    }

    @Override List<Node> inputs() { return List.of(input); }
}
