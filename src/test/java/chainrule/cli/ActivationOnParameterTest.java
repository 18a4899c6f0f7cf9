package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sigmoid or softmax applied straight to a parameter (issue #11): the edge factor is written in
 * terms of the named vertex (p·(1 - p), -p[j]·p[k]), as with a pre-activation, so that the
 * hand-written BCE / cross-entropy cancel to the textbook p - t and p[k] - y[k]. Numbers checked
 * against the hand-written gradients σ(w) - t and softmax(z)[1] - y[1].
 */
class ActivationOnParameterTest {
    @TempDir Path dir;

    @Test void sigmoidOfAWeightWithHandWrittenBce() throws Exception {
        Path f = dir.resolve("s.nn");
        Files.writeString(f, "input t = 1\nweight w = 0.3\np = sigmoid(w)\n"
                + "loss L = -(t*log(p) + (1 - t)*log(1 - p))\n");
        Cli c = Cli.run("grad", f.toString());
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().contains("∂L/∂w = p - t\n"), c.out());
        double expected = 1 / (1 + Math.exp(-0.3)) - 1;
        assertTrue(c.out().contains(String.format(Locale.ROOT, "%.12f", expected)), c.out());
    }

    @Test void softmaxOfAWeightVectorWithCrossEntropy() throws Exception {
        Path f = dir.resolve("m.nn");
        Files.writeString(f, "target y[3] = [0, 1, 0]\nweight z[3] = [0.1, 0.2, -0.3]\np = softmax(z)\n"
                + "loss L = cross_entropy(p, y)\n");
        Cli c = Cli.run("grad", f.toString(), "--wrt", "z[1]");
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().contains("∂L/∂z[1] = p[1] - y[1]"), c.out());
        assertTrue(!c.out().contains("softmax(z)"), c.out());
        double s = Math.exp(0.1) + Math.exp(0.2) + Math.exp(-0.3);
        assertTrue(c.out().contains(String.format(Locale.ROOT, "%.12f", Math.exp(0.1) / s)), c.out());
    }
}
