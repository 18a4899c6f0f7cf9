package chainrule.data;

import chainrule.compile.CompiledGradient;
import chainrule.compile.Objective;
import java.util.stream.IntStream;

/**
 * Sums of the loss and gradient over rows of samples, one row at a time through the compiled
 * gradient: the one summation order of {@link DatasetObjective}, in memory, and of
 * {@link StreamedObjective} for networks the batched engine does not take, a chunk at a time.
 *
 * <p>Positions {@code from ... to - 1} are cut into blocks of {@link #BLOCK} counted from
 * {@code from}; each block's sums start from zero and add its rows in order; blocks run in
 * parallel, and their sums are added to the running total in block order. The total of a pass
 * made chunk by chunk (chunks a multiple of {@link #BLOCK} positions) is therefore the same, bit
 * for bit, as of one pass over all the rows.
 */
final class RowSums {
    /** Rows per parallel block. */
    static final int BLOCK = 64;

    private final CompiledGradient compiled;
    /** Per column of the samples, the index of the declared element it sets. */
    private final int[] columnIndex;
    private final ThreadLocal<CompiledGradient.Workspace> workspace;
    private final ThreadLocal<CompiledGradient.Workspace> second;

    RowSums(CompiledGradient compiled, java.util.List<String> columns) {
        this.compiled = compiled;
        this.columnIndex = new int[columns.size()];
        for (int c = 0; c < columnIndex.length; c++) {
            columnIndex[c] = compiled.declaredIndex(columns.get(c));
        }
        this.workspace = ThreadLocal.withInitial(compiled::workspace);
        this.second = ThreadLocal.withInitial(compiled::workspace);
    }

    /**
     * Adds to {@code total} ({@code [loss, g0, g1, ...]}; the gradient's part only {@code
     * withGradient}) the sums over {@code rows[index[i]]}, {@code from <= i < to} ({@code index}
     * null: {@code rows[i]}), block by block in order.
     */
    void addTo(double[] total, double[] declared, double[][] rows, int[] index, int from, int to, boolean withGradient) {
        int n = compiled.parameters().size();
        int blocks = (to - from + BLOCK - 1) / BLOCK;
        double[][] sums = new double[blocks][];
        IntStream.range(0, blocks).parallel().forEach(b -> sums[b] = block(b, declared, rows, index, from, to, withGradient));
        for (double[] s : sums) {
            total[0] += s[0];
            for (int i = 0; withGradient && i < n; i++) {
                total[i + 1] += s[i + 1];
            }
        }
    }

    /** Sums of the loss and of the gradient over one block of rows: {@code [loss, g0, g1, ...]}. */
    private double[] block(int b, double[] declared, double[][] rows, int[] index, int from, int to, boolean withGradient) {
        int n = compiled.parameters().size();
        double[] sum = new double[n + 1];
        double[] grad = new double[n];
        CompiledGradient.Workspace ws = workspace.get();
        ws.setDeclared(declared);
        int end = Math.min(to, from + (b + 1) * BLOCK);
        for (int i = from + b * BLOCK; i < end; i++) {
            set(ws, rows[index == null ? i : index[i]]);
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

    private void set(CompiledGradient.Workspace ws, double[] row) {
        for (int c = 0; c < row.length; c++) {
            ws.set(columnIndex[c], row[c]);
        }
    }

    /** Workspaces at {@code low} and {@code high}, to be given rows by {@link #kinkBetween(Kink, double[])}. */
    Kink kinks(double[] low, double[] high) {
        CompiledGradient.Workspace a = workspace.get();
        CompiledGradient.Workspace b = second.get();
        a.setDeclared(low);
        b.setDeclared(high);
        return new Kink(a, b);
    }

    /** Two workspaces, one at each point. */
    record Kink(CompiledGradient.Workspace low, CompiledGradient.Workspace high) {}

    /** Whether the sample {@code row} has a kink between the two points of {@code k}. */
    boolean kinkBetween(Kink k, double[] row) {
        set(k.low(), row);
        set(k.high(), row);
        return Objective.kinkBetween(k.low(), k.high());
    }
}
