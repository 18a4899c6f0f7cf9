package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network above {@code ClosedForm.SHARED_DELTAS_ABOVE} vertices prints each shared δ once, as
 * a sum over the δs above it: a factor of -1 is a sign ({@code -δ(c[1]) - δ(c[2])}, not
 * {@code -1·δ(c[1]) - 1·δ(c[2])}), and a mean's 1/64 is a fraction, not 0.015625 (review of
 * session 6, a 784-128-10 centred network).
 */
class SharedDeltaTextTest {
    @Test
    void aCentredLayersSharedDeltasReadAsATextbookWritesThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("centred.nn");
        Files.writeString(file, PartialViewTest.layered(80, 64, 3, PartialViewTest.CENTRED));
        Cli cli = Cli.run("grad", file.toString(), "--wrt", "W1[1,1]");
        assertEquals(0, cli.status(), cli.err());
        String out = cli.out();
        // the shared mean by its call, never the element view's c.mean; a fraction divides (session 8)
        assertTrue(out.contains("δ(mean(h)) = ∂L/∂mean(h) = -δ(c[1]) - δ(c[2]) - δ(c[3])"), out);
        assertFalse(out.contains("1·δ("), out);
        assertTrue(out.contains("(δ(mean(h))/64 + δ(c[1]))"), out);
        assertFalse(out.contains("c.mean") || out.contains("·1/64"), out);
        assertFalse(out.contains("0.015625"), out);
    }

    /** A δ that is a number is not written twice (review of session 6: {@code δ(z) = ∂E/∂z = 1 = 1}). */
    @Test
    void aDeltaThatIsANumberIsWrittenOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("n2.nn");
        Files.writeString(file, """
                input x[2] = [0.5, -0.2]
                target y[2] = [0.1, 0.5]
                weight W1[2,2] = [[0.2, -0.1], [0.3, 0.2]]
                weight W2[2,2] = [[0.3, -0.2], [-0.4, 0.2]]
                h = tanh(W1 @ x)
                o = W2 @ h
                z = h[2] * o[1]
                loss E = sum(0.5*(y - sigmoid(o))^2) + z
                """);
        Cli cli = Cli.run("grad", file.toString(), "--wrt", "W1[2,2]");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.out().contains("δ(z) = ∂E/∂z = 1\n"), cli.out());
        Cli latex = Cli.run("latex", file.toString(), "--wrt", "W1[2,2]");
        assertEquals(0, latex.status(), latex.err());
        assertFalse(latex.out().contains("= 1 = 1"), latex.out());
    }
}
