package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample variance of 875 values (../shared/cases/variance-875.nn): {@code mean(x)} inside an
 * elementwise expression is computed once — a vertex {@code v.mean} of the element view, one
 * reduction of the layer program — so eval, grad and codegen stay linear in the length. Every
 * command's gradient is checked against the hand-written one, 2·(x[i] − mean)/874.
 */
class VarianceTest {
    static final int N = 875;

    @TempDir Path dir;

    static double x(int i) { return ((i * 37 % 101) - 50) / 25.0; }

    static String file(String loss) {
        StringBuilder s = new StringBuilder("weight x[" + N + "] = [");
        for (int i = 0; i < N; i++) {
            s.append(i == 0 ? "" : ", ").append(x(i));
        }
        return s.append("]\nweight s = 1\n").append(loss).append('\n').toString();
    }

    static double[] handWritten() {
        double mean = 0;
        for (int i = 0; i < N; i++) {
            mean += x(i);
        }
        mean /= N;
        double[] g = new double[N + 1];
        for (int i = 0; i < N; i++) {
            g[i] = 2 * (x(i) - mean) / (N - 1);
            g[N] += (x(i) - mean) * (x(i) - mean) / (N - 1);
        }
        return g; // g[N]: the variance itself
    }

    private void assertGradient(Map<String, Object> json, boolean weighted) {
        double[] expected = handWritten();
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) json.get("gradient");
        for (int i = 0; i < N; i++) {
            double actual = ((Number) gradient.get("x[" + (i + 1) + "]")).doubleValue();
            assertEquals(expected[i], actual, 1e-12, "x[" + (i + 1) + "]");
        }
        if (weighted) {
            assertEquals(expected[N], ((Number) gradient.get("s")).doubleValue(), 1e-12);
        }
    }

    @Test
    void everyCommandComputesTheMeanOnce() throws Exception {
        Path f = dir.resolve("variance.nn");
        Files.writeString(f, file("loss v = sum((x - mean(x))^2)/874"));
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        assertGradient(TestJson.object(eval.out()), false);
        Cli grad = Cli.runBounded(180, "grad", f.toString(), "--json");
        assertEquals(0, grad.status(), grad.err());
        assertGradient(TestJson.object(grad.out()), false);
        Cli paths = Cli.runBounded(180, "paths", f.toString(), "--wrt", "x[1]");
        assertEquals(0, paths.status(), paths.err());
        assertTrue(paths.out().contains("2 paths from x[1] to v") && paths.out().contains("x[1] → v.mean → v"), paths.out());
        Cli c = Cli.runBounded(180, "codegen", f.toString(), "--lang", "c");
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().length() < 5000, "loops, not 875 unrolled sums: " + c.out().length() + " characters");
    }

    /** With a scalar weight factor, eval was refused as "too large for the compiler (879 vertices…)". */
    @Test
    void aScalarWeightFactorCompilesToo() throws Exception {
        Path f = dir.resolve("weighted.nn");
        Files.writeString(f, file("loss v = s*sum((x - mean(x))^2)/874"));
        Cli eval = Cli.runBounded(180, "eval", f.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        assertGradient(TestJson.object(eval.out()), true);
        Cli check = Cli.runBounded(180, "check", f.toString(), "--json");
        assertEquals(0, check.status(), check.out() + check.err());
        assertEquals(true, TestJson.object(check.out()).get("ok"));
    }
}
