package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code grad --wrt 'W1[1,1]'} (and {@code paths --wrt}) from the element view of that parameter's
 * cone only ({@link Network#partial}) prints what the whole element view prints, byte for byte,
 * text and JSON: on every example, every shared case that analyses, every test network, and four
 * layered networks written here (a 40-16-10 softmax classifier shaped like the 784-128-10 one,
 * sigmoid layers under a squared error, a centred hidden layer whose mean is a shared reduction,
 * sigmoid outputs under a binary cross-entropy), for every parameter of a small file and a spread sample
 * of each large one.
 */
class PartialViewTest {

    /** Pseudo-random values in [-0.5, 0.5), fixed by (i, j). */
    private static double value(int i, int j, int salt) {
        return (((i * 31 + j * 17 + salt * 7) % 23) - 11) / 22.0;
    }

    private static String list(int n, IntToDoubleFunction f) {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < n; k++) {
            s.append(k == 0 ? "" : ", ").append(f.applyAsDouble(k));
        }
        return s.append(']').toString();
    }

    private static String matrix(int rows, int columns, int salt) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < rows; i++) {
            int row = i;
            s.append(i == 0 ? "" : ",\n  ").append(list(columns, j -> value(row, j, salt) / 4));
        }
        return s.append(']').toString();
    }

    /** Declarations of an in-hidden-out network with the given layers written after them. */
    static String layered(int in, int hidden, int out, String layers) {
        return "input x[" + in + "] = " + list(in, j -> (j % 11) / 10.0) + "\n"
                + "target y[" + out + "] = " + list(out, i -> i == out / 2 ? 0.7 : 0.3 / (out - 1)) + "\n"
                + "weight W1[" + hidden + "," + in + "] = " + matrix(hidden, in, 1) + "\n"
                + "weight W2[" + out + "," + hidden + "] = " + matrix(out, hidden, 2) + "\n"
                + "bias b1[" + hidden + "] = " + list(hidden, i -> value(i, 0, 3) / 10) + "\n"
                + "bias b2[" + out + "] = " + list(out, i -> value(i, 1, 4) / 10) + "\n"
                + layers;
    }

    static final String SOFTMAX = "h = relu(W1 @ x + b1)\np = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)\n";
    static final String SIGMOID = "h = sigmoid(W1 @ x + b1)\no = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n";
    static final String LOGISTIC = "h = relu(W1 @ x + b1)\no = sigmoid(W2 @ h + b2)\nloss L = binary_cross_entropy(o, y)\n";
    static final String CENTRED = "h = tanh(W1 @ x + b1)\nc = h - mean(h)\no = W2 @ c + b2\nloss L = mse(o, y)\n";

    private static GradCommand parsed(String... args) {
        GradCommand c = new GradCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    /**
     * A file with at most this many parameters has all of them compared. The test's time is the
     * whole view's report for each parameter; these sizes keep the file under half a minute.
     */
    private static final int SMALL = 40;
    /** Parameters spread evenly over a larger file, besides each declaration's first and last element. */
    private static final int SPREAD = 24;

    /** The parameters compared: all of a small file; else {@link #SPREAD}, each declaration's first and last among them. */
    private static List<String> sample(Network network) {
        List<String> all = network.parameterNames();
        if (all.size() <= SMALL) {
            return all;
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < SPREAD; k++) {
            out.add(all.get((int) ((long) k * (all.size() - 1) / (SPREAD - 1))));
        }
        network.parameterShapes().forEach((name, shape) -> {
            List<String> elements = network.elementNames(name);
            if (!elements.isEmpty()) {
                out.add(elements.get(0));
                out.add(elements.get(elements.size() - 1));
            }
        });
        return out;
    }

    /**
     * Compares, for each sampled parameter, the partial view's text and JSON with the whole view's;
     * returns how many of the parameters the partial view answered (it may decline, see
     * {@link LoadedNetwork#partialFor}, and the whole view answers).
     */
    private static int compare(Path file) throws Exception {
        return compare(file, false);
    }

    /** {@link #compare(Path)}, with the JSON of every parameter compared where {@code everyJson}. */
    private static int compare(Path file, boolean everyJson) throws Exception {
        LoadedNetwork whole;
        try {
            whole = LoadedNetwork.loadLazily(file.toString(), parsed(file.toString()).options);
        } catch (DiagnosticException | CliError e) {
            return -1; // a file that does not analyse (an error case)
        }
        int answered = 0;
        List<String> sampled = sample(whole.network());
        for (int i = 0; i < sampled.size(); i++) {
            String p = sampled.get(i);
            // JSON for every third parameter: it prints the same closed forms as the text
            for (boolean json : everyJson || i % 3 == 0 ? new boolean[] {false, true} : new boolean[] {false}) {
                GradCommand c = json ? parsed(file.toString(), "--wrt", p, "--json") : parsed(file.toString(), "--wrt", p);
                String expected;
                try {
                    expected = c.wholeViewReport(whole);
                } catch (CliError | DiagnosticException e) {
                    assertNull(c.partialViewReport(whole), file + " --wrt " + p + ": the whole view refuses, the partial must decline");
                    continue;
                }
                String partial;
                try {
                    partial = c.partialViewReport(whole);
                } catch (RuntimeException e) {
                    throw new AssertionError(file + " --wrt " + p + (json ? " --json" : "") + ": " + e, e);
                }
                if (partial != null) {
                    assertEquals(expected, partial, file + " --wrt " + p + (json ? " --json" : ""));
                    answered += json ? 0 : 1;
                }
            }
        }
        // paths --wrt takes the same route: a few parameters of each file, all paths and the largest
        List<String> some = sample(whole.network());
        for (String p : some.subList(0, Math.min(8, some.size()))) {
            for (String[] options : new String[][] {{}, {"--json"}, {"--top", "3"}}) {
                List<String> args = new ArrayList<>(List.of(file.toString(), "--wrt", p));
                args.addAll(List.of(options));
                PathsCommand c = new PathsCommand();
                new CommandLine(c).parseArgs(args.toArray(new String[0]));
                String expected;
                try {
                    expected = c.wholeViewReport(whole);
                } catch (CliError | DiagnosticException e) {
                    assertNull(c.partialViewReport(whole), "paths " + args + ": the whole view refuses, the partial must decline");
                    continue;
                }
                String partial = c.partialViewReport(whole);
                if (partial != null) {
                    assertEquals(expected, partial, "paths " + args);
                }
            }
        }
        return answered;
    }

    private static List<Path> files(String dir, boolean recursive) throws IOException {
        Path d = Path.of(dir);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = recursive ? Files.walk(d) : Files.list(d)) {
            return s.filter(f -> f.toString().endsWith(".nn")).sorted().toList();
        }
    }

    @Test
    void everyExampleCaseAndTestNetworkPrintsWhatTheWholeViewPrints() throws Exception {
        List<Path> all = new ArrayList<>(files("examples", true));
        all.addAll(files("../shared/cases", false)); // from the main checkout
        all.addAll(files("../../shared/cases", false)); // from a worktree under wt/
        for (String dir : new String[] {"src/test/resources/golden", "src/test/resources/textbook",
                "src/test/resources/cases", "src/test/resources/flow"}) {
            all.addAll(files(dir, false));
        }
        int answered = 0;
        for (Path f : all) {
            answered += Math.max(0, compare(f));
        }
        assertTrue(answered > 100, "the partial view answered only " + answered + " parameters");
    }

    @Test
    void layeredNetworksPrintWhatTheWholeViewPrints(@TempDir Path dir) throws Exception {
        String[][] networks = {
            {"softmax-40-16-10.nn", layered(40, 16, 10, SOFTMAX)},
            {"sigmoid-24-12-4.nn", layered(24, 12, 4, SIGMOID)},
            {"centred-20-16-3.nn", layered(20, 16, 3, CENTRED)},
            {"logistic-20-8-4.nn", layered(20, 8, 4, LOGISTIC)},
        };
        for (String[] n : networks) {
            Path file = dir.resolve(n[0]);
            Files.writeString(file, n[1]);
            LoadedNetwork whole = LoadedNetwork.loadLazily(file.toString(), parsed(file.toString()).options);
            int sampled = sample(whole.network()).size();
            assertTrue(sampled >= 24, n[0]);
            // every parameter element of these is answered by its cone (a sigmoid output under the
            // binary cross-entropy's log keeps its definition outside the cone)
            assertEquals(sampled, compare(file), n[0]);
        }
    }

    /**
     * Small inline reductions (fewer than 16 elements: not shared vertices) are normalised into
     * the expressions around them, so the op graph's numbers for a frozen vertex would differ from
     * the whole view's in the last digit, which {@code --json} prints (a reviewer's 3-4-2 centred
     * network, session 6): the partial view must decline there, and every digit must match.
     */
    @Test
    void smallInlineReductionsAndLayerNormsPrintEveryDigitTheWholeViewPrints(@TempDir Path dir) throws Exception {
        String layerNorm = "h = tanh(W1 @ x + b1)\nc = (h - mean(h)) / sqrt(mean((h - mean(h))^2) + 0.00001)\n"
                + "o = sigmoid(W2 @ c + b2)\nloss L = mse(o, y)\n";
        String mixed = "h = tanh(W1 @ x + b1)\nc = h*mean(h) + h/sum(h)\no = W2 @ c + b2\nloss L = mse(o, y)\n";
        String[][] networks = {
            {"centred-3-4-2.nn", layered(3, 4, 2, CENTRED)},
            {"layer-norm-5-6-3.nn", layered(5, 6, 3, layerNorm)},
            {"mixed-5-6-3.nn", layered(5, 6, 3, mixed)},
        };
        for (String[] n : networks) {
            Path file = dir.resolve(n[0]);
            Files.writeString(file, n[1]);
            assertTrue(compare(file, true) >= 0, n[0]);
        }
    }

    @Test
    void theCommandPrintsThePartialViewsReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("softmax.nn");
        Files.writeString(file, layered(40, 16, 10, SOFTMAX));
        LoadedNetwork whole = LoadedNetwork.loadLazily(file.toString(), parsed(file.toString()).options);
        for (String p : List.of("W1[1,1]", "W2[3,7]", "b1[16]")) {
            Cli cli = Cli.run("grad", file.toString(), "--wrt", p);
            assertEquals(0, cli.status(), cli.err());
            assertEquals(parsed(file.toString(), "--wrt", p).wholeViewReport(whole), cli.out());
        }
        // two elements at once, and the same one twice
        Cli two = Cli.run("grad", file.toString(), "--wrt", "W1[2,3]", "--wrt", "b2[1]", "--wrt", "W1[2,3]", "--json");
        assertEquals(parsed(file.toString(), "--wrt", "W1[2,3]", "--wrt", "b2[1]", "--wrt", "W1[2,3]", "--json")
                .wholeViewReport(whole), two.out());
        assertNotNull(whole.partialFor(List.of("W1[2,3]", "b2[1]")));
    }

    /** The element view of a first-layer weight of a 784-128-10 network: a few thousand of its 102,841 vertices. */
    @Test
    void aFirstLayerWeightOfA784x128x10NetworkExpandsAFewThousandVertices(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mnist.nn");
        Files.writeString(file, MnistSizeTest.file());
        LoadedNetwork whole = LoadedNetwork.loadLazily(file.toString(), parsed(file.toString()).options);
        LoadedNetwork partial = whole.partialFor(List.of("W1[1,1]"));
        assertNotNull(partial);
        Network n = partial.network();
        assertTrue(n.isPartial());
        // declared 784 + 10 + 128·784 + 10·128 + 128 + 10, then h.in, h, o.in, o and the loss
        int wholeCount = 784 + 10 + 128 * 784 + 10 * 128 + 128 + 10 + 128 + 128 + 10 + 10 + 1;
        assertEquals(wholeCount, n.wholeVertexCount());
        // W1's row 1 and x (784 each), h.in[1], h (128), W2 (1,280), b1[1], b2, o.in, o, y, the loss
        assertTrue(n.vertices().size() <= 3_100, n.vertices().size() + " vertices");
        assertEquals(23, n.definitions().size(), "h.in[1], h[1], o.in (10), o (10), E");
        assertTrue(!whole.network().isExpanded(), "the whole view was not built");
    }
}
