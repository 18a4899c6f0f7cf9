package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forward value that is not finite is an error at the vertex where it first appears, naming the
 * operation (log of 0, division by 0, exp overflowing), in every command that prints numbers.
 */
class NonFiniteTest {
    @TempDir Path dir;

    private String write(String text) throws IOException {
        Path file = dir.resolve("net.nn");
        Files.writeString(file, text);
        return file.toString();
    }

    private void assertErrorAt(String file, String header, String... command) {
        String[] args = new String[command.length + 1];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = file;
        Cli r = Cli.run(args);
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith(file + ":" + header), r.err());
        assertTrue(!r.out().contains("nan") && !r.out().contains("inf"), r.out());
    }

    @Test
    void logOfZeroIsReportedAtTheFirstVertexThatIsNotFinite() throws IOException {
        // h is -inf; y = 2*h and E are too, but h is where it starts
        String file = write("input x = 0\nweight w = 1\n\nh = log(w*x)\ny = 2*h\nloss E = y^2\n");
        String header = "4:1: error: 'h' is -inf: log of 0 in log(h.in)";
        assertErrorAt(file, header, "grad");
        assertErrorAt(file, header, "paths", "--wrt", "w");
        assertErrorAt(file, header, "eval");
    }

    @Test
    void divisionByZeroAndOverflowAreNamed() throws IOException {
        assertErrorAt(write("input x = 0\nweight w = 1\nh = 1/(w*x)\nloss E = h\n"),
                "3:1: error: 'h' is inf: division by 0 in", "grad");
        assertErrorAt(write("input x = 800\nweight w = 1\nh = exp(w*x)\nloss E = h\n"),
                "3:1: error: 'h' is inf: exp of 800 in exp(h.in)", "grad");
        assertErrorAt(write("input x = 1e200\nweight w = 1e200\nloss E = w*x + 1\n"),
                "3:6: error: 'E' is inf: a product overflows in w*x", "eval");
    }

    @Test
    void aLossFoldedToAConstantNeedsNoValues() throws IOException {
        // E = 0*(...) normalises to 0: nothing is needed, though h and y cannot be computed
        Cli r = Cli.run("grad", write("input x\nweight w\nh = sigmoid(w*x)\nloss E = 0*(h - 1)^2\n"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂E/∂w = 0"), r.out());
    }

    @Test
    void anInfiniteDerivativeAtFiniteValuesIsReportedWhereItArises() throws IOException {
        // sqrt(0) = 0 is finite, but sqrt′(0) = 1/(2·sqrt(0)) is not: every gradient through h would be nan
        // (with x = 0 the loss would not depend on w at all, a removable singularity: see removableSingularities)
        String file = write("input x = 1\nweight w = 0\n\nh = sqrt(w*x)\nloss E = (h - 1)^2\n");
        String header = "4:1: error: 'h' = sqrt(h.in) has no finite derivative at h.in = 0: sqrt′ there is inf "
                + "(division by 0 in 1/h)";
        assertErrorAt(file, header, "grad");
        assertErrorAt(file, header, "paths", "--wrt", "w");
        assertErrorAt(file, header, "eval");
        assertErrorAt(file, header, "check");
        assertErrorAt(file, header, "grad", "--json");
        assertErrorAt(file, header, "latex");
        assertErrorAt(file, header, "flow");
    }

    @Test
    void anInfiniteDerivativeOfAnyDefinitionIsNamed() throws IOException {
        String file = write("input x = 1\nweight w = 0\nh = w*x\nloss E = h^0.5 + h\n");
        assertErrorAt(file, "4:6: error: the derivative of 'E' with respect to 'h' is inf at h = 0 (0 to the power -0.5 in 1/h^(1/2))",
                "grad");
    }

    @Test
    void anInfiniteDerivativeNoParameterReachesIsNoError() throws IOException {
        // u depends on the input only: no gradient goes through x → u
        Cli r = Cli.run("grad", write("input x = 0\nweight w = 2\nu = sqrt(x) + 1\nloss E = w*u\n"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("∂E/∂w = u\n      = 1\n"), r.out());
    }
}
