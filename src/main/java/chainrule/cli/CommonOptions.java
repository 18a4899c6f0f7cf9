package chainrule.cli;

import chainrule.print.Notation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options shared by the commands that read a network (CLI.md's "common options"). */
final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--json", description = "Machine-readable output on standard output.")
    boolean json;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Override a declared value (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--notation", paramLabel = "default|book", defaultValue = "default",
            description = "Label factors as input/activation/weight/loss (default) or as the book does: 들 나 액 웨.")
    String notation;

    @Option(names = "--max-nesting", paramLabel = "N", defaultValue = "1000",
            description = "Deepest nesting of brackets, unary signs and ^ accepted (default: ${DEFAULT-VALUE}).")
    int maxNesting;

    @Option(names = "--max-input", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Largest input accepted, in bytes (default: ${DEFAULT-VALUE}).")
    long maxInput;

    @Option(names = "--max-vertices", paramLabel = "N", defaultValue = "2000000",
            description = "Most vertices (elements of vectors included) a network may have, and most element "
                    + "products of one '@' (default: ${DEFAULT-VALUE}).")
    long maxVertices;

    Notation notation() {
        return switch (notation) {
            case "default", "text" -> Notation.DEFAULT;
            case "book" -> Notation.BOOK;
            default -> throw new ParameterException(spec.commandLine(),
                    "--notation must be 'default' or 'book', not '" + notation + "'");
        };
    }

    /** A {@code --set} value: one number (empty shape) or nested brackets with their shape, flattened row-major. */
    record SetValue(List<Integer> shape, List<Double> values) {}

    /** The {@code --set} pairs, scalars only (for {@code diff}); malformed ones are usage errors (exit 2). */
    Map<String, Double> overrides() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, SetValue> e : setValues().entrySet()) {
            if (!e.getValue().shape().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--set " + e.getKey() + ": a list of values is only for a vector declaration");
            }
            out.put(e.getKey(), e.getValue().values().get(0));
        }
        return out;
    }

    /**
     * The {@code --set} pairs, parsed: {@code x=0.5}, or for a vector {@code x=[1,2]} /
     * {@code W=[[1,2],[3,4]]}. Malformed ones are usage errors (exit 2).
     */
    Map<String, SetValue> setValues() {
        Map<String, SetValue> out = new LinkedHashMap<>();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new ParameterException(spec.commandLine(), "--set needs NAME=VALUE, got '" + s + "'");
            }
            String name = s.substring(0, eq).trim();
            String value = s.substring(eq + 1).trim();
            List<Double> values = new ArrayList<>();
            List<Integer> shape = new ArrayList<>();
            try {
                int[] at = {0};
                Object tree = parseValue(value, at);
                if (skipSpaces(value, at[0]) != value.length()) {
                    throw new NumberFormatException();
                }
                for (Object level = tree; level instanceof List<?> items; level = items.get(0)) {
                    shape.add(items.size());
                }
                flatten(tree, 0, shape, values);
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new ParameterException(spec.commandLine(), "--set " + name + ": '" + value
                        + "' is not a finite number (such as 0.5, 1/3 or pi/3) or a list of them such as [0.5, 1] or [[1, 2], [3, 4]] (all rows of one length)");
            }
            out.put(name, new SetValue(shape, values));
        }
        return out;
    }

    /** A number (Double) or a bracketed list of values (List), starting at {@code at[0]}. */
    private static Object parseValue(String text, int[] at) {
        int i = skipSpaces(text, at[0]);
        if (i < text.length() && text.charAt(i) == '[') {
            List<Object> items = new ArrayList<>();
            at[0] = i + 1;
            do {
                items.add(parseValue(text, at));
                i = skipSpaces(text, at[0]);
                at[0] = i + 1;
            } while (text.charAt(i) == ',');
            if (text.charAt(i) != ']') {
                throw new NumberFormatException();
            }
            return items;
        }
        int end = i;
        while (end < text.length() && ",]".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        at[0] = end;
        List<Double> one = new ArrayList<>();
        parseNumber(text, i, end, one);
        return one.get(0);
    }

    /** Row-major values of {@code v}; every list at one depth must have that depth's extent. */
    private static void flatten(Object v, int depth, List<Integer> shape, List<Double> out) {
        if (depth == shape.size()) {
            if (!(v instanceof Double d)) {
                throw new NumberFormatException();
            }
            out.add(d);
            return;
        }
        if (!(v instanceof List<?> items) || items.size() != shape.get(depth)) {
            throw new NumberFormatException();
        }
        for (Object item : items) {
            flatten(item, depth + 1, shape, out);
        }
    }

    private static int skipSpaces(String text, int i) {
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /**
     * A number ({@code 0.5}, {@code -1e-3}) or an expression of numbers and constants
     * ({@code pi/3}, {@code 1/3}, {@code sqrt(2)/2}, {@code -e}), evaluated to the nearest double: a
     * point such as x = π/3 is typed as it is written, not as 1.0471975511965976.
     */
    private static void parseNumber(String text, int from, int to, List<Double> out) {
        String t = text.substring(from, to).trim();
        double v;
        if (t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            v = Double.parseDouble(t);
        } else {
            v = constantExpression(t);
        }
        if (!Double.isFinite(v)) {
            throw new NumberFormatException();
        }
        out.add(v);
    }

    /** The value of an expression without variables; NumberFormatException for anything else. */
    private static double constantExpression(String t) {
        try {
            chainrule.diag.Source source = new chainrule.diag.Source("<--set>", t);
            chainrule.expr.Expr e = chainrule.model.Analyzer.lowerStandalone(source, chainrule.parse.SourceParser.parseExpression(source));
            if (!chainrule.model.Symbols.free(e).isEmpty()) {
                throw new NumberFormatException();
            }
            return chainrule.expr.Evaluator.evaluate(e, Map.of());
        } catch (chainrule.diag.DiagnosticException | RuntimeException notANumber) {
            throw new NumberFormatException();
        }
    }
}
