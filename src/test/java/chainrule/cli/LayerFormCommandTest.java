package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code grad} on vector networks: layer forms where recognised, element forms otherwise. */
class LayerFormCommandTest {
    @TempDir Path dir;

    @Test
    void aLayerWhosePatternIsNotRecognisedKeepsItsElementForms() throws IOException {
        // z[i] = v·tanh(row i of W @ x): no implicit pre-activation, the factor of W[i,j] depends on row i
        Path file = dir.resolve("row.nn");
        Files.writeString(file, """
                input  x[2] = [0.5, -1.0]
                target y[2] = [0.2, 0.8]
                weight W[2,2] = [[0.1, -0.2], [0.4, 0.5]]
                weight v = 0.7
                z = tanh(W @ x) * v
                loss L = sum((z - y)^2)
                """);
        Cli r = Cli.run("grad", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂L/∂W[1,1] = "), r.out());
        assertTrue(r.out().contains("∂L/∂v = "), r.out());
        assertFalse(r.out().contains("⊗") || r.out().contains("where δ(z)"), "no layer form is printed: " + r.out());
    }

    @Test
    void aFileWithoutValuesGetsItsLayerFormsWithoutNumbers() throws IOException {
        Path file = dir.resolve("formulas.nn");
        Files.writeString(file, """
                input  x[3]
                target y[2]
                weight W1[4,3], W2[2,4]
                bias   b1[4], b2[2]
                h = relu(W1 @ x + b1)
                o = sigmoid(W2 @ h + b2)
                loss L = sum(0.5*(o - y)^2)
                """);
        Cli r = Cli.run("grad", file.toString(), "--wrt", "W1");
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                ∂L/∂W1 = δ(h.in) ⊗ x

                where δ(o.in) = ∂L/∂o.in = o ⊙ (1 - o) ⊙ (o - y)
                      δ(h.in) = ∂L/∂h.in = step(h.in) ⊙ (W2ᵀ δ(o.in))

                δ(name) = ∂L/∂name; ⊙ multiplies element by element; (a ⊗ b)[i,j] = a[i]·b[j]; Aᵀ is A transposed

                """, r.out().substring(0, r.out().indexOf("no numbers")));
    }
}
