package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file larger than {@code --max-input} is refused where the limit is passed, naming the option. */
class InputLimitTest {
    @TempDir Path dir;

    @Test
    void aFileOverTheLimitIsRefusedAtTheByteThatPassesIt() throws Exception {
        Path f = dir.resolve("big.nn");
        // line 1 is 14 bytes with its newline; the 21st byte is column 7 of line 2
        Files.writeString(f, "input x = 0.5\nweight w = 0.3\nloss E = w*x\n");
        Cli r = Cli.run("grad", "--max-input", "20", f.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith(f + ":2:7: error: input too large: more than 20 bytes; raise the limit with --max-input"),
                r.err());
        Cli raised = Cli.run("grad", "--max-input", "100", f.toString());
        assertEquals(0, raised.status(), raised.err());
        assertTrue(raised.out().contains("= 0.5\n"), raised.out());
    }

    /**
     * A data file over the limit is read as a stream whatever the network: here the loss reads
     * h[1] on its own, which the batched engine does not take, so the rows go one at a time through
     * the compiled gradient, a chunk of the file at a time — with the numbers of the file read
     * whole (it was refused before, "only networks of whole-vector layers"). StreamedDataTest has
     * the rest.
     */
    @Test
    void aDataFileOverTheLimitIsStreamedWhateverTheNetwork() throws Exception {
        Path f = dir.resolve("idx.nn");
        Files.writeString(f, "input x[2] = [0.1, 0.2]\nweight w[2] = [0.5, -0.3]\nh = w*x\nloss L = h[1]^2 + sum(h)\n");
        Path csv = dir.resolve("idx.csv");
        StringBuilder rows = new StringBuilder("x[1],x[2]\n");
        for (int i = 0; i < 40; i++) {
            rows.append(0.01 * i).append(',').append(0.5 - 0.01 * i).append('\n');
        }
        Files.writeString(csv, rows.toString());
        Cli streamed = Cli.run("check", f.toString(), "--data", csv.toString(), "--max-input", "200");
        assertEquals(0, streamed.status(), streamed.err());
        Cli whole = Cli.run("check", f.toString(), "--data", csv.toString());
        assertEquals(0, whole.status(), whole.err());
        assertEquals(whole.out(), streamed.out());
    }
}
