package chainrule.model;

import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The analyser's room for declared values: a declaration's number, or its nested lists checked
 * against the declared shape and flattened row-major (one number broadcast to every element).
 * Each error is reported at the value that is wrong.
 */
final class DeclaredValues {
    private final Reporter report;

    DeclaredValues(Reporter report) {
        this.report = report;
    }

    /**
     * The element values of a vector declaration in row-major order: one number is broadcast to
     * every element; nested brackets must match the shape exactly. Empty (reported) when they do not.
     */
    List<Double> vectorValues(Ast.Declarator d, List<Integer> shape) {
        if (d.value() instanceof Ast.Scalar s) {
            return finite(s) ? Collections.nCopies(Tensor.size(shape), s.value()) : List.of();
        }
        List<Double> out = new ArrayList<>();
        return flattenValue(d, d.value(), shape, 0, out) ? out : List.of();
    }

    private boolean flattenValue(Ast.Declarator d, Ast.Value v, List<Integer> shape, int depth, List<Double> out) {
        if (depth == shape.size() && v instanceof Ast.Scalar s) {
            out.add(s.value());
            return finite(s);
        }
        String declaredAs = "'" + d.name().text() + "' is declared " + Tensor.shapeText(shape);
        if (depth == shape.size()) {
            report.error(v.pos(), declaredAs + ": expected a number here, found a list");
            return false;
        }
        int extent = shape.get(depth);
        if (!(v instanceof Ast.Array a)) {
            report.error(v.pos(), declaredAs + ": expected a list of " + plural(extent, "value") + " here, found a number");
            return false;
        }
        if (a.items().size() != extent) {
            report.error(a.pos(), declaredAs + ": expected " + plural(extent, "value") + " in this list, found " + a.items().size());
            return false;
        }
        for (Ast.Value item : a.items()) {
            if (!flattenValue(d, item, shape, depth + 1, out)) {
                return false;
            }
        }
        return true;
    }

    private boolean finite(Ast.Scalar s) {
        if (!Double.isFinite(s.value())) {
            report.error(s.pos(), "number " + s.text() + " is too large for a double");
            return false;
        }
        return true;
    }

    Optional<Double> scalarValue(Ast.Declarator d) {
        if (d.value() instanceof Ast.Scalar s) {
            if (!Double.isFinite(s.value())) {
                report.error(s.pos(), "number " + s.text() + " is too large for a double");
                return Optional.empty();
            }
            return Optional.of(s.value());
        }
        report.error(d.value().pos(), "'" + d.name().text() + "' is a scalar; give it a single number, not a list");
        return Optional.empty();
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
