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

    /**
     * Equal output weights times softmax's p − y (which sums to 0) make δ(h.in) 0 in exact
     * arithmetic and round-off numerically, different in the layer form and in reverse
     * accumulation; the check must compare them on the graph's scale, not only the δ's own, or the
     * layer form is lost and 128 × 784 element forms are printed instead.
     */
    @Test
    void aDeltaThatCancelsToZeroKeepsItsLayerForm() throws IOException {
        Path file = dir.resolve("cancel.nn");
        Files.writeString(file, """
                input  x[100] = 0.5
                target y[10] = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
                weight W1[32,100] = 0.01, W2[10,32] = 0.02
                bias   b1[32] = 0.1, b2[10] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
                h = relu(W1 @ x + b1)
                p = softmax(W2 @ h + b2)
                loss L = cross_entropy(p, y)
                """);
        Cli r = Cli.run("grad", file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂L/∂W1 = δ(h.in) ⊗ x"), r.out());
        assertTrue(r.out().contains("δ(h.in) = ∂L/∂h.in = (W2ᵀ δ(p.in)) ⊙ step(h.in)"), r.out());
        assertFalse(r.out().contains("∂L/∂W1[1,1]"), r.out());
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

                where δ(o.in) = ∂L/∂o.in = (o - y) ⊙ o ⊙ (1 - o)
                      δ(h.in) = ∂L/∂h.in = (W2ᵀ δ(o.in)) ⊙ step(h.in)

                δ(name) = ∂L/∂name; ⊙ multiplies element by element; (a ⊗ b)[i,j] = a[i]·b[j]; Aᵀ is A transposed

                """, r.out().substring(0, r.out().indexOf("no numbers")));
    }
}
