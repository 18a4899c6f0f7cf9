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
 * A named sigmoid vertex {@code p = sigmoid(z)} used inside a log (issue #12): the loss and its
 * gradient keep their digits in eval (compiled), grad (reverse accumulation), paths (path values),
 * check and the generated Python program, where 1 - p or p alone has lost them. References from
 * mpmath at 50 digits, computed independently of chainrule (python3 -c, mp.dps = 50):
 * softplus(z), σ(z), softplus(-z), -σ(-z).
 */
class SigmoidVertexLogTest {
    @TempDir Path dir;

    /** z, softplus(z), σ(z), softplus(-z), -σ(-z). */
    static final double[][] REFERENCES = {
        {-800, 0.0, 0.0 /* 3.67e-348 */, 800.0, -1.0},
        {-40, 4.248354255291589e-18, 4.248354255291589e-18, 40.0, -1.0},
        {-36.7, 1.1518409493076128e-16, 1.1518409493076128e-16, 36.7, -0.99999999999999988},
        {0, 0.69314718055994531, 0.5, 0.69314718055994531, -0.5},
        {30, 30.000000000000094, 0.99999999999990642, 9.3576229688397368e-14, -9.357622968839299e-14},
        {36.7, 36.7, 0.99999999999999988, 1.1518409493076128e-16, -1.1518409493076128e-16},
        {40, 40.0, 1.0, 4.248354255291589e-18, -4.248354255291589e-18},
        {800, 800.0, 1.0, 0.0, -0.0 /* 3.67e-348 */},
    };

    /** Losses equal to softplus(z) (t = 0) and to softplus(-z) (t = 1). */
    static final String[] T0 = {"-log(1 - p)", "binary_cross_entropy(p, 0)"};
    static final String[] T1 = {"-log(p)", "binary_cross_entropy(p, 1)"};

    @Test void everyCommandGivesTheLossOfTheLogFromThePreActivation() throws Exception {
        for (double[] r : REFERENCES) {
            for (String loss : T0) {
                agree(r[0], loss, r[1], r[2]);
            }
            for (String loss : T1) {
                agree(r[0], loss, r[3], r[4]);
            }
        }
    }

    private void agree(double z, String loss, double value, double derivative) throws Exception {
        Path f = dir.resolve("s.nn");
        Files.writeString(f, "weight z = " + z + "\np = sigmoid(z)\nloss E = " + loss + "\n");
        String what = "z = " + z + ", E = " + loss;
        for (String command : List.of("eval", "grad")) {
            Cli c = Cli.run(command, f.toString(), "--json");
            assertEquals(0, c.status(), what + " " + command + ": " + c.err());
            Map<String, Object> json = TestJson.object(c.out());
            close(value, EvalCheckCommandTest.lossValue(json), what + " " + command + " loss");
            close(derivative, (Double) EvalCheckCommandTest.gradient(json).get("z"), what + " " + command + " gradient");
        }
        Cli paths = Cli.run("paths", f.toString(), "--wrt", "z", "--json");
        assertEquals(0, paths.status(), what + " paths: " + paths.err());
        close(derivative, ((Number) TestJson.object(paths.out()).get("value")).doubleValue(), what + " paths");
        Cli check = Cli.run("check", f.toString());
        assertEquals(0, check.status(), what + " check: " + check.out() + check.err());
        Cli codegen = Cli.run("codegen", f.toString(), "--lang", "python", "--main");
        assertEquals(0, codegen.status(), what + " codegen: " + codegen.err());
        Path py = dir.resolve("s.py");
        Files.writeString(py, codegen.out());
        Process p = new ProcessBuilder("python3", py.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), what + " python: " + out);
        Map<String, Object> json = TestJson.object(out);
        close(value, EvalCheckCommandTest.lossValue(json), what + " python loss");
        close(derivative, (Double) EvalCheckCommandTest.gradient(json).get("z"), what + " python gradient");
    }

    /**
     * A sigmoid layer o whose elements are used inside logs (a vector network, which the layer
     * loops would compute from o): loss softplus(36.7) + softplus(40) = 76.7000000000000030 and
     * gradient (σ(36.7), 2σ(36.7), -σ(40), -2σ(40)), mpmath at 40 digits.
     */
    @Test void aSigmoidLayerInsideLogsInEveryCommand() throws Exception {
        Path f = dir.resolve("v.nn");
        Files.writeString(f, """
                input x[2] = [1, 2]
                target y[2] = [0, 1]
                weight W[2,2] = [[36.7, 0], [0, -20]]
                o = sigmoid(W @ x)
                loss L = sum(-y*log(o) - (1 - y)*log(1 - o))
                """);
        double s = 0.99999999999999988;
        Map<String, Double> expected = Map.of("W[1,1]", s, "W[1,2]", 2 * s, "W[2,1]", -1.0, "W[2,2]", -2.0);
        for (String command : List.of("eval", "grad")) {
            Cli c = Cli.run(command, f.toString(), "--json");
            assertEquals(0, c.status(), command + ": " + c.err());
            Map<String, Object> json = TestJson.object(c.out());
            close(76.7, EvalCheckCommandTest.lossValue(json), command + " loss");
            for (var e : expected.entrySet()) {
                close(e.getValue(), (Double) EvalCheckCommandTest.gradient(json).get(e.getKey()), command + " " + e.getKey());
            }
        }
        Cli check = Cli.run("check", f.toString());
        assertEquals(0, check.status(), check.out() + check.err());
        Cli codegen = Cli.run("codegen", f.toString(), "--lang", "python", "--main");
        assertEquals(0, codegen.status(), codegen.err());
        Path py = dir.resolve("v.py");
        Files.writeString(py, codegen.out());
        Process p = new ProcessBuilder("python3", py.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        Map<String, Object> json = TestJson.object(out);
        close(76.7, EvalCheckCommandTest.lossValue(json), "python loss");
        for (var e : expected.entrySet()) {
            close(e.getValue(), (Double) EvalCheckCommandTest.gradient(json).get(e.getKey()), "python " + e.getKey());
        }
    }

    /**
     * Second review finding: at the edge of sqrt's domain (w = 0, h = 0) grad gives ∂L/∂w = 1 (the
     * derivative of L = 0·sqrt(w) + w, by hand); check agrees, by a one-sided difference, since
     * L(w - step) is not defined.
     */
    @Test void checkAgreesWithGradAtTheEdgeOfADomain() throws Exception {
        Path f = dir.resolve("edge.nn");
        Files.writeString(f, "input x = 0\nh = relu(x-1)\nweight w = 0\nu = sqrt(w)\nloss L = h*u + w\n");
        Cli grad = Cli.run("grad", f.toString(), "--json");
        assertEquals(0, grad.status(), grad.err());
        assertEquals(1.0, (Double) EvalCheckCommandTest.gradient(TestJson.object(grad.out())).get("w"), 0);
        Cli check = Cli.run("check", f.toString(), "--json");
        assertEquals(0, check.status(), check.out() + check.err());
        assertEquals(true, TestJson.object(check.out()).get("ok"));
    }

    /** Within 1e-13 relative of the reference, or both below the smallest normal double. */
    private static void close(double expected, double actual, String what) {
        if (Math.abs(expected) < Double.MIN_NORMAL) {
            assertTrue(Math.abs(actual) < Double.MIN_NORMAL, what + ": " + actual + " for " + expected);
        } else {
            assertEquals(expected, actual, 1e-13 * Math.abs(expected), what);
        }
    }
}
