package chainrule.data;

import chainrule.batch.BatchEngine;
import chainrule.batch.BatchEvaluator;
import chainrule.batch.BatchGraph;
import chainrule.compile.CompiledGradient;
import chainrule.compile.Objective;
import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Network;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mean loss and gradient over a CSV file read as a stream, for data sets too large to hold:
 * every evaluation reads the file again, {@link BatchEvaluator#BLOCK}·{@link BatchEvaluator#CHUNK}
 * rows at a time, so memory stays at one chunk whatever the file's size. Chunks are exactly the
 * evaluator's, so the numbers are the same, bit for bit, as with the whole file in memory.
 *
 * <p>The file is checked once, completely, when the objective is made (every cell a finite
 * number, every row as long as the header), so a bad cell is reported with its line and column
 * before any work.
 */
public final class StreamedObjective implements Objective, AutoCloseable {
    private static final int CHUNK_ROWS = BatchEvaluator.BLOCK * BatchEvaluator.CHUNK;

    private final CompiledGradient compiled;
    private final Path file;
    private final String name;
    private final List<String> columns;
    private final BatchEvaluator evaluator;
    private final long size;
    /** Per column of the file, the index of the declared element it sets. */
    private final int[] columnIndex;

    /** The header and first row of a file, and how many rows it has (all checked). */
    public record Header(List<String> columns, double[] firstRow, long rows) {}

    /** Reads and checks all of {@code file} (shown as {@code name}) against {@code network}, keeping only the header and first row. */
    public static Header check(Path file, String name, Network network) throws DiagnosticException, IOException {
        List<String> columns = null;
        double[] first = null;
        long rows = 0;
        List<Diagnostic> problems = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int line = 0;
            String text;
            while ((text = in.readLine()) != null && problems.size() < 20) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                if (columns == null) {
                    int cells = text.split(",", -1).length;
                    Dataset header = Dataset.parse(new Source(name, text + "\n0" + ",0".repeat(cells - 1)), network);
                    columns = header.columns();
                    continue;
                }
                List<Diagnostic> here = new ArrayList<>();
                double[] row = Dataset.parseRow(new Source(name, text), 1, text, columns, here);
                if (row == null) { // again, with the source showing the right line number
                    Dataset.parseRow(new Source(name, "\n".repeat(line - 1) + text), line, text, columns, problems);
                }
                if (row != null && first == null) {
                    first = row;
                }
                rows++;
            }
        } catch (CharacterCodingException e) {
            throw new DiagnosticException(List.of(Diagnostic.error(new Source(name, ""), 1, 1, 1,
                    "not a text file: the data must be UTF-8 text")));
        }
        if (problems.isEmpty() && (columns == null || rows == 0)) {
            problems.add(Diagnostic.error(new Source(name, ""), 1, 1, 1, columns == null
                    ? "empty data file: expected a header row naming inputs and targets, then one sample per row"
                    : "no samples: the header is not followed by any row"));
        }
        if (!problems.isEmpty()) {
            throw new DiagnosticException(problems);
        }
        return new Header(columns, first, rows);
    }

    public StreamedObjective(CompiledGradient compiled, BatchGraph graph, Path file, String name, Header header,
                             int threads) {
        this.compiled = compiled;
        this.file = file;
        this.name = name;
        this.columns = header.columns();
        this.size = header.rows();
        int[] index = new int[columns.size()];
        for (int c = 0; c < index.length; c++) {
            index[c] = compiled.declaredIndex(columns.get(c));
        }
        this.columnIndex = index;
        this.evaluator = new BatchEvaluator(new BatchEngine(graph, index), threads);
    }

    /** Number of samples in the file. */
    public long size() { return size; }

    @Override public CompiledGradient compiled() { return compiled; }

    @Override
    public double loss(double[] declared) {
        return pass(declared, null);
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        return pass(declared, gradOut);
    }

    private double pass(double[] declared, double[] gradOut) {
        int n = compiled.parameters().size();
        if (gradOut != null) {
            java.util.Arrays.fill(gradOut, 0, n, 0.0);
        }
        double[][] chunk = new double[CHUNK_ROWS][];
        int[] filled = {0};
        double[] lossSum = {0};
        long[] rows = {0};
        read(row -> {
            rows[0]++;
            chunk[filled[0]++] = row;
            if (filled[0] == CHUNK_ROWS) {
                lossSum[0] += evaluator.accumulate(declared, evaluator.engine().pack(chunk), null, 0, CHUNK_ROWS, gradOut).loss();
                filled[0] = 0;
            }
            return true;
        });
        if (filled[0] > 0) {
            lossSum[0] += evaluator.accumulate(declared, evaluator.engine().pack(java.util.Arrays.copyOf(chunk, filled[0])), null,
                    0, filled[0], gradOut).loss();
        }
        double loss = lossSum[0];
        long count = rows[0];
        for (int i = 0; gradOut != null && i < n; i++) {
            gradOut[i] /= count;
        }
        return loss / count;
    }

    /**
     * A kink between the points for any sample, as {@link DatasetObjective#kinkBetween}: the file
     * read again, a row at a time, each sample evaluated at both points (it stops at the first
     * kink). Called by {@code check} for a few parameters, not per step.
     */
    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        CompiledGradient.Workspace a = compiled.workspace();
        CompiledGradient.Workspace b = compiled.workspace();
        a.setDeclared(low);
        b.setDeclared(high);
        boolean[] kink = {false};
        read(row -> {
            for (int c = 0; c < row.length; c++) {
                a.set(columnIndex[c], row[c]);
                b.set(columnIndex[c], row[c]);
            }
            kink[0] = Objective.kinkBetween(a, b);
            return !kink[0];
        });
        return kink[0];
    }

    /** Reads the file's samples in order, each to {@code sample} while it returns true (cells checked when the objective was made). */
    private void read(java.util.function.Predicate<double[]> sample) {
        List<Diagnostic> ignored = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            boolean header = true;
            String text;
            while ((text = in.readLine()) != null) {
                if (text.isBlank()) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                if (!sample.test(Dataset.parseRow(new Source(name, text), 1, text, columns, ignored))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
