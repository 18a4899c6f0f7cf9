package chainrule.layer;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Sym;
import java.util.List;

/**
 * One value of a {@link LayerProgram}: a declared array or the output of an op. Each op class is
 * one entry of the op table: it states its forward value, its backward rule (the vector-Jacobian
 * product: how the output's adjoint δ reaches the inputs' adjoints) and lowers both to loops,
 * side by side.
 *
 * <p>Slices of the work array are assigned by the program: the value at {@link #offset} ({@link
 * #size} elements, row-major), the adjoint at {@link #adjoint} when the value depends on a
 * parameter (a parameter's adjoint is its slice of the gradient array).
 */
abstract class Node {
    final int id;
    final List<Integer> shape;
    final int size;
    /** The symbol standing for one element of this value inside elementwise expressions. */
    final Sym symbol;
    int offset = -1;
    LoopWriter.Slice adjoint;

    Node(int id, List<Integer> shape) {
        this.id = id;
        this.shape = List.copyOf(shape);
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
        this.symbol = Exprs.local("\u0000v" + id);
    }

    /** The values this one is computed from. */
    abstract List<Node> inputs();

    /** Work slots needed besides the value itself (kept for the backward pass). */
    int extraSlots() { return 0; }

    /** Whether the value depends on a parameter (so it has an adjoint). */
    boolean active() { return adjoint != null; }

    /** Whether this value is a declared parameter (its adjoint is in the gradient array). */
    boolean isParameter() { return false; }

    boolean isScalar() { return shape.isEmpty(); }

    LoopWriter.Slice value() { return LoopWriter.Slice.work(offset); }

    /** Writes the loops computing the value from the inputs' values. */
    abstract void forward(LoopWriter w);

    /** Writes the loops adding δ(this) · ∂this/∂input into each active input's adjoint. */
    abstract void backward(LoopWriter w, Adjoints adjoints);

    /** The same loops as {@link #forward}, as source text. */
    abstract void forwardSource(SourceWriter s);

    /** The same loops as {@link #backward}, as source text. */
    abstract void backwardSource(SourceWriter s, Adjoints adjoints);

    /** Arguments of relu, leaky_relu and abs that this op evaluates (for kink detection). */
    List<KinkSite> kinks() { return List.of(); }

    /** An expression over the element symbols of {@code body}'s operands, evaluated per element. */
    record KinkSite(ElementBody body, Expr argument) {}
}
