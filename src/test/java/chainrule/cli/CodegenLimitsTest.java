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
 * Removable singularities in generated code (issue 12, docs/hardening.md): the code generated for
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
            Map<String, Object> got = EvalCheckCommandTest.gradient(TestJson.object(runGenerated(name, lang, gen.out())));
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

    static void close(double expected, double actual, String what) {
        assertTrue(expected == actual || Math.abs(expected - actual) <= 1e-12 * Math.max(Math.abs(expected), Math.abs(actual)),
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
