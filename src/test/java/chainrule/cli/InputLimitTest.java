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
}
