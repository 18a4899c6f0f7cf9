package chainrule.data;

import chainrule.batch.BatchGraph;
import chainrule.compile.CompiledGradient;
import chainrule.compile.Objective;
import java.util.stream.IntStream;

/**
 * The mean loss and mean gradient over the samples of a {@link Dataset}, computed on all cores.
 *
 * <p>Rows are cut into fixed blocks of {@link #BLOCK} rows, independent of the number of cores;
 * blocks run in parallel and their sums are added in block order, so the result is the same on
 * every machine and every run.
 */
public final class DatasetObjective implements RowObjective {
    /** Rows per parallel block. */
    static final int BLOCK = 64;

    private final CompiledGradient compiled;
    private final Dataset data;
    private final int[] columnIndex;
    private final ThreadLocal<CompiledGradient.Workspace> workspace;
    private final ThreadLocal<CompiledGradient.Workspace> second;

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
        this.columnIndex = new int[data.columns().size()];
        for (int c = 0; c < columnIndex.length; c++) {
            columnIndex[c] = compiled.declaredIndex(data.columns().get(c));
        }
        this.workspace = ThreadLocal.withInitial(compiled::workspace);
        this.second = ThreadLocal.withInitial(compiled::workspace);
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

    /** Sums of the loss and of the gradient over one block of rows: {@code [loss, g0, g1, ...]}. */
    private double[] block(int b, double[] declared, int[] index, int from, int to, boolean withGradient) {
        int n = compiled.parameters().size();
        double[] sum = new double[n + 1];
        double[] grad = new double[n];
        CompiledGradient.Workspace ws = workspace.get();
        ws.setDeclared(declared);
        int end = Math.min(to, from + (b + 1) * BLOCK);
        for (int i = from + b * BLOCK; i < end; i++) {
            setRow(ws, index == null ? i : index[i]);
            if (withGradient) {
                sum[0] += ws.gradient(grad);
                for (int k = 0; k < n; k++) {
                    sum[k + 1] += grad[k];
                }
            } else {
                sum[0] += ws.loss();
            }
        }
        return sum;
    }

    private void setRow(CompiledGradient.Workspace ws, int r) {
        double[] row = data.rows()[r];
        for (int c = 0; c < row.length; c++) {
            ws.set(columnIndex[c], row[c]);
        }
    }

    /** A kink between the points for any sample. */
    @Override
    public boolean kinkBetween(double[] low, double[] high) {
        CompiledGradient.Workspace a = workspace.get();
        CompiledGradient.Workspace b = second.get();
        a.setDeclared(low);
        b.setDeclared(high);
        for (int r = 0; r < data.size(); r++) {
            setRow(a, r);
            setRow(b, r);
            if (Objective.kinkBetween(a, b)) {
                return true;
            }
        }
        return false;
    }

    @Override public Dataset data() { return data; }

    /** Accuracy is counted by the batched engine only. */
    @Override public boolean isClassifier() { return false; }

    /** Blocks of {@link #BLOCK} rows run in parallel; their sums are added in block order. */
    @Override
    public chainrule.batch.BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum) {
        int n = compiled.parameters().size();
        int blocks = (to - from + BLOCK - 1) / BLOCK;
        double[][] sums = new double[blocks][];
        IntStream.range(0, blocks).parallel().forEach(b -> sums[b] = block(b, declared, index, from, to, gradSum != null));
        double loss = 0;
        if (gradSum != null) {
            java.util.Arrays.fill(gradSum, 0, n, 0.0);
        }
        for (double[] s : sums) {
            loss += s[0];
            for (int i = 0; gradSum != null && i < n; i++) {
                gradSum[i] += s[i + 1];
            }
        }
        return new chainrule.batch.BatchEvaluator.Sums(loss, 0, to - from);
    }
}
