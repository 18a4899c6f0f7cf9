package chainrule.layer;

import chainrule.parse.Ast;
import java.util.List;

/** A declared name: its elements are the declared values at {@link #offset} (in declaration order). */
final class Leaf extends Node {
    final String name;
    final Ast.DeclKind kind;
    /** Index of the first element in the gradient array, or -1 for a name that is not a parameter. */
    final int gradientOffset;

    Leaf(int id, String name, Ast.DeclKind kind, List<Integer> shape, int declaredOffset, int gradientOffset) {
        super(id, shape);
        this.name = name;
        this.kind = kind;
        this.offset = declaredOffset;
        this.gradientOffset = gradientOffset;
        if (kind.isParameter()) {
            adjoint = new LoopWriter.Slice(true, gradientOffset);
        }
    }

    @Override List<Node> inputs() { return List.of(); }

    @Override boolean isParameter() { return kind.isParameter(); }

    /** Declared values are written by the caller. */
    @Override void forward(LoopWriter w) {}

    @Override void forwardSource(SourceWriter s) {}

    @Override void backwardSource(SourceWriter s, Adjoints adjoints) {}

    /** A parameter's adjoint is already its gradient. */
    @Override void backward(LoopWriter w, Adjoints adjoints) {}
}
