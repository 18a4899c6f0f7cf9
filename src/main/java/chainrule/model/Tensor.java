package chainrule.model;

import chainrule.expr.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A value of the layer view during analysis: a shape and its elements in row-major order, each a
 * scalar expression over element vertices. A scalar has the empty shape and one element. The
 * analyser expands every vector operation into these elements, so the rest of chainrule sees only
 * scalar vertices such as {@code W1[1,2]} and {@code h.in[1]}.
 */
record Tensor(List<Integer> shape, List<Expr> elements) {
    /**
     * What a shape-only tensor's elements read as: the shape check ({@link Analyzer#check}) lowers
     * every expression for its names and shapes but builds no element expressions, so a scalar
     * computed from a vector ({@code sum(v)}, {@code v[1]}) is this opaque stand-in. It never
     * reaches a {@link Network}'s vertices.
     */
    static final Expr UNBUILT = chainrule.expr.Exprs.local("(unbuilt)");

    Tensor {
        shape = List.copyOf(shape);
        elements = elements == null ? null : List.copyOf(elements);
    }

    static Tensor scalar(Expr e) {
        return new Tensor(List.of(), List.of(e));
    }

    /** A value of {@code shape} whose elements are not built (a scalar: {@link #UNBUILT}). */
    static Tensor shapeOnly(List<Integer> shape) {
        return shape.isEmpty() ? scalar(UNBUILT) : new Tensor(shape, null);
    }

    /** Whether the elements were not built (the shape check); a scalar is always built. */
    boolean isShapeOnly() { return elements == null; }

    boolean isScalar() { return shape.isEmpty(); }

    int size() { return elements == null ? size(shape) : elements.size(); }

    Expr element(int flat) { return elements == null ? UNBUILT : elements.get(flat); }

    /** The element at {@code flat}, or the only element of a scalar (broadcasting). */
    Expr broadcastElement(int flat) { return isScalar() ? elements.get(0) : element(flat); }

    Tensor map(Function<Expr, Expr> f) {
        if (elements == null) {
            return this;
        }
        List<Expr> out = new ArrayList<>(elements.size());
        for (Expr e : elements) {
            out.add(f.apply(e));
        }
        return new Tensor(shape, out);
    }

    /** Number of elements of a shape (the analyser caps declared sizes, so this fits an int). */
    static int size(List<Integer> shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@code [2,3]} as the user writes it; a scalar is {@code scalar}. */
    static String shapeText(List<Integer> shape) {
        if (shape.isEmpty()) {
            return "scalar";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(shape.get(i));
        }
        return sb.append(']').toString();
    }

    /**
     * The name of element {@code flat} (row-major) of {@code base}: {@code W1[1,2]}, 1-based as in a
     * textbook; a scalar is just {@code base}.
     */
    static String elementName(String base, List<Integer> shape, int flat) {
        if (shape.isEmpty()) {
            return base;
        }
        int[] index = new int[shape.size()];
        for (int k = shape.size() - 1; k >= 0; k--) {
            index[k] = flat % shape.get(k) + 1;
            flat /= shape.get(k);
        }
        StringBuilder sb = new StringBuilder(base).append('[');
        for (int k = 0; k < index.length; k++) {
            sb.append(k == 0 ? "" : ",").append(index[k]);
        }
        return sb.append(']').toString();
    }

    /**
     * The names of every element of {@code base}, row-major: {@link #elementName} for each, built
     * from a shared prefix per row (a 128×784 weight has 100,352 of them).
     */
    static List<String> elementNames(String base, List<Integer> shape) {
        if (shape.isEmpty()) {
            return List.of(base);
        }
        int rowLength = shape.get(shape.size() - 1);
        int rows = size(shape) / rowLength;
        List<String> out = new ArrayList<>(rows * rowLength);
        for (int row = 0; row < rows; row++) {
            String first = elementName(base, shape, row * rowLength);
            String prefix = first.substring(0, first.lastIndexOf(shape.size() == 1 ? '[' : ',') + 1);
            for (int j = 1; j <= rowLength; j++) {
                out.add(prefix + j + "]");
            }
        }
        return out;
    }

    /** The row-major position of 1-based {@code index} (already checked to be in range). */
    static int flatIndex(List<Integer> shape, int[] index) {
        int flat = 0;
        for (int k = 0; k < shape.size(); k++) {
            flat = flat * shape.get(k) + index[k] - 1;
        }
        return flat;
    }
}
