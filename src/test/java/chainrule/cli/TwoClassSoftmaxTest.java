package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Softmax with cross-entropy over two classes prints the textbook's {@code (p[1] - y[1])·x[1]}, as
 * over three, not {@code (y[2] + p[1] - 1)·x[1]}, which eliminating y[1] with y[1] + y[2] = 1 makes
 * (a smaller tree, but longer to read; review of session 6). The value is checked against the
 * softmax computed by hand.
 */
class TwoClassSoftmaxTest {
    @Test
    void twoClassesPrintPMinusY(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.nn");
        Files.writeString(file, """
                input x[2] = [0.05, 0.10]
                target y[2] = [0, 1]
                weight W[2,2] = [[0.40, 0.45], [0.50, 0.55]]
                p = softmax(W @ x)
                loss E = cross_entropy(p, y)
                """);
        Cli cli = Cli.run("grad", file.toString(), "--wrt", "W[1,1]");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.out().contains("∂E/∂W[1,1] = (p[1] - y[1])·x[1]"), cli.out());
        double z1 = 0.40 * 0.05 + 0.45 * 0.10;
        double z2 = 0.50 * 0.05 + 0.55 * 0.10;
        double p1 = Math.exp(z1) / (Math.exp(z1) + Math.exp(z2));
        String expected = chainrule.expr.Numbers.rounded((p1 - 0) * 0.05, 12);
        assertTrue(cli.out().contains("= " + expected), expected + " in\n" + cli.out());
    }
}
