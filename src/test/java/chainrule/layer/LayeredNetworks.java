package chainrule.layer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A random layered network written twice: with vectors ({@code h1 = act(W1 @ x + b1)}, a softmax
 * loss) and written out by hand one scalar per element ({@code h1_2 = act(W1_2_1*x_1 + ...)},
 * softmax as {@code exp(z_j)/(exp(z_1) + ...)}), so the scalar text is an independent reference for
 * every vector op. Widths 1–6, depths 1–3, activations drawn from the primitive table and a user
 * function, biases absent, broadcast scalars or vectors, and one of several losses.
 */
record LayeredNetworks(String vector, String scalar, Map<String, Double> values, Map<String, String> scalarName,
                       String loss) {

    /** Activations defined on every real number (log and sqrt are not). */
    static final String[] ACTIVATIONS = {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "sin", "cos", "abs",
            "swish", "step", "sign", ""};
    /** The losses; the first two need only what the analyser knows today. */
    static final String[] LOSSES = {"squares", "mean", "mse", "softmax_ce", "log_softmax", "ce_of_probabilities"};

    static LayeredNetworks generate(long seed, boolean analyserOnly) {
        Random r = new Random(seed);
        Builder b = new Builder(r);
        return b.build(analyserOnly ? LOSSES[r.nextInt(2)] : LOSSES[r.nextInt(LOSSES.length)]);
    }

    private static final class Builder {
        final Random r;
        final StringBuilder vDecl = new StringBuilder("function swish(z) = z*sigmoid(z)\n");
        final StringBuilder sDecl = new StringBuilder("function swish(z) = z*sigmoid(z)\n");
        final StringBuilder vBody = new StringBuilder();
        final StringBuilder sBody = new StringBuilder();
        final Map<String, Double> values = new LinkedHashMap<>();
        final Map<String, String> names = new LinkedHashMap<>();

        Builder(Random r) {
            this.r = r;
        }

        LayeredNetworks build(String loss) {
            int width = 1 + r.nextInt(6);
            List<String> previous = vector("input", "x", width, false);
            String previousVector = "x";
            int depth = 1 + r.nextInt(3);
            for (int l = 1; l <= depth; l++) {
                boolean last = l == depth;
                // A softmax over one element is the constant 1: its loss and gradient are rounding noise.
                boolean distribution = loss.equals("softmax_ce") || loss.equals("log_softmax");
                int m = last && distribution ? 2 + r.nextInt(5) : 1 + r.nextInt(6);
                int n = previous.size();
                List<String> w = matrix("W" + l, m, n);
                int biasForm = r.nextInt(3); // 0: none, 1: a scalar broadcast over the layer, 2: a vector
                List<String> bias = biasForm == 1 ? vector("bias", "b" + l, 0, false)
                        : biasForm == 2 ? vector("bias", "b" + l, m, false) : List.of();
                String act = last && !loss.equals("squares") && !loss.equals("mean") ? activationForLoss(loss)
                        : ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
                String arg = act.equals("leaky_relu") && r.nextBoolean() ? ", 0.2" : "";
                String pre = "W" + l + " @ " + previousVector + (biasForm == 0 ? "" : " + b" + l);
                vBody.append('h').append(l).append(" = ").append(call(act, pre, arg)).append('\n');
                List<String> current = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    StringBuilder net = new StringBuilder();
                    for (int j = 0; j < n; j++) {
                        net.append(j == 0 ? "" : " + ").append(w.get(i * n + j)).append('*').append(previous.get(j));
                    }
                    if (biasForm != 0) {
                        net.append(" + ").append(bias.get(biasForm == 1 ? 0 : i));
                    }
                    String name = "h" + l + "_" + (i + 1);
                    sBody.append(name).append(" = ").append(call(act, net.toString(), arg)).append('\n');
                    current.add(name);
                }
                previous = current;
                previousVector = "h" + l;
            }
            String lossText = loss(loss, previous, previousVector);
            return new LayeredNetworks(vDecl + vBody.toString() + "loss L = " + lossText.split("\u0000")[0] + "\n",
                    sDecl + sBody.toString() + "loss L = " + lossText.split("\u0000")[1] + "\n", values, names, loss);
        }

        private String activationForLoss(String loss) {
            return loss.equals("ce_of_probabilities") ? "sigmoid" : r.nextBoolean() ? "" : "tanh";
        }

        /** The vector loss and its scalar expansion, separated by a NUL. */
        private String loss(String loss, List<String> o, String ov) {
            int k = o.size();
            boolean probabilities = loss.equals("softmax_ce") || loss.equals("log_softmax");
            List<String> y = probabilities ? distribution("y", k) : vector("target", "y", k, true);
            String v;
            StringBuilder s = new StringBuilder();
            switch (loss) {
                case "squares", "mean" -> {
                    v = (loss.equals("mean") ? "mean" : "sum") + "(0.5*(y - " + ov + ")^2)";
                    s.append("0.5*(");
                    for (int i = 0; i < k; i++) {
                        s.append(i == 0 ? "" : " + ").append('(').append(y.get(i)).append(" - ").append(o.get(i)).append(")^2");
                    }
                    s.append(')').append(loss.equals("mean") ? "/" + k : "");
                }
                case "mse" -> {
                    v = "mse(" + ov + ", y)";
                    s.append('(');
                    for (int i = 0; i < k; i++) {
                        s.append(i == 0 ? "" : " + ").append('(').append(o.get(i)).append(" - ").append(y.get(i)).append(")^2");
                    }
                    s.append(")/").append(k);
                }
                case "softmax_ce", "log_softmax" -> {
                    v = loss.equals("softmax_ce") ? "cross_entropy(softmax(" + ov + "), y)" : "-sum(y*log_softmax(" + ov + "))";
                    StringBuilder total = new StringBuilder();
                    for (int i = 0; i < k; i++) {
                        total.append(i == 0 ? "" : " + ").append("exp(").append(o.get(i)).append(')');
                    }
                    sBody.append("total = ").append(total).append('\n');
                    for (int i = 0; i < k; i++) {
                        s.append(i == 0 ? "-(" : " + ").append(y.get(i)).append("*log(exp(").append(o.get(i)).append(")/total)");
                    }
                    s.append(')');
                }
                case "ce_of_probabilities" -> {
                    v = "cross_entropy(" + ov + ", y)";
                    for (int i = 0; i < k; i++) {
                        s.append(i == 0 ? "-(" : " + ").append(y.get(i)).append("*log(").append(o.get(i)).append(')');
                    }
                    s.append(')');
                }
                default -> throw new IllegalArgumentException(loss);
            }
            if (r.nextInt(3) == 0) {
                v += " + 0.01*sum(W1^2)";
                s.append(" + 0.01*(");
                boolean first = true;
                for (Map.Entry<String, String> e : names.entrySet()) {
                    if (e.getKey().startsWith("W1[")) {
                        s.append(first ? "" : " + ").append(e.getValue()).append("^2");
                        first = false;
                    }
                }
                s.append(')');
            }
            return v + "\u0000" + s;
        }

        private static String call(String act, String pre, String arg) {
            return act.isEmpty() ? pre : act + "(" + pre + arg + ")";
        }

        /** A target that is a probability distribution (positive, summing to 1). */
        private List<String> distribution(String name, int k) {
            double[] p = new double[k];
            double total = 0;
            for (int i = 0; i < k; i++) {
                p[i] = 0.1 + r.nextDouble();
                total += p[i];
            }
            for (int i = 0; i < k; i++) {
                p[i] /= total;
            }
            return declare("target", name, k, p);
        }

        /** Declares a vector ({@code size} 0: a scalar) with random values; returns the scalar names. */
        private List<String> vector(String keyword, String name, int size, boolean positive) {
            double[] v = new double[Math.max(1, size)];
            for (int i = 0; i < v.length; i++) {
                v[i] = positive ? 0.05 + r.nextDouble() * 0.9 : r.nextDouble() * 3 - 1.5;
            }
            if (size == 0) {
                vDecl.append(keyword).append(' ').append(name).append(" = ").append(num(v[0])).append('\n');
                sDecl.append(keyword).append(' ').append(name).append(" = ").append(num(v[0])).append('\n');
                values.put(name, v[0]);
                names.put(name, name);
                return List.of(name);
            }
            return declare(keyword, name, size, v);
        }

        private List<String> declare(String keyword, String name, int size, double[] v) {
            StringBuilder list = new StringBuilder("[");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                list.append(i == 0 ? "" : ", ").append(num(v[i]));
                String s = name + "_" + (i + 1);
                sDecl.append(keyword).append(' ').append(s).append(" = ").append(num(v[i])).append('\n');
                values.put(name + "[" + (i + 1) + "]", v[i]);
                names.put(name + "[" + (i + 1) + "]", s);
                out.add(s);
            }
            vDecl.append(keyword).append(' ').append(name).append('[').append(size).append("] = ").append(list).append("]\n");
            return out;
        }

        private List<String> matrix(String name, int m, int n) {
            StringBuilder rows = new StringBuilder("[");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                rows.append(i == 0 ? "[" : ", [");
                for (int j = 0; j < n; j++) {
                    // Full-precision weights, not rounded decimals: step and sign feed exact ±1 and 0
                    // into the next layer, and short decimals could then cancel to a kink of abs or
                    // relu, where engines that add in different orders legitimately pick different sides.
                    double v = r.nextDouble() * 2 - 1;
                    rows.append(j == 0 ? "" : ", ").append(num(v));
                    String s = name + "_" + (i + 1) + "_" + (j + 1);
                    sDecl.append("weight ").append(s).append(" = ").append(num(v)).append('\n');
                    String element = name + "[" + (i + 1) + "," + (j + 1) + "]";
                    values.put(element, v);
                    names.put(element, s);
                    out.add(s);
                }
                rows.append(']');
            }
            vDecl.append("weight ").append(name).append('[').append(m).append(',').append(n).append("] = ").append(rows).append("]\n");
            return out;
        }

        private static String num(double v) {
            return String.format(Locale.ROOT, "%s", v);
        }
    }
}
