package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static double loss(double w) {
        double h = 1 / (1 + Math.exp(-w * 0.5));
        double o = 1 / (1 + Math.exp(-w * h));
        return 0.5 * (o - 0.2) * (o - 0.2);
    }
}
