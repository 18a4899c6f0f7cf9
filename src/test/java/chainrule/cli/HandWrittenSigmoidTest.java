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
 * A sigmoid written out by hand (issue #12/#11) is the sigmoid: the forms a student writes,
 * {@code 1/(1 + exp(-z))}, {@code 1/(exp(-z) + 1)} and {@code exp(z)/(1 + exp(z))}, give the same
 * loss, the same textbook gradient {@code (p - t)·x1} as {@code sigmoid(z)}, and the sigmoid's
 * stable tail at w = -800 (-t·log σ(w) = softplus(-w) = 800, derivative -σ(-w) = -1; the naive
 * formula overflows exp(800) and takes log of 0).
 */
class HandWrittenSigmoidTest {
    @TempDir Path dir;

    static final List<String> FORMS = List.of("1/(1 + exp(-z))", "1/(exp(-z) + 1)", "exp(z)/(1 + exp(z))",
            "exp(z)/(exp(z) + 1)");

    private String bce(String p) {
        return "input x1 = 0.5, x2 = -1.2\ntarget t = 0.3\nweight w1 = 0.3, w2 = -0.7\nbias b = 0.1\n"
                + "z = w1*x1 + w2*x2 + b\np = " + p + "\nloss L = -(t*log(p) + (1 - t)*log(1 - p))\n";
    }

    @Test void everyFormPrintsAndComputesAsTheSigmoid() throws Exception {
        Path ref = dir.resolve("ref.nn");
        Files.writeString(ref, bce("sigmoid(z)"));
        Cli expected = Cli.run("grad", ref.toString());
        assertEquals(0, expected.status(), expected.err());
        assertTrue(expected.out().contains("∂L/∂w1 = (p - t)·x1"), expected.out());
        // independent check of the numbers: dL/dw1 = (σ(z) - t)·x1
        double z = 0.3 * 0.5 + -0.7 * -1.2 + 0.1;
        double p = 1 / (1 + Math.exp(-z));
        assertTrue(expected.out().contains(String.format(java.util.Locale.ROOT, "%.12f", (p - 0.3) * 0.5)), expected.out());
        for (String form : FORMS) {
            Path f = dir.resolve("h.nn");
            Files.writeString(f, bce(form));
            Cli c = Cli.run("grad", f.toString());
            assertEquals(0, c.status(), form + ": " + c.err());
            assertEquals(expected.out(), c.out(), form);
        }
    }

    @Test void theTailAtMinus800IsTheSigmoids() throws Exception {
        for (String form : FORMS) {
            Path f = dir.resolve("m.nn");
            Files.writeString(f, "input t = 1\nweight w = -800\np = " + form.replace("z", "w")
                    + "\nloss L = -t*log(p)\n");
            for (String command : List.of("eval", "grad", "check")) {
                Cli c = Cli.run(command, f.toString(), "--json");
                assertEquals(0, c.status(), form + " " + command + ": " + c.err());
                if (!command.equals("check")) {
                    Map<String, Object> json = TestJson.object(c.out());
                    assertEquals(800.0, EvalCheckCommandTest.lossValue(json), 1e-12, form + " " + command);
                    assertEquals(-1.0, (Double) EvalCheckCommandTest.gradient(json).get("w"), 1e-12, form + " " + command);
                }
            }
        }
    }
}
