package chainrule.bench;

import chainrule.runtime.Fns;

/**
 * A 784-128-10 relu network written by hand as a careful Java programmer would: weights as flat
 * row-major arrays, dot products with four independent accumulators, the backward pass row by
 * row (outer product δ ⊗ x and Wᵀδ in one sweep), stable softmax cross-entropy via log-sum-exp.
 * Same algorithm as the generated loops, so the comparison measures the code generator.
 */
final class HandWrittenMlp {
    final int in;
    final int hidden;
    final int out;
    final boolean softmax;
    final double[] x;
    final double[] y;
    final double[] w1;
    final double[] b1;
    final double[] w2;
    final double[] b2;
    final double[] gw1;
    final double[] gb1;
    final double[] gw2;
    final double[] gb2;
    private final double[] z1;
    private final double[] h;
    private final double[] z2;
    private final double[] o;
    private final double[] dz2;
    private final double[] dh;
    private double lse;

    HandWrittenMlp(int in, int hidden, int out, boolean softmax) {
        this.in = in;
        this.hidden = hidden;
        this.out = out;
        this.softmax = softmax;
        x = new double[in];
        y = new double[out];
        w1 = new double[hidden * in];
        b1 = new double[hidden];
        w2 = new double[out * hidden];
        b2 = new double[out];
        gw1 = new double[hidden * in];
        gb1 = new double[hidden];
        gw2 = new double[out * hidden];
        gb2 = new double[out];
        z1 = new double[hidden];
        h = new double[hidden];
        z2 = new double[out];
        o = new double[out];
        dz2 = new double[out];
        dh = new double[hidden];
    }

    private static void matVec(double[] w, double[] v, double[] b, double[] z, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int j = 0;
            for (; j < cols - 3; j += 4) {
                s0 += w[base + j] * v[j];
                s1 += w[base + j + 1] * v[j + 1];
                s2 += w[base + j + 2] * v[j + 2];
                s3 += w[base + j + 3] * v[j + 3];
            }
            for (; j < cols; j++) {
                s0 += w[base + j] * v[j];
            }
            z[i] = (s0 + s1) + (s2 + s3) + b[i];
        }
    }

    double forward() {
        matVec(w1, x, b1, z1, hidden, in);
        for (int i = 0; i < hidden; i++) {
            h[i] = z1[i] > 0 ? z1[i] : 0.0;
        }
        matVec(w2, h, b2, z2, out, hidden);
        if (softmax) {
            double m = Double.NEGATIVE_INFINITY;
            for (double z : z2) {
                m = Math.max(m, z);
            }
            double s = 0;
            for (double z : z2) {
                s += Math.exp(z - m);
            }
            lse = m + Math.log(s);
            double loss = 0;
            for (int k = 0; k < out; k++) {
                loss += y[k] * (lse - z2[k]);
            }
            return loss;
        }
        double loss = 0;
        for (int k = 0; k < out; k++) {
            o[k] = Fns.sigmoid(z2[k]);
            double e = y[k] - o[k];
            loss += 0.5 * e * e;
        }
        return loss;
    }

    double gradient() {
        double loss = forward();
        if (softmax) {
            double ySum = 0;
            for (double t : y) {
                ySum += t;
            }
            for (int k = 0; k < out; k++) {
                dz2[k] = Math.exp(z2[k] - lse) * ySum - y[k];
            }
        } else {
            for (int k = 0; k < out; k++) {
                dz2[k] = (o[k] - y[k]) * o[k] * (1 - o[k]);
            }
        }
        java.util.Arrays.fill(dh, 0.0);
        for (int i = 0; i < out; i++) {
            double d = dz2[i];
            gb2[i] = d;
            int base = i * hidden;
            for (int j = 0; j < hidden; j++) {
                gw2[base + j] = d * h[j];
                dh[j] += w2[base + j] * d;
            }
        }
        for (int i = 0; i < hidden; i++) {
            double d = z1[i] > 0 ? dh[i] : 0.0;
            gb1[i] = d;
            int base = i * in;
            for (int j = 0; j < in; j++) {
                gw1[base + j] = d * x[j];
            }
        }
        return loss;
    }
}
