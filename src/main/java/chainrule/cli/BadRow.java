package chainrule.cli;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Network;
import chainrule.paths.Values;
import chainrule.print.NonFiniteCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first row of {@code --data} whose loss or gradient is not finite, as an error at that row's
 * line of the data file ({@code FILE.csv:LINE:1: error: the loss L is not finite on this row: log
 * of -1 in log(x)}), with the cause the interpreter finds on that row alone.
 *
 * <p>Run only when the sum over the data is not finite, so that a finite run pays nothing: one
 * more pass over the rows, each through the compiled gradient one at a time, stopping at the first
 * row that is not finite. A file read as a stream is read again, in file order. Rows are numbered
 * by their line in the file (blank lines are skipped, as {@link chainrule.data.Dataset} skips them).
 */
final class BadRow {
    private BadRow() {}

    /** One data row: its line in the file, and its values by column. */
    private record Row(int line, String text, double[] values) {}

    /**
     * Throws the error at the first row whose loss or gradient, at the declared values {@code x}
     * (the compiled layout), is not finite; returns normally when every row is finite (the sum
     * overflowed, or the batched engine alone is not finite).
     *
     * @param context said before the reason, such as "at step 0 (the starting values): " or ""
     */
    static void locate(CompiledSetup setup, double[] x, String context) throws DiagnosticException, CliError {
        if (setup.dataSource() == null) {
            return;
        }
        CompiledGradient compiled = setup.compiled();
        List<String> columns = setup.columns();
        int[] columnIndex = new int[columns.size()];
        for (int c = 0; c < columnIndex.length; c++) {
            columnIndex[c] = compiled.declaredIndex(columns.get(c));
        }
        CompiledGradient.Workspace ws = compiled.workspace();
        double[] grad = new double[compiled.parameters().size()];
        Row bad = scan(setup, row -> {
            ws.setDeclared(x);
            for (int c = 0; c < columnIndex.length; c++) {
                if (columnIndex[c] >= 0) {
                    ws.set(columnIndex[c], row.values()[c]);
                }
            }
            double loss = ws.gradient(grad);
            if (!Double.isFinite(loss)) {
                return true;
            }
            for (double g : grad) {
                if (!Double.isFinite(g)) {
                    return true;
                }
            }
            return false;
        });
        if (bad == null) {
            return;
        }
        // the loss and gradient on this row alone, for what to name
        ws.setDeclared(x);
        for (int c = 0; c < columnIndex.length; c++) {
            if (columnIndex[c] >= 0) {
                ws.set(columnIndex[c], bad.values()[c]);
            }
        }
        double loss = ws.gradient(grad);
        String lossName = setup.lossName();
        String what = "the loss " + lossName;
        if (Double.isFinite(loss)) {
            for (int i = 0; i < grad.length; i++) {
                if (!Double.isFinite(grad[i])) {
                    what = "∂" + lossName + "/∂" + compiled.parameters().get(i);
                    break;
                }
            }
        }
        String reason = reason(setup, x, columns, bad);
        Source source = setup.dataSource().text().isEmpty() && bad.line() > 1
                // a file read as a stream is not held: a source whose line LINE is the row's, to show it
                ? new Source(setup.dataSource().name(), "\n".repeat(bad.line() - 1) + bad.text())
                : setup.dataSource().text().isEmpty() ? new Source(setup.dataSource().name(), bad.text()) : setup.dataSource();
        int width = Math.max(1, bad.text().codePointCount(0, bad.text().length()));
        throw new DiagnosticException(Diagnostic.error(source, bad.line(), 1, width,
                        context + what + " is not finite on this row: " + reason)
                .withHelp("correct or remove this row, or change the network so that it stays finite here"));
    }

    /**
     * What the interpreter finds on the row: the vertex that first goes non-finite and why
     * ({@code log of -1 in log(x)}; {@code 'h1.in[1]' is inf: a product overflows in W1[1,1]*x[1]}),
     * where in the network file.
     */
    private static String reason(CompiledSetup setup, double[] x, List<String> columns, Row bad) {
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> names = setup.compiled().declaredNames();
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), x[i]);
        }
        for (int c = 0; c < columns.size(); c++) {
            values.put(columns.get(c), bad.values()[c]);
        }
        Network network;
        try {
            network = setup.network().withValues(values);
        } catch (IllegalArgumentException e) {
            return "(its values could not be given to the network: " + e.getMessage() + ")";
        }
        try {
            Values v = Values.of(network);
            NonFiniteCheck.require(network, v.vertices());
            NonFiniteCheck.requireFiniteDerivatives(setup.loaded().graph(), v);
        } catch (DiagnosticException e) {
            Diagnostic d = e.diagnostics().get(0);
            String message = d.message();
            String prefix = "'" + setup.lossName() + "' is ";
            if (message.startsWith(prefix) && message.indexOf(": ") > 0) {
                message = message.substring(message.indexOf(": ") + 2); // the loss's own value is said already
            }
            String advice = "; change the values feeding it or the formula";
            if (message.endsWith(advice)) {
                message = message.substring(0, message.length() - advice.length());
            }
            return message + " (" + d.source().name() + ":" + d.line() + ":" + d.column() + ")";
        }
        return "the compiled code is not finite here while the path graph finds finite values (a saturated sigmoid or"
                + " softmax inside a log, or a removable singularity: docs/hardening.md)";
    }

    private interface Test {
        boolean bad(Row row);
    }

    /** The first row {@code test} finds bad, in file order, or null. */
    private static Row scan(CompiledSetup setup, Test test) throws CliError {
        Source source = setup.dataSource();
        int width = setup.columns().size();
        if (!source.text().isEmpty() && setup.data() != null) {
            double[][] rows = setup.data().rows();
            int r = 0;
            boolean header = false;
            for (int line = 1; line <= source.lineCount() && r < rows.length; line++) {
                String text = source.line(line);
                if (text.isBlank()) {
                    continue;
                }
                if (!header) {
                    header = true;
                    continue;
                }
                Row row = new Row(line, text, rows[r++]);
                if (test.bad(row)) {
                    return row;
                }
            }
            return null;
        }
        try (BufferedReader in = Files.newBufferedReader(Path.of(source.name()), StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            boolean header = false;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                if (!header) {
                    header = true;
                    continue;
                }
                double[] values = values(text, width);
                if (values == null) {
                    continue; // changed since it was checked: the evaluation says so
                }
                Row row = new Row(line, text, values);
                if (test.bad(row)) {
                    return row;
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new CliError(source.name() + ": cannot read again to find the row that is not finite: " + e.getMessage());
        }
        return null;
    }

    /** A checked data line's values (null if it no longer has {@code width} numbers). */
    private static double[] values(String text, int width) {
        String[] cells = text.split(",", -1);
        if (cells.length != width) {
            return null;
        }
        double[] row = new double[width];
        try {
            for (int c = 0; c < width; c++) {
                row[c] = Double.parseDouble(cells[c].trim());
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return row;
    }
}
