package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data file larger than {@code --max-input} is read as a stream, a chunk at a time, for every
 * network {@code --data} takes in memory: for networks the batched engine does not take (an
 * element of a vector read on its own, scalars), one row at a time through the compiled gradient.
 * What {@code eval}, {@code check} and {@code train} print is the same, byte for byte, as with the
 * file read whole (a small {@code --max-input} forces the stream on small files); the mean
 * gradient equals a hand-written per-row reference; columns the loss reads and the header lacks
 * are an error at the header, read whole or streamed.
 */
class StreamedDataTest {
    @TempDir Path dir;

    /** Reads h[1] on its own: not whole-vector layers. */
    private static final String INDEXED = "input x[2] = [0.1, 0.2]\nweight w[2] = [0.5, -0.3]\nh = w*x\n"
            + "loss L = h[1]^2 + sum(h)\n";
    /** Scalars with a kink (relu) and a target. */
    private static final String RELU = "input x = 0.5\ntarget t = 0\nweight a = 0.7, b = -0.2\nh = relu(a*x + b)\n"
            + "loss L = (h - t)^2\n";
    /** A matrix layer whose outputs are read one by one. */
    private static final String LAYER = "input x[3]\ntarget t\nweight W[2,3] ~ he_normal\nbias c[2] = [0.1, -0.1]\n"
            + "h = tanh(W @ x + c)\nloss L = (h[1] - t)^2 + 0.1*h[2]^2\n";

    /** Above the .nn files' sizes (mazur.nn: 887 bytes), below every CSV's here. */
    private static final String MAX = "1000";

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** {@code rows} rows of the columns, drawn in [-1, 1) from {@code seed}. */
    private Path csv(String name, String header, int rows, long seed) throws Exception {
        Random r = new Random(seed);
        int columns = header.split(",").length;
        StringBuilder b = new StringBuilder(header).append('\n');
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < columns; c++) {
                b.append(c == 0 ? "" : ",").append(2 * r.nextDouble() - 1);
            }
            b.append('\n');
        }
        return write(name, b.toString());
    }

    /** The command with the data read whole and streamed ({@code --max-input} below the CSVs' sizes, above the .nn's). */
    private static void sameBothWays(String... args) {
        Cli whole = Cli.run(args);
        assertEquals(0, whole.status(), whole.err());
        String[] small = java.util.Arrays.copyOf(args, args.length + 2);
        small[args.length] = "--max-input";
        small[args.length + 1] = MAX;
        Cli streamed = Cli.run(small);
        assertEquals(0, streamed.status(), streamed.err());
        assertEquals(whole.out(), streamed.out(), String.join(" ", args));
    }

    /** Row counts around the chunk of 1,024 rows: one chunk, a tail of 6 rows, whole blocks past it, several chunks. */
    @Test
    void evalAndCheckPrintTheSameBytesStreamed() throws Exception {
        Path indexed = write("indexed.nn", INDEXED);
        Path relu = write("relu.nn", RELU);
        Path layer = write("layer.nn", LAYER);
        Path mazur = Path.of("examples/mazur.nn");
        for (int rows : new int[] {100, 1030, 1088, 3000}) {
            Path xs = csv("x" + rows + ".csv", "x[1],x[2]", rows, rows);
            Path xt = csv("xt" + rows + ".csv", "x,t", rows, rows + 1);
            Path x3 = csv("x3" + rows + ".csv", "x[1],x[2],x[3],t", rows, rows + 2);
            Path it = csv("it" + rows + ".csv", "i1,i2,t1,t2", rows, rows + 3);
            sameBothWays("eval", indexed.toString(), "--data", xs.toString(), "--json");
            sameBothWays("eval", relu.toString(), "--data", xt.toString());
            sameBothWays("eval", layer.toString(), "--data", x3.toString(), "--json");
            sameBothWays("eval", mazur.toString(), "--data", it.toString(), "--json");
            if (rows == 1030) {
                sameBothWays("check", indexed.toString(), "--data", xs.toString());
                sameBothWays("check", relu.toString(), "--data", xt.toString(), "--json");
                sameBothWays("check", layer.toString(), "--data", x3.toString());
                sameBothWays("check", mazur.toString(), "--data", it.toString());
            }
        }
    }

    /** The mean gradient of (relu(a·x + b) - t)² over a streamed file against the hand-written one, summed here. */
    @Test
    void theStreamedMeanGradientIsThePerRowReference() throws Exception {
        Path relu = write("relu.nn", RELU);
        Path xt = csv("xt.csv", "x,t", 2500, 7);
        double a = 0.7;
        double b = -0.2;
        double loss = 0;
        double ga = 0;
        double gb = 0;
        int n = 0;
        for (String line : Files.readAllLines(xt).subList(1, 2501)) {
            double x = Double.parseDouble(line.split(",")[0]);
            double t = Double.parseDouble(line.split(",")[1]);
            double z = a * x + b;
            double h = Math.max(0, z);
            loss += (h - t) * (h - t);
            double step = z > 0 ? 1 : 0;
            ga += 2 * (h - t) * step * x;
            gb += 2 * (h - t) * step;
            n++;
        }
        Cli r = Cli.run("eval", relu.toString(), "--data", xt.toString(), "--json", "--max-input", MAX);
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = TestJson.object(r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) json.get("gradient");
        @SuppressWarnings("unchecked")
        Map<String, Object> lossEntry = (Map<String, Object>) json.get("loss");
        assertEquals(2500.0, json.get("samples"));
        close(loss / n, (Double) lossEntry.get("value"));
        close(ga / n, (Double) gradient.get("a"));
        close(gb / n, (Double) gradient.get("b"));
    }

    private static void close(double expected, double actual) {
        assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.max(1e-300, Math.abs(expected)), expected + " vs " + actual);
    }

    /**
     * Full-batch training over a stream: steps, epochs, an optimizer, a held-out split (rows by
     * index, in file order) and a --test file print what they print with the file in memory.
     */
    @Test
    void fullBatchTrainingPrintsTheSameBytesStreamed() throws Exception {
        Path layer = write("layer.nn", LAYER);
        Path relu = write("relu.nn", RELU);
        Path x3 = csv("x3.csv", "x[1],x[2],x[3],t", 1500, 3);
        Path xt = csv("xt.csv", "x,t", 1200, 4);
        Path test = csv("test.csv", "x,t", 50, 5);
        sameBothWays("train", layer.toString(), "--data", x3.toString(), "--lr", "0.1", "--steps", "3");
        sameBothWays("train", layer.toString(), "--data", x3.toString(), "--lr", "0.01", "--epochs", "2", "--split", "0.25",
                "--optimizer", "adam", "--json");
        sameBothWays("train", relu.toString(), "--data", xt.toString(), "--lr", "0.1", "--steps", "4", "--test", test.toString(),
                "--optimizer", "momentum");
    }

    /** The digits network (batched engine) over a stream: a held-out split, with accuracy, as in memory. */
    @Test
    void aLayeredNetworkTrainsOnAStreamWithASplit() {
        String[] args = {"train", "examples/digits/digits.nn", "--data", "examples/digits/digits.csv", "--lr", "0.003",
            "--optimizer", "adam", "--steps", "2", "--split", "0.2"};
        Cli whole = Cli.run(args);
        assertEquals(0, whole.status(), whole.err());
        String[] small = java.util.Arrays.copyOf(args, args.length + 2);
        small[args.length] = "--max-input";
        small[args.length + 1] = "4000";
        Cli streamed = Cli.run(small);
        assertEquals(0, streamed.status(), streamed.err());
        assertEquals(whole.out(), streamed.out());
        assertTrue(streamed.out().contains("training: 1438 rows") && streamed.out().contains("accuracy"), streamed.out());
    }

    /**
     * The digits network over 1,064 rows: the streamed last chunk of 40 rows is cut into blocks as
     * the whole file is (one block of 64 rows' size, not two of its own), so the gradient's bits are
     * the in-memory ones (they differed in the last digits before session 8).
     */
    @Test
    void aShortLastChunkIsCutAsTheWholeFileIs() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("examples/digits/digits.csv"));
        Path csv = write("d1064.csv", String.join("\n", lines.subList(0, 1065)) + "\n");
        String[] args = {"eval", "examples/digits/digits.nn", "--data", csv.toString(), "--json"};
        Cli whole = Cli.run(args);
        assertEquals(0, whole.status(), whole.err());
        String[] small = java.util.Arrays.copyOf(args, args.length + 2);
        small[args.length] = "--max-input";
        small[args.length + 1] = "4000";
        Cli streamed = Cli.run(small);
        assertEquals(0, streamed.status(), streamed.err());
        assertEquals(whole.out(), streamed.out());
    }

    /** Minibatches need shuffled rows: refused on a stream where the limit is passed, with why and what to do. */
    @Test
    void minibatchesOverAStreamAreRefusedWithHelp() throws Exception {
        Path relu = write("relu.nn", RELU);
        Path xt = csv("xt.csv", "x,t", 200, 6);
        Cli r = Cli.run("train", relu.toString(), "--data", xt.toString(), "--max-input", MAX, "--lr", "0.1", "--steps", "2",
                "--batch", "16");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith(xt + ":") && r.err().contains(": error: input too large: more than " + MAX + " bytes"), r.err());
        assertTrue(r.err().contains("^") && r.err().contains("help: --batch") && r.err().contains("raise --max-input"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        // a batch of every row is full-batch: accepted, as in memory
        sameBothWays("train", relu.toString(), "--data", xt.toString(), "--lr", "0.1", "--steps", "2", "--batch", "500");
        // as is a batch of every training row after a split (100 of 200)
        sameBothWays("train", relu.toString(), "--data", xt.toString(), "--lr", "0.1", "--steps", "2", "--batch", "150",
                "--split", "0.5");
    }

    /** An input or target the loss reads and the header lacks: an error at the header, the same read whole or streamed. */
    @Test
    void aMissingColumnIsAnErrorAtTheHeader() throws Exception {
        Path relu = write("relu.nn", RELU);
        StringBuilder rows = new StringBuilder("\n\nx\n");
        for (int i = 0; i < 300; i++) {
            rows.append(0.01 * i).append('\n');
        }
        Path onlyX = write("onlyx.csv", rows.toString());
        Cli whole = Cli.run("eval", relu.toString(), "--data", onlyX.toString());
        Cli streamed = Cli.run("eval", relu.toString(), "--data", onlyX.toString(), "--max-input", MAX);
        for (Cli r : new Cli[] {whole, streamed}) {
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().startsWith(onlyX + ":3:1: error: no column for 't', which the loss L reads"), r.err());
            assertTrue(r.err().contains("\n    x\n    ^\n") && r.err().contains("help: ") && r.err().contains("--set"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertEquals(whole.err(), streamed.err());
        // --set gives the value for every row
        sameBothWays("eval", relu.toString(), "--data", onlyX.toString(), "--set", "t=0.25");

        // elements of a vector, named one by one
        Path layer = write("layer.nn", LAYER);
        Path partial = csv("partial.csv", "x[1],t", 50, 8);
        Cli r = Cli.run("eval", layer.toString(), "--data", partial.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith(partial + ":1:1: error: no column for 'x[2]', 'x[3]', which the loss L reads"), r.err());

        // an input the loss does not read needs no column
        Path unused = write("unused.nn", "input x = 1, u = 2\ntarget t = 0\nweight w = 0.5\nloss L = (w*x - t)^2\n");
        Path xt = csv("xt.csv", "x,t", 80, 9);
        sameBothWays("eval", unused.toString(), "--data", xt.toString());
    }

    /** A column naming nothing the loss could read is the same error read whole or streamed, at that column. */
    @Test
    void anExtraColumnIsTheSameErrorBothWays() throws Exception {
        Path relu = write("relu.nn", RELU);
        Path extra = csv("extra.csv", "x,t,z", 100, 10);
        Cli whole = Cli.run("eval", relu.toString(), "--data", extra.toString());
        Cli streamed = Cli.run("eval", relu.toString(), "--data", extra.toString(), "--max-input", MAX);
        assertEquals(1, whole.status(), whole.err());
        assertTrue(whole.err().startsWith(extra + ":1:5: error: column 'z' is not declared in"), whole.err());
        assertEquals(whole.err(), streamed.err());
    }
}
