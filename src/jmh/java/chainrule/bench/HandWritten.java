package chainrule.bench;

import chainrule.runtime.Fns;

/**
 * Gradients written by hand, as a careful programmer would: straight-line code for Mazur's
 * network, loops over weight matrices for the deep one. They use the same sigmoid and tanh as the
 * compiled code, so the comparison measures the code around them.
 */
final class HandWritten {
    private HandWritten() {}

    /** Mazur's network. {@code p} = w1..w8, b1, b2; {@code in} = i1, i2, t1, t2; returns the loss. */
    static double mazur(double[] p, double[] in, double[] g) {
        double i1 = in[0], i2 = in[1], t1 = in[2], t2 = in[3];
        double h1 = Fns.sigmoid(p[0] * i1 + p[1] * i2 + p[8]);
        double h2 = Fns.sigmoid(p[2] * i1 + p[3] * i2 + p[8]);
        double o1 = Fns.sigmoid(p[4] * h1 + p[5] * h2 + p[9]);
        double o2 = Fns.sigmoid(p[6] * h1 + p[7] * h2 + p[9]);
        double e1 = o1 - t1;
        double e2 = o2 - t2;
        double d1 = e1 * o1 * (1 - o1);
        double d2 = e2 * o2 * (1 - o2);
        g[4] = d1 * h1;
        g[5] = d1 * h2;
        g[6] = d2 * h1;
        g[7] = d2 * h2;
        g[9] = d1 + d2;
        double dh1 = (d1 * p[4] + d2 * p[6]) * h1 * (1 - h1);
        double dh2 = (d1 * p[5] + d2 * p[7]) * h2 * (1 - h2);
        g[0] = dh1 * i1;
        g[1] = dh1 * i2;
        g[2] = dh2 * i1;
        g[3] = dh2 * i2;
        g[8] = dh1 + dh2;
        return 0.5 * e1 * e1 + 0.5 * e2 * e2;
    }

    static double mazurForward(double[] p, double[] in) {
        double h1 = Fns.sigmoid(p[0] * in[0] + p[1] * in[1] + p[8]);
        double h2 = Fns.sigmoid(p[2] * in[0] + p[3] * in[1] + p[8]);
        double o1 = Fns.sigmoid(p[4] * h1 + p[5] * h2 + p[9]);
        double o2 = Fns.sigmoid(p[6] * h1 + p[7] * h2 + p[9]);
        return 0.5 * (in[2] - o1) * (in[2] - o1) + 0.5 * (in[3] - o2) * (in[3] - o2);
    }

    /** The deep network as matrices: {@code w[l][j][i]}, {@code b[l][j]}, activations kept for the backward pass. */
    static final class Deep {
        final double[][][] w = new double[Networks.HIDDEN + 1][][];
        final double[][] b = new double[Networks.HIDDEN + 1][];
        final double[][] gw[] = new double[Networks.HIDDEN + 1][][];
        final double[][] gb = new double[Networks.HIDDEN + 1][];
        final double[][] a = new double[Networks.HIDDEN + 2][];
        final double[][] delta = new double[Networks.HIDDEN + 1][];
        final double[] x = new double[Networks.INPUTS];
        double y = Networks.TARGET;

        Deep() {
            int fanIn = Networks.INPUTS;
            a[0] = x;
            for (int l = 0; l <= Networks.HIDDEN; l++) {
                int width = l == Networks.HIDDEN ? 1 : Networks.WIDTH;
                w[l] = new double[width][fanIn];
                gw[l] = new double[width][fanIn];
                b[l] = new double[width];
                gb[l] = new double[width];
                a[l + 1] = new double[width];
                delta[l] = new double[width];
                for (int j = 0; j < width; j++) {
                    for (int i = 0; i < fanIn; i++) {
                        w[l][j][i] = Networks.weight(l + 1, j + 1, i + 1);
                    }
                    b[l][j] = Networks.bias(l + 1, j + 1);
                }
                fanIn = width;
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = Networks.input(i + 1);
            }
        }

        double forward() {
            for (int l = 0; l <= Networks.HIDDEN; l++) {
                double[] in = a[l];
                double[] out = a[l + 1];
                boolean last = l == Networks.HIDDEN;
                for (int j = 0; j < out.length; j++) {
                    double[] row = w[l][j];
                    double z = 0;
                    for (int i = 0; i < in.length; i++) {
                        z += row[i] * in[i];
                    }
                    z += b[l][j];
                    out[j] = last ? Fns.sigmoid(z) : Math.tanh(z);
                }
            }
            double e = y - a[Networks.HIDDEN + 1][0];
            return 0.5 * e * e;
        }

        double gradient() {
            double loss = forward();
            int top = Networks.HIDDEN;
            double o = a[top + 1][0];
            delta[top][0] = (o - y) * o * (1 - o);
            for (int l = top; l >= 0; l--) {
                double[] in = a[l];
                for (int j = 0; j < delta[l].length; j++) {
                    double d = delta[l][j];
                    gb[l][j] = d;
                    double[] grow = gw[l][j];
                    for (int i = 0; i < in.length; i++) {
                        grow[i] = d * in[i];
                    }
                }
                if (l > 0) {
                    double[] below = delta[l - 1];
                    double[] h = a[l];
                    for (int i = 0; i < below.length; i++) {
                        double s = 0;
                        for (int j = 0; j < delta[l].length; j++) {
                            s += w[l][j][i] * delta[l][j];
                        }
                        below[i] = s * (1 - h[i] * h[i]);
                    }
                }
            }
            return loss;
        }
    }
}
