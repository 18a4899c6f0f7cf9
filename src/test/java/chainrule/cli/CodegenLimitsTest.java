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

/**
 * Numerics at the edges in generated code (issue 12, docs/hardening.md). Saturated tails: every
 * producer (interpreter, compiled tape and loops, generated Java/C/Python, straight-line and loops)
 * gives the tail derivatives of σ, tanh, softplus, log∘σ and BCE at ±40 and ±800, against formulas
 * evaluated here. A named softmax vertex inside a log keeps its digits where an element is
 * subnormal. Removable singularities: the code generated for
 * Java, C and Python, compiled and run, gives the limit the interpreter gives (hand-derived
 * values: L = r^2 = x^2 + y^2, L = u^2 = w, L = w + c·|w|), and at ordinary points the same
 * numbers as before (the hand-written gradient). A file written with layers that needs a limit is
 * generated straight-line, so its loops do not give nan.
 */
class CodegenLimitsTest {
    @TempDir Path dir;

    private static final List<String> LANGS = List.of("java", "c", "python");

    @Test
    void distanceSquaredAtTheOriginIsZero() throws Exception {
        String f = "weight x = %s\nweight y = %s\nr = sqrt(x^2 + y^2)\nloss L = r^2\n";
        check("r0", String.format(f, "0", "0"), Map.of("x", 0.0, "y", 0.0));
        check("r1", String.format(f, "0.3", "-0.4"), Map.of("x", 0.6, "y", -0.8)); // 2x, 2y
        check("r2", String.format(f, "0", "1.5"), Map.of("x", 0.0, "y", 3.0));
    }

    @Test
    void squareOfASquareRootAtZeroIsOne() throws Exception {
        String f = "weight w = %s\nu = sqrt(w)\nloss L = u^2\n";
        check("u0", String.format(f, "0"), Map.of("w", 1.0));
        check("u1", String.format(f, "2.5"), Map.of("w", 1.0));
    }

    @Test
    void aZeroConstantTimesAnInfiniteDerivativeIsZero() throws Exception {
        String f = "const c = %s\nweight w = %s\nloss L = w + c*sqrt(w*w)\n";
        check("c0", String.format(f, "0", "0"), Map.of("w", 1.0));
        check("c1", String.format(f, "0.5", "-2"), Map.of("w", 0.5)); // 1 + c·sign(w)
        check("c2", String.format(f, "0", "3"), Map.of("w", 1.0));
    }

    /**
     * The singularity through a named intermediate (issue #12): δ(r) = 2·r + 6·r² is exactly 0 at
     * r = 0 and sqrt′ infinite there; the limit is δ(x) = x·(2 + 6·r) = 0 (hand-derived), in eval,
     * grad, check and the generated code, as with the inline r^2.
     */
    @Test
    void aSingularityThroughANamedIntermediateIsRemovable() throws Exception {
        String f = "weight x = %s, y = %s\nr = sqrt(x^2 + y^2)\ns = r*r\nloss L = s + 2*r^3\n";
        check("n0", String.format(f, "0", "0"), Map.of("x", 0.0, "y", 0.0));
        check("n1", String.format(f, "0.3", "-0.4"), Map.of("x", 1.5, "y", -2.0)); // r = 0.5: x·5, y·5
        Path nn = dir.resolve("n0.nn");
        for (String command : List.of("grad", "check")) {
            Cli c = Cli.run(command, nn.toString(), "--json");
            assertEquals(0, c.status(), command + ": " + c.err());
        }
        Map<String, Object> grad = EvalCheckCommandTest.gradient(TestJson.object(Cli.run("grad", nn.toString(), "--json").out()));
        assertEquals(0.0, (Double) grad.get("x"), 0.0);
        assertEquals(0.0, (Double) grad.get("y"), 0.0);
    }

    /** The loops would give nan at w[1] = 0; the file is small, so it is generated straight-line with its limits. */
    @Test
    void aLayeredFileThatNeedsALimitIsUnrolled() throws Exception {
        String source = check("v", "weight w[3] = [0, 0.25, 4]\nu = sqrt(w)\nloss L = sum(u^2)\n",
                Map.of("w[1]", 1.0, "w[2]", 1.0, "w[3]", 1.0));
        assertFalse(source.contains("with loops over arrays"), source);
    }

    /** No fallback where no factor divides: a sigmoid network keeps the tape's code alone. */
    @Test
    void noFallbackWhereNothingDivides() throws Exception {
        Cli gen = Cli.run("codegen", "examples/mazur.nn", "--lang", "c");
        assertEquals(0, gen.status(), gen.err());
        assertFalse(gen.out().contains("isfinite"), gen.out());
    }

    private static double sigma(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** The derivative of each composition at w, from closed forms that keep their digits. */
    private static final Map<String, java.util.function.DoubleUnaryOperator> TAIL_DERIVATIVES = Map.of(
            "a", w -> sigma(w) * sigma(-w),              // sigmoid
            "b", w -> 1 / (Math.cosh(w) * Math.cosh(w)), // tanh
            "c", w -> sigma(w),                          // softplus
            "d", w -> sigma(-w),                         // log(sigmoid(w)) = -softplus(-w)
            "e", w -> -sigma(-w),                        // bce_with_logits(w, 1) = softplus(w) - w
            "f", w -> sigma(w));                         // binary_cross_entropy(sigmoid(w), 0) = softplus(w)

    private static final double[] TAIL_POINTS = {40, -40, 800, -800};
    private static final double[] TANH_POINTS = {20, -20, 800, -800};

    /** Scalar weights (straight-line code) and vectors (loops), the same compositions. */
    @Test
    void saturatedTailsInEveryProducer() throws Exception {
        StringBuilder scalar = new StringBuilder();
        StringBuilder terms = new StringBuilder();
        Map<String, Double> expected = new java.util.TreeMap<>();
        Map<String, Double> expectedVector = new java.util.TreeMap<>();
        String[] forms = {"sigmoid(%s)", "tanh(%s)", "softplus(%s)", "log(sigmoid(%s))", "bce_with_logits(%s, 1)",
            "binary_cross_entropy(sigmoid(%s), 0)"};
        String[] names = {"a", "b", "c", "d", "e", "f"};
        for (int k = 0; k < names.length; k++) {
            double[] points = names[k].equals("b") ? TANH_POINTS : TAIL_POINTS;
            scalar.append("weight ");
            for (int i = 0; i < points.length; i++) {
                String w = names[k] + (i + 1);
                scalar.append(i == 0 ? "" : ", ").append(w).append(" = ").append(points[i]);
                terms.append(terms.length() == 0 ? "" : " + ").append(String.format(forms[k], w));
                double d = TAIL_DERIVATIVES.get(names[k]).applyAsDouble(points[i]);
                expected.put(w, d);
                expectedVector.put(names[k] + "[" + (i + 1) + "]", d);
            }
            scalar.append('\n');
        }
        check("tails", scalar + "loss L = " + terms + "\n", expected);
        StringBuilder vector = new StringBuilder();
        for (String n : names) {
            double[] p = n.equals("b") ? TANH_POINTS : TAIL_POINTS;
            vector.append("weight ").append(n).append("[4] = [").append(p[0]).append(", ").append(p[1]).append(", ")
                    .append(p[2]).append(", ").append(p[3]).append("]\n");
        }
        vector.append("target one[4] = [1, 1, 1, 1]\ntarget zero[4] = [0, 0, 0, 0]\n");
        vector.append("loss L = sum(sigmoid(a)) + sum(tanh(b)) + sum(softplus(c)) + sum(log(sigmoid(d)))"
                + " + 4*bce_with_logits(e, one) + 4*binary_cross_entropy(sigmoid(f), zero)\n");
        String source = check("tails-loops", vector.toString(), expectedVector);
        assertTrue(source.contains("with loops over arrays"), source);
    }

    /**
     * p = softmax([0, -w]) with target [0, 1]: L = -log p[2] = w + log1p(e^-w), ∂L/∂w = σ(w). For
     * w past 708, p[2] is subnormal and has lost digits: log p[2] computed from it was off by up to
     * 1e-3 (740.2969… for 740.3), silently; now it is log_softmax, written out with indexing (the
     * tape), with a vector log (loops) or through cross_entropy (loops).
     */
    @Test
    void aNamedSoftmaxInsideALogKeepsItsDigits() throws Exception {
        String head = "input x[2] = [0, -1]\ntarget y[2] = [0, 1]\nweight w = %s\np = softmax(w*x)\n";
        String[] losses = {"loss L = -y[1]*log(p[1]) - y[2]*log(p[2])\n", "loss L = -sum(y*log(p))\n",
            "loss L = cross_entropy(p, y)\n"};
        for (double w : new double[] {5, 36.7, 709.5, 720.25, 740.3}) {
            double loss = w + Math.log1p(Math.exp(-w));
            for (int k = 0; k < losses.length; k++) {
                String name = "softmax" + k + "-" + (int) w;
                check(name, String.format(head, w) + losses[k], Map.of("w", sigma(w)));
                Map<String, Object> eval = TestJson.object(Cli.run("eval", dir.resolve(name + ".nn").toString(), "--json").out());
                close(loss, EvalCheckCommandTest.lossValue(eval), name + " loss");
            }
        }
    }

    /**
     * Generates {@code text} in every language, compiles and runs it, and compares the gradient
     * with {@code expected} and with {@code eval} (the interpreter's limit), within 1e-12.
     */
    private String check(String name, String text, Map<String, Double> expected) throws Exception {
        Path nn = dir.resolve(name + ".nn");
        Files.writeString(nn, text);
        Cli eval = Cli.run("eval", nn.toString(), "--json");
        assertEquals(0, eval.status(), eval.err());
        Map<String, Object> fromEval = EvalCheckCommandTest.gradient(TestJson.object(eval.out()));
        String last = null;
        for (String lang : LANGS) {
            Cli gen = Cli.run("codegen", nn.toString(), "--lang", lang, "--main");
            assertEquals(0, gen.status(), gen.err());
            last = gen.out();
            Map<String, Object> json = TestJson.object(runGenerated(name, lang, gen.out()));
            close(EvalCheckCommandTest.lossValue(TestJson.object(eval.out())), EvalCheckCommandTest.lossValue(json), name + " " + lang + " loss vs eval");
            Map<String, Object> got = EvalCheckCommandTest.gradient(json);
            assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(got.keySet()), lang);
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                Object g = got.get(e.getKey());
                assertTrue(g instanceof Double, name + " " + lang + " " + e.getKey() + ": " + g + "\n" + gen.out());
                close(e.getValue(), (Double) g, name + " " + lang + " " + e.getKey());
                close((Double) fromEval.get(e.getKey()), (Double) g, name + " " + lang + " vs eval " + e.getKey());
            }
        }
        return last;
    }

    private String runGenerated(String name, String lang, String source) throws Exception {
        Path work = Files.createDirectories(dir.resolve(name + "-" + lang));
        return switch (lang) {
            case "java" -> {
                Path src = work.resolve("ChainruleGradient.java");
                Files.writeString(src, source);
                Javac.compile(work, "-encoding", "US-ASCII", "-Xlint:all", "-Werror", src.toString());
                yield run(work, "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", work.toString(), "ChainruleGradient");
            }
            case "c" -> {
                Path src = work.resolve("gradient.c");
                Files.writeString(src, source);
                run(work, "gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o", work.resolve("gradient").toString(), src.toString(), "-lm");
                yield run(work, work.resolve("gradient").toString());
            }
            default -> {
                Path src = work.resolve("gradient.py");
                Files.writeString(src, source);
                yield run(work, "python3", src.toString());
            }
        };
    }

    /** Within 1e-13 relative; values below the smallest normal double count as equal to each other. */
    static void close(double expected, double actual, String what) {
        boolean tiny = Math.abs(expected) < Double.MIN_NORMAL && Math.abs(actual) < Double.MIN_NORMAL;
        assertTrue(tiny || Math.abs(expected - actual) <= 1e-13 * Math.max(Math.abs(expected), Math.abs(actual)),
                what + ": expected " + expected + ", got " + actual);
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
