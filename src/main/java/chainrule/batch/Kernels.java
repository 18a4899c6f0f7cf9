package chainrule.batch;

/**
 * The dense loops of the batched engine. Every matrix product is one kernel, {@code C = A·B}, in
 * the "row of C += scalar of A times row of B" form: for each row i of C, four rows of B at a time
 * ({@code t, t+1, t+2, t+3}) are folded into it,
 * <pre>{@code  c[j] = fma(a[i,t+3], b[t+3][j], fma(a[i,t+2], b[t+2][j], fma(a[i,t+1], b[t+1][j], fma(a[i,t], b[t][j], c[j]))))}</pre>
 * over the contiguous index j. HotSpot's C2 turns that inner loop into SIMD instructions (eight
 * doubles per instruction with AVX-512, four with AVX2), and the four-row unrolling loads and
 * stores each element of C once per four multiply-adds.
 *
 * <p>Two details make C2 vectorise it, both measured (docs/performance.md): the rows of B are
 * separate arrays (four loads from one array at different unknown offsets stop Java 17's
 * SuperWord), and the sums of a row of C go to one array. A is read one scalar at a time, so it
 * may have any strides: a transposed operand costs nothing.
 *
 * <p>Each element of C is still a single sum over t in increasing order, each term rounded once
 * (or twice without FMA), whether a lane of a vector instruction or the scalar tail computes it:
 * the result does not depend on the vector width, the blocking, or the thread that runs it.
 */
final class Kernels {
    /**
     * Whether the JVM turns {@link Math#fma} into one instruction (HotSpot's UseFMA, on where the
     * processor has it): then the kernel uses it, one rounding per multiply-add instead of two.
     * Elsewhere Math.fma is exact but slow, and the plain form is used.
     */
    static final boolean FMA = fmaIsFast();

    /**
     * {@link VectorKernel}, where the JVM runs with {@code --add-modules jdk.incubator.vector} (as
     * {@code bin/chainrule} starts eval, check and train with --data) and has FMA, and the system
     * property {@code chainrule.vector} is not {@code false}; else null, and the loops below run.
     * Both give the same bits.
     */
    static final Product VECTOR = vectorKernel();

    /**
     * What {@link VectorKernel} implements: {@link #product(double[], int, int, int, double[], int, int, int, int,
     * double[], int, boolean, double[], boolean, double[][], double[])} without the scratch.
     */
    interface Product {
        void product(double[] a, int a0, int ai, int at, int m, double[] b, int b0, int bs, int n, int k, double[] c, int c0,
                     boolean add, double[] bias, boolean relu);

        /**
         * {@link Kernels#epilogue} over {@code rows} rows of n at {@code c[0]}: {@code + bias[j]} (bias
         * padded, {@link #padded}), then relu, as the product's own epilogue applies it.
         */
        void epilogue(double[] c, int rows, int n, double[] bias, boolean relu);

        /** {@link Kernels#reluBackward}. */
        void reluBackward(double[] d, double[] h, double[] az, double[] ab, int rows, int size);

        /**
         * Four rows of C, {@code c[rq + j] = Σ_{u<count} a[aq + t·as]·B[t][j]} with t = terms[u], for
         * q < 4 and j < n, stored (C's rows start at r0..r3, anywhere; A's row q at aq, a term every
         * {@code as}): B [k, n] laid out in strips ({@link Kernels#strips}, of {@link #stripWidth}
         * columns), so that each register tile reads its B one vector after the other, and only the
         * terms listed (increasing) are read. Where the terms left out have a zero in all four rows
         * of A, and B is finite, each element is the sum {@link #product} makes over all k terms, bit
         * for bit: a term 0·b adds ±0 to a sum that starts at +0.0, which changes nothing (a relu
         * layer's δ is zero wherever its unit was off), but for the sign of a chain that underflowed
         * to -0.0, which the reduction's last pass (adding to +0.0) makes +0.0 either way
         * (docs/design.md). With {@code scale} not NaN each element is stored as {@code fma(sum,
         * scale, +0.0)}, which is {@code (0.0 + sum)·scale} bit for bit: the reduction's last pass
         * ({@link BatchEngine.Finish#scale}) done in the registers instead of over the stored rows.
         */
        void sparseStripProduct(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms,
                                double[] strips, int n, int k, double[] c, int r0, int r1, int r2, int r3, double scale);

        /**
         * {@link #sparseStripProduct} with B as rows ({@code b[b0 + t·bs + j]}, a block's inputs as
         * they lie), stored or added ({@code C + sum}, one rounding, as {@link #product} adds): the
         * bits of the sum over every term.
         */
        void sparseRowProduct(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms, double[] b,
                              int b0, int bs, int n, double[] c, int r0, int r1, int r2, int r3, boolean add);

        /** How many elements of each column of d [rows, n] (row-major) are nonzero, into {@code counts[0 .. n-1]}. */
        void countNonzeroColumns(double[] d, int rows, int n, int[] counts);

        /**
         * How many of each of four rows' {@code terms} elements are nonzero, the rows laid out as
         * {@link #interleave4} does (row q's term t at {@code d[base + 4t + q]}), into {@code
         * counts[at .. at + 3]}.
         */
        void countNonzero4(double[] d, int base, int terms, int[] counts, int at);

        /** The columns of a whole strip: the widest register tile's. */
        int stripWidth();
    }

    /**
     * Rows {@code from .. from + k - 1} of a row-major matrix [*, n] at {@code b[b0]} into {@code
     * out} (from {@code o0}) in strips of w columns: strip s holds columns s·w .. s·w + w - 1 of the
     * k rows, row after row, at {@code o0 + s·k·w}; the last, narrower strip (n mod w columns) rows
     * of {@link #padded} length after them, so a whole vector may be read at its last columns.
     * {@code rows} of k, starting at row {@code t0} of the strips' k: a block of the rows at a time.
     */
    static void strips(double[] b, int b0, int n, int rows, double[] out, int o0, int t0, int k, int w) {
        int whole = n / w;
        int tail = n - whole * w;
        int tailStride = padded(tail);
        int tailBase = o0 + whole * k * w;
        for (int t = 0; t < rows; t++) {
            int src = b0 + t * n;
            for (int s = 0; s < whole; s++) {
                System.arraycopy(b, src + s * w, out, o0 + (s * k + t0 + t) * w, w);
            }
            if (tail > 0) {
                System.arraycopy(b, src + whole * w, out, tailBase + (t0 + t) * tailStride, tail);
            }
        }
    }

    /**
     * The transpose of d [count, r] (r a multiple of 4) into {@code t}, the columns {@code offset
     * ..} of a [r, k] matrix laid out a group of four rows at a time: element (i, t) at {@code
     * (i/4)·4k + t·4 + i%4}. A register tile over rows i..i+3 (strides 1 and 4, from {@code i·k})
     * then reads its four scalars of each term from one place, and making it moves runs of four.
     */
    static void interleave4(double[] d, int count, int r, double[] t, int offset, int k) {
        // a group at a time: its block written in order, the rows of d read with a stride (in the
        // L1 cache: a block of rows of d is); row by row, the writes went 4k apart (784-128-10: 0.0067 →
        // 0.0045 ms a minibatch)
        for (int g = 0; g < r; g += 4) {
            int dst = g * k + offset * 4;
            for (int row = 0, src = g; row < count; row++, src += r, dst += 4) {
                t[dst] = d[src];
                t[dst + 1] = d[src + 1];
                t[dst + 2] = d[src + 2];
                t[dst + 3] = d[src + 3];
            }
        }
    }

    /**
     * Whether {@code a[from .. from + n - 1]} are all finite: x·0 is ±0 for a finite x and nan for
     * an infinity or a nan, so four sums of them (independent chains) are 0 exactly when all are.
     */
    static boolean allFinite(double[] a, int from, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        int end = from + n;
        for (; i + 4 <= end; i += 4) {
            s0 += a[i] * 0.0;
            s1 += a[i + 1] * 0.0;
            s2 += a[i + 2] * 0.0;
            s3 += a[i + 3] * 0.0;
        }
        for (; i < end; i++) {
            s0 += a[i] * 0.0;
        }
        return s0 + s1 + s2 + s3 == 0;
    }

    /** Elements of {@link #strips}'s layout for k rows of n columns in strips of w. */
    static int stripsLength(int n, int k, int w) {
        int whole = n / w;
        return whole * k * w + k * padded(n - whole * w) + SLACK_STRIPS;
    }

    /** Slack after a strips layout: a whole vector read at the last strip's last columns stays inside. */
    private static final int SLACK_STRIPS = 8;

    /**
     * The backward pass of {@code h = relu(z)} over {@code rows} rows of {@code size}: {@code c =
     * d·step(z)}, with {@code step(z) = z > 0 ? 1 : 0} read off the output ({@code z > 0} exactly
     * where {@code h > 0}), added to {@code az} element by element and to {@code ab} (of size
     * elements) over the rows in order; either may be null. By the Vector API kernel where it runs
     * (no branch on the sign), else a loop; the same bits.
     */
    static void reluBackward(double[] d, double[] h, double[] az, double[] ab, int rows, int size) {
        if (VECTOR != null) {
            VECTOR.reluBackward(d, h, az, ab, rows, size);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int base = r * size;
            for (int k = 0; k < size; k++) {
                double c = d[base + k] * (h[base + k] > 0 ? 1.0 : 0.0);
                if (az != null) {
                    az[base + k] += c;
                }
                if (ab != null) {
                    ab[k] += c;
                }
            }
        }
    }

    /**
     * {@code 1/d} where d is a power of two whose inverse is a normal number, else 0. Then {@code
     * x·(1/d)} and {@code x/d} are the same number for every x (both the correctly rounded value of
     * the same real number, subnormal results included), and a multiplication is several times
     * cheaper than a division: a mean over 64 rows divides 100,480 gradient elements.
     */
    static double exactInverse(double d) {
        if (!(d >= Double.MIN_NORMAL && d <= 0x1p1022) || (Double.doubleToRawLongBits(d) & 0x000f_ffff_ffff_ffffL) != 0) {
            return 0;
        }
        return 1 / d;
    }

    private Kernels() {}

    private static Product vectorKernel() {
        if (!FMA || !Boolean.parseBoolean(System.getProperty("chainrule.vector", "true"))
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Product) Class.forName("chainrule.batch.VectorKernel").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static boolean fmaIsFast() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean != null && Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Length for a row of B of n elements: n rounded up to a multiple of 8, so that a vector of up
     * to 8 doubles loaded at the last columns stays inside the array (the padding is never read
     * into C).
     */
    static int padded(int n) {
        return (n + 7) / 8 * 8;
    }

    /** {@code rows[i][j] = a[offset + i·rowStride + j·colStride]} for i < m, j < n. */
    static void rows(double[] a, int offset, int rowStride, int colStride, int m, int n, double[][] rows) {
        if (colStride != 1) { // a transpose: in 8 × 8 tiles, so that each cache line read is used 8 times
            for (int i0 = 0; i0 < m; i0 += 8) {
                int i1 = Math.min(m, i0 + 8);
                for (int j0 = 0; j0 < n; j0 += 8) {
                    int j1 = Math.min(n, j0 + 8);
                    for (int i = i0; i < i1; i++) {
                        double[] r = rows[i];
                        int base = offset + i * rowStride;
                        for (int j = j0; j < j1; j++) {
                            r[j] = a[base + j * colStride];
                        }
                    }
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            double[] r = rows[i];
            int base = offset + i * rowStride;
            if (colStride == 1) {
                System.arraycopy(a, base, r, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    r[j] = a[base + j * colStride];
                }
            }
        }
    }

    /**
     * {@code c[i·n + j] = Σ_{t<k} a[i·ai + t·at]·b[t][j]} for i < m, j < n; with {@code add}, the
     * sum (computed on its own, from zero) is added to what c holds. {@code row} is scratch of at
     * least n elements: the sums of one row of C are made there (an array indexed by j alone, which
     * is what lets C2 vectorise the loop), then copied or added into c.
     */
    static void product(double[] a, int ai, int at, int m, double[][] b, int n, int k, double[] c, boolean add,
                        double[] row) {
        product(a, ai, at, m, b, n, k, c, add, null, false, row);
    }

    /**
     * {@link #product} with an epilogue applied to each sum before it is stored or added: {@code
     * s + bias[j]} where {@code bias} is not null (of at least {@link #padded}{@code (n)} elements),
     * then relu ({@code v > 0 ? v : 0.0}, as {@link chainrule.runtime.Fns#relu}) where {@code relu}
     * holds. The dense layer {@code relu(W·x + b)} over a block is then one pass over its output
     * instead of a product, a broadcast of b, a sum and a relu loop, each over the whole block; the
     * bits are those of the separate passes (an addition and a comparison, each exact as before).
     */
    static void product(double[] a, int ai, int at, int m, double[][] b, int n, int k, double[] c, boolean add,
                        double[] bias, boolean relu, double[] row) {
        if (VECTOR != null) {
            int bs = k == 0 ? n : b[0].length;
            double[] flat = new double[k * bs];
            for (int t = 0; t < k; t++) {
                System.arraycopy(b[t], 0, flat, t * bs, bs);
            }
            VECTOR.product(a, 0, ai, at, m, flat, 0, bs, n, k, c, 0, add, bias, relu);
        } else {
            loops(a, ai, at, m, b, n, k, c, 0, add, bias, relu, row);
        }
    }

    /**
     * {@link #product(double[], int, int, int, double[][], int, int, double[], boolean, double[], boolean,
     * double[])} with B in one array, row t at {@code b[b0 + t·bs]} (any row stride: B may be a
     * matrix in place, e.g. the block's inputs or a weight matrix, with nothing copied), and C at
     * {@code c[c0 + i·n + j]} (e.g. straight into a gradient at a parameter's offset). Where a
     * last, partial vector of columns would read past the end of b, that strip is computed one
     * element at a time; a few elements of slack after the last row avoid it. The Vector API kernel
     * reads B in place; the loops copy it into {@code rows} (k rows of at least n) first, as the
     * auto-vectoriser wants separate rows.
     */
    static void product(double[] a, int ai, int at, int m, double[] b, int b0, int bs, int n, int k, double[] c,
                        int c0, boolean add, double[] bias, boolean relu, double[][] rows, double[] row) {
        if (VECTOR != null) {
            VECTOR.product(a, 0, ai, at, m, b, b0, bs, n, k, c, c0, add, bias, relu);
        } else {
            rows(b, b0, bs, 1, k, n, rows);
            loops(a, ai, at, m, rows, n, k, c, c0, add, bias, relu, row);
        }
    }

    /**
     * {@code t[j·tStride + i] = a[i·n + j]} for i < m, j < n: the transpose of an m × n row-major
     * matrix, in 8 × 8 tiles so that each cache line read is used 8 times.
     */
    static void transpose(double[] a, int offset, int m, int n, double[] t, int tStride) {
        transpose(a, offset, m, n, t, 0, tStride);
    }

    /** {@link #transpose} into {@code t[tOffset + j·tStride + i]}: columns tOffset.. of a wider matrix. */
    static void transpose(double[] a, int offset, int m, int n, double[] t, int tOffset, int tStride) {
        int m8 = m / 8 * 8;
        int n8 = n / 8 * 8;
        for (int i0 = 0; i0 < m8; i0 += 8) { // whole 8 × 8 tiles: a column of 8 read, a run of 8 written
            for (int j0 = 0; j0 < n8; j0 += 8) {
                int src = offset + i0 * n + j0;
                for (int j = 0; j < 8; j++) {
                    int dst = tOffset + (j0 + j) * tStride + i0;
                    int at = src + j;
                    t[dst] = a[at];
                    t[dst + 1] = a[at + n];
                    t[dst + 2] = a[at + 2 * n];
                    t[dst + 3] = a[at + 3 * n];
                    t[dst + 4] = a[at + 4 * n];
                    t[dst + 5] = a[at + 5 * n];
                    t[dst + 6] = a[at + 6 * n];
                    t[dst + 7] = a[at + 7 * n];
                }
            }
        }
        if (m8 == m && n8 == n) {
            return;
        }
        for (int i0 = 0; i0 < m; i0 += 8) {
            int i1 = Math.min(m, i0 + 8);
            for (int j0 = 0; j0 < n; j0 += 8) {
                int j1 = Math.min(n, j0 + 8);
                if (i1 <= m8 && j1 <= n8) {
                    continue;
                }
                for (int i = i0; i < i1; i++) {
                    int base = offset + i * n;
                    for (int j = j0; j < j1; j++) {
                        t[tOffset + j * tStride + i] = a[base + j];
                    }
                }
            }
        }
    }

    /** The epilogue of {@link #product(double[], int, int, int, double[][], int, int, double[], boolean, double[], boolean, double[])} for one sum. */
    static double epilogue(double s, double[] bias, int j, boolean relu) {
        double v = bias == null ? s : s + bias[j];
        return relu ? (v > 0 ? v : 0.0) : v;
    }

    /** {@link #product} by the auto-vectorised loops, whatever {@link #VECTOR} is. */
    static void loops(double[] a, int ai, int at, int m, double[][] b, int n, int k, double[] c, boolean add,
                      double[] row) {
        loops(a, ai, at, m, b, n, k, c, 0, add, null, false, row);
    }

    /** {@link #product} with its epilogue by the auto-vectorised loops, whatever {@link #VECTOR} is. */
    static void loops(double[] a, int ai, int at, int m, double[][] b, int n, int k, double[] c, boolean add,
                      double[] bias, boolean relu, double[] row) {
        loops(a, ai, at, m, b, n, k, c, 0, add, bias, relu, row);
    }

    /** {@link #loops} with C at {@code c[c0 + i·n + j]}. */
    static void loops(double[] a, int ai, int at, int m, double[][] b, int n, int k, double[] c, int c0, boolean add,
                      double[] bias, boolean relu, double[] row) {
        loops(a, 0, ai, at, m, b, n, k, c, c0, add, bias, relu, row);
    }

    /** {@link #loops} with A from {@code a[a0]}. */
    static void loops(double[] a, int a0, int ai, int at, int m, double[][] b, int n, int k, double[] c, int c0,
                      boolean add, double[] bias, boolean relu, double[] row) {
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0, n, 0.0);
            if (FMA) {
                rowFma(a, a0 + i * ai, at, b, n, k, row);
            } else {
                rowPlain(a, a0 + i * ai, at, b, n, k, row);
            }
            if (bias != null) {
                for (int j = 0; j < n; j++) {
                    row[j] += bias[j];
                }
            }
            if (relu) {
                for (int j = 0; j < n; j++) {
                    double v = row[j];
                    row[j] = v > 0 ? v : 0.0;
                }
            }
            int ci = c0 + i * n;
            if (add) {
                for (int j = 0; j < n; j++) {
                    c[ci + j] += row[j];
                }
            } else {
                System.arraycopy(row, 0, c, ci, n);
            }
        }
    }

    /** {@code out[j] += Σ_t a[a0 + t·at]·b[t][j]}, t in order, with FMA. */
    private static void rowFma(double[] a, int a0, int at, double[][] b, int n, int k, double[] out) {
        int t = 0;
        for (; t + 4 <= k; t += 4) {
            int p = a0 + t * at;
            double x0 = a[p];
            double x1 = a[p + at];
            double x2 = a[p + 2 * at];
            double x3 = a[p + 3 * at];
            double[] b0 = b[t];
            double[] b1 = b[t + 1];
            double[] b2 = b[t + 2];
            double[] b3 = b[t + 3];
            for (int j = 0; j < n; j++) {
                out[j] = Math.fma(x3, b3[j], Math.fma(x2, b2[j], Math.fma(x1, b1[j], Math.fma(x0, b0[j], out[j]))));
            }
        }
        for (; t < k; t++) {
            double x = a[a0 + t * at];
            double[] bt = b[t];
            for (int j = 0; j < n; j++) {
                out[j] = Math.fma(x, bt[j], out[j]);
            }
        }
    }

    /** {@link #rowFma} with a multiplication and an addition, for processors without FMA. */
    private static void rowPlain(double[] a, int a0, int at, double[][] b, int n, int k, double[] out) {
        int t = 0;
        for (; t + 4 <= k; t += 4) {
            int p = a0 + t * at;
            double x0 = a[p];
            double x1 = a[p + at];
            double x2 = a[p + 2 * at];
            double x3 = a[p + 3 * at];
            double[] b0 = b[t];
            double[] b1 = b[t + 1];
            double[] b2 = b[t + 2];
            double[] b3 = b[t + 3];
            for (int j = 0; j < n; j++) {
                out[j] = out[j] + x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
            }
        }
        for (; t < k; t++) {
            double x = a[a0 + t * at];
            double[] bt = b[t];
            for (int j = 0; j < n; j++) {
                out[j] = out[j] + x * bt[j];
            }
        }
    }
}
