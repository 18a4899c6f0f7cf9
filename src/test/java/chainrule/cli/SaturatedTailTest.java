package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vector network whose units sit in σ's and tanh's saturated tails (pre-activations 40 and 20),
 * scaled so the tails reach the gradient: eval (compiled layers) and grad (reverse accumulation
 * over the path graph) keep their digits. References from mpmath at 50 digits:
 * σ′(40) = 4.248354255291589e-18, tanh′(20) = 1.6993417021166355e-17.
 */
class SaturatedTailTest {
    @TempDir Path dir;

    static final double SIGMOID_40 = 4.248354255291589e-18;
    static final double TANH_20 = 1.6993417021166355e-17;

    @Test void evalAndGradKeepTheTailDigits() throws Exception {
        Path f = dir.resolve("tail.nn");
        Files.writeString(f, """
                input  x[2] = [1, 2]
                weight W1[2,2] = [[10, 5], [6, 7]]
                bias   b1 = 20
                h = sigmoid(W1 @ x + b1)
                g = tanh(W1 @ x)
                loss E = 1e17*sum(h) + 1e17*sum(g)
                """);
        for (String command : new String[] {"eval", "grad"}) {
            Cli r = Cli.run(command, f.toString(), "--json");
            assertEquals(0, r.status(), r.err());
            Map<String, Object> g = EvalCheckCommandTest.gradient(TestJson.object(r.out()));
            double expected = 1e17 * (SIGMOID_40 + TANH_20); // ∂E/∂W1[1,1] = 1e17·x1·(σ′(40) + tanh′(20))
            assertEquals(expected, (Double) g.get("W1[1,1]"), 1e-13 * expected, command);
            assertEquals(2 * expected, (Double) g.get("W1[1,2]"), 2e-13 * expected, command);
            assertEquals(1e17 * 2 * SIGMOID_40, (Double) g.get("b1"), 1e-13 * 0.85, command);
        }
    }
}
