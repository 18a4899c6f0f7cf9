package chainrule.batch;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Sums of the loss and gradient over many samples, on several threads, with a result that does
 * not depend on the number of threads.
 *
 * <p>Samples are cut into blocks of {@link #BLOCK} rows (of half the rows, rounded up to a multiple of
 * 8, when there are at most {@link #BLOCK}: so a minibatch still has two blocks for two cores), a
 * partition fixed by the row count alone. Blocks run in parallel (a fork/join split) in chunks of {@link #CHUNK} blocks; each block
 * writes its own partial sums, and a chunk's partials are added pairwise in a fixed tree (block
 * 0+1, 2+3, ..., then pairs of pairs), chunk after chunk. So which thread ran which block never
 * changes a bit of the result, and memory stays at {@link #CHUNK} partial gradients however many
 * rows there are.
 */
public final class BatchEvaluator implements AutoCloseable {
    /** Rows per block, at most: one matrix product of the engine. */
    public static final int BLOCK = 64;
    /** Blocks evaluated in parallel before their sums are folded in. */
    public static final int CHUNK = 16;

    private final BatchEngine engine;
    private final int threads;
    private final ForkJoinPool pool;
    private final ThreadLocal<BatchEngine.Workspace> workspace;
    /** Where an evaluation of two blocks leaves its δW products (null: the engine defers none). */
    private final BatchEngine.DeferredProducts deferred;
    private final double[][] partialGradient = new double[CHUNK][];
    private final double[] partialLoss = new double[CHUNK];
    private final int[] partialCorrect = new int[CHUNK];
    /** Evaluations so far: blocks of one evaluation share its weight matrices ({@link BatchEngine.Workspace#run}). */
    private long calls;

    /** Sums over the samples evaluated: the loss, the samples classified right, and how many samples. */
    public record Sums(double loss, long correct, long count) {
        public Sums plus(Sums o) {
            return new Sums(loss + o.loss, correct + o.correct, count + o.count);
        }
    }

    /** @param threads worker threads (1: everything on the calling thread) */
    public BatchEvaluator(BatchEngine engine, int threads) {
        this.engine = engine;
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads);
        this.workspace = ThreadLocal.withInitial(() -> engine.workspace(BLOCK));
        this.deferred = engine.deferredProducts(2 * BLOCK);
        for (int i = 0; i < CHUNK; i++) {
            partialGradient[i] = new double[engine.parameterCount()];
        }
    }

    public BatchEngine engine() { return engine; }

    public int threads() { return threads; }

    /**
     * Adds the gradient sum over samples {@code rows[index[i]]}, {@code from <= i < to} ({@code
     * index} null: {@code rows[i]}), to {@code gradSum} (null: loss only) and returns the sums.
     * Not to be called from two threads at once.
     */
    public Sums accumulate(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to,
                           double[] gradSum) {
        return sum(declared, rows, index, from, to, gradSum, false, 1, true, to - from);
    }

    /**
     * {@link #accumulate} for rows {@code from .. to - 1} that are one chunk of a longer evaluation
     * of {@code evaluationRows} rows (a file streamed a chunk at a time): blocks are cut as that
     * evaluation cuts them ({@link #blockRows} of its row count), so the chunks' sums, added in
     * order, have the bits of the whole evaluation's. {@code to - from} must be a whole number of
     * {@link #CHUNK} blocks, or the evaluation's last rows.
     */
    public Sums accumulate(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to,
                           double[] gradSum, int evaluationRows) {
        return sum(declared, rows, index, from, to, gradSum, false, 1, true, evaluationRows);
    }

    /**
     * The sums over the samples as {@link #accumulate}, into {@code gradSum}: with {@code
     * overwrite}, {@code gradSum} is first taken as zero (without a pass to zero it: the first
     * chunk's sum is added to 0.0, which is what zeroing and adding gives, bit for bit), and in the
     * last pass every element is divided by {@code divisor} (1: left as is), as a separate pass
     * over the sum would. Without {@code accuracy}, the samples classified right are not counted.
     */
    private synchronized Sums sum(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to,
                                  double[] gradSum, boolean overwrite, double divisor, boolean accuracy,
                                  int evaluationRows) {
        double loss = 0;
        long correct = 0;
        long call = calls++;
        int block = blockRows(evaluationRows);
        int n = engine.parameterCount();
        boolean first = true;
        for (int start = from; start < to; start += block * CHUNK) {
            int chunkStart = start;
            int chunkEnd = Math.min(to, start + block * CHUNK);
            int blocks = (chunkEnd - chunkStart + block - 1) / block;
            int width; // the tree's first level still to add
            // One chunk of at most two blocks, the output overwritten: block 0's partial sums are
            // made in the output itself (on one thread, p[0] + p[1] too), and the last pass
            // ((0.0 + (g + h))/d) runs over it in place: the same operations, one array of partial
            // sums fewer to write and read.
            boolean inOutput = gradSum != null && blocks <= 2 && overwrite && first && chunkEnd >= to;
            double[] firstPartial = inOutput ? gradSum : partialGradient[0];
            // A chunk of two blocks (a minibatch, or the last chunk of a longer evaluation): the δW
            // products over both blocks at once, after them (BatchEngine.DeferredProducts). Decided
            // by the row count alone: whatever the thread count, the kernel, however the rows come
            // and whether they are streamed (StreamedObjective's chunks are these chunks).
            BatchEngine.DeferredProducts later = gradSum != null && blocks == 2 ? deferred : null;
            if (later != null) {
                later.start(chunkStart, chunkEnd - chunkStart, index != null);
            }
            if (pool == null || blocks == 1) {
                // One thread runs the blocks in order, so it adds each odd block's gradient straight
                // onto the even one before it, as the tree's first level would: p[b-1] + p[b].
                for (int b = 0; b < blocks; b++) {
                    int s = chunkStart + b * block;
                    int e = Math.min(chunkEnd, s + block);
                    BatchEngine.BlockResult r = workspace.get().run(declared, rows, index, s, e,
                            gradSum == null ? null : b < 2 ? firstPartial : partialGradient[b & ~1], (b & 1) == 1, call,
                            evaluationRows, accuracy, later);
                    partialLoss[b] = r.lossSum();
                    partialCorrect[b] = r.correct();
                }
                width = 2;
            } else {
                pool.submit(() -> IntStream.range(0, blocks).parallel().forEach(b -> {
                    int s = chunkStart + b * block;
                    int e = Math.min(chunkEnd, s + block);
                    BatchEngine.BlockResult r = workspace.get().run(declared, rows, index, s, e,
                            gradSum == null ? null : b == 0 ? firstPartial : partialGradient[b], false, call, evaluationRows, accuracy,
                            later);
                    partialLoss[b] = r.lossSum();
                    partialCorrect[b] = r.correct();
                })).join();
                width = 1;
            }
            for (int w = 1; w < blocks; w *= 2) {
                for (int b = 0; b + w < blocks; b += 2 * w) {
                    partialLoss[b] += partialLoss[b + w];
                    partialCorrect[b] += partialCorrect[b + w];
                }
            }
            loss += partialLoss[0];
            correct += partialCorrect[0];
            if (Stages.ON) {
                Stages.start();
            }
            int[] done = NONE; // gradient ranges complete made final: the reduction passes them by
            if (later != null) {
                // The reduction's last level over these ranges, as reduce makes it where block 0's
                // partial holds the whole sum (no block w to add): one group of rows at a time, in
                // the cache.
                double d = chunkEnd >= to ? divisor : 1;
                boolean fresh = overwrite && first;
                double[] out = gradSum;
                // Where it is (0.0 + g)·(1/d) into g itself (block 0's partial is the output), the
                // product's kernel may do it in its registers as it stores (Finish.scale).
                double inverse = d == 1 ? 1 : Kernels.exactInverse(d);
                BatchEngine.Finish finish = fresh && out == firstPartial && inverse != 0
                        ? BatchEngine.Finish.scaling(inverse)
                        : (g, lo, hi) -> last(g, null, out, lo, hi, fresh, d);
                later.prepare();
                if (Stages.ON) {
                    Stages.mark("δW: prepare");
                }
                if (pool == null) {
                    later.complete(firstPartial, 0, 1, finish);
                } else {
                    pool.submit(() -> IntStream.range(0, threads).parallel()
                            .forEach(p -> later.complete(firstPartial, p, threads, finish))).join();
                }
                done = later.deferred();
                if (Stages.ON) {
                    Stages.mark("δW = δᵀ·X over the evaluation");
                }
            }
            if (gradSum != null) {
                boolean last = chunkEnd >= to;
                reduce(blocks, width, firstPartial, gradSum, n, overwrite && first, last ? divisor : 1, done);
            }
            if (Stages.ON) {
                Stages.mark("reduce blocks' gradients into the output");
            }
            first = false;
        }
        return new Sums(loss, correct, to - from);
    }

    /**
     * Adds the chunk's partial gradients ({@code partialGradient[0 .. blocks-1]}, the tree's levels
     * below {@code width} already added) into {@code gradSum} in the fixed tree: block 0+1, 2+3,
     * ..., then pairs of pairs; the last level (block 0 + block w) in the same pass as the addition
     * to {@code gradSum} ({@code 0.0 + ...} where {@code fresh}) and the division by {@code
     * divisor}: the operations of separate passes, in their order, with one pass fewer each. Block
     * 0's partial sums are in {@code firstPartial} (the output itself where {@link #sum} made them
     * there). The ranges {@code done} ((offset, size) pairs) are final already (the deferred δW
     * products, finished as they were made) and passed by.
     */
    private void reduce(int blocks, int width, double[] firstPartial, double[] gradSum, int n, boolean fresh,
                        double divisor, int[] done) {
        int w = width;
        for (; 2 * w < blocks; w *= 2) {
            for (int b = 0; b + w < blocks; b += 2 * w) {
                double[] into = partialGradient[b];
                double[] from = partialGradient[b + w];
                for (int i = 0; i < n; i++) {
                    into[i] += from[i];
                }
            }
        }
        double[] g = firstPartial; // block 0's partial sums (the output itself where they were made there)
        double[] h = w < blocks ? partialGradient[w] : null;
        int at = 0;
        for (int k = 0; k < done.length; k += 2) { // (offset, size) pairs in increasing order
            last(g, h, gradSum, at, done[k], fresh, divisor);
            at = done[k] + done[k + 1];
        }
        last(g, h, gradSum, at, n, fresh, divisor);
    }

    private static final int[] NONE = {};

    /**
     * The tree's last level over elements lo..hi-1: {@code gradSum = (gradSum or 0.0) + (g + h)}
     * (g alone where h is null), divided by {@code divisor} unless it is 1.
     */
    private static void last(double[] g, double[] h, double[] gradSum, int lo, int hi, boolean fresh, double divisor) {
        if (divisor == 1) {
            if (h == null) {
                if (fresh) {
                    for (int i = lo; i < hi; i++) {
                        gradSum[i] = 0.0 + g[i];
                    }
                } else {
                    for (int i = lo; i < hi; i++) {
                        gradSum[i] += g[i];
                    }
                }
            } else if (fresh) {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] = 0.0 + (g[i] + h[i]);
                }
            } else {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] += g[i] + h[i];
                }
            }
            return;
        }
        double inverse = Kernels.exactInverse(divisor);
        if (inverse != 0) { // x·(1/d) = x/d exactly: a multiplication instead of a division
            if (h == null) {
                if (fresh) {
                    for (int i = lo; i < hi; i++) {
                        gradSum[i] = (0.0 + g[i]) * inverse;
                    }
                } else {
                    for (int i = lo; i < hi; i++) {
                        gradSum[i] = (gradSum[i] + g[i]) * inverse;
                    }
                }
            } else if (fresh) {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] = (0.0 + (g[i] + h[i])) * inverse;
                }
            } else {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] = (gradSum[i] + (g[i] + h[i])) * inverse;
                }
            }
            return;
        }
        if (h == null) {
            if (fresh) {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] = (0.0 + g[i]) / divisor;
                }
            } else {
                for (int i = lo; i < hi; i++) {
                    gradSum[i] = (gradSum[i] + g[i]) / divisor;
                }
            }
        } else if (fresh) {
            for (int i = lo; i < hi; i++) {
                gradSum[i] = (0.0 + (g[i] + h[i])) / divisor;
            }
        } else {
            for (int i = lo; i < hi; i++) {
                gradSum[i] = (gradSum[i] + (g[i] + h[i])) / divisor;
            }
        }
    }

    /**
     * Rows per block for {@code n} rows: {@link #BLOCK}, or for {@code n <= BLOCK} half of n
     * rounded up to a multiple of 8 (at least 8), so that a batch of 64 or 32 rows is two blocks.
     * A function of n alone: never of the thread count.
     */
    static int blockRows(int n) {
        if (n > BLOCK) {
            return BLOCK;
        }
        return Math.max(8, ((n + 1) / 2 + 7) / 8 * 8);
    }

    /** Zeroes {@code gradOut}, then {@link #accumulate}s into it (one pass: the zeroing is folded in). */
    public Sums evaluate(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to, double[] gradOut) {
        return sum(declared, rows, index, from, to, gradOut, true, 1, true, to - from);
    }

    /**
     * {@link #evaluate}, then each element of {@code gradOut} divided by the number of samples:
     * the mean gradient, with the division in the reduction's last pass (the same bits as a pass
     * of its own). The mean loss and gradient only: the samples classified right are not counted
     * ({@link Sums#correct} is 0).
     */
    public Sums mean(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to, double[] gradOut) {
        return sum(declared, rows, index, from, to, gradOut, true, to - from, false, to - from);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
