package chainrule.data;

import chainrule.batch.BatchGraph;
import chainrule.compile.CompiledGradient;

/**
 * The mean loss and mean gradient over the samples of a {@link Dataset}, computed on all cores.
 *
 * <p>Rows are cut into fixed blocks of {@link #BLOCK} rows, independent of the number of cores;
 * blocks run in parallel and their sums are added in block order, so the result is the same on
 * every machine and every run ({@link RowSums}); a file read as a stream is summed in the same
 * order, a chunk at a time ({@link StreamedObjective}), to the same bits.
 */
public final class DatasetObjective implements RowObjective {
    /** Rows per parallel block. */
    static final int BLOCK = RowSums.BLOCK;

    private final CompiledGradient compiled;
    private final Dataset data;
    private final RowSums rows;

    /**
     * The objective over {@code data}: batched matrix products on {@code threads} threads when the
     * network has a layer view ({@code graph}), one row at a time through the compiled code otherwise.
     */
    public static RowObjective of(CompiledGradient compiled, Dataset data, java.util.Optional<BatchGraph> graph,
                                  int threads) {
        return graph.<RowObjective>map(g -> new BatchedObjective(compiled, g, data, threads))
                .orElseGet(() -> new DatasetObjective(compiled, data));
    }

    public DatasetObjective(CompiledGradient compiled, Dataset data) {
        this.compiled = compiled;
        this.data = data;
        this.rows = new RowSums(compiled, data.columns());
    }

    @Override public CompiledGradient compiled() { return compiled; }

    @Override
    public double loss(double[] declared) {
        return run(declared, null);
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        return run(declared, gradOut);
    }

    private double run(double[] declared, double[] gradOut) {
        chainrule.batch.BatchEvaluator.Sums sums = sums(declared, null, 0, data.size(), gradOut);
        for (int i = 0; gradOut != null && i < compiled.parameters().size(); i++) {
            gradOut[i] /= sums.count();
        }
        return sums.loss() / sums.count();
    }

    /** A kink between the points for any sample. */
    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        RowSums.Kink k = rows.kinks(low, high);
        for (double[] row : data.rows()) {
            if (rows.kinkBetween(k, row)) {
                return true;
            }
        }
        return false;
    }

    /** The samples. */
    public Dataset data() { return data; }

    @Override public int size() { return data.size(); }

    /** Accuracy is counted by the batched engine only. */
    @Override public boolean isClassifier() { return false; }

    /** Blocks of {@link #BLOCK} rows run in parallel; their sums are added in block order. */
    @Override
    public chainrule.batch.BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum) {
        int n = compiled.parameters().size();
        double[] total = new double[n + 1];
        rows.addTo(total, declared, data.rows(), index, from, to, gradSum != null);
        if (gradSum != null) {
            System.arraycopy(total, 1, gradSum, 0, n);
        }
        return new chainrule.batch.BatchEvaluator.Sums(total[0], 0, to - from);
    }
}
