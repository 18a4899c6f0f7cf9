package chainrule.data;

import chainrule.batch.BatchEvaluator;
import chainrule.compile.Objective;

/**
 * An objective over the rows of a data set that can also be evaluated on any subset of its rows
 * (a minibatch, a held-out part), giving sums rather than means. The rows may be in memory
 * ({@link DatasetObjective}, {@link BatchedObjective}) or read from a file at each evaluation
 * ({@link StreamedObjective}: rows in file order only).
 */
public interface RowObjective extends Objective {
    /** Number of samples. */
    int size();

    /** Whether the loss is a classifier's (softmax cross-entropy against a one-hot target): then sums count the right answers. */
    boolean isClassifier();

    /**
     * Sums over rows {@code index[from] ... index[to - 1]} ({@code index} null: rows {@code from
     * ... to - 1}); the gradient's sum goes to {@code gradSum} (overwritten; null for none).
     */
    BatchEvaluator.Sums sums(double[] declared, int[] index, int from, int to, double[] gradSum);
}
