package chainrule.batch;

/**
 * The dense loops of the batched engine. Every matrix product is one kernel, {@code C = A·Bᵀ}
 * over row-major operands whose rows are contiguous in the summed index, register-blocked four
 * rows of A by two rows of B: eight independent sums in registers, each element of A and B loaded
 * once per four or two multiply-adds, so the floating-point units stay busy without the JIT having
 * to vectorise a reduction (which it may not: that would reorder the sums). Each element of C is a
 * single sum over the summed index in order, so the result does not depend on the blocking (nor on the thread
 * that runs it).
 */
final class Kernels {
    /**
     * Whether the JVM turns {@link Math#fma} into one instruction (HotSpot's UseFMA, on where the
     * processor has it): then the kernels use it, one rounding per multiply-add instead of two and
     * about a quarter faster. Elsewhere Math.fma is exact but slow, and the plain form is used.
     */
    static final boolean FMA = fmaIsFast();

    private Kernels() {}

    private static boolean fmaIsFast() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean != null && Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** {@code t[j·m + i] = a[i·n + j]}: the transpose of a [m, n]. */
    static void transpose(double[] a, int m, int n, double[] t) {
        for (int i = 0; i < m; i++) {
            int row = i * n;
            for (int j = 0; j < n; j++) {
                t[j * m + i] = a[row + j];
            }
        }
    }

    /**
     * {@code c[p, q] = Σ_t a[p, t]·b[q, t]} for a [ap, k], b [bq, k], c [ap, bq]; with {@code add},
     * the sum is added to what c holds.
     */
    static void timesTransposed(double[] a, int ap, double[] b, int bq, int k, double[] c, boolean add) {
        if (FMA) {
            timesTransposedFma(a, ap, b, bq, k, c, add);
        } else {
            timesTransposedPlain(a, ap, b, bq, k, c, add);
        }
    }

    private static void timesTransposedPlain(double[] a, int ap, double[] b, int bq, int k, double[] c, boolean add) {
        int p = 0;
        for (; p + 4 <= ap; p += 4) {
            int a0 = p * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            int q = 0;
            for (; q + 2 <= bq; q += 2) {
                int b0 = q * k;
                int b1 = b0 + k;
                double s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
                for (int t = 0; t < k; t++) {
                    double y0 = b[b0 + t];
                    double y1 = b[b1 + t];
                    double x0 = a[a0 + t];
                    s00 += x0 * y0;
                    s01 += x0 * y1;
                    double x1 = a[a1 + t];
                    s10 += x1 * y0;
                    s11 += x1 * y1;
                    double x2 = a[a2 + t];
                    s20 += x2 * y0;
                    s21 += x2 * y1;
                    double x3 = a[a3 + t];
                    s30 += x3 * y0;
                    s31 += x3 * y1;
                }
                put(c, p * bq + q, s00, add);
                put(c, p * bq + q + 1, s01, add);
                put(c, (p + 1) * bq + q, s10, add);
                put(c, (p + 1) * bq + q + 1, s11, add);
                put(c, (p + 2) * bq + q, s20, add);
                put(c, (p + 2) * bq + q + 1, s21, add);
                put(c, (p + 3) * bq + q, s30, add);
                put(c, (p + 3) * bq + q + 1, s31, add);
            }
            for (; q < bq; q++) {
                for (int r = p; r < p + 4; r++) {
                    put(c, r * bq + q, dot(a, r * k, b, q * k, k), add);
                }
            }
        }
        for (; p < ap; p++) {
            for (int q = 0; q < bq; q++) {
                put(c, p * bq + q, dot(a, p * k, b, q * k, k), add);
            }
        }
    }

    private static void timesTransposedFma(double[] a, int ap, double[] b, int bq, int k, double[] c, boolean add) {
        int p = 0;
        for (; p + 4 <= ap; p += 4) {
            int a0 = p * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            int q = 0;
            for (; q + 2 <= bq; q += 2) {
                int b0 = q * k;
                int b1 = b0 + k;
                double s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
                for (int t = 0; t < k; t++) {
                    double y0 = b[b0 + t];
                    double y1 = b[b1 + t];
                    double x0 = a[a0 + t];
                    s00 = Math.fma(x0, y0, s00);
                    s01 = Math.fma(x0, y1, s01);
                    double x1 = a[a1 + t];
                    s10 = Math.fma(x1, y0, s10);
                    s11 = Math.fma(x1, y1, s11);
                    double x2 = a[a2 + t];
                    s20 = Math.fma(x2, y0, s20);
                    s21 = Math.fma(x2, y1, s21);
                    double x3 = a[a3 + t];
                    s30 = Math.fma(x3, y0, s30);
                    s31 = Math.fma(x3, y1, s31);
                }
                put(c, p * bq + q, s00, add);
                put(c, p * bq + q + 1, s01, add);
                put(c, (p + 1) * bq + q, s10, add);
                put(c, (p + 1) * bq + q + 1, s11, add);
                put(c, (p + 2) * bq + q, s20, add);
                put(c, (p + 2) * bq + q + 1, s21, add);
                put(c, (p + 3) * bq + q, s30, add);
                put(c, (p + 3) * bq + q + 1, s31, add);
            }
            for (; q < bq; q++) {
                for (int r = p; r < p + 4; r++) {
                    put(c, r * bq + q, dotFma(a, r * k, b, q * k, k), add);
                }
            }
        }
        for (; p < ap; p++) {
            for (int q = 0; q < bq; q++) {
                put(c, p * bq + q, dotFma(a, p * k, b, q * k, k), add);
            }
        }
    }

    private static double dotFma(double[] a, int ai, double[] b, int bi, int k) {
        double s = 0;
        for (int t = 0; t < k; t++) {
            s = Math.fma(a[ai + t], b[bi + t], s);
        }
        return s;
    }

    private static double dot(double[] a, int ai, double[] b, int bi, int k) {
        double s = 0;
        for (int t = 0; t < k; t++) {
            s += a[ai + t] * b[bi + t];
        }
        return s;
    }

    private static void put(double[] c, int i, double s, boolean add) {
        if (add) {
            c[i] += s;
        } else {
            c[i] = s;
        }
    }
}
