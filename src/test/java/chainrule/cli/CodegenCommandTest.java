package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** codegen --main output, compiled and run by javac/java, gcc -std=c99 and python3, prints eval's JSON. */
class CodegenCommandTest {
    @TempDir Path dir;

    /**
     * Every function and constant added for textbook calculus, and saturated σ and tanh whose
     * derivatives (σ′(40) ≈ 4.2e−18, tanh′(20) ≈ 1.7e−17) are scaled up into the gradient: every
     * language must keep the tail digits the interpreter keeps (the table's numeric column).
     */
    static final String FUNCTIONS = """
            input x = 0.3
            weight w1 = 0.7, w2 = -0.4, w3 = 1.5, w4 = 40
            a = tan(w1*x) + atan(w2) + asin(w1*x) + acos(w2*x) + sinh(w1) + cosh(w2) + asinh(w3) + acosh(w3 + 1) + atanh(w1*x)
            b = log2(w3) + log10(w3) + erf(w1 - w2) + max(w1, w2) + min(w1*x, w2) + pi*e^w1
            c = sigmoid(w4) + tanh(w4/2)
            loss L = a + b + 1e17*c
            """;

    @Test
    void newFunctionsAndSaturatedTailsInEveryLanguage() throws Exception {
        Path f = dir.resolve("functions.nn");
        Files.writeString(f, FUNCTIONS);
        for (String lang : List.of("java", "c", "python")) {
            assertSameAsEval(f, lang);
        }
        // 1e17·(σ′(40) + tanh′(20)/2), references from mpmath at 50 digits
        double dw4 = (Double) EvalCheckCommandTest.gradient(TestJson.object(Cli.run("eval", f.toString(), "--json").out())).get("w4");
        assertEquals(1e17 * (4.248354255291589e-18 + 0.5 * 1.6993417021166355e-17), dw4, 1e-13);
    }

    /** Names that are keywords, Hangul, the generated code's own parameter names, a helper's name. */
    static final String TRICKY = """
            function swish(z) = z*sigmoid(z)
            input class = 0.5, int = -0.25   // keywords of Java and C
            target lambda = 0.3              # a Python keyword
            weight 들1 = 0.2, _ = -0.4, cr_sigmoid = 0.7, d = 0.1, g = 0.3, v0_x = 0.5
            bias b = 0.1
            나 = swish(들1*class + _*int + b)
            h = tanh(cr_sigmoid*나) + relu(d - int) + leaky_relu(g*class) + softplus(v0_x) + abs(d*g)
            k = sin(d)*cos(g) + exp(-g^2) + log(1 + 나^2) + sqrt(1 + d^2) + 나^g + leaky_relu(-g, 0.2) + h/(1 + g)
            loss L = (lambda - h*k)^2
            """;

    @Test
    void mazurInEveryLanguage() throws Exception {
        for (String lang : List.of("java", "c", "python")) {
            assertSameAsEval(Path.of("examples/mazur.nn"), lang);
            assertSameAsEval(Path.of("examples/mazur-vector.nn"), lang); // element names such as W1[1,2] mapped
        }
    }

    /** softmax and log_softmax reach every language through the cr_* helpers; stable at ±800 too. */
    @Test
    void softmaxInEveryLanguage() throws Exception {
        Path at800 = dir.resolve("at800.nn");
        Files.writeString(at800, SoftmaxNetworkTest.AT_800);
        // sin(a)/a may meet a removable singularity (a = 0), whose limit fallbacks only the
        // straight-line code has: this copy is generated unrolled, with the cr_* helpers
        Path at800Unrolled = dir.resolve("at800-unrolled.nn");
        Files.writeString(at800Unrolled, SoftmaxNetworkTest.AT_800.replace("+ sum(p*x)", "+ sum(p*x) + sin(a)/a"));
        // the constants pi and e are numbers in the loops' element bodies (issue 13)
        Path at800Constants = dir.resolve("at800-constants.nn");
        Files.writeString(at800Constants, SoftmaxNetworkTest.AT_800.replace("+ sum(p*x)", "+ sum(p*x) + pi*a - e^a"));
        Path logSoftmax = dir.resolve("log-softmax.nn");
        Files.writeString(logSoftmax, "input x[3] = [0.2, -1.5, 0.7]\ntarget y[3] = [0.1, 0.6, 0.3]\n"
                + "weight W[3,3] = [[0.5, -0.4, 0.1], [0.3, 0.9, -0.2], [0.0, 0.2, 0.6]]\n"
                + "o = log_softmax(W @ x)\nloss E = -sum(y*o) + mse(softmax(o), y)\n");
        for (String lang : List.of("java", "c", "python")) {
            String source = assertSameAsEval(Path.of("examples/softmax.nn"), lang);
            assertTrue(source.contains("with loops over arrays"), source); // written with layers
            assertFalse(source.contains("cr_softmax("), source);
            assertTrue(assertSameAsEval(at800, lang).contains("with loops over arrays"), lang); // x[1] is a loop op
            assertTrue(assertSameAsEval(at800Unrolled, lang).contains("cr_log_softmax("), lang);
            assertTrue(assertSameAsEval(at800Constants, lang).contains("with loops over arrays"), lang);
            assertSameAsEval(logSoftmax, lang);
        }
    }

    /** The stable forms of issue 12 (softplus for log∘sigmoid, BCE) give eval's tail values in every language. */
    @Test
    void saturatedTailsInEveryLanguage() throws Exception {
        Path f = dir.resolve("tails.nn");
        Files.writeString(f, "input x[4] = [1, -1, 0.05, -0.05]\ntarget y[4] = [0, 1, 1, 0]\nweight w = 800\n"
                + "loss E = bce_with_logits(w*x, y) + binary_cross_entropy(sigmoid(w*x), y) - sum(log(sigmoid(w*x)))"
                + " + log(1 + exp(w)) + tanh(w/40)\n");
        for (String lang : List.of("java", "c", "python")) {
            String source = assertSameAsEval(f, lang);
            assertTrue(source.contains("cr_softplus("), source);
        }
    }

    /**
     * Logs of a named sigmoid layer and of a named softmax's elements, saturated (z = ±40, ±800):
     * loops in every language, computed from the pre-activation as eval computes them
     * (StableLogLoopsTest checks eval's numbers against mpmath), finite where 1 - p is 0.
     */
    @Test
    void logsOfNamedSigmoidsAndSoftmaxesAsLoopsInEveryLanguage() throws Exception {
        Path f = dir.resolve("named-logs.nn");
        Files.writeString(f, """
                input x[4] = [40, -40, 800, -800]
                target y[4] = [0, 1, 1, 0]
                weight w = 1
                p = sigmoid(w*x)
                s = softmax(w*x)
                loss E = binary_cross_entropy(p, y) - sum(log(1 - p)*y) - log(p[2]) - log(s[4]) - log(s[1])
                """);
        for (String lang : List.of("java", "c", "python")) {
            String source = assertSameAsEval(f, lang);
            assertTrue(source.contains("with loops over arrays"), source);
        }
        Map<String, Object> eval = TestJson.object(Cli.run("eval", f.toString(), "--json").out());
        assertTrue(Double.isFinite(EvalCheckCommandTest.lossValue(eval)), eval.toString());
    }

    @Test
    void trickyNamesInEveryLanguage() throws Exception {
        Path f = dir.resolve("tricky.nn");
        Files.writeString(f, TRICKY);
        for (String lang : List.of("java", "c", "python")) {
            String source = assertSameAsEval(f, lang);
            assertFalse(source.contains("들"), "non-ASCII must not reach the source: " + lang);
            assertFalse(source.matches("(?s).*double class\\b.*"), source);
        }
    }

    private String assertSameAsEval(Path nn, String lang) throws Exception {
        Cli gen = Cli.run("codegen", nn.toString(), "--lang", lang, "--main");
        assertEquals(0, gen.status(), gen.err());
        Path work = Files.createDirectories(dir.resolve(lang + "-" + nn.getFileName()));
        String output = switch (lang) {
            case "java" -> {
                Path src = work.resolve("ChainruleGradient.java");
                Files.writeString(src, gen.out());
                Javac.compile(work, "-encoding", "US-ASCII", "-Xlint:all", "-Werror", src.toString());
                yield run(work, "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", work.toString(), "ChainruleGradient");
            }
            case "c" -> {
                Path src = work.resolve("gradient.c");
                Files.writeString(src, gen.out());
                run(work, "gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o", work.resolve("gradient").toString(), src.toString(), "-lm");
                yield run(work, work.resolve("gradient").toString());
            }
            default -> {
                Path src = work.resolve("gradient.py");
                Files.writeString(src, gen.out());
                yield run(work, "python3", src.toString());
            }
        };
        String evalJson = Cli.run("eval", nn.toString(), "--json").out();
        Map<String, Object> expected = TestJson.object(evalJson);
        Map<String, Object> actual = TestJson.object(output);
        if (expected.equals(actual)) {
            // the same numbers: then the same text too, as CLI.md says (`1` not `1.0`, shortest digits)
            assertEquals(evalJson.strip(), output.strip(), lang + ": the same JSON as eval --json");
        }
        assertEquals(((Map<?, ?>) expected.get("loss")).get("name"), ((Map<?, ?>) actual.get("loss")).get("name"));
        close(EvalCheckCommandTest.lossValue(expected), EvalCheckCommandTest.lossValue(actual), lang + " loss");
        Map<String, Object> eg = EvalCheckCommandTest.gradient(expected);
        Map<String, Object> ag = EvalCheckCommandTest.gradient(actual);
        assertEquals(eg.keySet().stream().toList(), ag.keySet().stream().toList());
        for (String k : eg.keySet()) {
            close((Double) eg.get(k), (Double) ag.get(k), lang + " " + k);
        }
        return gen.out();
    }

    private static void close(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.max(Math.abs(expected), Math.abs(actual)),
                what + ": eval gives " + expected + ", generated code " + actual);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    /**
     * The spec's 784-128-10 softmax network (101,770 parameters): loops from the layer program,
     * each language's function under 50 KB (the unrolled code was 18 MB), and with {@code --main}
     * (which carries the 102,564 declared values as data) each compiles, runs and prints eval's
     * numbers to 1e-12.
     */
    @Test
    void mnistSizeInEveryLanguageWithLoops() throws Exception {
        Path f = dir.resolve("mnist-softmax.nn");
        Files.writeString(f, MnistSizeTest.file().replace("o = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n",
                "p = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)\n"));
        assertTrue(Files.readString(f).contains("softmax"));
        for (String lang : List.of("java", "c", "python")) {
            Cli gen = Cli.run("codegen", f.toString(), "--lang", lang);
            assertEquals(0, gen.status(), gen.err());
            int bytes = gen.out().getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes < 50_000, lang + ": " + bytes + " bytes");
            assertSameAsEval(f, lang);
        }
    }

    /**
     * {@link #layered} written element by element, without a vector: nothing for the loops, so
     * codegen writes the straight-line code of the tape.
     */
    private static String unrolled(int inputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= inputs; i++) {
            sb.append("input x").append(i).append(" = 0.5\n");
        }
        for (int k = 1; k <= 10; k++) {
            sb.append("target y").append(k).append(" = 0.1\n");
        }
        for (int j = 1; j <= 32; j++) {
            StringBuilder in = new StringBuilder();
            for (int i = 1; i <= inputs; i++) {
                sb.append("weight W1_").append(j).append('_').append(i).append(" = 0.01\n");
                in.append("W1_").append(j).append('_').append(i).append("*x").append(i).append(" + ");
            }
            sb.append("bias b1_").append(j).append(" = 0.1\nh").append(j).append(" = relu(").append(in).append("b1_").append(j).append(")\n");
        }
        StringBuilder loss = new StringBuilder();
        for (int k = 1; k <= 10; k++) {
            StringBuilder in = new StringBuilder();
            for (int j = 1; j <= 32; j++) {
                sb.append("weight W2_").append(k).append('_').append(j).append(" = 0.02\n");
                in.append("W2_").append(k).append('_').append(j).append("*h").append(j).append(" + ");
            }
            sb.append("bias b2_").append(k).append(" = 0.2\no").append(k).append(" = sigmoid(").append(in).append("b2_").append(k).append(")\n");
            loss.append(k == 1 ? "" : " + ").append("0.5*(y").append(k).append(" - o").append(k).append(")^2");
        }
        return sb.append("loss L = ").append(loss).append('\n').toString();
    }

    /** A relu/sigmoid network with {@code inputs} inputs and 32 hidden units: its Java function grows with the inputs. */
    private static String layered(int inputs) {
        return "input x[" + inputs + "] = 0.5\ntarget y[10] = 0.1\nweight W1[32," + inputs + "] = 0.01, W2[10,32] = 0.02\n"
                + "bias b1[32] = 0.1, b2[10] = 0.2\nh = relu(W1 @ x + b1)\no = sigmoid(W2 @ h + b2)\nloss L = sum(0.5*(y - o)^2)\n";
    }

    private static boolean fitsJava(int inputs) throws chainrule.diag.DiagnosticException {
        var tape = chainrule.compile.Tape.of(chainrule.model.Analyzer.analyze(new chainrule.diag.Source("n.nn", unrolled(inputs))));
        return chainrule.codegen.SourceGenerator.statements(tape) <= chainrule.codegen.SourceGenerator.JAVA_MAX_STATEMENTS;
    }

    /**
     * javac refuses a method over 64 KB of bytecode, so a Java function past the statement limit is
     * refused with advice (C and Python have no such limit), and the largest network under the
     * limit still compiles: the limit is below javac's. Written with layers, the same network is
     * loops and has no limit.
     */
    @Test
    void javaPastTheMethodLimitIsRefusedAndTheLargestUnderItCompiles() throws Exception {
        // the statement count grows with the inputs, so the largest n under the limit is found by bisection
        int largest = 10;
        int over = 121;
        assertTrue(fitsJava(largest) && !fitsJava(over));
        while (over - largest > 1) {
            int mid = (largest + over) / 2;
            if (fitsJava(mid)) {
                largest = mid;
            } else {
                over = mid;
            }
        }
        assertTrue(largest >= 20 && largest < 120, "largest network under the limit: " + largest);
        Path big = dir.resolve("big.nn");
        Files.writeString(big, unrolled(largest + 1));
        Cli refused = Cli.run("codegen", big.toString(), "--lang", "java");
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("more than javac compiles into one method") && refused.err().contains("--lang c"),
                refused.err());
        assertEquals("", refused.out());
        assertEquals(0, Cli.run("codegen", big.toString(), "--lang", "c").status());
        Path fits = dir.resolve("fits.nn");
        Files.writeString(fits, unrolled(largest));
        assertSameAsEval(fits, "java");
        Path loops = dir.resolve("loops.nn");
        Files.writeString(loops, layered(largest + 1));
        assertTrue(assertSameAsEval(loops, "java").contains("with loops over arrays"));
    }

    /**
     * Where Java gives an infinity (1/0, 0^-2) the Python and C programs must not fail either: all
     * three print L = inf and ∂L/∂w = 1/x + x^-2 + 1 = inf (JSON null). {@code eval} refuses to print
     * them and points at the division instead.
     */
    @Test
    void divisionByZeroGivesTheSameNonFiniteResultEverywhere() throws Exception {
        Path f = dir.resolve("zero.nn");
        Files.writeString(f, "input x = 0\nweight w = 1\nloss L = w/x + w*x^-2 + w\n");
        Cli eval = Cli.run("eval", f.toString(), "--json");
        assertEquals(1, eval.status());
        assertTrue(eval.err().startsWith(f + ":3:6: error: 'L' is inf: division by 0"), eval.err());
        Map<String, Object> expected = TestJson.object("{\"loss\": {\"name\": \"L\", \"value\": null}, \"gradient\": {\"w\": null}}");
        for (String lang : List.of("java", "c", "python")) {
            Cli gen = Cli.run("codegen", f.toString(), "--lang", lang, "--main");
            Path work = Files.createDirectories(dir.resolve("zero-" + lang));
            String out = switch (lang) {
                case "java" -> {
                    Files.writeString(work.resolve("ChainruleGradient.java"), gen.out());
                    Javac.compile(work, "ChainruleGradient.java");
                    yield run(work, "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", work.toString(), "ChainruleGradient");
                }
                case "c" -> {
                    Files.writeString(work.resolve("g.c"), gen.out());
                    run(work, "gcc", "-std=c99", "-o", "g", "g.c", "-lm");
                    yield run(work, work.resolve("g").toString());
                }
                default -> {
                    Files.writeString(work.resolve("g.py"), gen.out());
                    yield run(work, "python3", "g.py");
                }
            };
            assertEquals(expected, TestJson.object(out), lang);
        }
    }
}
