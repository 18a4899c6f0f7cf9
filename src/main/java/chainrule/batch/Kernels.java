package chainrule.batch;

/**
 * The dense loops of the batched engine, written so the JIT vectorises them: every inner loop is
 * {@code a[i] += s·b[i]} over consecutive elements (no reduction in the inner loop, whose order the
 * JIT may not change), and rows are taken four at a time so each row of the weight matrix is read
 * from memory once for four samples.
 */
final class Kernels {
    private Kernels() {}

    /** {@code t[j·m + i] = w[i·n + j]}: the transpose of w [m, n]. */
    static void transpose(double[] w, int wBase, int m, int n, double[] t) {
        for (int i = 0; i < m; i++) {
            int row = wBase + i * n;
            for (int j = 0; j < n; j++) {
                t[j * m + i] = w[row + j];
            }
        }
    }

    /**
     * {@code out[r, :] = Σ_j v[r, j] · wt[j, :]} for r &lt; rows: rows of v [rows, n] times wᵀ
     * (wt [n, m]), that is {@code out = v · wᵀ}.
     */
    static void rowsTimesTransposed(double[] v, int rows, int n, double[] wt, int m, double[] out) {
        java.util.Arrays.fill(out, 0, rows * m, 0.0);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int o0 = r * m, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
            int v0 = r * n, v1 = v0 + n, v2 = v1 + n, v3 = v2 + n;
            for (int j = 0; j < n; j++) {
                double a0 = v[v0 + j], a1 = v[v1 + j], a2 = v[v2 + j], a3 = v[v3 + j];
                int w = j * m;
                for (int i = 0; i < m; i++) {
                    double x = wt[w + i];
                    out[o0 + i] += a0 * x;
                    out[o1 + i] += a1 * x;
                    out[o2 + i] += a2 * x;
                    out[o3 + i] += a3 * x;
                }
            }
        }
        for (; r < rows; r++) {
            int o = r * m;
            int vr = r * n;
            for (int j = 0; j < n; j++) {
                double a = v[vr + j];
                int w = j * m;
                for (int i = 0; i < m; i++) {
                    out[o + i] += a * wt[w + i];
                }
            }
        }
    }

    /** {@code dv[r, :] += Σ_i d[r, i] · w[i, :]} for w [m, n]: the adjoint of v in {@code out = v·wᵀ}. */
    static void rowsTimes(double[] d, int rows, int m, double[] w, int wBase, int n, double[] dv) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int o0 = r * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
            int d0 = r * m, d1 = d0 + m, d2 = d1 + m, d3 = d2 + m;
            for (int i = 0; i < m; i++) {
                double a0 = d[d0 + i], a1 = d[d1 + i], a2 = d[d2 + i], a3 = d[d3 + i];
                int wr = wBase + i * n;
                for (int j = 0; j < n; j++) {
                    double x = w[wr + j];
                    dv[o0 + j] += a0 * x;
                    dv[o1 + j] += a1 * x;
                    dv[o2 + j] += a2 * x;
                    dv[o3 + j] += a3 * x;
                }
            }
        }
        for (; r < rows; r++) {
            int o = r * n;
            int dr = r * m;
            for (int i = 0; i < m; i++) {
                double a = d[dr + i];
                int wr = wBase + i * n;
                for (int j = 0; j < n; j++) {
                    dv[o + j] += a * w[wr + j];
                }
            }
        }
    }

    /**
     * {@code dw[i, :] += Σ_r d[r, i] · v[r, :]} (dw [m, n]): the adjoint of w in {@code out = v·wᵀ},
     * the sum over rows of outer products, as dᵀ·v. Rows are added in order.
     */
    static void transposedTimes(double[] d, int rows, int m, double[] v, int n, double[] dw) {
        for (int i = 0; i < m; i++) {
            int o = i * n;
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                double a0 = d[r * m + i], a1 = d[(r + 1) * m + i], a2 = d[(r + 2) * m + i], a3 = d[(r + 3) * m + i];
                int v0 = r * n, v1 = v0 + n, v2 = v1 + n, v3 = v2 + n;
                for (int j = 0; j < n; j++) {
                    dw[o + j] += a0 * v[v0 + j] + a1 * v[v1 + j] + a2 * v[v2 + j] + a3 * v[v3 + j];
                }
            }
            for (; r < rows; r++) {
                double a = d[r * m + i];
                int vr = r * n;
                for (int j = 0; j < n; j++) {
                    dw[o + j] += a * v[vr + j];
                }
            }
        }
    }
}
