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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mean loss and gradient over a CSV file read as a stream, for data sets too large to hold:
 * every evaluation reads the file again, {@link #CHUNK_ROWS} rows at a time, so memory stays at
 * one chunk whatever the file's size. The numbers are the same, bit for bit, as with the whole
 * file in memory, whichever way the network is computed:
 * <ul>
 *   <li>a network the batched engine takes (whole-vector layers): the chunks are exactly the
 *       evaluator's ({@link BatchEvaluator#BLOCK}·{@link BatchEvaluator#CHUNK} rows), as
 *       {@link BatchedObjective} cuts the rows in memory;</li>
 *   <li>any other network: one row at a time through the compiled gradient, blocks of
 *       {@link RowSums#BLOCK} rows added in order, as {@link DatasetObjective} adds them (a chunk
 *       is a whole number of blocks).</li>
 * </ul>
 *
 * <p>Rows are read in file order only: {@link #sums} takes all rows, a range, or rows by an index
 * that never goes back (a held-out split in file order), not a shuffled minibatch.
 *
 * <p>The file is checked once, completely, when the objective is made (every cell a finite
 * number, every row as long as the header), so a bad cell is reported with its line and column
 * before any work.
 */
public final class StreamedObjective implements RowObjective, AutoCloseable {
    /** Rows read and evaluated at a time: a whole number of the per-row blocks too. */
    static final int CHUNK_ROWS = BatchEvaluator.BLOCK * BatchEvaluator.CHUNK;

    static {
        if (CHUNK_ROWS % RowSums.BLOCK != 0) {
            throw new AssertionError("a chunk must be a whole number of per-row blocks");
        }
    }

    private final CompiledGradient compiled;
    private final Path file;
    private final String name;
    private final List<String> columns;
    /** The batched engine's evaluator, or null: one row at a time ({@link #perRow}). */
    private final BatchEvaluator evaluator;
    private final RowSums perRow;
    private final int size;
    private final Stamp stamp;

    /**
     * The header and first row of a file, and how many rows it has (all checked); {@code stamp}
     * is what the file was when the check began ({@link Stamp}), to tell a later pass it changed.
     */
    public record Header(List<String> columns, double[] firstRow, int rows, Stamp stamp) {}

    /**
     * A file's size, last-modified time and identity (inode, where the system has one): checked
     * at every pass against the check's, so a file replaced, rewritten or appended to between
     * passes is an error rather than rows of two files mixed in one training run.
     */
    public record Stamp(long size, java.nio.file.attribute.FileTime modified, Object key) {
        static Stamp of(Path file) throws IOException {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        }
    }

    /** Reads and checks all of {@code file} (shown as {@code name}) against {@code network}, keeping only the header and first row. */
    public static Header check(Path file, String name, Network network) throws DiagnosticException, IOException {
        return check(file, name, network, java.util.Set.of());
    }

    /**
     * {@link #check(Path, String, Network)}, the header's checks those of {@link Dataset#parse(Source,
     * Network, java.util.Set)} with the elements {@code given} on the command line. The lines are
     * {@link CsvLines}' as for a file read whole, and the problems the same, at the same places: a
     * NUL or invalid UTF-8 anywhere is the one error (as decoding the whole file reports it first),
     * and past {@link Dataset#MAX_PROBLEMS} problems the rest are counted, not shown.
     */
    public static Header check(Path file, String name, Network network, java.util.Set<String> given)
            throws DiagnosticException, IOException {
        Stamp stamp = Stamp.of(file);
        List<String> columns = null;
        double[] first = null;
        long rows = 0;
        long more = 0;
        int headerLine = 0;
        String headerText = null;
        List<Diagnostic> problems = new ArrayList<>();
        DiagnosticException header = null;
        try (CsvLines in = new CsvLines(Files.newInputStream(file), name)) {
            String text;
            while ((text = in.next()) != null) {
                int line = in.number();
                if (text.isBlank()) {
                    continue;
                }
                if (header != null) {
                    continue; // only a NUL or invalid UTF-8 later would be reported instead
                }
                if (columns == null) {
                    // The header through Dataset.parse (with a row of zeros, shown at its own line
                    // number), so that its checks and messages are those of a file read whole.
                    int cells = text.split(",", -1).length;
                    try {
                        Dataset parsed = Dataset.parse(new Source(name, "\n".repeat(line - 1) + text + "\n0"
                                + ",0".repeat(cells - 1)), network, given);
                        columns = parsed.columns();
                    } catch (DiagnosticException e) {
                        header = e;
                    }
                    headerLine = line;
                    headerText = text;
                    continue;
                }
                double[] row = Dataset.values(text, columns.size());
                if (row == null) {
                    if (problems.size() < Dataset.MAX_PROBLEMS) { // again, with the source showing the right line number
                        Dataset.parseRow(new Source(name, "\n".repeat(line - 1) + text), line, text, columns, problems);
                    } else {
                        more++;
                    }
                }
                if (row != null && first == null) {
                    first = row;
                }
                if (++rows > Integer.MAX_VALUE && problems.isEmpty()) {
                    problems.add(Diagnostic.error(new Source(name, "\n".repeat(line - 1) + text), line, 1, 1,
                            "more than " + Integer.MAX_VALUE + " samples; split the file"));
                    break;
                }
            }
        }
        if (header != null) {
            throw header;
        }
        if (problems.isEmpty() && (columns == null || rows == 0)) {
            problems.add(columns == null
                    ? Diagnostic.error(new Source(name, ""), 1, 1, 1,
                            "empty data file: expected a header row naming inputs and targets, then one sample per row")
                    : Diagnostic.error(new Source(name, "\n".repeat(headerLine - 1) + headerText), headerLine, 1, 1,
                            "no samples: the header is not followed by any row"));
        }
        if (!problems.isEmpty()) {
            throw new DiagnosticException(Dataset.capped(problems, more, "rows"));
        }
        return new Header(columns, first, (int) rows, stamp);
    }

    /**
     * @param graph   the network's ops for the batched engine, or empty: one row at a time
     * @param threads worker threads of the batched engine
     */
    public StreamedObjective(CompiledGradient compiled, java.util.Optional<BatchGraph> graph, Path file, String name,
                             Header header, int threads) {
        this.compiled = compiled;
        this.file = file;
        this.name = name;
        this.columns = header.columns();
        this.size = header.rows();
        this.stamp = header.stamp();
        this.perRow = new RowSums(compiled, columns);
        this.evaluator = graph.map(g -> new BatchEvaluator(new BatchEngine(g, BatchedObjective.columns(compiled, columns)),
                threads)).orElse(null);
    }

    /** Whether rows go through the batched engine (whole-vector layers), not one at a time. */
    public boolean isBatched() { return evaluator != null; }

    @Override public int size() { return size; }

    @Override public CompiledGradient compiled() { return compiled; }

    /** Whether accuracy means something: counted by the batched engine only, as in memory. */
    @Override public boolean isClassifier() { return evaluator != null && evaluator.engine().isClassifier(); }

    @Override
    public double loss(double[] declared) {
        return sums(declared, null, 0, size, null).loss() / size;
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        BatchEvaluator.Sums s = sums(declared, null, 0, size, gradOut);
        for (int i = 0; i < compiled.parameters().size(); i++) {
            gradOut[i] /= s.count();
        }
        return s.loss() / s.count();
    }

    /**
     * The sums over the file's rows {@code index[from] ... index[to - 1]} ({@code index} null: rows
     * {@code from ... to - 1}), read in one pass; {@code index} must not go back (rows are read in
     * file order).
     */
    @Override
    public BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum) {
        for (int i = from + 1; index != null && i < to; i++) {
            if (index[i] < index[i - 1]) {
                throw new IllegalArgumentException("a streamed file is read in file order: rows by an index that goes back");
            }
        }
        int n = compiled.parameters().size();
        if (gradSum != null) {
            java.util.Arrays.fill(gradSum, 0, n, 0.0);
        }
        double[] total = evaluator == null ? new double[n + 1] : null;
        double[][] chunk = new double[Math.min(CHUNK_ROWS, Math.max(0, to - from))][];
        int[] filled = {0};
        int[] at = {from};
        double[] lossSum = {0};
        long[] correct = {0};
        Runnable flush = () -> {
            if (evaluator != null) {
                // blocks cut as the whole evaluation's (to - from rows) are: a short last chunk too
                BatchEvaluator.Sums s = evaluator.accumulate(declared, evaluator.engine().pack(
                        filled[0] == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, filled[0])), null, 0, filled[0], gradSum,
                        to - from);
                lossSum[0] += s.loss();
                correct[0] += s.correct();
            } else {
                perRow.addTo(total, declared, chunk, null, 0, filled[0], gradSum != null);
            }
            filled[0] = 0;
        };
        if (from < to) {
            long[] row = {0};
            read(sample -> {
                long r = row[0]++;
                while (at[0] < to && (index == null ? at[0] : index[at[0]]) == r) {
                    chunk[filled[0]++] = sample;
                    at[0]++;
                    if (filled[0] == chunk.length) {
                        flush.run();
                    }
                }
                return at[0] < to;
            });
        }
        if (at[0] < to) { // fewer rows than checked: read() found the file the same, so the caller's index is wrong
            throw new IllegalArgumentException("rows past the end of " + name + ": " + size + " rows");
        }
        if (filled[0] > 0) {
            flush.run();
        }
        if (evaluator == null) {
            lossSum[0] = total[0];
            if (gradSum != null) {
                System.arraycopy(total, 1, gradSum, 0, n);
            }
        }
        return new BatchEvaluator.Sums(lossSum[0], correct[0], to - from);
    }

    /**
     * A kink between the points for any sample, as {@link DatasetObjective#kinkBetween}: the file
     * read again, a row at a time, each sample evaluated at both points (it stops at the first
     * kink). Called by {@code check} for a few parameters, not per step.
     */
    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        RowSums.Kink k = perRow.kinks(low, high);
        boolean[] kink = {false};
        read(row -> {
            kink[0] = perRow.kinkBetween(k, row);
            return !kink[0];
        });
        return kink[0];
    }

    /**
     * Reads the file's samples in order, each to {@code sample} while it returns true (cells checked
     * when the objective was made). The file must be as it was checked: same size, last-modified
     * time and identity when opened, then the same rows, as many as were counted (a file replaced
     * or rewritten during the pass ends it early or with a row that is not numbers).
     *
     * @throws UncheckedIOException the file gone, unreadable or changed since its check; the cause's
     *         message says which, for the command line to print
     */
    private void read(java.util.function.Predicate<double[]> sample) {
        try (CsvLines in = new CsvLines(Files.newInputStream(file), name)) {
            if (!Stamp.of(file).equals(stamp)) {
                throw changed("it is not the file that was checked (its size or time differs)");
            }
            boolean header = true;
            long rows = 0;
            String text;
            while ((text = in.next()) != null) {
                if (text.isBlank()) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                double[] row = Dataset.values(text, columns.size());
                if (row == null || ++rows > size) {
                    throw changed(row == null ? "a row no longer has " + columns.size() + " numbers"
                            : "it has more than the " + size + " rows checked");
                }
                if (!sample.test(row)) {
                    return;
                }
            }
            if (rows < size) {
                throw changed("it has " + rows + " rows, not the " + size + " checked");
            }
        } catch (DiagnosticException e) {
            throw changed("it is no longer UTF-8 text");
        } catch (IOException e) {
            throw e instanceof java.nio.file.NoSuchFileException
                    ? new UncheckedIOException(new IOException(name + ": no such file (it was there when the run started)", e))
                    : new UncheckedIOException(new IOException(name + ": cannot read: " + e.getMessage(), e));
        }
    }

    private UncheckedIOException changed(String why) {
        return new UncheckedIOException(new IOException(name + ": changed while it was read: " + why
                + "; run again on a file that stays as it is"));
    }

    @Override
    public void close() {
        if (evaluator != null) {
            evaluator.close();
        }
    }
}
