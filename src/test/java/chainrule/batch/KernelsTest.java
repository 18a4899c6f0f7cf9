package chainrule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The matrix kernel against the definition: every element of C must be the sum over t in order,
 * {@code s = fma(a, b, s)} from zero (or {@code s + a·b} without FMA), bit for bit, whichever
 * kernel runs (the Vector API one, with the module; the auto-vectorised loops) and for every shape
 * (tails of rows and columns, strided A as the engine passes a transposed δ).
 */
class KernelsTest {
    private static final int[][] SHAPES = {
        {1, 1, 1}, {4, 16, 8}, {5, 17, 9}, {7, 3, 10}, {64, 32, 64}, {32, 64, 64}, {64, 10, 32}, {10, 32, 64},
        {13, 31, 33}, {3, 40, 5}, {8, 100, 1},
    };

    @Test
    void everyKernelGivesTheSequentialSumBitForBit() {
        Random r = new Random(15);
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            for (int variant = 0; variant < 8; variant++) {
                boolean transposedA = (variant & 1) != 0;
                boolean add = (variant & 2) != 0;
                boolean padded = (variant & 4) != 0; // rows of B as the engine allocates them; NaN padding must not leak
                {
                    double[] a = new double[m * k];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
                    }
                    double[][] b = new double[k][padded ? Kernels.padded(n) : n];
                    for (double[] row : b) {
                        java.util.Arrays.fill(row, Double.NaN);
                        for (int j = 0; j < n; j++) {
                            row[j] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
                        }
                    }
                    double[] start = new double[m * n];
                    for (int i = 0; i < start.length; i++) {
                        start[i] = r.nextGaussian();
                    }
                    int ai = transposedA ? 1 : k;
                    int at = transposedA ? m : 1;
                    double[] expected = start.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int t = 0; t < k; t++) {
                                double x = a[i * ai + t * at];
                                s = Kernels.FMA ? Math.fma(x, b[t][j], s) : s + x * b[t][j];
                            }
                            expected[i * n + j] = add ? expected[i * n + j] + s : s;
                        }
                    }
                    double[] loops = start.clone();
                    Kernels.loops(a, ai, at, m, b, n, k, loops, add, new double[n]);
                    double[] chosen = start.clone();
                    Kernels.product(a, ai, at, m, b, n, k, chosen, add, new double[n]);
                    String what = m + "x" + n + "x" + k + (transposedA ? " transposed" : "") + (add ? " add" : "")
                            + (padded ? " padded" : "");
                    for (int e = 0; e < expected.length; e++) {
                        assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(loops[e]),
                                "loops " + what + " element " + e);
                        assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(chosen[e]),
                                "product " + what + " element " + e);
                    }
                }
            }
        }
    }

    /** The build's tests run with the module (pom.xml), so the Vector API kernel is the one tested above. */
    @Test
    void vectorKernelIsUsedWhereTheModuleIsPresent() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && Kernels.FMA);
        assumeTrue(Boolean.parseBoolean(System.getProperty("chainrule.vector", "true")));
        assertEquals(VectorKernel.class, Kernels.VECTOR.getClass());
    }
}
