package chainrule.data;

import chainrule.batch.BatchEngine;
import chainrule.batch.BatchEvaluator;
import chainrule.batch.BatchGraph;
import chainrule.compile.CompiledGradient;

/**
 * The mean loss and gradient over a {@link Dataset}, computed a block of rows at a time as matrix
 * products by the batched engine ({@link BatchEngine}) on all cores, with the same numbers
 * whatever the number of threads ({@link BatchEvaluator}). The per-row {@link DatasetObjective}
 * is kept for what needs one sample at a time (kink detection in {@code check}).
 */
public final class BatchedObjective implements RowObjective, AutoCloseable {
    private final CompiledGradient compiled;
    private final Dataset data;
    private final BatchEvaluator evaluator;
    private final DatasetObjective perRow;
    private final BatchEngine.Rows rows;

    /**
     * @param graph   the network's ops, laid out like {@code compiled} (declared values, gradient)
     * @param threads worker threads
     */
    public BatchedObjective(CompiledGradient compiled, BatchGraph graph, Dataset data, int threads) {
        this.compiled = compiled;
        this.data = data;
        this.evaluator = new BatchEvaluator(new BatchEngine(graph, columns(compiled, data)), threads);
        this.perRow = new DatasetObjective(compiled, data);
        this.rows = evaluator.engine().pack(data.rows());
    }

    /** Per column of {@code data}, the index of the declared element it sets. */
    static int[] columns(CompiledGradient compiled, Dataset data) {
        return columns(compiled, data.columns());
    }

    /** Per column named in {@code names}, the index of the declared element it sets. */
    static int[] columns(CompiledGradient compiled, java.util.List<String> names) {
        int[] columns = new int[names.size()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = compiled.declaredIndex(names.get(c));
        }
        return columns;
    }

    @Override public CompiledGradient compiled() { return compiled; }

    /** The samples. */
    public Dataset data() { return data; }

    @Override public int size() { return data.size(); }

    /** Whether accuracy means something: the loss is softmax cross-entropy against a one-hot target. */
    @Override public boolean isClassifier() { return evaluator.engine().isClassifier(); }

    @Override
    public double loss(double[] declared) {
        BatchEvaluator.Sums s = evaluator.evaluate(declared, rows, null, 0, data.size(), null);
        return s.loss() / s.count();
    }

    @Override
    public double gradient(double[] declared, double[] gradOut) {
        BatchEvaluator.Sums s = evaluator.mean(declared, rows, null, 0, data.size(), gradOut);
        return s.loss() / s.count();
    }

    /**
     * Sums over the rows {@code index[from] ... index[to - 1]} of the data (index null: rows
     * {@code from ... to - 1}); the gradient's sum goes to {@code gradSum} (overwritten; null for
     * none).
     */
    @Override public BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum) {
        return evaluator.evaluate(declared, rows, index, from, to, gradSum);
    }

    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        return perRow.kinkBetween(low, high);
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
