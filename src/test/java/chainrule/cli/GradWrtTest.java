package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.FiniteDifference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grad --wrt} and {@code paths --wrt} answer for the parameters asked for: they derive only
 * the edges below them (docs/performance.md, "784-128-10 commands"), so a derivative that is not
 * defined by another parameter does not stop them, while {@code grad} for all still names it.
 */
class GradWrtTest {
    @TempDir Path dir;

    private static final String FILE = "weight a = 0\nweight b = 2\nloss L = sqrt(a) + b^2\n";

    private static double loss(double b) { return Math.sqrt(0) + b * b; }

    @Test
    void aParameterAskedForIsAnsweredWhenAnotherHasNoDerivative() throws IOException {
        Path f = dir.resolve("net.nn");
        Files.writeString(f, FILE);
        Cli all = Cli.run("grad", f.toString());
        assertEquals(1, all.status(), all.out());
        assertTrue(all.err().contains("with respect to 'a' is inf"), all.err());

        Cli one = Cli.run("grad", "--wrt", "b", "--json", f.toString());
        assertEquals(0, one.status(), one.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) TestJson.object(one.out()).get("gradient");
        double expected = FiniteDifference.derivative(GradWrtTest::loss, 2.0);
        assertEquals(expected, ((Number) gradient.get("b")).doubleValue(), 1e-6);
        assertEquals(1, gradient.size(), one.out());

        Cli paths = Cli.run("paths", "--wrt", "b", f.toString());
        assertEquals(0, paths.status(), paths.err());
        assertTrue(paths.out().contains("1 path from b to L"), paths.out());
    }
}
