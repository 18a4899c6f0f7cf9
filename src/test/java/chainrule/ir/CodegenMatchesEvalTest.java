package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CLI.md's contract for {@code codegen FILE --lang L --main}: the program "prints the same JSON as
 * {@code eval --json}". Checked as text, byte for byte, on many networks: every case of the op
 * table ({@link OpTableTest#CASES}), every example of {@code examples/} that {@code eval} takes as
 * it is, the shared cases when they are there, and networks drawn at random that mix the
 * activations and ops (layered ones lowered to loops, scalar ones compiled by the tape). The
 * reference is {@code eval --json} itself, run in this JVM: the bytecode of the layer program or
 * of the tape, an independent code path from the generated source (only the JSON number writer is
 * shared, and it is tested on its own in {@code JsonNumbersTest}).
 *
 * <p>Java is held to every byte on every network. C and Python call the C library's {@code exp},
 * {@code log}, {@code tanh}, …, which differ from Java's {@code Math} in the last bit for a few
 * arguments in a thousand (docs/api.md, "Generated code"): they are held to every byte on every
 * network whose numbers pass only through operations IEEE 754 rounds exactly the same everywhere
 * (+, −, ×, ÷, √, integer squares and reciprocals, relu, abs, max); on the others, C and Python
 * must print the same text as each other, and each number must be within {@link #LIBRARY_ULPS}
 * units in the last place, relative to the largest of the entries, of eval's.
 */
class CodegenMatchesEvalTest {
    /** How far, in units in the last place of the largest gradient entry, a number may move when the C library rounds a function differently. */
    static final double LIBRARY_ULPS = 64;

    /** Random layered networks in the test; each compiled once per language, all in one program run. */
    static final int LAYERED = 48;

    /** Random scalar networks (the tape's code). */
    static final int SCALAR = 16;

    /**
     * A network of the test; {@code inC}: also built as C. gcc costs a process per program, so C
     * takes the fixed cases, the random networks of exact operations and those with the other
     * built-ins (whose C helpers are C's own text), and every fourth scalar one; Java and Python
     * take every network, and C's source differs from Python's only in syntax and those helpers.
     */
    record Network(String label, String text, boolean exact, boolean inC) {}

    static List<Network> networks() throws IOException {
        List<Network> out = new ArrayList<>();
        for (Map.Entry<String, String> c : OpTableTest.CASES.entrySet()) {
            out.add(new Network("op table: " + c.getKey(), c.getValue(), false, true));
        }
        out.add(new Network("the reviewer's network: exp(0.5*g)*sigmoid(-g), g = h*sigmoid(h)", REVIEWED, false, true));
        for (Path dir : List.of(Path.of("examples"), Path.of("../shared/cases"), Path.of("../../shared/cases"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".nn")).sorted().toList()) {
                    out.add(new Network(f.toString(), Files.readString(f), false, true));
                }
            }
        }
        for (int seed = 0; seed < LAYERED; seed++) {
            boolean exact = seed % 3 == 0;
            out.add(new Network("layered network " + seed + (exact ? " (exact operations)" : ""), layered(seed, exact), exact,
                    exact || seed % 4 == 1));
        }
        for (int seed = 0; seed < SCALAR; seed++) {
            out.add(new Network("scalar network " + seed, chainrule.compile.RandomNetworks.generate(seed), false,
                    seed % 4 == 0));
        }
        return out;
    }

    /** The network the reviewer found 9 gradient entries in, differing by up to 1.5e-15 (a 4-3-2 network). */
    static final String REVIEWED = """
            input x[4] = [0.1, -0.2, 0.3, 0.4]
            target y[2] = [0.2, 0.7]
            weight W1[3,4] = [[0.1, 0.2, -0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [-0.9, 0.15, 0.25, 0.35]]
            bias b1[3] = [0.1, -0.2, 0.05]
            weight W2[2,3] = [[0.3, -0.1, 0.2], [0.4, 0.5, -0.6]]
            bias b2[2] = [0.01, 0.02]
            h = W1 @ x + b1
            g = h*sigmoid(h)
            a = exp(0.5*g)*sigmoid(-g)
            o = W2 @ a + b2
            loss L = mse(o, y)
            """;

    /** Activations of a layer, {@code X} its pre-activation; the first ones are exact operations. */
    private static final String[] EXACT = {"relu(X)", "leaky_relu(X, 0.25)", "abs(X)", "X^2", "X/(1 + X^2)", "sqrt(1 + X^2)",
            "s*X - X", "max(X, 0.125)", "X*relu(-X) + X", "1/(2 + abs(X))", "X - mean(X)", "X*sum(X)"};
    private static final String[] ANY = {"sigmoid(X)", "tanh(X)", "softplus(X)", "swish(X)", "exp(0.5*X)*sigmoid(-X)",
            "log(1 + X^2)", "X^3", "exp(-X^2)", "bump(X, mean(X))", "X*sigmoid(X)*tanh(X)", "softplus(-X)/(1 + exp(X))",
            "sqrt(1 + X^2)^1.5", "leaky_relu(X)", "sigmoid(X) - tanh(s*X)"};

    /** The other built-ins, each inside an argument it is defined at; their derivatives divide or call further functions. */
    private static final String[] MORE = {"sin(X) + cos(s*X)", "tan(0.5*tanh(X))", "atan(X)*asinh(X)", "asin(0.5*tanh(X)) - acos(0.25*tanh(X))",
            "sinh(X) - cosh(0.5*X)", "acosh(1 + X^2)", "atanh(0.5*tanh(X))", "erf(X)", "log2(1 + X^2) + log10(2 + X)",
            "min(X, s) + max(X, -s)", "heaviside(X) + sign(X)*X", "pi*X + e", "abs(X)^2.5"};

    /** A random layered network: 1 to 3 hidden layers of width 1 to 9, elementwise expressions between them, one of the losses. */
    static String layered(long seed, boolean exact) {
        Random r = new Random(seed);
        StringBuilder src = new StringBuilder("function swish(z) = z*sigmoid(z)\nfunction bump(a, b) = a*exp(-b^2) + b/(1 + a^2)\n");
        int n = 1 + r.nextInt(9);
        src.append("input x[").append(n).append("] = ").append(vector(r, n)).append('\n');
        src.append("weight s = ").append(value(r)).append('\n');
        String previous = "x";
        int width = n;
        // a derivative that divides makes codegen work out limit forms (paths.Limits) whose cost grows
        // fast with the network below: one network in four may divide, and is kept small
        boolean mayDivide = seed % 4 == 1;
        int layers = 1 + r.nextInt(mayDivide ? 2 : 3);
        StringBuilder body = new StringBuilder();
        for (int l = 1; l <= layers; l++) {
            String[] table = exact || r.nextInt(4) == 0 ? EXACT : mayDivide && r.nextBoolean() ? MORE : ANY;
            String activation = table[r.nextInt(table.length)];
            while (!mayDivide && divides(activation)) {
                activation = table[r.nextInt(table.length)];
            }
            int m = 1 + r.nextInt(mayDivide ? 3 : 9);
            src.append("weight W").append(l).append('[').append(m).append(',').append(width).append("] = ").append(matrix(r, m, width)).append('\n');
            if (r.nextInt(4) == 0) {
                src.append("bias b").append(l).append(" = ").append(value(r)).append('\n'); // a scalar broadcast over the layer
            } else {
                src.append("bias b").append(l).append('[').append(m).append("] = ").append(vector(r, m)).append('\n');
            }
            String pre = "W" + l + " @ " + previous + " + b" + l;
            if (activation.indexOf('X') != activation.lastIndexOf('X') || r.nextBoolean()) {
                body.append("z").append(l).append(" = ").append(pre).append('\n');
                pre = "z" + l;
            } else {
                pre = "(" + pre + ")";
            }
            body.append("h").append(l).append(" = ").append(activation.replace("X", pre)).append('\n');
            previous = "h" + l;
            width = m;
        }
        int k = 1 + r.nextInt(mayDivide ? 3 : 5);
        src.append("weight V[").append(k).append(',').append(width).append("] = ").append(matrix(r, k, width)).append('\n');
        src.append("bias c[").append(k).append("] = ").append(vector(r, k)).append('\n');
        body.append("o = V @ ").append(previous).append(" + c\n");
        String[] losses = exact
                ? new String[] {"mse(o, y)", "sum(0.5*(y - o)^2)", "mean(abs(o - y))", "sum((o - y)^2) + 0.01*sum(W1^2)"}
                : new String[] {"mse(o, y)", "cross_entropy(softmax(o), y)", "-sum(y*log_softmax(o))", "bce_with_logits(o, y)",
                        "binary_cross_entropy(sigmoid(o), y)", "sum(0.5*(y - tanh(o))^2) + 0.001*sum(W1^2)",
                        "mean(softplus(o) - y*o)", "-sum(y*log(softmax(2*o)))"};
        String loss = losses[r.nextInt(losses.length)];
        double[] y = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            y[i] = 0.05 + r.nextInt(90) / 100.0;
            total += y[i];
        }
        if (loss.contains("softmax")) { // a distribution
            for (int i = 0; i < k; i++) {
                y[i] = Math.round(y[i] / total * 1000) / 1000.0;
            }
        }
        StringBuilder ys = new StringBuilder("[");
        for (int i = 0; i < k; i++) {
            ys.append(i == 0 ? "" : ", ").append(y[i]);
        }
        src.append("target y[").append(k).append("] = ").append(ys).append("]\n");
        return src + body.toString() + "loss L = " + loss + "\n";
    }

    private static boolean divides(String activation) {
        return java.util.Arrays.asList(MORE).contains(activation) || activation.contains("/") || activation.contains("log") || activation.contains("sqrt")
                || activation.contains("bump") || activation.contains("^1.5");
    }

    private static String value(Random r) {
        return String.format(Locale.ROOT, "%.3f", r.nextDouble() * 2 - 1);
    }

    private static String vector(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append(value(r));
        }
        return b.append(']').toString();
    }

    private static String matrix(Random r, int m, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < m; i++) {
            b.append(i == 0 ? "" : ", ").append(vector(r, n));
        }
        return b.append(']').toString();
    }

    /** {@code chainrule ARGS} in this JVM: the exit status and standard output. */
    private static String[] cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {String.valueOf(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    /** The networks eval takes, eval's JSON for each, and codegen's source per language: made once for the three languages. */
    private record Prepared(List<Network> networks, List<String> expected, Map<String, List<String>> sources, int offered) {}

    private static Prepared prepared;

    private static synchronized Prepared prepare(Path dir) throws Exception {
        if (prepared != null) {
            return prepared;
        }
        List<Network> all = networks();
        List<Network> taken = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        Map<String, List<String>> sources = new LinkedHashMap<>();
        for (String lang : LANGUAGES) {
            sources.put(lang, new ArrayList<>());
        }
        long start = System.nanoTime();
        for (Network net : all) {
            Path f = dir.resolve("net" + taken.size() + ".nn");
            Files.writeString(f, net.text());
            String[] eval = cli("eval", f.toString(), "--json");
            if (!eval[0].equals("0")) {
                assertTrue(net.label().startsWith("examples") || net.label().contains("shared"),
                        net.label() + ": eval refused a network of the test:\n" + eval[2] + "\n" + net.text());
                continue; // an example that needs --set or --data
            }
            for (String lang : LANGUAGES) {
                List<String> args = new ArrayList<>(List.of("codegen", f.toString(), "--lang", lang, "--main"));
                if (lang.equals("java")) {
                    args.addAll(List.of("--class", GeneratedPrograms.javaClass(taken.size())));
                }
                String[] codegen = cli(args.toArray(String[]::new));
                assertEquals("0", codegen[0], net.label() + ": codegen:\n" + codegen[2]);
                sources.get(lang).add(codegen[1]);
            }
            taken.add(net);
            expected.add(eval[1].strip());
        }
        System.out.printf(Locale.ROOT, "eval and codegen of %d networks: %.1f s%n", taken.size(), (System.nanoTime() - start) / 1e9);
        prepared = new Prepared(taken, expected, sources, all.size());
        return prepared;
    }

    private static final List<String> LANGUAGES = List.of("java", "c", "python");

    /** What each language's programs printed, for comparing C with Python. */
    private static final Map<String, Map<String, String>> PRINTED = new java.util.concurrent.ConcurrentHashMap<>();

    @ParameterizedTest
    @ValueSource(strings = {"java", "c", "python"})
    void codegenMainPrintsEvalJson(String lang, @TempDir Path dir) throws Exception {
        Prepared p = prepare(dir);
        List<Network> taken = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < p.networks().size(); i++) {
            if (!lang.equals("c") || p.networks().get(i).inC()) {
                taken.add(p.networks().get(i));
                expected.add(p.expected().get(i));
                sources.add(p.sources().get(lang).get(i));
            }
        }
        long start = System.nanoTime();
        List<String> printed = GeneratedPrograms.outputs(lang, dir, sources);
        System.out.printf(Locale.ROOT, "%s: building and running %d programs: %.1f s%n", lang, sources.size(), (System.nanoTime() - start) / 1e9);
        int keys = 0;
        int identical = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < taken.size(); i++) {
            Network net = taken.get(i);
            Map<String, String> want = numbers(expected.get(i));
            Map<String, String> got = numbers(printed.get(i));
            assertEquals(want.keySet(), got.keySet(), net.label() + ": the same entries");
            keys += want.size();
            boolean strict = lang.equals("java") || net.exact();
            double scale = 0;
            for (String v : want.values()) {
                scale = Math.max(scale, Math.abs(parse(v)));
            }
            for (String key : want.keySet()) {
                String a = want.get(key);
                String b = got.get(key);
                if (a.equals(b)) {
                    identical++;
                } else if (strict || !(Math.abs(parse(a) - parse(b)) <= LIBRARY_ULPS * Math.ulp(scale))) {
                    failures.add(net.label() + ": " + key + ": eval --json " + a + ", codegen --lang " + lang + " --main " + b);
                }
            }
            if (strict && !expected.get(i).equals(printed.get(i)) && failures.isEmpty()) {
                failures.add(net.label() + ": the same numbers, but not the same text:\n" + expected.get(i) + "\n" + printed.get(i));
            }
        }
        // C and Python call the same C library: they print the same text as each other, number for number
        Map<String, String> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < taken.size(); i++) {
            byLabel.put(taken.get(i).label(), printed.get(i));
        }
        PRINTED.put(lang, byLabel);
        if (PRINTED.containsKey("c") && PRINTED.containsKey("python")) {
            for (Map.Entry<String, String> c : PRINTED.get("c").entrySet()) {
                String python = PRINTED.get("python").get(c.getKey());
                if (!c.getValue().equals(python)) {
                    failures.add(c.getKey() + ": C and Python print different text:\n" + c.getValue() + "\n" + python);
                }
            }
        }
        System.out.printf(Locale.ROOT, "codegen --lang %s --main against eval --json: %d networks, %d numbers, %d printed identically%n",
                lang, taken.size(), keys, identical);
        assertTrue(failures.isEmpty(), failures.size() + " numbers differ:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertTrue(p.networks().size() >= p.offered() - 10, "networks taken: " + p.networks().size() + " of " + p.offered());
    }

    /** The loss and every gradient entry of eval's JSON, as printed: name to number text. */
    private static Map<String, String> numbers(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\": (-?[0-9][0-9.eE+-]*|null)").matcher(json);
        Map<String, String> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(out.isEmpty() ? "loss" : m.group(1), m.group(2));
        }
        return out;
    }

    private static double parse(String number) {
        return number.equals("null") ? Double.NaN : Double.parseDouble(number);
    }
}
