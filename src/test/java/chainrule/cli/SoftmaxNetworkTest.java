package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Apply;
import chainrule.expr.TextPrinter;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.Edge;
import chainrule.paths.PathGraph;
import chainrule.paths.Role;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * softmax, log_softmax, mse and cross_entropy in networks: the path structure (every p.in[k]
 * feeds every p[j]), the gradient against a hand-written backpropagation, interpreter against
 * compiled code, and the stable forms at ±800.
 */
class SoftmaxNetworkTest {
    static final String EXAMPLE = "examples/softmax.nn";

    @TempDir Path dir;

    private String write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    /** A relu layer of {@code hidden} units and a softmax layer of {@code classes}, every value given. */
    static String layered(int inputs, int hidden, int classes) {
        return "input  x[" + inputs + "] = 0.5\n"
                + "target y[" + classes + "] = " + 1.0 / classes + "\n"
                + "weight W1[" + hidden + "," + inputs + "] = 0.01, W2[" + classes + "," + hidden + "] = 0.01\n"
                + "bias   b1[" + hidden + "] = 0.1, b2[" + classes + "] = 0.1\n"
                + "h = relu(W1 @ x + b1)\n"
                + "p = softmax(W2 @ h + b2)\n"
                + "loss L = cross_entropy(p, y)\n";
    }

    @Test
    void everyPreActivationFeedsEveryOutput() throws Exception {
        Network net = Analyzer.analyze(new Source(EXAMPLE, Files.readString(Path.of(EXAMPLE))));
        PathGraph g = PathGraph.of(net);
        assertEquals(BigInteger.valueOf(9), g.pathCount(net.vertex("W1[1,1]").orElseThrow()));
        assertEquals(BigInteger.valueOf(3), g.pathCount(net.vertex("W2[2,4]").orElseThrow()));
        assertEquals(BigInteger.valueOf(3), g.pathCount(net.vertex("b2[1]").orElseThrow()));
        for (int k = 1; k <= 3; k++) {
            var in = net.vertex("p.in[" + k + "]").orElseThrow();
            assertEquals(3, g.outgoing(in).size());
            for (Edge e : g.outgoing(in)) {
                int j = Integer.parseInt(e.to().name().replaceAll("\\D", ""));
                assertEquals(Role.ACTIVATION, e.role(), e.toString());
                String expected = j == k ? "p[" + j + "]*(1 - p[" + j + "])"
                        : "-p[" + Math.min(j, k) + "]*p[" + Math.max(j, k) + "]";
                assertEquals(expected, TextPrinter.plain().print(e.factor()), e.toString());
            }
        }
        Apply p2 = (Apply) net.vertex("p[2]").orElseThrow().definition();
        assertEquals(new VectorElement(VectorPrimitive.SOFTMAX, 1, 3), p2.fn());
        assertEquals("softmax(p.in)[2]", TextPrinter.plain().print(p2));
    }

    @Test
    void aSmallerAnalogueOfTheSpecNetworkHasClassesSquaredPaths() throws Exception {
        Network net = Analyzer.analyze(new Source("n.nn", layered(5, 4, 6)));
        PathGraph g = PathGraph.of(net);
        assertEquals(BigInteger.valueOf(36), g.pathCount(net.vertex("W1[3,5]").orElseThrow()));
        assertEquals(BigInteger.valueOf(6), g.pathCount(net.vertex("W2[6,4]").orElseThrow()));
    }

    @Test
    void theSpecNetwork784x128x10Has100PathsPerFirstLayerWeight() throws Exception {
        Map<String, Object> paths = TestJson.object(run("paths", write("mnist.nn", layered(784, 128, 10)),
                "--wrt", "W1[1,1]", "--json", "--max-paths", "3"));
        assertEquals(100, ((Number) paths.get("count")).intValue());
        assertEquals(3, ((java.util.List<?>) paths.get("paths")).size());
    }

    /** Hand-written backpropagation of examples/softmax.nn: ∂L/∂p.in = p - y for a one-hot y. */
    @Test
    void gradientMatchesHandWrittenBackpropagation() throws Exception {
        Network net = Analyzer.analyze(new Source(EXAMPLE, Files.readString(Path.of(EXAMPLE))));
        Map<String, Double> v = net.values();
        double[] x = vector(v, "x", 3);
        double[] y = vector(v, "y", 3);
        double[][] w1 = matrix(v, "W1", 4, 3);
        double[][] w2 = matrix(v, "W2", 3, 4);
        double[] b1 = vector(v, "b1", 4);
        double[] b2 = vector(v, "b2", 3);
        double[] hin = new double[4];
        double[] h = new double[4];
        for (int i = 0; i < 4; i++) {
            hin[i] = b1[i];
            for (int m = 0; m < 3; m++) {
                hin[i] += w1[i][m] * x[m];
            }
            h[i] = Math.max(0, hin[i]);
        }
        double[] z = new double[3];
        double total = 0;
        for (int j = 0; j < 3; j++) {
            z[j] = b2[j];
            for (int i = 0; i < 4; i++) {
                z[j] += w2[j][i] * h[i];
            }
            total += Math.exp(z[j]);
        }
        double loss = 0;
        double[] dz = new double[3];
        for (int j = 0; j < 3; j++) {
            double p = Math.exp(z[j]) / total;
            loss -= y[j] * Math.log(p);
            dz[j] = p - y[j];
        }
        for (String command : new String[] {"grad", "eval"}) { // interpreter and compiled
            Map<String, Object> json = TestJson.object(run(command, EXAMPLE, "--json"));
            assertEquals(loss, EvalCheckCommandTest.lossValue(json), 1e-12, command);
            Map<String, Object> grad = EvalCheckCommandTest.gradient(json);
            for (int j = 0; j < 3; j++) {
                assertEquals(dz[j], number(grad, "b2[" + (j + 1) + "]"), 1e-12, command);
                for (int i = 0; i < 4; i++) {
                    assertEquals(dz[j] * h[i], number(grad, "W2[" + (j + 1) + "," + (i + 1) + "]"), 1e-12, command);
                }
            }
            for (int i = 0; i < 4; i++) {
                double dh = 0;
                for (int j = 0; j < 3; j++) {
                    dh += dz[j] * w2[j][i];
                }
                double dhin = hin[i] > 0 ? dh : 0;
                assertEquals(dhin, number(grad, "b1[" + (i + 1) + "]"), 1e-12, command);
                for (int m = 0; m < 3; m++) {
                    assertEquals(dhin * x[m], number(grad, "W1[" + (i + 1) + "," + (m + 1) + "]"), 1e-12, command);
                }
            }
        }
        assertEquals(true, TestJson.object(run("check", EXAMPLE, "--json")).get("ok"));
    }

    /** At ±800 the inline forms stay finite in the interpreter and the compiled code. */
    static final String AT_800 = """
            input  x[3] = [800, 0, -800]
            target y[3] = [0, 0, 1]
            weight a = 1
            p = softmax(a*x)
            loss L = cross_entropy(softmax(a*x), y) + softplus(a*x[1]) + softplus(a*x[3]) + sigmoid(a*x[3]) + sum(p*x)
            """;

    @Test
    void stableAtPlusMinus800InInterpreterAndCompiledCode() throws Exception {
        // L = 1600 (−log_softmax₃) + 800 + 0 + 0 + 800 (Σ p·x with p = [1, 0, 0]);
        // ∂L/∂a = Σ(p − y)·x = 1600, + 800·σ(800) = 800, + 0 + 0 + Σ x·p·(x − p·x) = 0
        String file = write("at800.nn", AT_800);
        for (String command : new String[] {"grad", "eval"}) {
            Map<String, Object> json = TestJson.object(run(command, file, "--json"));
            assertEquals(3200.0, EvalCheckCommandTest.lossValue(json), 0.0, command);
            assertEquals(2400.0, number(EvalCheckCommandTest.gradient(json), "a"), 0.0, command);
        }
        String negated = write("at-800.nn", AT_800.replace("[800, 0, -800]", "[-800, 0, 800]"));
        // now −log_softmax₃ = 0, softplus(−800) = 0, softplus(800) = 800, sigmoid(800) = 1, Σ p·x = 800;
        // ∂L/∂a = 0 + 0 + 800 + 0 + 0
        for (String command : new String[] {"grad", "eval"}) {
            Map<String, Object> json = TestJson.object(run(command, negated, "--json"));
            assertEquals(1601.0, EvalCheckCommandTest.lossValue(json), 0.0, command);
            assertEquals(800.0, number(EvalCheckCommandTest.gradient(json), "a"), 0.0, command);
        }
    }

    @Test
    void aSoftmaxVertexThatUnderflowsIsComputedStablyEverywhere() throws Exception {
        // p[3] = softmax(a*x)[3] underflows to 0 where its target is 1: log(p[3]) is taken as log_softmax(a*x)[3]
        // (docs/hardening.md). Reference: L = -log_softmax(800a, 0, -800a)[3] = 800a + log(e^800a + 1 + e^-800a)
        // = 1600 at a = 1, and ∂L/∂a = 800 + 800·(e^800 - e^-800)/(e^800 + 1 + e^-800) = 1600 in doubles.
        String file = write("vertex.nn", "input  x[3] = [800, 0, -800]\ntarget y[3] = [0, 0, 1]\nweight a = 1\n"
                + "p = softmax(a*x)\nloss L = cross_entropy(p, y)\n");
        for (String command : new String[] {"grad", "eval"}) {
            Map<String, Object> json = TestJson.object(run(command, file, "--json"));
            assertEquals(1600.0, EvalCheckCommandTest.lossValue(json), 0.0, command);
            assertEquals(1600.0, number(EvalCheckCommandTest.gradient(json), "a"), 0.0, command);
        }
        // the compiled code takes log(p[3]) as log_softmax too (model.SigmoidLogs), so check needs
        // no interpreter, and train runs: a = 1 - 0.1·1600 after one step, and then L = 0
        Cli r = Cli.run("check", file);
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().startsWith("(computed by the interpreter"), r.out());
        assertFalse(r.out().contains("nan") || r.out().contains("inf"), r.out());
        Cli t = Cli.run("train", file, "--lr", "0.1", "--steps", "1");
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("a = -159\n"), t.out());
    }

    @Test
    void mseAndCrossEntropyAreTheirDefinitions() throws Exception {
        String head = "input x[2] = [0.3, -0.6]\ntarget y[2] = [0.2, 0.8]\nweight W[2,2] = [[0.5, -0.4], [0.3, 0.9]]\n"
                + "o = sigmoid(W @ x)\n";
        assertSameNumbers(write("mse.nn", head + "loss E = mse(o, y)\n"), write("mean.nn", head + "loss E = mean((o - y)^2)\n"));
        assertSameNumbers(write("ce.nn", head + "loss E = cross_entropy(o, y)\n"), write("sum.nn", head + "loss E = -sum(y*log(o))\n"));
        String logSoftmax = write("ls.nn", head.replace("sigmoid", "log_softmax") + "loss E = -sum(y*o)\n");
        String inline = write("inline.nn", head + "loss E = cross_entropy(softmax(W @ x), y)\n");
        Map<String, Object> a = TestJson.object(run("eval", logSoftmax, "--json"));
        Map<String, Object> b = TestJson.object(run("eval", inline, "--json"));
        assertEquals(EvalCheckCommandTest.lossValue(a), EvalCheckCommandTest.lossValue(b), 1e-15);
        assertEquals(true, TestJson.object(run("check", logSoftmax, "--json")).get("ok"));
    }

    private static void assertSameNumbers(String file, String reference) {
        for (String command : new String[] {"grad", "eval"}) {
            Map<String, Object> a = TestJson.object(run(command, file, "--json"));
            Map<String, Object> b = TestJson.object(run(command, reference, "--json"));
            assertEquals(EvalCheckCommandTest.lossValue(b), EvalCheckCommandTest.lossValue(a), 1e-15, command);
            assertEquals(EvalCheckCommandTest.gradient(b).keySet(), EvalCheckCommandTest.gradient(a).keySet());
            for (String k : EvalCheckCommandTest.gradient(b).keySet()) {
                assertEquals(number(EvalCheckCommandTest.gradient(b), k), number(EvalCheckCommandTest.gradient(a), k), 1e-15, k);
            }
        }
    }

    @Test
    void shapeAndArityErrorsPointAtTheCall() throws Exception {
        String decl = "input x[3] = 1, s = 2\ntarget y[2] = 0\nweight W[2,3] = 0.1\n";
        assertError(decl + "loss L = sum(softmax(s*2))\n", "4:14: error: 'softmax' takes a vector, but its argument here is a scalar");
        assertError(decl + "h = log_softmax(W)\nloss L = sum(h)\n", "4:5: error: 'log_softmax' takes a vector, but its argument here has shape [2,3]");
        assertError(decl + "loss L = cross_entropy(softmax(W @ x), x)\n",
                "4:10: error: shapes do not match for the arguments of 'cross_entropy': [2] and [3]");
        assertError(decl + "loss L = mse(x)\n", "4:10: error: 'mse' takes 2 arguments, but 1 was given");
        assertError(decl + "loss L = sum(softmax(x, x))\n", "4:14: error: 'softmax' takes 1 argument, but 2 were given");
        assertError("function softmax(z) = z\n" + decl + "loss L = sum(x)\n",
                "1:10: error: 'softmax' is a built-in function and cannot be redefined");
        assertError(decl + "loss L = sum(cross_entropy)\n", "4:14: error: 'cross_entropy' is a function; call it");
        assertError("input x[257] = 0\nloss L = sum(softmax(x))\n",
                "2:14: error: 'softmax' of 257 elements is more than chainrule takes (256)");
        Network widest = Analyzer.analyze(new Source("w.nn", "input x[256] = 0\nq = log_softmax(x)\nloss L = q[256]\n"));
        assertEquals(-Math.log(256), widest.forward().get("L"), 1e-12);
    }

    private void assertError(String text, String expected) throws IOException {
        String file = write("bad.nn", text);
        Cli r = Cli.run("grad", file);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith(file + ":" + expected), r.err());
    }

    private static String run(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.status(), r.err());
        return r.out();
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    private static double[] vector(Map<String, Double> v, String name, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = v.get(name + "[" + (i + 1) + "]");
        }
        return out;
    }

    private static double[][] matrix(Map<String, Double> v, String name, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = v.get(name + "[" + (i + 1) + "," + (j + 1) + "]");
            }
        }
        return out;
    }
}
