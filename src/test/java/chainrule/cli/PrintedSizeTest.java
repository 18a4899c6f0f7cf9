package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grad, paths and latex refuse a derivative that writes out more than diff's 20,000 nodes, as diff
 * does, instead of simplifying and printing megabytes (the reviewer's 990 nested sines: 2.4 MB from
 * grad, 55 MB of LaTeX). The size is independent of our printers: d/dw of n nested sines is the
 * product of n cosines of sin-chains of depth 0..n-1, n(n+1)/2 sines and n cosines, so n = 250
 * writes out over 31,000 names and calls and n = 20 about 230.
 */
class PrintedSizeTest {
    @TempDir
    Path dir;

    private Path nested(int n) throws IOException {
        Path file = dir.resolve("n" + n + ".nn");
        Files.writeString(file, "weight w = 0.5\nloss L = " + "sin(".repeat(n) + "w" + ")".repeat(n) + "\n");
        return file;
    }

    @Test
    void gradPathsAndLatexRefuseADerivativeTooLargeToPrintWithAdvice() throws IOException {
        Path big = nested(250);
        for (String[] args : new String[][] {{"grad", big.toString()}, {"grad", "--json", big.toString()},
                {"paths", "--wrt", "w", big.toString()}, {"latex", big.toString()}}) {
            Cli r = Cli.run(args);
            assertEquals(1, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals("", r.out(), String.join(" ", args));
            assertTrue(r.err().matches("(?s)chainrule: error: the derivative of L with respect to w is 3[0-9],[0-9]{3} terms and operations "
                    + "written out, more than the 20,000 printed at most.*"), r.err());
            assertTrue(r.err().contains("`chainrule eval FILE` gives its value"), r.err());
        }
        // the advice holds: eval gives the value
        Cli eval = Cli.run("eval", big.toString());
        assertEquals(0, eval.status(), eval.err());
    }

    @Test
    void aDerivativeWithinTheBoundIsPrinted() throws IOException {
        Path small = nested(20);
        for (String command : new String[] {"grad", "latex"}) {
            Cli r = Cli.run(command, small.toString());
            assertEquals(0, r.status(), command + ": " + r.err());
        }
        assertEquals(0, Cli.run("paths", "--wrt", "w", small.toString()).status());
    }
}
