package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deep-nesting inputs of issue 7 are refused by default with the nesting-limit error naming
 * {@code --max-nesting}, at the token that passes the limit; with the limit raised, brackets and
 * unary signs are parsed and differentiated (on the big stack {@code Main.main} runs commands on).
 */
class DeepNestingTest {
    private static final String HEAD = "input x = 0.5\nweight w = 0.3\nloss E = ";

    @TempDir Path dir;

    private String write(String name, String loss) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, HEAD + loss + "\n");
        return file.toString();
    }

    private String parens() throws IOException {
        return write("parens.nn", "(".repeat(20_000) + "w*x" + ")".repeat(20_000));
    }

    private String unaryMinuses() throws IOException {
        return write("unary.nn", "-".repeat(50_001) + "w*x");
    }

    private String powerChain() throws IOException {
        return write("power.nn", "w" + "^x".repeat(30_000));
    }

    @Test
    void deepNestingIsRefusedByDefaultNamingTheLimit() throws IOException, TimeoutException {
        // "loss E = " is 9 characters; the 1001st level is the one refused
        assertRefused(parens(), 3, 10 + 1000);
        assertRefused(unaryMinuses(), 3, 10 + 1000);
        assertRefused(powerChain(), 3, 11 + 2 * 1000); // "w" then "^x" per level: the 1001st '^'
    }

    private static void assertRefused(String file, int line, int column) throws TimeoutException {
        for (String command : new String[] {"grad", "eval"}) {
            Cli r = Cli.runBounded(60, command, file);
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().startsWith(file + ":" + line + ":" + column + ": error: expression nested too deeply (more than 1000 levels"),
                    r.err().lines().findFirst().orElse(""));
            assertTrue(r.err().contains("raise the limit with --max-nesting"), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void withTheLimitRaisedBracketsAndUnarySignsAreDifferentiated() throws IOException, TimeoutException {
        // E = w*x: ∂E/∂w = x = 0.5; 50,001 minuses make E = -w*x: ∂E/∂w = -0.5
        Cli r = Cli.runBounded(120, "grad", "--max-nesting", "60000", parens());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("E = 0.15\n") && r.out().contains("= 0.5\n"), r.out());
        r = Cli.runBounded(120, "grad", "--max-nesting", "60000", unaryMinuses());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("E = -0.15\n") && r.out().contains("= -0.5\n"), r.out());
    }

    @Test
    void withTheLimitRaisedALongPowerChainIsDifferentiatedQuickly() throws IOException, TimeoutException {
        // E = w^T with T = x^x^...^x (5,000 x's, evaluated from the top down): ∂E/∂w = T·w^(T-1).
        // Once the derivative by the input x was derived (and thrown away) too: quadratic in depth.
        int levels = 5_000;
        double tower = 0.5;
        for (int i = 1; i < levels; i++) {
            tower = Math.pow(0.5, tower);
        }
        double expected = tower * Math.pow(0.3, tower - 1);
        long start = System.nanoTime();
        Cli r = Cli.runBounded(120, "grad", "--max-nesting", "60000", "--json", write("tower.nn", "w" + "^x".repeat(levels)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.status(), r.err());
        double actual = ((Number) ((java.util.Map<?, ?>) TestJson.object(r.out()).get("gradient")).get("w")).doubleValue();
        assertEquals(expected, actual, 1e-12 * Math.abs(expected));
        assertTrue(seconds < 60, "took " + seconds + " s");
    }
}
