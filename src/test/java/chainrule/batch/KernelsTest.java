package chainrule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chainrule.runtime.Fns;
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

    /**
     * B read in place from one array (row t at {@code b0 + t·bs}, a stride wider than n as for a
     * weight matrix's rows, or equal to n as for the block's inputs, with and without slack after
     * the last row) and C written at an offset (straight into a gradient): the same bits as the
     * sequential sum, by whichever kernel runs.
     */
    @Test
    void productOfBInPlaceIntoAnOffsetGivesTheSequentialSum() {
        Random r = new Random(18);
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            for (int variant = 0; variant < 8; variant++) {
                boolean add = (variant & 1) != 0;
                int bs = (variant & 2) != 0 ? n + 3 : n;
                int slack = (variant & 4) != 0 ? 8 : 0;
                int b0 = 5;
                double[] a = new double[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
                }
                double[] b = new double[b0 + k * bs + slack];
                java.util.Arrays.fill(b, Double.NaN); // what lies between and after rows is never used
                for (int t = 0; t < k; t++) {
                    for (int j = 0; j < n; j++) {
                        b[b0 + t * bs + j] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
                    }
                }
                int c0 = 7;
                double[] start = new double[c0 + m * n + 3];
                for (int i = 0; i < start.length; i++) {
                    start[i] = r.nextGaussian();
                }
                double[] expected = start.clone();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int t = 0; t < k; t++) {
                            double x = a[i * k + t];
                            double y = b[b0 + t * bs + j];
                            s = Kernels.FMA ? Math.fma(x, y, s) : s + x * y;
                        }
                        expected[c0 + i * n + j] = add ? expected[c0 + i * n + j] + s : s;
                    }
                }
                double[] chosen = start.clone();
                Kernels.product(a, k, 1, m, b, b0, bs, n, k, chosen, c0, add, null, false,
                        new double[k][Kernels.padded(n)], new double[n]);
                for (int e = 0; e < expected.length; e++) {
                    assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(chosen[e]),
                            m + "x" + n + "x" + k + " variant " + variant + " element " + e);
                }
            }
        }
    }

    /** {@link Kernels.Product#countNonzero4}: per row of four, the elements that are not ±0 (NaN counts), for every term count. */
    @Test
    void countNonzero4CountsWhatIsNotZero() {
        assumeTrue(Kernels.VECTOR != null, "the Vector API kernel runs here");
        Random r = new Random(23);
        double[] kinds = {0.0, -0.0, 1.5, -2e-310, Double.NaN, Double.POSITIVE_INFINITY};
        for (int terms = 0; terms <= 70; terms++) {
            int base = r.nextInt(5);
            double[] d = new double[base + 4 * terms + 3];
            for (int i = 0; i < d.length; i++) {
                d[i] = kinds[r.nextInt(kinds.length)];
            }
            int[] counts = new int[6];
            Kernels.VECTOR.countNonzero4(d, base, terms, counts, 1);
            for (int q = 0; q < 4; q++) {
                int expected = 0;
                for (int t = 0; t < terms; t++) {
                    expected += d[base + 4 * t + q] != 0 ? 1 : 0;
                }
                assertEquals(expected, counts[1 + q], terms + " terms, row " + q);
            }
            assertEquals(0, counts[0]);
            assertEquals(0, counts[5]);
        }
    }

    /**
     * B packed in strips ({@link Kernels#strips}, a block of rows at a time into a k-row layout, as
     * the deferred δW products pack X), or B as rows, multiplied over the terms where one of four
     * rows of A is nonzero ({@link Kernels.Product#sparseStripProduct}, {@link
     * Kernels.Product#sparseRowProduct}), A's rows and C's rows anywhere: the bits of the sequential
     * sum over EVERY term (the zeros left out change nothing, ±0 in A both), stored, scaled as the
     * reduction's last pass would or added, for widths with every tail (no narrow strip, one or two
     * vectors, a partial vector; rows that end the array), A from dense to all zeros (no term), and
     * NaN everywhere the layout leaves unused would poison.
     */
    @Test
    void sparseProductsEqualTheSequentialSumOverEveryTerm() {
        assumeTrue(Kernels.VECTOR != null, "the Vector API kernel runs here");
        Random r = new Random(19);
        int w = Kernels.VECTOR.stripWidth();
        int[] widths = {1, 3, w / 2, w - 1, w, w + 1, 2 * w + w / 4, 2 * w + w / 2 + 3, 784};
        int[] ks = {1, 7, 32, 64, 63, 128};
        double[] zeroShare = {0, 0.5, 0.9, 1};
        int as = 5; // A's row q at base[q] + t·as: four rows interleaved in some order
        int[] base = {3, 1, 4, 0};
        for (int n : widths) {
            for (int k : ks) {
                for (double share : zeroShare) {
                    double[] a = new double[as * k + 5];
                    java.util.Arrays.fill(a, Double.NaN); // the fifth of each five is never read
                    for (int q = 0; q < 4; q++) {
                        for (int t = 0; t < k; t++) {
                            a[base[q] + t * as] = r.nextDouble() < share ? (r.nextBoolean() ? 0.0 : -0.0)
                                    : r.nextGaussian() * Math.exp(3 * r.nextGaussian());
                        }
                    }
                    double[] b = new double[k * n];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = r.nextGaussian() * Math.exp(3 * r.nextGaussian());
                    }
                    double[] strips = new double[Kernels.stripsLength(n, k, w)];
                    java.util.Arrays.fill(strips, Double.NaN);
                    int first = k / 2; // two blocks of rows, the second first
                    Kernels.strips(b, first * n, n, k - first, strips, 0, first, k, w);
                    Kernels.strips(b, 0, n, first, strips, 0, 0, k, w);
                    int[] terms = new int[k];
                    int count = 0;
                    for (int t = 0; t < k; t++) {
                        boolean kept = false;
                        for (int q = 0; q < 4; q++) {
                            kept |= a[base[q] + t * as] != 0;
                        }
                        if (kept) {
                            terms[count++] = t;
                        }
                    }
                    int[] rowAt = {3 + 2 * n, 3, 3 + 3 * n + 1, 3 + n}; // the rows of C anywhere, in any order
                    double[] sums = new double[4 * n];
                    for (int q = 0; q < 4; q++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int t = 0; t < k; t++) { // every term, zeros too
                                sum = Math.fma(a[base[q] + t * as], b[t * n + j], sum);
                            }
                            sums[q * n + j] = sum;
                        }
                    }
                    String where = n + " columns, " + k + " terms, zeros " + share;
                    for (double scale : new double[] {Double.NaN, 1.0 / 64, 1}) {
                        double[] c = new double[4 + 4 * n + 2];
                        java.util.Arrays.fill(c, Double.NaN);
                        double[] expected = c.clone();
                        for (int q = 0; q < 4; q++) {
                            for (int j = 0; j < n; j++) {
                                double sum = sums[q * n + j];
                                expected[rowAt[q] + j] = scale == scale ? (0.0 + sum) * scale : sum;
                            }
                        }
                        Kernels.VECTOR.sparseStripProduct(a, base[0], base[1], base[2], base[3], as, count, terms, strips,
                                n, k, c, rowAt[0], rowAt[1], rowAt[2], rowAt[3], scale);
                        assertBits(expected, c, where + ", strips, scale " + scale);
                    }
                    for (int slack : new int[] {0, 40}) { // B's rows end the array, or not
                        double[] rows = java.util.Arrays.copyOf(b, b.length + slack);
                        for (boolean add : new boolean[] {false, true}) {
                            double[] c = new double[4 + 4 * n + 2];
                            for (int e = 0; e < c.length; e++) {
                                c[e] = r.nextGaussian();
                            }
                            double[] expected = c.clone();
                            for (int q = 0; q < 4; q++) {
                                for (int j = 0; j < n; j++) {
                                    double sum = sums[q * n + j];
                                    expected[rowAt[q] + j] = add ? expected[rowAt[q] + j] + sum : sum;
                                }
                            }
                            Kernels.VECTOR.sparseRowProduct(a, base[0], base[1], base[2], base[3], as, count, terms, rows,
                                    0, n, n, c, rowAt[0], rowAt[1], rowAt[2], rowAt[3], add);
                            assertBits(expected, c, where + ", rows, slack " + slack + ", add " + add);
                        }
                    }
                }
            }
        }
    }

    private static void assertBits(double[] expected, double[] got, String where) {
        for (int e = 0; e < got.length; e++) {
            assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(got[e]),
                    where + ": element " + e);
        }
    }

    /** {@link Kernels.Product#countNonzeroColumns}: per column, the elements that are not ±0 (NaN counts). */
    @Test
    void countNonzeroColumnsCountsWhatIsNotZero() {
        assumeTrue(Kernels.VECTOR != null, "the Vector API kernel runs here");
        Random r = new Random(29);
        double[] kinds = {0.0, -0.0, 1.5, -2e-310, Double.NaN, Double.NEGATIVE_INFINITY};
        for (int n : new int[] {1, 3, 4, 8, 13, 32, 37}) {
            for (int rows : new int[] {0, 1, 5, 64}) {
                double[] d = new double[rows * n];
                for (int i = 0; i < d.length; i++) {
                    d[i] = kinds[r.nextInt(kinds.length)];
                }
                int[] counts = new int[n + 1];
                counts[n] = -7;
                Kernels.VECTOR.countNonzeroColumns(d, rows, n, counts);
                for (int j = 0; j < n; j++) {
                    int expected = 0;
                    for (int t = 0; t < rows; t++) {
                        expected += d[t * n + j] != 0 ? 1 : 0;
                    }
                    assertEquals(expected, counts[j], n + " columns, " + rows + " rows, column " + j);
                }
                assertEquals(-7, counts[n]);
            }
        }
    }

    /**
     * The mean's division as a multiplication ({@link Kernels#exactInverse}) only where it gives
     * the division's bits: for powers of two, x·(1/d) equals x/d for every x tried (normal, subnormal
     * and overflowing quotients, zeros of both signs, infinities, NaN); anything else has no exact
     * inverse.
     */
    @Test
    void exactInverseOnlyForPowersOfTwoAndThenEqualsDivision() {
        Random r = new Random(20);
        double[] special = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1, -1, 3, 0x1p-1060, 0x1.fffffffffffffp-1022};
        for (int e = 0; e <= 1022; e++) {
            double d = Math.scalb(1.0, e);
            double inverse = Kernels.exactInverse(d);
            assertEquals(1 / d, inverse, "2^" + e);
            for (int i = 0; i < 200; i++) {
                double x = i < special.length ? special[i]
                        : Math.scalb(r.nextDouble() * (r.nextBoolean() ? 1 : -1), r.nextInt(2100) - 1075);
                assertEquals(Double.doubleToRawLongBits(x / d), Double.doubleToRawLongBits(x * inverse),
                        x + " / 2^" + e);
            }
        }
        for (double d : new double[] {3, 64.5, 1797, 0x1p1023, 0.5, 0x1p-3, 0, -64, Double.NaN,
            Double.POSITIVE_INFINITY, Double.MIN_VALUE}) {
            boolean powerOfTwoUpTo1022 = d >= 1 && d <= 0x1p1022 && Math.getExponent(d) >= 0
                    && Math.scalb(1.0, Math.getExponent(d)) == d;
            assertEquals(powerOfTwoUpTo1022 || d == 0.5 || d == 0x1p-3 ? 1 / d : 0.0, Kernels.exactInverse(d),
                    "d = " + d);
        }
    }

    /**
     * The epilogue on its own (after the transposed product is turned back, {@code
     * BatchEngine}'s Zᵀ path): {@code relu(c + b[j])}, {@code c + b[j]} and relu alone equal {@link
     * Kernels#epilogue}, bit for bit, tails included.
     */
    @Test
    void standaloneVectorEpilogueEqualsTheScalarOne() {
        assumeTrue(Kernels.VECTOR != null);
        Random r = new Random(21);
        for (int n : new int[] {1, 7, 8, 10, 16, 33, 128}) {
            for (int variant = 0; variant < 3; variant++) {
                double[] bias = variant == 2 ? null : new double[Kernels.padded(n)];
                boolean relu = variant != 1;
                if (bias != null) {
                    for (int j = 0; j < n; j++) {
                        bias[j] = r.nextGaussian();
                    }
                }
                int rows = 5;
                double[] c = new double[rows * n];
                for (int e = 0; e < c.length; e++) {
                    c[e] = r.nextInt(6) == 0 ? (r.nextBoolean() ? 0.0 : -0.0) : r.nextGaussian();
                }
                c[0] = Double.NaN;
                double[] expected = new double[c.length];
                for (int e = 0; e < c.length; e++) {
                    expected[e] = Kernels.epilogue(c[e], bias, e % n, relu);
                }
                Kernels.VECTOR.epilogue(c, rows, n, bias, relu);
                for (int e = 0; e < c.length; e++) {
                    assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(c[e]),
                            "n " + n + " variant " + variant + " element " + e);
                }
            }
        }
    }

    @Test
    void transposeMovesEveryElement() {
        for (int[] size : new int[][] {{1, 1}, {8, 8}, {3, 17}, {32, 784}, {13, 9}, {16, 40}}) {
            int m = size[0];
            int n = size[1];
            double[] a = new double[3 + m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = i;
            }
            int stride = m + 2;
            double[] t = new double[n * stride];
            Kernels.transpose(a, 3, m, n, t, stride);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(a[3 + i * n + j], t[j * stride + i], m + "x" + n + " at " + i + "," + j);
                }
            }
        }
    }

    /** The build's tests run with the module (pom.xml), so the Vector API kernel is the one tested above. */
    /** δ [count, r] of a block into columns offset.. of δᵀ [r, k], four rows at a time: every element where the tiles read it. */
    @Test
    void interleave4PutsEveryElementWhereTheTileReadsIt() {
        for (int[] size : new int[][] {{1, 4, 0, 1}, {32, 128, 32, 64}, {7, 12, 5, 16}, {32, 128, 0, 64}}) {
            int count = size[0];
            int r = size[1];
            int offset = size[2];
            int k = size[3];
            double[] d = new double[count * r];
            for (int i = 0; i < d.length; i++) {
                d[i] = i + 1;
            }
            double[] t = new double[r * k];
            Kernels.interleave4(d, count, r, t, offset, k);
            for (int row = 0; row < count; row++) {
                for (int i = 0; i < r; i++) {
                    // the tile over rows i0..i0+3 reads a[i0·k + (i - i0) + term·4]
                    int i0 = i / 4 * 4;
                    assertEquals(d[row * r + i], t[i0 * k + (i - i0) + (offset + row) * 4], count + "x" + r + " at " + row + "," + i);
                }
            }
        }
    }

    @Test
    void vectorKernelIsUsedWhereTheModuleIsPresent() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && Kernels.FMA);
        assumeTrue(Boolean.parseBoolean(System.getProperty("chainrule.vector", "true")));
        assertEquals(VectorKernel.class, Kernels.VECTOR.getClass());
    }

    /**
     * The fused epilogue ({@code relu(s + b[j])}, {@code s + b[j]}, relu alone) against the
     * sequential sum followed by {@link Fns#relu} applied separately, as the unfused ops compute
     * it; sums of both signs, exact zeros and NaN among them, every shape with a tail.
     */
    @Test
    void epilogueEqualsTheSeparateBiasAndRelu() {
        Random r = new Random(16);
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            for (int variant = 0; variant < 3; variant++) {
                boolean withBias = variant != 2;
                boolean relu = variant != 1;
                double[] a = new double[m * k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = r.nextInt(5) == 0 ? 0.0 : r.nextGaussian();
                }
                a[0] = m * k > 3 ? Double.NaN : a[0];
                double[][] b = new double[k][Kernels.padded(n)];
                for (double[] row : b) {
                    for (int j = 0; j < n; j++) {
                        row[j] = r.nextGaussian();
                    }
                }
                double[] bias = new double[Kernels.padded(n)];
                for (int j = 0; j < n; j++) {
                    bias[j] = r.nextGaussian();
                }
                double[] expected = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int t = 0; t < k; t++) {
                            s = Kernels.FMA ? Math.fma(a[i * k + t], b[t][j], s) : s + a[i * k + t] * b[t][j];
                        }
                        double z = withBias ? bias[j] + s : s;
                        expected[i * n + j] = relu ? Fns.relu(z) : z;
                    }
                }
                double[] loops = new double[m * n];
                Kernels.loops(a, k, 1, m, b, n, k, loops, false, withBias ? bias : null, relu, new double[n]);
                double[] chosen = new double[m * n];
                Kernels.product(a, k, 1, m, b, n, k, chosen, false, withBias ? bias : null, relu, new double[n]);
                for (int e = 0; e < expected.length; e++) {
                    String what = m + "x" + n + "x" + k + " variant " + variant + " element " + e;
                    assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(loops[e]),
                            "loops " + what);
                    assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(chosen[e]),
                            "product " + what);
                }
            }
        }
    }

    /**
     * relu's backward pass against {@code d·step(z)} added element by element and summed over rows,
     * as the unfused Map's contribution and scatter compute it, with d of every kind (negative
     * zero, infinities, NaN) and z at the kink.
     */
    @Test
    void reluBackwardEqualsTheStepTimesTheAdjoint() {
        Random r = new Random(17);
        double[] special = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-310};
        for (int size : new int[] {1, 7, 8, 10, 32, 33}) {
            int rows = 1 + r.nextInt(12);
            double[] z = new double[rows * size];
            double[] d = new double[rows * size];
            for (int e = 0; e < z.length; e++) {
                z[e] = r.nextInt(6) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian();
                d[e] = r.nextInt(6) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian();
            }
            double[] h = new double[z.length];
            for (int e = 0; e < z.length; e++) {
                h[e] = Fns.relu(z[e]);
            }
            double[] az = new double[z.length];
            double[] ab = new double[size];
            for (int e = 0; e < az.length; e++) {
                az[e] = r.nextGaussian();
            }
            double[] expectedZ = az.clone();
            double[] expectedB = ab.clone();
            for (int row = 0; row < rows; row++) {
                for (int k = 0; k < size; k++) {
                    double c = d[row * size + k] * Fns.step(z[row * size + k]);
                    expectedZ[row * size + k] += c;
                    expectedB[k] += c;
                }
            }
            Kernels.reluBackward(d, h, az, ab, rows, size);
            // NaN's payload and sign depend on which instruction made it; any NaN is the same value
            for (int e = 0; e < az.length; e++) {
                assertEquals(bits(expectedZ[e]), bits(az[e]), "δz " + e);
            }
            for (int k = 0; k < size; k++) {
                assertEquals(bits(expectedB[k]), bits(ab[k]), "δb " + k);
            }
        }
    }

    /** The bits of x, with every NaN as the canonical one. */
    private static long bits(double x) {
        return Double.doubleToLongBits(x);
    }
}
