package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A weight used in two layers: its paths meet again at δ(o.in), which the closed form writes once,
 * {@code δ(o.in)·(w·h·(1 - h)·x + h)}, as a textbook collects it (issue 11, tied.nn). The value is
 * checked against central differences of the loss written out by hand.
 */
class TiedWeightsTest {
    @TempDir Path dir;

    @Test void theSharedDeltaIsWrittenOnce() throws Exception {
        Path file = dir.resolve("tied.nn");
        Files.writeString(file, "input x = 0.5\ntarget t = 0.2\nweight w = 0.7\nh = sigmoid(w*x)\no = sigmoid(w*h)\nloss L = 0.5*(o - t)^2\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "grad", file.toString());
        assertEquals(0, status);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals("∂L/∂w = δ(o.in)·(w·h·(1 - h)·x + h)", text.lines().filter(l -> l.startsWith("∂L/∂w")).findFirst().orElseThrow());
        double value = Double.parseDouble(text.lines().filter(l -> l.trim().startsWith("= ")).findFirst().orElseThrow().trim().substring(2));
        double eps = 1e-6;
        double numeric = (loss(0.7 + eps) - loss(0.7 - eps)) / (2 * eps);
        assertEquals(numeric, value, 1e-8);
    }

    /** tiedv.nn: o.in[1] is met by two paths from W[1,2], o.in[2] by one; both are named, as one layer's δs. */
    @Test void oneLayersDeltasAreNamedAlike() throws Exception {
        Path file = dir.resolve("tiedv.nn");
        Files.writeString(file, "input x[2] = [0.5, -0.3]\ntarget t[2] = [0.2, 0.9]\nweight W[2,2] = [[0.7, 0.1],[0.2,0.4]]\n"
                + "h = sigmoid(W @ x)\no = sigmoid(W @ h)\nloss L = 0.5*sum((o - t)^2)\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "grad", file.toString(), "--wrt", "W[1,2]");
        assertEquals(0, status);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("∂L/∂W[1,2] = (δ(o.in[1])·W[1,1] + δ(o.in[2])·W[2,1])·h[1]·(1 - h[1])·x[2] + δ(o.in[1])·h[2]",
                lines.stream().filter(l -> l.startsWith("∂L/∂W")).findFirst().orElseThrow());
        assertEquals(1, lines.stream().filter(l -> l.contains("δ(o.in[2]) = ∂L/∂o.in[2] = (o[2] - t[2])·o[2]·(1 - o[2])")).count());
        double value = Double.parseDouble(lines.stream().filter(l -> l.trim().startsWith("= ")).findFirst().orElseThrow().trim().substring(2));
        double eps = 1e-6;
        assertEquals((vectorLoss(0.1 + eps) - vectorLoss(0.1 - eps)) / (2 * eps), value, 1e-8);
    }

    /** tiedv.nn's loss as a function of W[1,2]. */
    private static double vectorLoss(double w12) {
        double[][] w = {{0.7, w12}, {0.2, 0.4}};
        double[] x = {0.5, -0.3};
        double[] t = {0.2, 0.9};
        double[] h = new double[2];
        for (int i = 0; i < 2; i++) {
            h[i] = 1 / (1 + Math.exp(-(w[i][0] * x[0] + w[i][1] * x[1])));
        }
        double loss = 0;
        for (int i = 0; i < 2; i++) {
            double o = 1 / (1 + Math.exp(-(w[i][0] * h[0] + w[i][1] * h[1])));
            loss += 0.5 * (o - t[i]) * (o - t[i]);
        }
        return loss;
    }

    private static double loss(double w) {
        double h = 1 / (1 + Math.exp(-w * 0.5));
        double o = 1 / (1 + Math.exp(-w * h));
        return 0.5 * (o - 0.2) * (o - 0.2);
    }
}
