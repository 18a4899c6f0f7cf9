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
    public synchronized Sums accumulate(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to,
                                        double[] gradSum) {
        double loss = 0;
        long correct = 0;
        long call = calls++;
        int block = blockRows(to - from);
        for (int start = from; start < to; start += block * CHUNK) {
            int chunkStart = start;
            int chunkEnd = Math.min(to, start + block * CHUNK);
            int blocks = (chunkEnd - chunkStart + block - 1) / block;
            Runnable work = () -> IntStream.range(0, blocks).parallel().forEach(b -> {
                int s = chunkStart + b * block;
                int e = Math.min(chunkEnd, s + block);
                BatchEngine.BlockResult r = workspace.get().run(declared, rows, index, s, e,
                        gradSum == null ? null : partialGradient[b], call);
                partialLoss[b] = r.lossSum();
                partialCorrect[b] = r.correct();
            });
            if (pool == null || blocks == 1) {
                for (int b = 0; b < blocks; b++) {
                    int s = chunkStart + b * block;
                    int e = Math.min(chunkEnd, s + block);
                    BatchEngine.BlockResult r = workspace.get().run(declared, rows, index, s, e,
                            gradSum == null ? null : partialGradient[b], call);
                    partialLoss[b] = r.lossSum();
                    partialCorrect[b] = r.correct();
                }
            } else {
                pool.submit(work).join();
            }
            for (int width = 1; width < blocks; width *= 2) {
                for (int b = 0; b + width < blocks; b += 2 * width) {
                    partialLoss[b] += partialLoss[b + width];
                    partialCorrect[b] += partialCorrect[b + width];
                    if (gradSum != null) {
                        double[] into = partialGradient[b];
                        double[] from2 = partialGradient[b + width];
                        for (int i = 0; i < into.length; i++) {
                            into[i] += from2[i];
                        }
                    }
                }
            }
            loss += partialLoss[0];
            correct += partialCorrect[0];
            if (gradSum != null) {
                double[] g = partialGradient[0];
                for (int i = 0; i < g.length; i++) {
                    gradSum[i] += g[i];
                }
            }
        }
        return new Sums(loss, correct, to - from);
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

    /** Zeroes {@code gradOut}, then {@link #accumulate}s into it. */
    public Sums evaluate(double[] declared, BatchEngine.Rows rows, int[] index, int from, int to, double[] gradOut) {
        if (gradOut != null) {
            Arrays.fill(gradOut, 0, engine.parameterCount(), 0.0);
        }
        return accumulate(declared, rows, index, from, to, gradOut);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
