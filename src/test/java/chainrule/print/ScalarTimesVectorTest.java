package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ⊙ only between two vectors: a scalar (δ of a scalar, a scalar constant) multiplies with ·. */
class ScalarTimesVectorTest {

    @TempDir Path dir;

    private static String grad(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "grad", file.toString());
        assertEquals(0, status);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void vectorWeightDecayWithAScalarLambda() throws Exception {
        Path file = dir.resolve("wd2.nn");
        Files.writeString(file, """
                input x[2] = [2, 1]
                target t = 1
                const lambda = 0.01
                weight w[2] = [0.5, 0.3]
                y = sum(w*x)
                loss L = 0.5*(y - t)^2 + lambda/2*sum(w^2)
                """);
        String text = grad(file);
        assertTrue(text.contains("∂L/∂w = δ(y)·x + lambda·w"), text);
        assertFalse(text.contains("lambda ⊙"), text);
        assertFalse(text.contains("δ(y) ⊙"), text);
    }

    /** A factor of single elements (abs(q[1])^k, log(abs(q[1]))) is one number: the reviewer's nasty.nn, ∂L/∂k. */
    @Test
    void elementsOfAVectorAreScalars() throws Exception {
        Path file = dir.resolve("k.nn");
        Files.writeString(file, """
                input x[2] = [0.5, -1.2]
                weight k = 1.3
                weight W[2,2] = [[0.1, -0.2], [0.4, 0.5]]
                q = W @ x
                r = q * k
                m = abs(q[1])^k
                loss L = sum(r^2) + 0.1*m^2 + mean(W^2)
                """);
        String text = grad(file);
        assertTrue(text.contains("∂L/∂k = ⟨q, δ(r)⟩ + δ(m)·abs(q[1])^k·log(abs(q[1]))"), text);
        assertFalse(text.contains("⊙ log"), text);
    }

    @Test
    void aScalarDeltaTimesAVectorFactor() throws Exception {
        Path file = dir.resolve("wd3.nn");
        Files.writeString(file, """
                input x[2] = [2, 1]
                target t = 1
                const lambda = 0.01
                weight w[2] = [0.5, 0.3]
                h = tanh(w*x)
                y = sum(h)
                loss L = 0.5*(y - t)^2 + lambda/2*sum(w^2)
                """);
        String text = grad(file);
        assertTrue(text.contains("δ(h.in) ⊙ x + lambda·w"), text);   // two vectors keep ⊙
        assertTrue(text.contains("δ(h.in) = ∂L/∂h.in = δ(y)·(1 - h²)"), text);
        assertFalse(text.contains("] ⊙ [0.4199743416"), text);       // the scalar δ(y) is a number, not [v]
    }
}
