package chainrule.ir;

import chainrule.expr.Expr;
import java.util.ArrayList;
import java.util.List;

/** Shapes and element names: sizes, {@code [2,3]} as the user writes it, row-major positions. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements of a shape (the analyser caps declared sizes, so this fits an int). */
    public static int size(List<Integer> shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Element {@code k} of an operand's elements, or the only element of a scalar (broadcasting). */
    static Expr broadcast(List<Expr> elements, int k) {
        return elements.size() == 1 ? elements.get(0) : elements.get(k);
    }

    /** {@code [2,3]} as the user writes it; a scalar is {@code scalar}. */
    public static String text(List<Integer> shape) {
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
    public static String elementName(String base, List<Integer> shape, int flat) {
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
    public static List<String> elementNames(String base, List<Integer> shape) {
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
    public static int flatIndex(List<Integer> shape, int[] index) {
        int flat = 0;
        for (int k = 0; k < shape.size(); k++) {
            flat = flat * shape.get(k) + index[k] - 1;
        }
        return flat;
    }
}
