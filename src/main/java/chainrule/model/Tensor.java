package chainrule.model;

import chainrule.expr.Expr;
import chainrule.ir.Shapes;
import java.util.List;

/**
 * An op's value in the element view ({@link ElementView}): a shape and its elements in row-major
 * order, each a scalar expression over element vertices. A scalar has the empty shape and one
 * element. Every op of the graph is expanded into these elements, so the symbolic commands see
 * only scalar vertices such as {@code W1[1,2]} and {@code h.in[1]}.
 */
record Tensor(List<Integer> shape, List<Expr> elements) {
    Tensor {
        shape = List.copyOf(shape);
        elements = List.copyOf(elements);
    }

    static Tensor scalar(Expr e) {
        return new Tensor(List.of(), List.of(e));
    }

    boolean isScalar() { return shape.isEmpty(); }

    int size() { return elements.size(); }

    Expr element(int flat) { return elements.get(flat); }

    /** Number of elements of a shape ({@link Shapes#size}). */
    static int size(List<Integer> shape) {
        return Shapes.size(shape);
    }

    /** {@code [2,3]} as the user writes it ({@link Shapes#text}). */
    static String shapeText(List<Integer> shape) {
        return Shapes.text(shape);
    }

    /** The names of every element of {@code base}, row-major ({@link Shapes#elementNames}). */
    static List<String> elementNames(String base, List<Integer> shape) {
        return Shapes.elementNames(base, shape);
    }

    /** The row-major position of 1-based {@code index} ({@link Shapes#flatIndex}). */
    static int flatIndex(List<Integer> shape, int[] index) {
        return Shapes.flatIndex(shape, index);
    }
}
