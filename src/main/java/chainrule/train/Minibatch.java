package chainrule.train;

import chainrule.batch.BatchEvaluator;
import chainrule.data.RowObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training on the rows of a data set: minibatches of a fixed size drawn without replacement from
 * a shuffled order (reshuffled every epoch, from {@code seed}), an {@link Optimizer}, and held-out
 * evaluation. The same seed gives the same run, bit for bit, whatever the number of threads.
 *
 * <p>One step is one minibatch; an epoch is one pass over the training rows (the last minibatch
 * of an epoch may be smaller). With no batch size, every step uses all training rows in file order
 * (full-batch gradient descent, no shuffling).
 */
public final class Minibatch {
    private Minibatch() {}

    /**
     * @param rate      learning rate
     * @param steps     number of steps (minibatches)
     * @param batch     rows per step (0: all training rows)
     * @param optimizer how a gradient moves the parameters
     * @param seed      the shuffling seed
     * @param frozen    per parameter (compiled order), whether it stays fixed
     */
    public record Settings(double rate, int steps, int batch, Optimizer optimizer, long seed, boolean[] frozen) {}

    /**
     * Rows to evaluate: {@code rows} of {@code objective}'s data ({@code rows} null: all of them).
     */
    public record Part(RowObjective objective, int[] rows) {
        public int size() { return rows == null ? objective.size() : rows.length; }

        BatchEvaluator.Sums sums(double[] x, double[] gradSum) {
            return objective.sums(x, rows, 0, size(), gradSum);
        }
    }

    /**
     * Where training stood: after {@code step} steps ({@code epoch} full passes), the mean loss and
     * accuracy over the minibatches of the last epoch (at the values each was evaluated at), and on
     * the held-out rows at the current values (NaN without held-out rows or a classifier).
     */
    public record Point(int step, double epoch, double loss, double accuracy, double testLoss, double testAccuracy) {}

    /** Told every step's minibatch loss, and each point of the history when it is recorded. */
    public interface Progress {
        void step(int step, int steps, double loss, double accuracy);

        void point(Point p);
    }

    /**
     * @param values   the values after training
     * @param loss     the mean loss over all training rows at {@code values}
     * @param accuracy the accuracy over the training rows at {@code values} (NaN: not a classifier)
     * @param test     the held-out loss and accuracy at {@code values} (NaN without held-out rows)
     * @param history  the recorded points, the last at the end of training
     */
    public record Result(double[] values, double loss, double accuracy, double testLoss, double testAccuracy,
                         double initialLoss, List<Point> history) {}

    /** At most about this many points are recorded (every k-th epoch). */
    static final int HISTORY = 100;

    public static Result run(Part train, Part test, double[] declared, Settings s, Progress progress)
            throws NonFiniteLoss {
        RowObjective objective = train.objective();
        int[] index = objective.compiled().parameterIndices();
        int p = index.length;
        double[] x = declared.clone();
        double[] grad = new double[p];
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = train.rows() == null ? i : train.rows()[i];
        }
        int batch = s.batch() <= 0 || s.batch() >= n ? n : s.batch();
        boolean shuffle = batch < n;
        int perEpoch = (n + batch - 1) / batch;
        long epochs = (s.steps() + (long) perEpoch - 1) / perEpoch;
        long every = Math.max(1, (epochs + HISTORY - 1) / HISTORY);
        Random random = new Random(s.seed());
        Optimizer.State state = s.optimizer().start(p);
        boolean classifier = objective.isClassifier();
        List<Point> history = new ArrayList<>();
        // "from" is the loss over all training rows at the starting values, as the final loss is
        // over all of them: the first minibatch's loss alone may be far from it either way.
        // Full-batch, that is the first step's loss, so nothing is evaluated twice.
        double initialLoss = Double.NaN;
        if (batch < n && s.steps() > 0) {
            BatchEvaluator.Sums start = train.sums(x, null);
            initialLoss = start.loss() / start.count();
            NonFiniteLoss.check(0, initialLoss, s.rate());
        }
        double epochLoss = 0;
        long epochCorrect = 0;
        long epochCount = 0;
        int position = 0;
        int epoch = 0;
        for (int step = 0; step < s.steps(); step++) {
            if (position == 0 && shuffle) {
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            int to = Math.min(n, position + batch);
            // Unshuffled over all rows: the same blocks, so the same bits, as evaluating the whole data set.
            int[] rows = !shuffle && train.rows() == null ? null : order;
            BatchEvaluator.Sums sums = objective.sums(x, rows, position, to, grad);
            double loss = sums.loss() / sums.count();
            NonFiniteLoss.check(step, loss, s.rate());
            if (step == 0 && batch == n) {
                initialLoss = loss;
            }
            for (int i = 0; i < p; i++) {
                grad[i] /= sums.count();
            }
            // a nan gradient under a finite loss (relu(nan) = 0 hides it) must stop here, not reach the values
            NonFiniteLoss.checkGradient(step, loss, grad, s.frozen(), objective.compiled().parameters(), x, s.rate());
            state.step(x, index, s.frozen(), grad, s.rate());
            NonFiniteLoss.checkValues(step, x, index, objective.compiled().parameters(), s.rate());
            epochLoss += sums.loss();
            epochCorrect += sums.correct();
            epochCount += sums.count();
            progress.step(step, s.steps(), loss, classifier ? (double) sums.correct() / sums.count() : Double.NaN);
            position = to;
            boolean last = step == s.steps() - 1;
            if (position == n || last) {
                if (position == n) {
                    epoch++;
                    position = 0;
                }
                if (!last && epoch % every == 0 && position == 0) {
                    Point point = point(step + 1, (double) (step + 1) / perEpoch, epochLoss / epochCount,
                            classifier ? (double) epochCorrect / epochCount : Double.NaN, test, x);
                    history.add(point);
                    progress.point(point);
                }
                if (position == 0) {
                    epochLoss = 0;
                    epochCorrect = 0;
                    epochCount = 0;
                }
            }
        }
        BatchEvaluator.Sums end = train.sums(x, null);
        double loss = end.loss() / end.count();
        NonFiniteLoss.check(s.steps(), loss, s.rate());
        if (s.steps() == 0) {
            initialLoss = loss;
        }
        double accuracy = classifier ? (double) end.correct() / end.count() : Double.NaN;
        Point last = point(s.steps(), (double) s.steps() / perEpoch, loss, accuracy, test, x);
        history.add(last);
        progress.point(last);
        return new Result(x, loss, accuracy, last.testLoss(), last.testAccuracy(), initialLoss, List.copyOf(history));
    }

    private static Point point(int step, double epoch, double loss, double accuracy, Part test, double[] x) {
        double testLoss = Double.NaN;
        double testAccuracy = Double.NaN;
        if (test != null && test.size() > 0) {
            BatchEvaluator.Sums t = test.sums(x, null);
            testLoss = t.loss() / t.count();
            testAccuracy = test.objective().isClassifier() ? (double) t.correct() / t.count() : Double.NaN;
        }
        return new Point(step, epoch, loss, accuracy, testLoss, testAccuracy);
    }
}
