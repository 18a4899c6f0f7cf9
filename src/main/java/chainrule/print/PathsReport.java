package chainrule.print;

import chainrule.diag.TextWidth;
import chainrule.expr.Numbers;
import chainrule.expr.TextPrinter;
import chainrule.model.Vertex;
import chainrule.paths.ClosedForm;
import chainrule.paths.Edge;
import chainrule.paths.Path;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code chainrule paths} prints: each path with its factors in aligned columns (role, formula,
 * value), the sum over paths, and the factored closed form.
 *
 * @param values null when some value is missing: formulas are printed without numbers
 */
public record PathsReport(PathGraph graph, Vertex wrt, List<Path> paths, BigInteger count,
                          ClosedForm closedForm, Values values, Notation notation, Selection selection) {

    /** Which paths are listed when not all are: the first in enumeration order, or the largest. */
    public enum Selection { FIRST, LARGEST }

    public static PathsReport of(PathGraph graph, Vertex wrt, long maxPaths, Values values, Notation notation) {
        List<Path> paths = chainrule.paths.PathEnumerator.first(graph, wrt, maxPaths);
        return new PathsReport(graph, wrt, paths, graph.pathCount(wrt), ClosedForm.of(graph, wrt), values, notation,
                Selection.FIRST);
    }

    private String lossName() { return graph.network().loss().name(); }

    public boolean truncated() { return count.compareTo(BigInteger.valueOf(paths.size())) > 0; }

    public String text() {
        StringBuilder sb = new StringBuilder();
        String loss = lossName();
        sb.append("∂").append(loss).append("/∂").append(wrt.name()).append(": ")
                .append(count).append(count.equals(BigInteger.ONE) ? " path" : " paths")
                .append(" from ").append(wrt.name()).append(" to ").append(loss);
        if (selection == Selection.LARGEST) {
            sb.append(" (showing the ").append(paths.size()).append(" of largest |product|, largest first)");
        } else if (truncated()) {
            sb.append(" (showing the first ").append(paths.size()).append("; raise --max-paths to see more)");
        }
        sb.append("\n");
        ChainText chains = ChainText.pretty();
        int index = 1;
        for (Path p : paths) {
            sb.append("\n");
            String label = "path " + index++;
            String indent = " ".repeat(label.length() + 2);
            List<String> names = new ArrayList<>();
            for (Vertex v : p.vertices()) {
                names.add(notation.vertex(graph, v));
            }
            sb.append(label).append("  ").append(String.join(" → ", names)).append("\n");
            List<String> roles = new ArrayList<>();
            List<String> formulas = new ArrayList<>();
            List<String> numbers = new ArrayList<>();
            for (Edge e : p.edges()) {
                roles.add(notation.role(e.role(), graph.network().loss().name()));
                formulas.add(chains.factorText(e.printedFactor(), true));
                double v = values == null ? 0 : values.of(e);
                // a negative factor after "·" is parenthesised: 0.4 · (-0.217), never 0.4 · -0.217
                numbers.add(values == null ? "" : v < 0 && !numbers.isEmpty() ? "(" + Numbers.rounded(v, 10) + ")" : Numbers.rounded(v, 10));
            }
            List<Integer> widths = new ArrayList<>();
            for (int i = 0; i < roles.size(); i++) {
                widths.add(Math.max(TextWidth.of(roles.get(i)), Math.max(TextWidth.of(formulas.get(i)), TextWidth.of(numbers.get(i)))));
            }
            sb.append(indent).append(row(roles, widths, "   ", false)).append("\n");
            sb.append(indent).append(row(formulas, widths, " · ", false)).append("\n");
            if (values != null) {
                // The last cell is padded too, so "= value" stands clear of the widest formula.
                sb.append(indent).append(row(numbers, widths, " · ", true)).append("   = ")
                        .append(Numbers.text(p.value(values))).append("\n");
            }
        }
        sb.append("\n");
        if (values != null && !truncated()) {
            double sum = 0;
            for (Path p : paths) {
                sum += p.value(values);
            }
            sb.append("sum over ").append(paths.size()).append(paths.size() == 1 ? " path" : " paths")
                    .append(" = ").append(Numbers.text(sum)).append("\n\n");
        }
        sb.append("closed form, factored:\n");
        var adjoints = values == null ? null : chainrule.paths.ReverseAccumulator.adjointsBelow(graph, values, wrt);
        for (String line : chains.closedFormBlock(closedForm, loss, values == null ? null : closedForm.value(values), adjoints)) {
            sb.append("  ").append(line).append("\n");
        }
        if (values == null) {
            sb.append("\n");
            GradientReport.appendMissingValues(sb, graph.network());
        }
        return sb.toString();
    }

    /** Cells padded to their column widths; the last one only if {@code padLast}. */
    private static String row(List<String> cells, List<Integer> widths, String separator, boolean padLast) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(separator);
            }
            boolean last = i == cells.size() - 1;
            sb.append(last && !padLast ? cells.get(i) : TextWidth.pad(cells.get(i), widths.get(i)));
        }
        return padLast ? sb.toString() : sb.toString().stripTrailing();
    }

    /** The JSON object of CLI.md. */
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wrt", wrt.name());
        out.put("loss", lossName());
        out.put("count", count);
        if (truncated()) {
            out.put("truncated", true);
        }
        List<Object> list = new ArrayList<>();
        ChainText plain = ChainText.plain();
        for (Path p : paths) {
            Map<String, Object> path = new LinkedHashMap<>();
            List<String> nodes = new ArrayList<>();
            for (Vertex v : p.vertices()) {
                nodes.add(v.name());
            }
            path.put("nodes", nodes);
            List<Object> factors = new ArrayList<>();
            for (Edge e : p.edges()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("expr", TextPrinter.plain().print(e.printedFactor()));
                f.put("role", e.role().label());
                if (notation == Notation.BOOK) {
                    f.put("book", Notation.bookLabel(e.role(), graph.network().loss().name()));
                }
                if (values != null) {
                    f.put("value", values.of(e));
                }
                factors.add(f);
            }
            path.put("factors", factors);
            if (values != null) {
                path.put("value", p.value(values));
            }
            list.add(path);
        }
        out.put("paths", list);
        out.put("sum", GradientReport.formula(closedForm));
        out.put("factored", plain.print(closedForm.chain()));
        if (!closedForm.deltas().isEmpty()) {
            Map<String, Object> deltas = new LinkedHashMap<>();
            closedForm.deltas().forEach((v, c) -> deltas.put(plain.delta(v), plain.print(c)));
            out.put("deltas", deltas);
        }
        if (values != null) {
            out.put("value", closedForm.value(values));
        } else {
            out.put("missing_values", GradientReport.missingNames(graph.network()));
        }
        return out;
    }
}
