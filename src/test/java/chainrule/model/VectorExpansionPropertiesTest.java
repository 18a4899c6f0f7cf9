package chainrule.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.expr.FiniteDifference;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A random layered network written with vectors ({@code h1 = act(W1 @ x + b1)}) must have the loss
 * and gradient of the same network written out by hand, one scalar per element
 * ({@code h1_2 = act(W1_2_1*x_1 + W1_2_2*x_2 + b1_2)}): the element expansion is the only thing
 * that differs between the two texts. Each element derivative is also checked against finite
 * differences of the vector network (away from kinks).
 */
class VectorExpansionPropertiesTest {

    @Property(tries = 150)
    void vectorNetworksEqualTheirScalarExpansion(@ForAll long seed) throws Exception {
        Pair texts = Pair.generate(seed);
        Network vector = Analyzer.analyze(new Source("vector.nn", texts.vector()));
        Network scalar = Analyzer.analyze(new Source("scalar.nn", texts.scalar()));
        Values vv = Values.of(vector);
        Values sv = Values.of(scalar);
        String where = "\n" + texts.vector() + "\n---\n" + texts.scalar();
        assertClose(sv.vertex("E"), vv.vertex("E"), "loss" + where);
        Map<String, Double> vg = ReverseAccumulator.gradient(PathGraph.of(vector), vv);
        Map<String, Double> sg = ReverseAccumulator.gradient(PathGraph.of(scalar), sv);
        assertEquals(sg.size(), vg.size(), "one gradient entry per element parameter" + where);
        for (Map.Entry<String, Double> e : vg.entrySet()) {
            String scalarName = e.getKey().replace("[", "_").replace(",", "_").replace("]", "");
            Double expected = sg.get(scalarName);
            assertEquals(true, expected != null, "no " + scalarName + where);
            assertClose(expected, e.getValue(), e.getKey() + where);
            assertFiniteDifference(vector, e.getKey(), e.getValue(), vv.vertex("E"), where);
        }
    }

    /** The element derivative against a central difference of the vector network's loss (away from kinks). */
    private static void assertFiniteDifference(Network net, String parameter, double exact, double loss, String where) {
        Map<String, Double> point = new LinkedHashMap<>(net.values());
        if (!FiniteDifference.awayFromKinks(List.of(net.inlined(net.loss())),
                net.vertex(parameter).orElseThrow().symbol(), point)) {
            return;
        }
        double numeric = FiniteDifference.derivative(x -> {
            point.put(parameter, x);
            return net.lossAt(point);
        }, net.values().get(parameter));
        assertEquals(numeric, exact, FiniteDifference.tolerance(exact, Math.abs(loss)), "finite difference, " + parameter + where);
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-11 * (1 + Math.abs(expected)), what);
    }

    /** The two texts of one random network. */
    record Pair(String vector, String scalar) {
        private static final String[] ACTIVATIONS = {"sigmoid", "tanh", "softplus", "swish", "leaky_relu", "", "sin"};

        static Pair generate(long seed) {
            Random r = new Random(seed);
            StringBuilder vDecl = new StringBuilder("function swish(z) = z*sigmoid(z)\n");
            StringBuilder sDecl = new StringBuilder("function swish(z) = z*sigmoid(z)\n");
            StringBuilder vBody = new StringBuilder();
            StringBuilder sBody = new StringBuilder();
            int width = 1 + r.nextInt(3);
            double[] x = values(r, width);
            vDecl.append("input x[").append(width).append("] = ").append(list(x)).append('\n');
            List<String> previous = new ArrayList<>();
            for (int i = 1; i <= width; i++) {
                sDecl.append("input x_").append(i).append(" = ").append(num(x[i - 1])).append('\n');
                previous.add("x_" + i);
            }
            String previousVector = "x";
            int depth = 1 + r.nextInt(3);
            for (int l = 1; l <= depth; l++) {
                int m = 1 + r.nextInt(3);
                int n = previous.size();
                double[][] w = new double[m][];
                for (int i = 0; i < m; i++) {
                    w[i] = values(r, n);
                }
                vDecl.append("weight W").append(l).append('[').append(m).append(',').append(n).append("] = ").append(matrix(w)).append('\n');
                for (int i = 1; i <= m; i++) {
                    for (int j = 1; j <= n; j++) {
                        sDecl.append("weight W").append(l).append('_').append(i).append('_').append(j)
                                .append(" = ").append(num(w[i - 1][j - 1])).append('\n');
                    }
                }
                int biasForm = r.nextInt(3); // 0: none, 1: one scalar broadcast, 2: a vector
                double[] b = values(r, m);
                if (biasForm == 1) {
                    vDecl.append("bias b").append(l).append(" = ").append(num(b[0])).append('\n');
                    sDecl.append("bias b").append(l).append(" = ").append(num(b[0])).append('\n');
                } else if (biasForm == 2) {
                    vDecl.append("bias b").append(l).append('[').append(m).append("] = ").append(list(b)).append('\n');
                    for (int i = 1; i <= m; i++) {
                        sDecl.append("bias b").append(l).append('_').append(i).append(" = ").append(num(b[i - 1])).append('\n');
                    }
                }
                String act = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
                String pre = "W" + l + " @ " + previousVector + (biasForm == 0 ? "" : " + b" + l);
                vBody.append('h').append(l).append(" = ").append(apply(act, pre)).append('\n');
                List<String> current = new ArrayList<>();
                for (int i = 1; i <= m; i++) {
                    StringBuilder net = new StringBuilder();
                    for (int j = 1; j <= n; j++) {
                        net.append(j == 1 ? "" : " + ").append('W').append(l).append('_').append(i).append('_').append(j)
                                .append('*').append(previous.get(j - 1));
                    }
                    if (biasForm == 1) {
                        net.append(" + b").append(l);
                    } else if (biasForm == 2) {
                        net.append(" + b").append(l).append('_').append(i);
                    }
                    String name = "h" + l + "_" + i;
                    sBody.append(name).append(" = ").append(apply(act, net.toString())).append('\n');
                    current.add(name);
                }
                previous = current;
                previousVector = "h" + l;
            }
            double[] y = values(r, previous.size());
            vDecl.append("target y[").append(y.length).append("] = ").append(list(y)).append('\n');
            StringBuilder sLoss = new StringBuilder();
            for (int i = 1; i <= y.length; i++) {
                sDecl.append("target y_").append(i).append(" = ").append(num(y[i - 1])).append('\n');
                sLoss.append(i == 1 ? "(" : " + ").append("(y_").append(i).append(" - ").append(previous.get(i - 1)).append(")^2");
            }
            sLoss.append(')');
            boolean mean = r.nextBoolean();
            String vLoss = (mean ? "mean" : "sum") + "(0.5*(y - " + previousVector + ")^2) + 0.01*W1[1,1]^2";
            String scalarLoss = "0.5*" + sLoss + (mean ? "/" + y.length : "") + " + 0.01*W1_1_1^2";
            return new Pair(vDecl + vBody.toString() + "loss E = " + vLoss + "\n",
                    sDecl + sBody.toString() + "loss E = " + scalarLoss + "\n");
        }

        private static String apply(String act, String pre) {
            return act.isEmpty() ? pre : act + "(" + pre + ")";
        }

        private static double[] values(Random r, int n) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = Math.round((r.nextDouble() * 2 - 1) * 1000) / 1000.0;
            }
            return v;
        }

        private static String num(double v) {
            return String.format(Locale.ROOT, "%.3f", v);
        }

        private static String list(double[] v) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(num(v[i]));
            }
            return sb.append(']').toString();
        }

        private static String matrix(double[][] w) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < w.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(list(w[i]));
            }
            return sb.append(']').toString();
        }
    }
}
