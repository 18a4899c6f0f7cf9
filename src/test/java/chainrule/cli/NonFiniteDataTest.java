package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss or gradient that is not finite on one row of {@code --data} is an error at that row's
 * line of the data file, with the cause on that row (eval, check, train; in memory and read as a
 * stream); training stops as soon as a gradient or a parameter stops being finite, even under a
 * finite loss, and writes nothing. The expected lines and causes are worked out by hand from the
 * files below (log of a negative x; 1e308·10 overflowing a double).
 */
class NonFiniteDataTest {
    @TempDir Path dir;

    private static final String LOGX = "input x\ntarget t\nweight w = 0.5\nloss L = (w*log(x) - t)^2\n";

    /** relu(w2·h1) is relu(-inf) = 0: the loss stays finite, ∂L/∂w2 = 0·inf is nan where x ≠ 0. */
    private static final String RELU = "input x\ntarget y\nweight w1 = 1e308\nweight w2 = -1\nweight w3 = 0.3\n"
            + "h1 = relu(w1*x)\nh2 = relu(w2*h1)\nloss L = (w3*h2 - y)^2\n";

    private String write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    private static void assertRowError(Cli r, String csv, int line, String rowText, String cause) {
        assertEquals(1, r.status(), r.out() + r.err());
        String[] lines = r.err().split("\n");
        assertTrue(lines[0].startsWith(csv + ":" + line + ":1: error: "), r.err());
        assertTrue(lines[0].contains(" is not finite on this row: " + cause), r.err());
        assertEquals("    " + rowText, lines[1], r.err());
        assertTrue(lines[2].trim().startsWith("^"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aNegativeLogArgumentIsFoundAtItsRowInEveryDataCommand() throws IOException {
        String nn = write("logx.nn", LOGX);
        // row 3 of the data is line 5: a blank line before it is skipped but counted
        String csv = write("logx.csv", "x,t\n1.0,0.2\n2.0,0.3\n\n-1.0,0.5\n3,0.1\n");
        String cause = "log of -1 in log(x)";
        assertRowError(Cli.run("eval", nn, "--data", csv), csv, 5, "-1.0,0.5", cause);
        assertRowError(Cli.run("check", nn, "--data", csv), csv, 5, "-1.0,0.5", cause);
        Cli train = Cli.run("train", nn, "--data", csv, "--lr", "0.1", "--steps", "2");
        assertRowError(train, csv, 5, "-1.0,0.5", cause);
        // before any step, the learning rate is not to blame
        assertTrue(train.err().contains("step 0") && !train.err().contains("smaller --lr"), train.err());
        assertRowError(Cli.run("train", nn, "--data", csv, "--lr", "0.1", "--steps", "2", "--batch", "1",
                "--optimizer", "adam"), csv, 5, "-1.0,0.5", cause);
    }

    @Test
    void aFileReadAsAStreamIsReadAgainToFindTheRow() throws IOException {
        String nn = write("logx.nn", LOGX);
        StringBuilder text = new StringBuilder("x,t\n");
        for (int i = 0; i < 40; i++) {
            text.append("1.5,0.2\n"); // lines 2 ... 41
        }
        text.append("\n-2,0.5\n3,0.1\n"); // a blank line 42, the bad row at line 43
        String csv = write("big.csv", text.toString());
        String[] limit = {"--max-input", "" + (Files.size(Path.of(nn)) + 10)};
        assertTrue(Files.size(Path.of(csv)) > Files.size(Path.of(nn)) + 10);
        String cause = "log of -2 in log(x)";
        assertRowError(Cli.run("eval", nn, "--data", csv, limit[0], limit[1]), csv, 43, "-2,0.5", cause);
        assertRowError(Cli.run("check", nn, "--data", csv, limit[0], limit[1]), csv, 43, "-2,0.5", cause);
        assertRowError(Cli.run("train", nn, "--data", csv, limit[0], limit[1], "--lr", "0.1", "--steps", "3"),
                csv, 43, "-2,0.5", cause);
    }

    @Test
    void aNanGradientUnderAFiniteLossStopsTrainingAtItsRow() throws IOException {
        String nn = write("relu.nn", RELU);
        String csv = write("relu.csv", "x,y\n0,0.5\n10,0.5\n0,0.5\n");
        Path out = dir.resolve("out.nn");
        String cause = "'h1.in' is inf: a product overflows in w1*x";
        assertRowError(Cli.run("eval", nn, "--data", csv), csv, 3, "10,0.5", cause);
        assertRowError(Cli.run("check", nn, "--data", csv), csv, 3, "10,0.5", cause);
        Cli train = Cli.run("train", nn, "--data", csv, "--lr", "0.1", "--steps", "2", "-o", out.toString());
        assertRowError(train, csv, 3, "10,0.5", cause);
        assertTrue(train.err().contains("∂L/∂w2"), train.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aNanGradientWithoutDataStopsTrainingAndWritesNothing() throws IOException {
        String nn = write("relu.nn", RELU);
        Path out = dir.resolve("out.nn");
        for (String optimizer : new String[] {"sgd", "adam"}) {
            Cli r = Cli.run("train", nn, "--set", "x=10", "--set", "y=0.5", "--lr", "0.1", "--steps", "2",
                    "--optimizer", optimizer, "-o", out.toString());
            assertEquals(1, r.status(), r.out() + r.err());
            assertTrue(r.err().startsWith(nn + ":6:13: error: 'h1.in' is inf: a product overflows in w1*x"), r.err());
            assertFalse(r.out().contains("nan"), r.out());
            assertFalse(Files.exists(out), "nothing written");
        }
    }

    @Test
    void aParameterThatOverflowsStopsTrainingAndWritesNothing() throws IOException {
        // ∂L/∂w = 2(w·ln 2 - 10)·ln 2 ≈ -13.4 at w = 0.5, x = 2: one step of 1e308 overflows w
        String nn = write("logx.nn", LOGX);
        Path out = dir.resolve("out.nn");
        for (String optimizer : new String[] {"sgd", "momentum"}) {
            Cli r = Cli.run("train", nn, "--set", "x=2", "--set", "t=10", "--lr", "1e308", "--steps", "3",
                    "--optimizer", optimizer, "-o", out.toString());
            assertEquals(1, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("w became +infinity at step 0"), r.err());
            assertTrue(r.err().contains("smaller --lr"), r.err());
            assertFalse(Files.exists(out), "nothing written");
        }
    }

    @Test
    void aDivergingLossAfterTheFirstStepStillBlamesTheLearningRate() throws IOException {
        String nn = write("logx.nn", LOGX);
        String csv = write("ok.csv", "x,t\n2,1\n3,1\n");
        Cli r = Cli.run("train", nn, "--data", csv, "--lr", "1e306", "--steps", "3");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("smaller --lr"), r.err());
        assertFalse(r.err().contains("step 0"), r.err());
    }

    /**
     * Held-out rows are never a step's, so a non-finite one showed as "held-out loss nan" and the
     * run ended with exit 0 and its -o file written (a review found it): now an error like a
     * training row's, located for --split (its rows are the data file's), and nothing written.
     */
    @Test
    void aHeldOutRowThatIsNotFiniteIsAnErrorAndNothingIsWritten() throws IOException {
        String nn = write("logx.nn", LOGX);
        String good = write("good.csv", "x,t\n1.0,0.2\n2.0,0.3\n3,0.1\n");
        String bad = write("bad.csv", "x,t\n1.0,0.2\n-2.0,0.3\n");
        Path out = dir.resolve("out.nn");
        Cli test = Cli.run("train", nn, "--data", good, "--test", bad, "--lr", "0.1", "--steps", "2", "-o", out.toString());
        assertEquals(1, test.status(), test.out() + test.err());
        assertTrue(test.err().contains("held-out loss over " + bad) && test.err().contains("--data " + bad), test.err());
        assertFalse(Files.exists(out), "nothing written");
        // --split 0.5 over 4 rows holds out 2, drawn under --seed; with every row but one finite, the
        // bad one is where the training or the held-out loss stops
        StringBuilder rows = new StringBuilder("x,t\n");
        for (int i = 1; i <= 40; i++) {
            rows.append(i == 23 ? "-2.0" : Double.toString(i)).append(",0.5\n");
        }
        String split = write("split.csv", rows.toString());
        for (int seed = 1; seed <= 4; seed++) {
            Cli r = Cli.run("train", nn, "--data", split, "--split", "0.3", "--seed", Integer.toString(seed), "--lr",
                    "0.001", "--steps", "2", "-o", out.toString());
            assertRowError(r, split, 24, "-2.0,0.5", "log of -2 in log(x)");
            assertFalse(Files.exists(out), "nothing written");
        }
    }
}
