package chainrule.batch;

import java.util.Random;

/**
 * The two big products of 784-128-10 at batch 64 (two blocks of 32 rows) on their own, fastest of N
 * repetitions, for docs/performance.md's roofline: the forward {@code Zᵀ = W·Xᵀ} of both blocks, the
 * weight gradient {@code δᵀ·X} of both (the first block's stored, the second's added, as one
 * thread makes them: δ read with its stride, or transposed first), the reduction's pass into the output divided by 64, and the transposes of X.
 * Prints milliseconds and GFLOP/s. Run from the repository root:
 * {@code java --add-modules jdk.incubator.vector -cp target/chainrule.jar chainrule.batch.KernelTiming [N [ROUNDS]]}
 * (add {@code -XX:MaxVectorSize=32} for 256-bit vectors instead of 512).
 */
public final class KernelTiming {
    private KernelTiming() {}



    public static void main(String[] args) {
        if (Kernels.VECTOR == null) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
        }
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int r = 128;
        int c = 784;
        int rows = 32;
        Random random = new Random(1);
        double[] w = fill(new double[r * c + 8], random);
        double[][] xs = {fill(new double[rows * c + 8], random), fill(new double[rows * c + 8], random)};
        double[][] xts = {new double[c * rows + 8], new double[c * rows + 8]};
        double[][] deltas = {fill(new double[rows * r], random), fill(new double[rows * r], random)};
        double[] zt = new double[r * rows + 8];
        double[][] dts = {new double[rows * r], new double[rows * r]};
        double[] partial = new double[r * c];
        double[] out = new double[r * c];
        double flop = 2.0 * r * c * rows * 2;
        for (int round = 0; round < rounds; round++) {
            long transpose = Long.MAX_VALUE;
            long forward = Long.MAX_VALUE;
            long gradient = Long.MAX_VALUE;
            long reduce = Long.MAX_VALUE;
            long transposedDelta = Long.MAX_VALUE;
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                for (int g = 0; g < 2; g++) {
                    Kernels.transpose(xs[g], 0, rows, c, xts[g], rows);
                }
                long t1 = System.nanoTime();
                for (int g = 0; g < 2; g++) {
                    Kernels.VECTOR.product(w, 0, c, 1, r, xts[g], 0, rows, rows, c, zt, 0, false, null, false);
                }
                long t2 = System.nanoTime();
                for (int g = 0; g < 2; g++) {
                    Kernels.VECTOR.product(deltas[g], 0, 1, r, r, xs[g], 0, c, c, rows, partial, 0, g == 1, null, false);
                }
                long t3 = System.nanoTime();
                for (int e = 0; e < partial.length; e++) {
                    out[e] = (0.0 + partial[e]) / 64;
                }
                long t4 = System.nanoTime();
                for (int g = 0; g < 2; g++) {
                    Kernels.transpose(deltas[g], 0, rows, r, dts[g], rows);
                    Kernels.VECTOR.product(dts[g], 0, rows, 1, r, xs[g], 0, c, c, rows, partial, 0, g == 1, null, false);
                }
                long t5 = System.nanoTime();
                transposedDelta = Math.min(transposedDelta, t5 - t4);
                transpose = Math.min(transpose, t1 - t0);
                forward = Math.min(forward, t2 - t1);
                gradient = Math.min(gradient, t3 - t2);
                reduce = Math.min(reduce, t4 - t3);
            }
            System.out.printf("transpose X %.4f ms; forward W·Xᵀ %.4f ms (%.1f GFLOP/s); δᵀ·X %.4f ms (%.1f GFLOP/s); "
                    + "reduce ÷64 %.4f ms%n", transpose / 1e6, forward / 1e6, flop / forward, gradient / 1e6,
                    flop / gradient, reduce / 1e6);
            System.out.printf("  δᵀ·X with δ transposed first (as the engine does for 256 columns or more) %.4f ms (%.1f GFLOP/s)%n",
                    transposedDelta / 1e6, flop / transposedDelta);
        }
    }

    private static double[] fill(double[] a, Random random) {
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian();
        }
        return a;
    }
}
