package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * log_softmax with the negative log-likelihood, {@code -sum(y*log_softmax(k*z))}, prints the
 * textbook's {@code softmax(...) − y}: as a layer ({@code δ(z) = softmax(z) - y}), through the
 * pre-activation of a scaled argument ({@code δ(r.in) = softmax(r.in) - y}, {@code δ(z) = δ(r.in)·k}),
 * and inline in the loss ({@code k·(softmax(k·z)[1] - y[1])}, never the list of softmax's arguments).
 * Each printed form is evaluated here by hand, with its own softmax, and compared with the printed
 * numbers and with central differences of the loss.
 */
class LogSoftmaxFormsTest {
    private static final double[] X = {0.5, -1.2};
    private static final double[][] W = {{0.1, 0.2}, {0.3, -0.4}, {0.5, 0.6}};
    private static final double B = 0.1;
    private static final double[] Y = {0, 1, 0};
    private static final double K = 2;

    /** softmax(k·(W x + b)) − y, by hand. */
    private static double[] softmaxMinusY(double k) {
        double[] z = new double[3];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 3; i++) {
            z[i] = k * (W[i][0] * X[0] + W[i][1] * X[1] + B);
            max = Math.max(max, z[i]);
        }
        double total = 0;
        for (double v : z) {
            total += Math.exp(v - max);
        }
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            out[i] = Math.exp(z[i] - max) / total - Y[i];
        }
        return out;
    }

    /** ∂L/∂b[i] by central differences of the loss. */
    private static double[] finiteDifferences(String file) throws Exception {
        Path path = Path.of("src/test/resources/golden", file);
        Network network = Analyzer.analyze(new Source(file, Files.readString(path)));
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            String b = "b[" + (i + 1) + "]";
            double h = 1e-6;
            Map<String, Double> plus = new LinkedHashMap<>(network.values());
            Map<String, Double> minus = new LinkedHashMap<>(network.values());
            plus.put(b, B + h);
            minus.put(b, B - h);
            out[i] = (network.lossAt(plus) - network.lossAt(minus)) / (2 * h);
        }
        return out;
    }

    /** The numbers of the line after {@code header}, {@code = [a, b, c]}. */
    private static double[] printedVector(String out, String header) {
        int at = out.indexOf(header);
        assertTrue(at >= 0, "no '" + header + "' in\n" + out);
        Matcher m = Pattern.compile("= \\[([^\\]]*)\\]").matcher(out.substring(at));
        assertTrue(m.find(), out);
        String[] parts = m.group(1).split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.parseDouble(parts[i].trim());
        }
        return v;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * (1 + Math.abs(expected[i])), what + " [" + (i + 1) + "]");
        }
    }

    @Test
    void aLogSoftmaxLayerGivesSoftmaxMinusY() throws Exception {
        Cli r = Cli.run("grad", "src/test/resources/golden/log-softmax-layer.nn");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("where δ(z) = ∂L/∂z = softmax(z) - y\n"), r.out());
        assertFalse(r.out().contains("(∂r/∂z)ᵀ"), r.out());
        double[] form = softmaxMinusY(1);
        assertClose(form, printedVector(r.out(), "where δ(z)"), 1e-9, "printed δ(z)");
        assertClose(form, finiteDifferences("log-softmax-layer.nn"), 1e-6, "∂L/∂b by finite differences");
    }

    @Test
    void aScaledArgumentGivesSoftmaxOfThePreActivationMinusY() throws Exception {
        Cli r = Cli.run("grad", "src/test/resources/golden/log-softmax-scaled.nn");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("where δ(r.in) = ∂L/∂r.in = softmax(r.in) - y\n"), r.out());
        assertTrue(r.out().contains("δ(z)    = ∂L/∂z = δ(r.in)·k\n"), r.out());
        assertFalse(r.out().contains("(∂r/∂r.in)ᵀ"), r.out());
        double[] form = softmaxMinusY(K); // r.in = k·z
        assertClose(form, printedVector(r.out(), "where δ(r.in)"), 1e-9, "printed δ(r.in)");
        double[] scaled = form.clone();
        for (int i = 0; i < 3; i++) {
            scaled[i] *= K;
        }
        assertClose(scaled, printedVector(r.out(), "∂L/∂b = δ(z)"), 1e-9, "printed ∂L/∂b");
        assertClose(scaled, finiteDifferences("log-softmax-scaled.nn"), 1e-6, "∂L/∂b by finite differences");
    }

    @Test
    void inlineTheElementFormNamesTheSoftmaxOfTheExpression() throws Exception {
        Cli r = Cli.run("grad", "src/test/resources/golden/log-softmax-scaled-inline.nn", "--wrt", "b[1]", "--wrt", "b[3]");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂L/∂b[1] = k·(softmax(k·z)[1] - y[1])"), r.out());
        assertTrue(r.out().contains("∂L/∂b[3] = k·(softmax(k·z)[3] - y[3])"), r.out());
        assertFalse(r.out().contains("softmax(k·z[1]"), r.out());
        double[] form = softmaxMinusY(K);
        double[] fd = finiteDifferences("log-softmax-scaled-inline.nn");
        for (int i : new int[] {0, 2}) {
            Matcher m = Pattern.compile("∂L/∂b\\[" + (i + 1) + "\\] = [^\\n]*\\n\\s*= (\\S+)").matcher(r.out());
            assertTrue(m.find(), r.out());
            assertEquals(K * form[i], Double.parseDouble(m.group(1)), 1e-9, "printed ∂L/∂b[" + (i + 1) + "]");
            assertEquals(K * form[i], fd[i], 1e-6, "∂L/∂b[" + (i + 1) + "] by finite differences");
        }
    }
}
