package chainrule.train;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.print.Numbers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes new declared values into a {@code .nn} file's text, leaving everything else — comments,
 * spacing, order, line breaks — as it was: each declaration's value is replaced where it stands
 * (found from the syntax tree's positions), and a declaration without a value gets {@code = v}
 * after its name.
 */
public final class SourceRewriter {
    private SourceRewriter() {}

    private record Edit(int start, int end, String text) {}

    /** {@code source}'s text with the scalar declarations named in {@code values} set to those values. */
    public static String withValues(Source source, Map<String, Double> values) throws DiagnosticException {
        Ast.File file = SourceParser.parseFile(source);
        List<Integer> lineStarts = lineStarts(source.text());
        List<Edit> edits = new ArrayList<>();
        for (Ast.Statement s : file.statements()) {
            if (!(s instanceof Ast.Declaration d)) {
                continue;
            }
            for (Ast.Declarator decl : d.declarators()) {
                Double v = values.get(decl.name().text());
                if (v == null || !decl.shape().isEmpty()) {
                    continue;
                }
                String number = Numbers.exact(v);
                if (decl.value() instanceof Ast.Scalar scalar) {
                    int start = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column());
                    int end = offset(source, lineStarts, scalar.pos().line(), scalar.pos().column() + scalar.pos().length());
                    edits.add(new Edit(start, end, number));
                } else if (decl.value() == null) {
                    Ast.Pos name = decl.name().pos();
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
