package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers of a data set do not depend on how they are computed: the Vector API kernel (this
 * JVM runs with the module), the auto-vectorised loops (a JVM without it, as {@code java -jar}
 * runs), and a CSV streamed a chunk at a time ({@code --max-input} below its size) print the same
 * text, bit for bit, for evaluations of one block, two blocks (whose weight gradients are made over
 * both at once: BatchEngine.DeferredProducts) and longer ones ending in a chunk of two blocks; on
 * hidden widths the strip layout takes (multiples of 4) and widths it does not. Found by a review:
 * the deferred products ran only under the Vector API and only in memory, so {@code bin/chainrule}
 * and {@code java -jar} differed in the last bits on 10 to 128 rows.
 */
class KernelChoiceTest {

    @Test
    void vectorKernelLoopsAndStreamingPrintTheSameNumbers(@TempDir Path dir) throws Exception {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the tests run with the Vector API module (surefire argLine)");
        Random r = new Random(5);
        List<String> commands = new ArrayList<>();
        List<String> inProcess = new ArrayList<>();
        // {hidden, rows, inputs}: 70 inputs are two whole strips of the δW kernel and a narrow one;
        // 300 rows of 260 inputs make blocks of 64 whose own δW skips relu's zeros (256 inputs or more)
        int[][] cases = {{33, 16, 5}, {36, 65, 5}, {8, 127, 5}, {12, 1124, 5}, {33, 7, 5}, {4, 100, 5}, {16, 64, 70},
                {40, 100, 70}, {8, 300, 260}};
        int streamedCases = 0;
        for (int[] c : cases) {
            int hidden = c[0];
            int rows = c[1];
            int inputs = c[2];
            Path net = dir.resolve("n" + hidden + "x" + rows + ".nn");
            Path csv = dir.resolve("d" + hidden + "x" + rows + ".csv");
            Files.writeString(net, network(r, hidden, inputs));
            Files.writeString(csv, data(r, rows, inputs));
            String[] eval = {"eval", net.toString(), "--data", csv.toString(), "--json"};
            Cli vector = Cli.run(eval);
            assertEquals(0, vector.status(), vector.err());
            long netSize = Files.size(net);
            long csvSize = Files.size(csv);
            if (csvSize > netSize + 2) { // --max-input between the two: the CSV alone is streamed
                streamedCases++;
                Cli streamed = Cli.run("eval", net.toString(), "--data", csv.toString(), "--json", "--max-input",
                        Long.toString((netSize + csvSize) / 2));
                assertEquals(0, streamed.status(), streamed.err());
                assertEquals(List.of(), differences(vector.out(), streamed.out()),
                        "streamed, " + hidden + " hidden, " + rows + " rows");
            }
            commands.add(String.join("\u0001", eval));
            inProcess.add(vector.out());
        }
        assertTrue(streamedCases >= 3, "streamed cases: " + streamedCases);
        // one JVM without the module runs every case (a small driver over Main.run)
        List<String> loops = withoutTheModule(dir, commands);
        for (int i = 0; i < commands.size(); i++) {
            assertEquals(List.of(), differences(inProcess.get(i), loops.get(i)),
                    "loops against the Vector API kernel, case " + i);
        }
    }

    /**
     * {@code check --data} on a streamed CSV looks for kinks row by row as in memory (it called
     * every parameter "at a kink" before, a review found, on a network of tanh and softmax): the
     * same JSON, all agreeing, and on a relu network the same kinks found.
     */
    @Test
    void checkOnAStreamedFileFindsWhatItFindsInMemory(@TempDir Path dir) throws Exception {
        Random r = new Random(8);
        for (String activation : new String[] {"tanh", "relu"}) {
            Path net = dir.resolve(activation + ".nn");
            Path csv = dir.resolve(activation + ".csv");
            Files.writeString(net, network(r, 6, 5).replace("relu(", activation + "("));
            Files.writeString(csv, data(r, 300, 5));
            Cli memory = Cli.run("check", net.toString(), "--data", csv.toString(), "--json");
            long half = (Files.size(net) + Files.size(csv)) / 2;
            Cli streamed = Cli.run("check", net.toString(), "--data", csv.toString(), "--json", "--max-input", Long.toString(half));
            assertEquals(0, memory.status(), memory.err());
            assertEquals(memory.out(), streamed.out(), activation);
            if (activation.equals("tanh")) {
                assertTrue(memory.out().contains("\"kinks\": 0"), memory.out());
            }
        }
    }

    /** What a command printed: its output, or where it failed, its status and its error text. */
    static String printed(Cli c) {
        return c.status() == 0 ? c.out() : "exit " + c.status() + "\n" + c.err();
    }

    /**
     * Relu's zero δ skipped in δW must not hide a nan: a unit off (δ = 0) fed by an activation that
     * overflowed to inf gives 0·inf = nan in the loops' dense sum. A review found the Vector API
     * printing a finite gradient there (exit 0) where the loops refused; both must say the same,
     * for a minibatch's deferred product (64 rows) and a block's own over 256 inputs (300 rows).
     */
    @Test
    void anInfiniteActivationIsNotHiddenBySkippedZeros(@TempDir Path dir) throws Exception {
        List<String> commands = new ArrayList<>();
        List<String> inProcess = new ArrayList<>();
        for (int width : new int[] {4, 256}) {
            for (int rows : new int[] {64, 300}) {
                Path net = dir.resolve("inf" + width + "x" + rows + ".nn");
                Path csv = dir.resolve("inf" + width + "x" + rows + ".csv");
                // h1 overflows to inf (1e308·10); W2 < 0 turns every unit of h2 off (δ2 = 0)
                Files.writeString(net, "input x[1]\ntarget y[1]\nweight W1[" + width + ",1] = 1e308\n"
                        + "weight W2[4," + width + "] = -1\nweight W3[1,4] = [[0.3, -0.2, 0.5, 0.1]]\n"
                        + "h1 = relu(W1 @ x)\nh2 = relu(W2 @ h1)\nloss L = mse(W3 @ h2, y)\n");
                Files.writeString(csv, "x[1],y[1]\n" + "10,0.5\n".repeat(rows));
                String[] eval = {"eval", net.toString(), "--data", csv.toString(), "--json"};
                commands.add(String.join("\u0001", eval));
                inProcess.add(printed(Cli.run(eval)));
            }
        }
        List<String> loops = withoutTheModule(dir, commands);
        for (int i = 0; i < commands.size(); i++) {
            assertEquals(loops.get(i), inProcess.get(i), commands.get(i));
            assertTrue(inProcess.get(i).startsWith("exit 1"), inProcess.get(i));
        }
    }

    /** The entries of two JSON outputs that differ, as "key: a vs b" (the whole texts where the keys differ). */
    private static List<String> differences(String a, String b) {
        List<String> out = new ArrayList<>();
        String[] x = a.split(", ");
        String[] y = b.split(", ");
        if (x.length != y.length) {
            return List.of(a, b);
        }
        for (int i = 0; i < x.length; i++) {
            if (!x[i].equals(y[i])) {
                out.add(x[i] + " vs " + y[i]);
            }
        }
        return out;
    }

    /** A relu network x[inputs] → h[hidden] → z[3], softmax cross-entropy, weights drawn here. */
    private static String network(Random r, int hidden, int inputs) {
        StringBuilder s = new StringBuilder("input x[" + inputs + "]\ntarget y[3]\n");
        s.append("weight W1[").append(hidden).append(',').append(inputs).append("] = ").append(matrix(r, hidden, inputs))
                .append('\n');
        s.append("bias b1[").append(hidden).append("] = ").append(matrix(r, 1, hidden).replace("[[", "[").replace("]]", "]")).append('\n');
        s.append("weight W2[3,").append(hidden).append("] = ").append(matrix(r, 3, hidden)).append('\n');
        s.append("h = relu(W1 @ x + b1)\nz = W2 @ h\nloss L = cross_entropy(softmax(z), y)\n");
        return s.toString();
    }

    private static String matrix(Random r, int m, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < m; i++) {
            s.append(i > 0 ? ", [" : "[");
            for (int j = 0; j < n; j++) {
                s.append(j > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6f", r.nextGaussian() * 0.5));
            }
            s.append(']');
        }
        return s.append(']').toString();
    }

    private static String data(Random r, int rows, int inputs) {
        StringBuilder s = new StringBuilder();
        for (int j = 1; j <= inputs; j++) {
            s.append("x[").append(j).append("],");
        }
        s.append("y[1],y[2],y[3]\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < inputs; j++) {
                s.append(String.format(Locale.ROOT, "%.5f,", r.nextGaussian()));
            }
            int k = r.nextInt(3);
            s.append(k == 0 ? "1,0,0" : k == 1 ? "0,1,0" : "0,0,1").append('\n');
        }
        return s.toString();
    }

    /** Runs each command (fields joined by \u0001) in one JVM without the Vector API module; what each printed. */
    private static List<String> withoutTheModule(Path dir, List<String> commands) throws Exception {
        Path list = dir.resolve("commands.txt");
        Files.writeString(list, String.join("\n", commands) + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "chainrule.cli.KernelChoiceTest$Driver", list.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> printed = new ArrayList<>();
        for (String part : out.split(Driver.SEPARATOR + "\n", -1)) {
            printed.add(part);
        }
        return printed.subList(0, commands.size());
    }

    /** The subprocess: each line of the file is a command; prints its output and a separator. */
    static final class Driver {
        static final String SEPARATOR = "----- next command -----";

        public static void main(String[] args) throws Exception {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                throw new IllegalStateException("this JVM has the Vector API module: it would not run the loops");
            }
            for (String line : Files.readAllLines(Path.of(args[0]))) {
                if (line.isEmpty()) {
                    continue;
                }
                System.out.print(printed(Cli.run(line.split("\u0001"))));
                System.out.print(SEPARATOR + "\n");
            }
            System.out.flush();
        }
    }
}
