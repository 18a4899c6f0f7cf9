package chainrule.train;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Numbers;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes new declared values into a {@code .nn} file's text, leaving everything else — comments,
 * spacing, order, line breaks — as it was: each declaration's value is replaced where it stands
 * (found from the syntax tree's positions), and a declaration without a value gets {@code = v}
 * after its name.
 */
public final class SourceRewriter {
    private SourceRewriter() {}

    private record Edit(int start, int end, String text) {}

    /**
     * {@code source}'s text with the declarations named in {@code values} set to those values; a
     * vector declaration is rewritten as nested brackets when {@code values} has all its elements
     * ({@code W1[1,1]}, {@code W1[1,2]}, ...).
     */
    public static String withValues(Source source, Map<String, Double> values) throws DiagnosticException {
        Ast.File file = SourceParser.parseFile(source);
        List<Integer> lineStarts = lineStarts(source.text());
        List<Edit> edits = new ArrayList<>();
        for (Ast.Statement s : file.statements()) {
            if (!(s instanceof Ast.Declaration d)) {
                continue;
            }
            for (Ast.Declarator decl : d.declarators()) {
                if (!decl.shape().isEmpty()) {
                    vectorEdit(source, lineStarts, decl, values).ifPresent(edits::add);
                    continue;
                }
                Double v = values.get(decl.name().text());
                if (v == null) {
                    continue;
                }
                String number = Numbers.exact(v);
                if (decl.value() instanceof Ast.Scalar scalar) {
                    int start = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column());
                    int end = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column() + scalar.pos().length());
                    edits.add(new Edit(start, end, number));
                } else if (decl.value() == null) {
                    Ast.Pos name = decl.init() != null ? decl.init().pos() : decl.name().pos();
                    int at = offset(source, lineStarts, name.line(), name.column() + name.length());
                    edits.add(new Edit(at, at, " = " + number));
                }
            }
        }
        edits.sort(Comparator.comparingInt(Edit::start).reversed());
        StringBuilder text = new StringBuilder(source.text());
        for (Edit e : edits) {
            text.replace(e.start(), e.end(), e.text());
        }
        return text.toString();
    }

    /** The edit that writes a vector's element values as nested brackets, if all are given. */
    private static Optional<Edit> vectorEdit(Source source, List<Integer> lineStarts, Ast.Declarator decl,
            Map<String, Double> values) {
        int[] shape = new int[decl.shape().size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = Integer.parseInt(decl.shape().get(k).text()); // the analyser accepted the file
        }
        StringBuilder list = new StringBuilder();
        if (!appendList(list, decl.name().text(), shape, 0, "", values)) {
            return Optional.empty();
        }
        String text = source.text();
        if (decl.value() instanceof Ast.Scalar scalar) {
            int start = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column());
            int end = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column() + scalar.pos().length());
            return Optional.of(new Edit(start, end, list.toString()));
        }
        if (decl.value() instanceof Ast.Array array) {
            int start = offset(source, lineStarts, array.pos().line(), array.pos().column());
            return Optional.of(new Edit(start, closingBracket(text, start) + 1, list.toString()));
        }
        if (decl.init() != null) { // after "~ he_normal": the written values win over it when read again
            Ast.Pos init = decl.init().pos();
            int after = offset(source, lineStarts, init.line(), init.column() + init.length());
            return Optional.of(new Edit(after, after, " = " + list));
        }
        Ast.Dim last = decl.shape().get(decl.shape().size() - 1);
        int afterShape = text.indexOf(']', offset(source, lineStarts, last.pos().line(), last.pos().column())) + 1;
        return Optional.of(new Edit(afterShape, afterShape, " = " + list));
    }

    /** Appends {@code [..]} for indices starting with {@code prefix}; false when an element has no value. */
    private static boolean appendList(StringBuilder out, String name, int[] shape, int depth, String prefix,
            Map<String, Double> values) {
        out.append('[');
        for (int i = 1; i <= shape[depth]; i++) {
            out.append(i == 1 ? "" : ", ");
            String index = prefix.isEmpty() ? String.valueOf(i) : prefix + "," + i;
            if (depth + 1 < shape.length) {
                if (!appendList(out, name, shape, depth + 1, index, values)) {
                    return false;
                }
            } else {
                Double v = values.get(name + "[" + index + "]");
                if (v == null) {
                    return false;
                }
                out.append(Numbers.exact(v));
            }
        }
        out.append(']');
        return true;
    }

    /** The offset of the ']' matching the '[' at {@code open}, skipping comments (values may span lines). */
    private static int closingBracket(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '#' || (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced brackets in a file the parser accepted");
    }

    private static List<Integer> lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts;
    }

    /** The char offset of a 1-based line and code-point column. */
    private static int offset(Source source, List<Integer> lineStarts, int line, int column) {
        int start = lineStarts.get(line - 1);
        return source.text().offsetByCodePoints(start, column - 1);
    }
}
