package chainrule.flow;

import chainrule.diag.TextWidth;
import chainrule.expr.Numbers;
import chainrule.print.Notation;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code chainrule flow} prints: the layers as an aligned table, or as the JSON of CLI.md. */
public record FlowTable(String lossName, List<LayerFlow> layers, Notation notation) {

    /**
     * Three significant digits, enough to see a factor of four per layer; small and large numbers
     * with an exponent ({@code 2.78e-7}) so that a column of decaying values stays narrow.
     */
    static String number(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return Numbers.exact(v);
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3));
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -3 && exponent < 6) {
            return d.stripTrailingZeros().toPlainString();
        }
        BigDecimal mantissa = d.movePointLeft(exponent).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exponent;
    }

    public String text() {
        boolean book = notation == Notation.BOOK;
        String act = book ? "액" : "act′";
        String weight = book ? "웨" : "weight";
        String product = book ? "액·웨" : "act′·weight";
        String grad = "‖∂" + lossName + "/∂w‖";
        String delta = book ? "‖∂" + lossName + "/∂들‖" : "‖δ‖";

        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", "|" + act + "|", "", "", "|" + weight + "|", "", "", "|" + product + "|", "", "",
                "accumulated", grad, delta));
        rows.add(List.of("depth", "min", "median", "max", "min", "median", "max", "min", "median", "max",
                "product", "", ""));
        for (LayerFlow l : layers) {
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(l.depth()));
            spread(l.act(), row);
            spread(l.weight(), row);
            spread(l.product(), row);
            row.add(number(l.accumulated()));
            row.add(l.parameters() == 0 ? "—" : number(l.gradNorm()));
            row.add(Double.isNaN(l.deltaNorm()) ? "—" : number(l.deltaNorm()));
            rows.add(row);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("gradient flow, depth 1 = the layer nearest the loss ").append(lossName).append("\n\n");
        sb.append(table(rows));
        sb.append("\n");
        sb.append("Each layer a path crosses multiplies one activation derivative (").append(act)
                .append(") by one weight").append(book ? " (웨)" : "").append(".\n");
        sb.append("accumulated product: the median |").append(product)
                .append("| of each layer, multiplied from the loss down to this depth.\n");
        sb.append(grad).append(": L2 norm of the gradient of the parameters feeding this depth (— if none).\n");
        sb.append(delta).append(": L2 norm of ∂").append(lossName).append(" with respect to the layer's pre-activations")
                .append(book ? "" : " (들)").append(".\n");
        return sb.toString();
    }

    private static void spread(Magnitudes m, List<String> row) {
        if (m == null) {
            row.add("—");
            row.add("");
            row.add("");
            return;
        }
        row.add(number(m.min()));
        row.add(number(m.median()));
        row.add(number(m.max()));
    }

    /**
     * Columns right-aligned, the groups (depth, 액, 웨, 액·웨, the rest) separated by a vertical
     * rule, a horizontal rule under the two header rows.
     */
    private static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], TextWidth.of(row.get(i)));
            }
        }
        // A group label spans its three columns: widen them if the label is longer.
        for (int first = 1; first <= 7; first += 3) {
            int span = widths[first] + widths[first + 1] + widths[first + 2] + 4;
            int label = TextWidth.of(rows.get(0).get(first));
            if (label > span) {
                widths[first + 2] += label - span;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == 0 ? "" : i == 1 || i == 4 || i == 7 || i == 10 ? " │ " : "  ");
                String cell = rows.get(r).get(i);
                boolean groupLabel = r == 0 && (i == 1 || i == 4 || i == 7);
                if (groupLabel) {
                    int span = widths[i] + widths[i + 1] + widths[i + 2] + 4;
                    line.append(TextWidth.pad(cell, span));
                    i += 2;
                } else {
                    line.append(" ".repeat(widths[i] - TextWidth.of(cell))).append(cell);
                }
            }
            sb.append(line.toString().stripTrailing()).append("\n");
            if (r == 1) {
                sb.append(rule(widths)).append("\n");
            }
        }
        return sb.toString();
    }

    private static String rule(int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            sb.append(i == 0 ? "" : i == 1 || i == 4 || i == 7 || i == 10 ? "─┼─" : "──");
            sb.append("─".repeat(widths[i]));
        }
        return sb.toString();
    }

    /** The JSON object of CLI.md: {@code {"layers": [{"depth": 1, "act": {...}, ...}]}}. */
    public Map<String, Object> json() {
        List<Object> list = new ArrayList<>();
        for (LayerFlow l : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("depth", l.depth());
            m.put("act", json(l.act()));
            m.put("weight", json(l.weight()));
            m.put("product", json(l.product()));
            m.put("accumulated", l.accumulated());
            m.put("grad_norm", l.gradNorm());
            m.put("delta_norm", l.deltaNorm());
            m.put("parameters", l.parameters());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layers", list);
        return out;
    }

    private static Map<String, Object> json(Magnitudes m) {
        if (m == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("min", m.min());
        out.put("median", m.median());
        out.put("max", m.max());
        out.put("count", m.count());
        return out;
    }
}
