package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 784-128-10 network (101,770 parameters) through {@code eval} and {@code check}: compiled to
 * loops (the unrolled compiler cannot hold it), checked against a hand-written forward and
 * backward pass, and against finite differences on a sample of parameters.
 */
class MnistSizeTest {
    static final int IN = 784;
    static final int HIDDEN = 128;
    static final int OUT = 10;

    static double w1(int i, int j) { return (((i * 31 + j * 17) % 23) - 11) / 400.0; }

    static double w2(int i, int j) { return (((i * 7 + j * 13) % 19) - 9) / 60.0; }

    static double b1(int i) { return ((i % 7) - 3) / 50.0; }

    static double b2(int i) { return ((i % 5) - 2) / 20.0; }

    static double x(int j) { return (j % 11) / 10.0; }

    static double y(int i) { return i == 3 ? 0.9 : 0.1; }

    /** The file, every value written out as nested lists. */
    static String file() {
        StringBuilder s = new StringBuilder("input x[" + IN + "] = ").append(list(IN, MnistSizeTest::x)).append('\n');
        s.append("target y[" + OUT + "] = ").append(list(OUT, MnistSizeTest::y)).append('\n');
        s.append("weight W1[" + HIDDEN + "," + IN + "] = [");
        for (int i = 0; i < HIDDEN; i++) {
            int row = i;
            s.append(i == 0 ? "" : ",\n  ").append(list(IN, j -> w1(row, j)));
        }
        s.append("]\nweight W2[" + OUT + "," + HIDDEN + "] = [");
        for (int i = 0; i < OUT; i++) {
            int row = i;
            s.append(i == 0 ? "" : ",\n  ").append(list(HIDDEN, j -> w2(row, j)));
        }
        s.append("]\nbias b1[" + HIDDEN + "] = ").append(list(HIDDEN, MnistSizeTest::b1));
        s.append("\nbias b2[" + OUT + "] = ").append(list(OUT, MnistSizeTest::b2));
        s.append("\nh = relu(W1 @ x + b1)\no = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n");
        return s.toString();
    }

    private static String list(int n, java.util.function.IntToDoubleFunction f) {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < n; k++) {
            s.append(k == 0 ? "" : ", ").append(f.applyAsDouble(k));
        }
        return s.append(']').toString();
    }

    /** Hand-written backpropagation: {@code [loss, ∂E/∂W1[1,1] ..., ∂E/∂W1[128,784], ∂E/∂W2..., ∂E/∂b1..., ∂E/∂b2...]}. */
    static double[] handWritten() {
        double[] h = new double[HIDDEN];
        double[] o = new double[OUT];
        for (int i = 0; i < HIDDEN; i++) {
            double z = b1(i);
            for (int j = 0; j < IN; j++) {
                z += w1(i, j) * x(j);
            }
            h[i] = Math.max(0, z);
        }
        double loss = 0;
        double[] dOut = new double[OUT];
        for (int i = 0; i < OUT; i++) {
            double z = b2(i);
            for (int j = 0; j < HIDDEN; j++) {
                z += w2(i, j) * h[j];
            }
            o[i] = 1 / (1 + Math.exp(-z));
            loss += 0.5 * (y(i) - o[i]) * (y(i) - o[i]);
            dOut[i] = (o[i] - y(i)) * o[i] * (1 - o[i]);
        }
        double[] g = new double[1 + HIDDEN * IN + OUT * HIDDEN + HIDDEN + OUT];
        g[0] = loss;
        int w2At = 1 + HIDDEN * IN;
        int b1At = w2At + OUT * HIDDEN;
        int b2At = b1At + HIDDEN;
        double[] dHidden = new double[HIDDEN];
        for (int i = 0; i < OUT; i++) {
            g[b2At + i] = dOut[i];
            for (int j = 0; j < HIDDEN; j++) {
                g[w2At + i * HIDDEN + j] = dOut[i] * h[j];
                dHidden[j] += w2(i, j) * dOut[i];
            }
        }
        for (int i = 0; i < HIDDEN; i++) {
            double d = h[i] > 0 ? dHidden[i] : 0;
            g[b1At + i] = d;
            for (int j = 0; j < IN; j++) {
                g[1 + i * IN + j] = d * x(j);
            }
        }
        return g;
    }

    @Test
    void evalCompilesToLoopsAndMatchesHandWrittenBackpropagation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mnist.nn");
        Files.writeString(file, file());
        Cli r = Cli.runBounded(120, "eval", file.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        assertMatchesHandWritten(TestJson.object(r.out()));
    }

    /**
     * The symbolic side at full size (issue 5: "grad --json returns all 101,770 entries"): every
     * gradient entry from reverse accumulation over the element graph, which eval does not use,
     * equals the hand-written backpropagation, and every entry has a formula in terms of shared δs
     * that are defined once.
     */
    @Test
    void gradJsonGivesEveryEntryAndItsFormula(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mnist.nn");
        Files.writeString(file, file());
        Cli r = Cli.runBounded(300, "grad", file.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> out = TestJson.object(r.out());
        assertMatchesHandWritten(out);
        @SuppressWarnings("unchecked")
        Map<String, Object> formulas = (Map<String, Object>) out.get("formulas");
        @SuppressWarnings("unchecked")
        Map<String, Object> deltas = (Map<String, Object>) out.get("deltas");
        assertEquals(101_770, formulas.size());
        assertEquals("delta_h_in[128]*x[784]", formulas.get("W1[128,784]"));
        assertTrue(deltas.containsKey("delta_h_in[128]"), "δ(h.in[128]) is defined");
    }

    /**
     * The softmax classifier at 784-128-10 prints a page of layer forms, not 101,770 element
     * formulas: the random probe point that verifies a layer form saturates its softmax at this
     * width, and it once made every form fall back to elements (411 MB of text).
     */
    @Test
    void gradTextOfTheSoftmaxClassifierIsLayerForms(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mnist-softmax.nn");
        Files.writeString(file, file().replace("o = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n",
                "p = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)\n"));
        assertTrue(Files.readString(file).contains("softmax"), "the loss was replaced");
        Cli r = Cli.runBounded(300, "grad", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().lines().count() < 80, () -> r.out().lines().count() + " lines");
        assertTrue(r.out().contains("∂L/∂W1 = δ(h.in) ⊗ x"), r.out());
        assertTrue(r.out().contains("∂L/∂b2 = δ(p.in)"), r.out());
    }

    private static void assertMatchesHandWritten(Map<String, Object> out) {
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) out.get("gradient");
        assertEquals(101_770, gradient.size());
        double[] expected = handWritten();
        @SuppressWarnings("unchecked")
        double loss = ((Number) ((Map<String, Object>) out.get("loss")).get("value")).doubleValue();
        assertEquals(expected[0], loss, 1e-12 * expected[0]);
        List<Object> values = List.copyOf(gradient.values());
        List<String> names = List.copyOf(gradient.keySet());
        double largest = 0;
        for (int k = 1; k < expected.length; k++) {
            largest = Math.max(largest, Math.abs(expected[k]));
        }
        for (int k = 1; k < expected.length; k++) {
            double actual = ((Number) values.get(k - 1)).doubleValue();
            assertEquals(expected[k], actual, 1e-10 * Math.abs(expected[k]) + 1e-14 * largest, names.get(k - 1));
        }
        assertEquals("W1[128,784]", names.get(HIDDEN * IN - 1));
    }

    @Test
    void checkPassesOnASampleSpreadOverEveryDeclaration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mnist.nn");
        Files.writeString(file, file());
        Cli r = Cli.runBounded(300, "check", file.toString(), "--json");
        assertEquals(0, r.status(), r.out() + r.err());
        Map<String, Object> out = TestJson.object(r.out());
        assertEquals(true, out.get("ok"));
        assertEquals(101_770, ((Number) out.get("parameters")).intValue());
        List<?> rows = (List<?>) out.get("rows");
        assertEquals(rows.size(), ((Number) out.get("checked")).intValue());
        assertTrue(rows.size() >= 1000 && rows.size() < 1100, "rows: " + rows.size());
        String names = rows.toString();
        for (String declaration : new String[] {"W1[", "W2[", "b1[", "b2["}) {
            assertTrue(names.contains("name=" + declaration), declaration + " is sampled");
        }
    }
}
