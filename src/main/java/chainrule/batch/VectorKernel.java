package chainrule.batch;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#product} with the incubating Vector API: a register-blocked micro-kernel, four
 * rows of C by two vectors of columns held in registers over the whole sum, each B vector loaded
 * once per four rows and each A element broadcast once per two vectors. About twice the
 * throughput of the auto-vectorised loop, whose row of C goes through memory every four terms
 * (docs/performance.md). A last strip narrower than two vectors runs four rows by one vector
 * ({@link #four1}); the dense layers' bias and relu are an epilogue over each group of four rows
 * just stored, and relu's backward pass is one branch-free loop ({@link #reluBackward}). B is
 * read in place from one array (row t at {@code b[b0 + t·bs]}: a weight matrix or the block's
 * inputs as they lie, nothing copied) and C written at {@code c[c0 + i·n + j]} (straight into a
 * gradient).
 *
 * <p>Only loaded when the JVM runs with {@code --add-modules jdk.incubator.vector} and has FMA
 * ({@link Kernels#VECTOR}); nothing else refers to this class, so without the module it is never
 * loaded. Every element of C is the same sum as in {@link Kernels}: {@code s = fma(a[i,t], b[t][j],
 * s)} for t = 0, 1, ... from s = 0 (a lane of a vector FMA rounds exactly like {@link Math#fma}),
 * then stored or added: the bits are those of the scalar kernel.
 */
final class VectorKernel implements Kernels.Product {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /*
     * Additions and multiplications are written as FMAs: x + y as fma(x, 1, y), d·s as fma(d, s,
     * -0.0), the same bits (the product is exact, the sum rounded once; -0.0 keeps the sign of a
     * zero product). Why: DoubleVector.add and mul dispatch on the vector's class through a
     * virtual lanewise whose type profile lives in the JDK's add/mul methods. Where C2 compiled a
     * kernel before that profile was filled, the call stayed virtual, the accumulators were boxed
     * across the branch that adds to C, and the whole kernel ran 7 times slower for the rest of
     * the run (1 run in 8 of 784-128-10; PrintInlining showed "DoubleVector::lanewise virtual
     * call"). fma's profile is filled by the kernels' own inner loops before any of them compiles.
     */
    private static final DoubleVector ONE = DoubleVector.broadcast(S, 1.0);
    private static final DoubleVector NEGATIVE_ZERO = DoubleVector.broadcast(S, -0.0);
    private static final DoubleVector POSITIVE_ZERO = DoubleVector.zero(S);

    @Override
    public void epilogue(double[] c, int rows, int n, double[] bias, boolean relu) {
        epilogue(c, 0, rows, n, bias, relu, false);
    }

    @Override
    public void product(double[] a, int a0, int ai, int at, int m, double[] b, int b0, int bs, int n, int k, double[] c,
                        int c0, boolean add, double[] bias, boolean relu) {
        boolean epilogue = bias != null || relu;
        double[] spill = null;
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 4 * L <= n; j += 4 * L) {
                four4(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j);
            }
            for (; j + 2 * L <= n; j += 2 * L) {
                four2(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j);
            }
            for (; j + L <= n; j += L) {
                four1(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j, L, null);
            }
            if (j < n) {
                if (wholeVectorFits(b, b0, bs, k, j)) { // a whole vector, n - j lanes kept
                    if (spill == null) {
                        spill = SPILL.get();
                    }
                    four1(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j, n - j, spill);
                } else {
                    for (int r = i; r < i + 4; r++) {
                        tail(a, a0 + r * ai, ai, at, b, b0, bs, n, k, c, c0 + r * n, add, j);
                    }
                }
            }
            if (epilogue) { // while the four rows are in the L1 cache
                epilogue(c, c0 + i * n, 4, n, bias, relu, add);
            }
        }
        for (; i < m; i++) {
            int j = 0;
            for (; j + L <= n; j += L) {
                one(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j);
            }
            if (j < n) {
                tail(a, a0 + i * ai, ai, at, b, b0, bs, n, k, c, c0 + i * n, add, j);
            }
            if (epilogue) {
                epilogue(c, c0 + i * n, 1, n, bias, relu, add);
            }
        }
    }

    @Override
    public int stripWidth() {
        return 4 * L;
    }

    @Override
    public void sparseStripProduct(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms,
                                   double[] strips, int n, int k, double[] c, int r0, int r1, int r2, int r3,
                                   double scale) {
        int w = 4 * L;
        int whole = n / w;
        boolean scaled = scale == scale;
        for (int s = 0; s < whole; s++) { // strip s: row t's w columns at s·k·w + t·w
            sparse4(a, a0, a1, a2, a3, as, count, terms, strips, s * k * w, w, c, r0 + s * w, r1 + s * w, r2 + s * w, r3 + s * w,
                    false, scale, scaled);
        }
        if (whole * w == n) {
            return;
        }
        int tailStride = Kernels.padded(n - whole * w);
        int tailB0 = whole * k * w; // the narrow strip: row t's columns at tailB0 + t·tailStride
        double[] spill = SPILL.get();
        for (int j = whole * w; j < n; j += L) { // rows padded: a whole vector, its first lanes kept
            sparse1(a, a0, a1, a2, a3, as, count, terms, strips, tailB0 + j - whole * w, tailStride, c, r0 + j, r1 + j, r2 + j,
                    r3 + j, Math.min(L, n - j), false, scale, scaled, spill);
        }
    }

    @Override
    public void sparseRowProduct(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms, double[] b,
                                 int b0, int bs, int n, double[] c, int r0, int r1, int r2, int r3, boolean add) {
        int w = 4 * L;
        int j = 0;
        for (; j + w <= n; j += w) {
            sparse4(a, a0, a1, a2, a3, as, count, terms, b, b0 + j, bs, c, r0 + j, r1 + j, r2 + j, r3 + j, add, Double.NaN, false);
        }
        double[] spill = null;
        for (; j < n; j += L) {
            int lanes = Math.min(L, n - j);
            if (lanes < L && !wholeVectorFits(b, b0, bs, count == 0 ? 0 : terms[count - 1] + 1, j)) {
                // past the last row's end: one element at a time, the same chain
                for (int q = 0; q < 4; q++) {
                    int at = q == 0 ? r0 : q == 1 ? r1 : q == 2 ? r2 : r3;
                    int aq = q == 0 ? a0 : q == 1 ? a1 : q == 2 ? a2 : a3;
                    for (int col = j; col < n; col++) {
                        double sum = 0;
                        for (int u = 0; u < count; u++) {
                            sum = Math.fma(a[aq + terms[u] * as], b[b0 + terms[u] * bs + col], sum);
                        }
                        c[at + col] = add ? c[at + col] + sum : sum;
                    }
                }
                break;
            }
            if (spill == null) {
                spill = SPILL.get();
            }
            sparse1(a, a0, a1, a2, a3, as, count, terms, b, b0 + j, bs, c, r0 + j, r1 + j, r2 + j, r3 + j, lanes, add, Double.NaN,
                    false, spill);
        }
    }

    @Override
    public void countNonzeroColumns(double[] d, int rows, int n, int[] counts) {
        int j = 0;
        for (; j + L <= n; j += L) {
            DoubleVector count = DoubleVector.zero(S);
            for (int t = 0, e = j; t < rows; t++, e += n) {
                VectorMask<Double> zero = DoubleVector.fromArray(S, d, e).compare(VectorOperators.EQ, 0.0);
                count = ONE.blend(POSITIVE_ZERO, zero).fma(ONE, count);
            }
            double[] lanes = SPILL.get();
            count.intoArray(lanes, 0);
            for (int i = 0; i < L; i++) {
                counts[j + i] = (int) lanes[i];
            }
        }
        for (; j < n; j++) {
            int k = 0;
            for (int t = 0; t < rows; t++) {
                k += d[t * n + j] != 0 ? 1 : 0;
            }
            counts[j] = k;
        }
    }

    @Override
    public void countNonzero4(double[] d, int base, int terms, int[] counts, int at) {
        // four rows' terms one after the other: a vector holds L/4 terms of the four rows, lane i
        // row i % 4; a lane counts 1 where its element is nonzero (NaN too), as a double: exact
        int e = base;
        int end = base + 4 * terms;
        int n0 = 0;
        int n1 = 0;
        int n2 = 0;
        int n3 = 0;
        if (L % 4 == 0) { // whole terms per vector
            DoubleVector count = DoubleVector.zero(S);
            for (; e + L <= end; e += L) {
                VectorMask<Double> zero = DoubleVector.fromArray(S, d, e).compare(VectorOperators.EQ, 0.0);
                count = ONE.blend(POSITIVE_ZERO, zero).fma(ONE, count);
            }
            double[] lanes = SPILL.get();
            count.intoArray(lanes, 0);
            for (int i = 0; i < L; i += 4) {
                n0 += (int) lanes[i];
                n1 += (int) lanes[i + 1];
                n2 += (int) lanes[i + 2];
                n3 += (int) lanes[i + 3];
            }
        }
        for (; e < end; e += 4) { // the terms a whole vector does not cover
            n0 += d[e] != 0 ? 1 : 0;
            n1 += d[e + 1] != 0 ? 1 : 0;
            n2 += d[e + 2] != 0 ? 1 : 0;
            n3 += d[e + 3] != 0 ? 1 : 0;
        }
        counts[at] = n0;
        counts[at + 1] = n1;
        counts[at + 2] = n2;
        counts[at + 3] = n3;
    }

    /**
     * Four rows of C (starting at r0..r3) by one whole strip of 4L columns: {@code Σ_u a[aq + as·terms[u]]·B[terms[u]]}
     * over u < count, B's row t at {@code b[q0 + t·w]}; stored, or scaled as {@code fma(sum, scale, +0.0)}.
     */
    private static void sparse4(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms, double[] b,
                                int q0, int w, double[] c, int r0, int r1, int r2, int r3, boolean add, double scale,
                                boolean scaled) {
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = c00;
        DoubleVector c02 = c00;
        DoubleVector c03 = c00;
        DoubleVector c10 = c00;
        DoubleVector c11 = c00;
        DoubleVector c12 = c00;
        DoubleVector c13 = c00;
        DoubleVector c20 = c00;
        DoubleVector c21 = c00;
        DoubleVector c22 = c00;
        DoubleVector c23 = c00;
        DoubleVector c30 = c00;
        DoubleVector c31 = c00;
        DoubleVector c32 = c00;
        DoubleVector c33 = c00;
        for (int u = 0; u < count; u++) {
            int t = terms[u];
            int q = q0 + t * w;
            DoubleVector v0 = DoubleVector.fromArray(S, b, q);
            DoubleVector v1 = DoubleVector.fromArray(S, b, q + L);
            DoubleVector v2 = DoubleVector.fromArray(S, b, q + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, b, q + 3 * L);
            int o = t * as;
            DoubleVector x = DoubleVector.broadcast(S, a[a0 + o]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            c02 = x.fma(v2, c02);
            c03 = x.fma(v3, c03);
            x = DoubleVector.broadcast(S, a[a1 + o]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            c12 = x.fma(v2, c12);
            c13 = x.fma(v3, c13);
            x = DoubleVector.broadcast(S, a[a2 + o]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            c22 = x.fma(v2, c22);
            c23 = x.fma(v3, c23);
            x = DoubleVector.broadcast(S, a[a3 + o]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
            c32 = x.fma(v2, c32);
            c33 = x.fma(v3, c33);
        }
        if (add) { // C + s, written out (a call per vector would box it where C2 stops inlining)
            c00 = DoubleVector.fromArray(S, c, r0).fma(ONE, c00);
            c01 = DoubleVector.fromArray(S, c, r0 + L).fma(ONE, c01);
            c02 = DoubleVector.fromArray(S, c, r0 + 2 * L).fma(ONE, c02);
            c03 = DoubleVector.fromArray(S, c, r0 + 3 * L).fma(ONE, c03);
            c10 = DoubleVector.fromArray(S, c, r1).fma(ONE, c10);
            c11 = DoubleVector.fromArray(S, c, r1 + L).fma(ONE, c11);
            c12 = DoubleVector.fromArray(S, c, r1 + 2 * L).fma(ONE, c12);
            c13 = DoubleVector.fromArray(S, c, r1 + 3 * L).fma(ONE, c13);
            c20 = DoubleVector.fromArray(S, c, r2).fma(ONE, c20);
            c21 = DoubleVector.fromArray(S, c, r2 + L).fma(ONE, c21);
            c22 = DoubleVector.fromArray(S, c, r2 + 2 * L).fma(ONE, c22);
            c23 = DoubleVector.fromArray(S, c, r2 + 3 * L).fma(ONE, c23);
            c30 = DoubleVector.fromArray(S, c, r3).fma(ONE, c30);
            c31 = DoubleVector.fromArray(S, c, r3 + L).fma(ONE, c31);
            c32 = DoubleVector.fromArray(S, c, r3 + 2 * L).fma(ONE, c32);
            c33 = DoubleVector.fromArray(S, c, r3 + 3 * L).fma(ONE, c33);
        } else if (scaled) { // fma(s, scale, +0.0): (0.0 + s)·scale bit for bit
            DoubleVector x = DoubleVector.broadcast(S, scale);
            c00 = c00.fma(x, POSITIVE_ZERO);
            c01 = c01.fma(x, POSITIVE_ZERO);
            c02 = c02.fma(x, POSITIVE_ZERO);
            c03 = c03.fma(x, POSITIVE_ZERO);
            c10 = c10.fma(x, POSITIVE_ZERO);
            c11 = c11.fma(x, POSITIVE_ZERO);
            c12 = c12.fma(x, POSITIVE_ZERO);
            c13 = c13.fma(x, POSITIVE_ZERO);
            c20 = c20.fma(x, POSITIVE_ZERO);
            c21 = c21.fma(x, POSITIVE_ZERO);
            c22 = c22.fma(x, POSITIVE_ZERO);
            c23 = c23.fma(x, POSITIVE_ZERO);
            c30 = c30.fma(x, POSITIVE_ZERO);
            c31 = c31.fma(x, POSITIVE_ZERO);
            c32 = c32.fma(x, POSITIVE_ZERO);
            c33 = c33.fma(x, POSITIVE_ZERO);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L);
        c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c33.intoArray(c, r3 + 3 * L);
    }

    /** {@link #sparse4} for one vector of columns, of which the first {@code lanes} reach C (through {@code spill} below L). */
    private static void sparse1(double[] a, int a0, int a1, int a2, int a3, int as, int count, int[] terms, double[] b,
                                int q0, int stride, double[] c, int r0, int r1, int r2, int r3, int lanes, boolean add,
                                double scale, boolean scaled, double[] spill) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        for (int u = 0; u < count; u++) {
            int t = terms[u];
            DoubleVector v0 = DoubleVector.fromArray(S, b, q0 + t * stride);
            int o = t * as;
            s0 = DoubleVector.broadcast(S, a[a0 + o]).fma(v0, s0);
            s1 = DoubleVector.broadcast(S, a[a1 + o]).fma(v0, s1);
            s2 = DoubleVector.broadcast(S, a[a2 + o]).fma(v0, s2);
            s3 = DoubleVector.broadcast(S, a[a3 + o]).fma(v0, s3);
        }
        if (scaled) {
            DoubleVector x = DoubleVector.broadcast(S, scale);
            s0 = s0.fma(x, POSITIVE_ZERO);
            s1 = s1.fma(x, POSITIVE_ZERO);
            s2 = s2.fma(x, POSITIVE_ZERO);
            s3 = s3.fma(x, POSITIVE_ZERO);
        }
        if (lanes == L) {
            put(s0, c, r0, add);
            put(s1, c, r1, add);
            put(s2, c, r2, add);
            put(s3, c, r3, add);
            return;
        }
        s0.intoArray(spill, 0);
        s1.intoArray(spill, L);
        s2.intoArray(spill, 2 * L);
        s3.intoArray(spill, 3 * L);
        int[] at = {r0, r1, r2, r3};
        for (int q = 0; q < 4; q++) {
            for (int col = 0; col < lanes; col++) {
                double v = spill[q * L + col];
                c[at[q] + col] = add ? c[at[q] + col] + v : v;
            }
        }
    }

    /**
     * {@link Kernels#epilogue} over {@code rows} rows of n at {@code c[from]}, just stored by the
     * kernel: {@code + bias[j]}, then relu as a compare and a blend (no branch on the sign). The
     * kernel's epilogue is only asked for with {@code add} false (the engine's dense layers).
     */
    private static void epilogue(double[] c, int from, int rows, int n, double[] bias, boolean relu, boolean add) {
        if (add) {
            throw new IllegalArgumentException("an epilogue applies to a stored product, not an added one");
        }
        DoubleVector zero = DoubleVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int base = from + r * n;
            int j = 0;
            for (; j + L <= n; j += L) {
                DoubleVector v = DoubleVector.fromArray(S, c, base + j);
                if (bias != null) {
                    v = v.fma(ONE, DoubleVector.fromArray(S, bias, j));
                }
                if (relu) {
                    VectorMask<Double> positive = v.compare(VectorOperators.GT, 0.0);
                    v = zero.blend(v, positive);
                }
                v.intoArray(c, base + j);
            }
            for (; j < n; j++) {
                c[base + j] = Kernels.epilogue(c[base + j], bias, j, relu);
            }
        }
    }

    /**
     * The backward pass of a dense relu layer over a block, {@link Kernels#reluBackward}: the mask
     * {@code h > 0} as a vector compare, the 0/1 step a blend, no branch.
     */
    @Override
    public void reluBackward(double[] d, double[] h, double[] az, double[] ab, int rows, int size) {
        DoubleVector zero = DoubleVector.zero(S);
        DoubleVector one = DoubleVector.broadcast(S, 1.0);
        for (int r = 0; r < rows; r++) {
            int base = r * size;
            int k = 0;
            for (; k + L <= size; k += L) {
                DoubleVector step = zero.blend(one, DoubleVector.fromArray(S, h, base + k).compare(VectorOperators.GT, 0.0));
                DoubleVector c = DoubleVector.fromArray(S, d, base + k).fma(step, NEGATIVE_ZERO);
                if (az != null) {
                    DoubleVector.fromArray(S, az, base + k).fma(ONE, c).intoArray(az, base + k);
                }
                if (ab != null) {
                    DoubleVector.fromArray(S, ab, k).fma(ONE, c).intoArray(ab, k);
                }
            }
            for (; k < size; k++) {
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
     * Rows i..i+3, columns j..j+4L-1: sixteen accumulators (of the 32 vector registers), each B
     * vector loaded once for the four rows and each A scalar broadcast once for the four vectors
     * (0.5 loads per FMA against {@link #four2}'s 0.75). On the 2-core Zen 4 this runs the
     * 784-128-10 products W1·Xᵀ (n = 64) and δ1ᵀ·X (k = 64) at 52–57 GFLOP/s where {@link #four2}
     * runs them at 43–52 (docs/performance.md, "Batched gradients"). Each element's sum is the
     * same FMA chain in the same order, so the bits do not change.
     */
    // The register kernels take A's first element for their group of rows (pa) and C's first
    // element of its row (ci), not the row index and the offsets: fewer arguments per call of a
    // kernel that is not inlined into product, and A may start anywhere (a weight matrix read in
    // the declared values, BatchEngine.weightInPlace).
    private static void four4(double[] a, int pa, int ai, int at, double[] b, int b0, int bs, int n, int k, double[] c,
                              int ci, boolean add, int j) {
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = c00;
        DoubleVector c02 = c00;
        DoubleVector c03 = c00;
        DoubleVector c10 = c00;
        DoubleVector c11 = c00;
        DoubleVector c12 = c00;
        DoubleVector c13 = c00;
        DoubleVector c20 = c00;
        DoubleVector c21 = c00;
        DoubleVector c22 = c00;
        DoubleVector c23 = c00;
        DoubleVector c30 = c00;
        DoubleVector c31 = c00;
        DoubleVector c32 = c00;
        DoubleVector c33 = c00;
        int p0 = pa;
        int p1 = p0 + ai;
        int p2 = p1 + ai;
        int p3 = p2 + ai;
        int q = b0 + j;
        for (int t = 0; t < k; t++, q += bs) {
            DoubleVector v0 = DoubleVector.fromArray(S, b, q);
            DoubleVector v1 = DoubleVector.fromArray(S, b, q + L);
            DoubleVector v2 = DoubleVector.fromArray(S, b, q + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, b, q + 3 * L);
            int o = t * at;
            DoubleVector x = DoubleVector.broadcast(S, a[p0 + o]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            c02 = x.fma(v2, c02);
            c03 = x.fma(v3, c03);
            x = DoubleVector.broadcast(S, a[p1 + o]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            c12 = x.fma(v2, c12);
            c13 = x.fma(v3, c13);
            x = DoubleVector.broadcast(S, a[p2 + o]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            c22 = x.fma(v2, c22);
            c23 = x.fma(v3, c23);
            x = DoubleVector.broadcast(S, a[p3 + o]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
            c32 = x.fma(v2, c32);
            c33 = x.fma(v3, c33);
        }
        int at0 = ci + j;
        if (add) { // C += the sums, written out here: a call per vector would box it where C2 stops inlining
            c00 = DoubleVector.fromArray(S, c, at0).fma(ONE, c00);
            c01 = DoubleVector.fromArray(S, c, at0 + L).fma(ONE, c01);
            c02 = DoubleVector.fromArray(S, c, at0 + 2 * L).fma(ONE, c02);
            c03 = DoubleVector.fromArray(S, c, at0 + 3 * L).fma(ONE, c03);
            c10 = DoubleVector.fromArray(S, c, at0 + n).fma(ONE, c10);
            c11 = DoubleVector.fromArray(S, c, at0 + n + L).fma(ONE, c11);
            c12 = DoubleVector.fromArray(S, c, at0 + n + 2 * L).fma(ONE, c12);
            c13 = DoubleVector.fromArray(S, c, at0 + n + 3 * L).fma(ONE, c13);
            c20 = DoubleVector.fromArray(S, c, at0 + 2 * n).fma(ONE, c20);
            c21 = DoubleVector.fromArray(S, c, at0 + 2 * n + L).fma(ONE, c21);
            c22 = DoubleVector.fromArray(S, c, at0 + 2 * n + 2 * L).fma(ONE, c22);
            c23 = DoubleVector.fromArray(S, c, at0 + 2 * n + 3 * L).fma(ONE, c23);
            c30 = DoubleVector.fromArray(S, c, at0 + 3 * n).fma(ONE, c30);
            c31 = DoubleVector.fromArray(S, c, at0 + 3 * n + L).fma(ONE, c31);
            c32 = DoubleVector.fromArray(S, c, at0 + 3 * n + 2 * L).fma(ONE, c32);
            c33 = DoubleVector.fromArray(S, c, at0 + 3 * n + 3 * L).fma(ONE, c33);
        }
        c00.intoArray(c, at0);
        c01.intoArray(c, at0 + L);
        c02.intoArray(c, at0 + 2 * L);
        c03.intoArray(c, at0 + 3 * L);
        c10.intoArray(c, at0 + n);
        c11.intoArray(c, at0 + n + L);
        c12.intoArray(c, at0 + n + 2 * L);
        c13.intoArray(c, at0 + n + 3 * L);
        c20.intoArray(c, at0 + 2 * n);
        c21.intoArray(c, at0 + 2 * n + L);
        c22.intoArray(c, at0 + 2 * n + 2 * L);
        c23.intoArray(c, at0 + 2 * n + 3 * L);
        c30.intoArray(c, at0 + 3 * n);
        c31.intoArray(c, at0 + 3 * n + L);
        c32.intoArray(c, at0 + 3 * n + 2 * L);
        c33.intoArray(c, at0 + 3 * n + 3 * L);
    }

    /** Rows i..i+3, columns j..j+2L-1. */
    private static void four2(double[] a, int pa, int ai, int at, double[] b, int b0, int bs, int n, int k, double[] c,
                              int ci, boolean add, int j) {
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = c00;
        DoubleVector c10 = c00;
        DoubleVector c11 = c00;
        DoubleVector c20 = c00;
        DoubleVector c21 = c00;
        DoubleVector c30 = c00;
        DoubleVector c31 = c00;
        int p0 = pa;
        int p1 = p0 + ai;
        int p2 = p1 + ai;
        int p3 = p2 + ai;
        int q = b0 + j;
        for (int t = 0; t < k; t++, q += bs) {
            DoubleVector v0 = DoubleVector.fromArray(S, b, q);
            DoubleVector v1 = DoubleVector.fromArray(S, b, q + L);
            int o = t * at;
            DoubleVector x = DoubleVector.broadcast(S, a[p0 + o]);
            c00 = x.fma(v0, c00);
            c01 = x.fma(v1, c01);
            x = DoubleVector.broadcast(S, a[p1 + o]);
            c10 = x.fma(v0, c10);
            c11 = x.fma(v1, c11);
            x = DoubleVector.broadcast(S, a[p2 + o]);
            c20 = x.fma(v0, c20);
            c21 = x.fma(v1, c21);
            x = DoubleVector.broadcast(S, a[p3 + o]);
            c30 = x.fma(v0, c30);
            c31 = x.fma(v1, c31);
        }
        int at0 = ci + j;
        put(c00, c, at0, add);
        put(c01, c, at0 + L, add);
        put(c10, c, at0 + n, add);
        put(c11, c, at0 + n + L, add);
        put(c20, c, at0 + 2 * n, add);
        put(c21, c, at0 + 2 * n + L, add);
        put(c30, c, at0 + 3 * n, add);
        put(c31, c, at0 + 3 * n + L, add);
    }

    /**
     * Rows i..i+3, columns j..j+count-1 (count at most L; below L the rows of B must be padded to
     * j + L): one vector per row in registers, each B vector loaded once for the four rows. A
     * partial vector goes through {@code spill} (4·L doubles) and only its first count lanes reach C.
     */
    private static void four1(double[] a, int pa, int ai, int at, double[] b, int b0, int bs, int n, int k, double[] c,
                              int ci, boolean add, int j, int count, double[] spill) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        int p0 = pa;
        int p1 = p0 + ai;
        int p2 = p1 + ai;
        int p3 = p2 + ai;
        int q = b0 + j;
        for (int t = 0; t < k; t++, q += bs) {
            DoubleVector v0 = DoubleVector.fromArray(S, b, q);
            int o = t * at;
            s0 = DoubleVector.broadcast(S, a[p0 + o]).fma(v0, s0);
            s1 = DoubleVector.broadcast(S, a[p1 + o]).fma(v0, s1);
            s2 = DoubleVector.broadcast(S, a[p2 + o]).fma(v0, s2);
            s3 = DoubleVector.broadcast(S, a[p3 + o]).fma(v0, s3);
        }
        int base = ci + j;
        if (count == L) {
            put(s0, c, base, add);
            put(s1, c, base + n, add);
            put(s2, c, base + 2 * n, add);
            put(s3, c, base + 3 * n, add);
            return;
        }
        s0.intoArray(spill, 0);
        s1.intoArray(spill, L);
        s2.intoArray(spill, 2 * L);
        s3.intoArray(spill, 3 * L);
        for (int r = 0; r < 4; r++) {
            int at0 = base + r * n;
            for (int col = 0; col < count; col++) {
                double v = spill[r * L + col];
                c[at0 + col] = add ? c[at0 + col] + v : v;
            }
        }
    }

    /** Per thread, where {@link #four1} spills a partial vector. */
    private static final ThreadLocal<double[]> SPILL = ThreadLocal.withInitial(() -> new double[4 * L]);

    /** Row i, columns j..j+L-1. */
    private static void one(double[] a, int pa, int ai, int at, double[] b, int b0, int bs, int n, int k, double[] c,
                            int ci, boolean add, int j) {
        DoubleVector s = DoubleVector.zero(S);
        int p = pa;
        int q = b0 + j;
        for (int t = 0; t < k; t++, q += bs) {
            s = DoubleVector.broadcast(S, a[p + t * at]).fma(DoubleVector.fromArray(S, b, q), s);
        }
        put(s, c, ci + j, add);
    }

    /**
     * Row i, columns j..n-1 (fewer than L): a whole vector where the rows of B are padded to hold
     * it ({@link Kernels#padded}: masked loads past the end of an array are not intrinsified in Java
     * 17, so they are avoided), else one element at a time.
     */
    private static void tail(double[] a, int pa, int ai, int at, double[] b, int b0, int bs, int n, int k, double[] c,
                             int ci, boolean add, int j) {
        int p = pa;
        if (!wholeVectorFits(b, b0, bs, k, j)) {
            for (int col = j; col < n; col++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s = Math.fma(a[p + t * at], b[b0 + t * bs + col], s);
                }
                c[ci + col] = add ? c[ci + col] + s : s;
            }
            return;
        }
        DoubleVector s = DoubleVector.zero(S);
        int q = b0 + j;
        for (int t = 0; t < k; t++, q += bs) {
            s = DoubleVector.broadcast(S, a[p + t * at]).fma(DoubleVector.fromArray(S, b, q), s);
        }
        for (int col = j; col < n; col++) {
            double v = s.lane(col - j);
            c[ci + col] = add ? c[ci + col] + v : v;
        }
    }

    /**
     * Whether a whole vector at column j of every row of B stays inside b (so the last, partial
     * strip can be computed as a whole vector and only its first lanes kept): past the row's end it
     * reads the next row's elements (or the array's slack after the last row), never used. Masked
     * loads past the end of an array are not intrinsified in Java 17, so they are avoided.
     */
    private static boolean wholeVectorFits(double[] b, int b0, int bs, int k, int j) {
        return k > 0 && b0 + (long) (k - 1) * bs + j + L <= b.length;
    }

    private static void put(DoubleVector s, double[] c, int at, boolean add) {
        if (add) {
            DoubleVector.fromArray(S, c, at).fma(ONE, s).intoArray(c, at);
        } else {
            s.intoArray(c, at);
        }
    }
}
