package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Evaluator;
import chainrule.expr.Exprs;
import chainrule.expr.Sym;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quotient is a true division ({@code expr.QuotientEntry}): {@code a/b} is the correctly
 * rounded quotient, as PyTorch's and NumPy's, and finite wherever it is (a divisor below
 * 5.6e-309 no longer overflows through 1/b); {@code ∂(c·a/b)/∂b} is computed as
 * {@code -(c·a)/b/b}, never through {@code (1/b)²}. Checked on pairs drawn over the whole range of
 * doubles — subnormal, tiny, ordinary and huge — against exact references ({@link BigDecimal}),
 * and in every evaluator, bit for bit: the interpreter ({@code grad --json}), the layer program's
 * loops and the tape ({@code eval --json} of a file with vectors and of one without), and the
 * generated Java, C and Python ({@code codegen --main}, of both files).
 */
class QuotientNumericsTest {
    private static final MathContext EXACT = new MathContext(80);

    /** One term {@code c·(a/b)} of the loss: its gradient is a/b, c/b and -c·a/b². */
    record Term(double a, double b, double c) {}

    /**
     * Pairs drawn so that a/b, c/b and c·a/b² are well inside the doubles and c·a and c·a/b do not
     * overflow; a third of the divisors subnormal, a third of the numerators.
     */
    static List<Term> terms(int n, long seed) {
        Random r = new Random(seed);
        List<Term> out = new ArrayList<>();
        out.add(new Term(1e-300, 1e-160, 1.0)); // -a/b²: 1/b² overflows, -(a/b)/b is -1e20
        out.add(new Term(3.0, 7.0, 1.0)); // an ordinary quotient that a·(1/b) rounds differently
        while (out.size() < n) {
            double b = out.size() % 3 == 0 ? draw(r, -323, -309) : draw(r, -300, 300);
            double a = out.size() % 3 == 1 ? draw(r, -323, -309) : draw(r, -300, 300);
            double c = draw(r, -300, 300);
            BigDecimal numerator = exact(c).multiply(exact(a));
            boolean fits = Math.abs(numerator.doubleValue()) < 1e290 // the numerator is computed first: it must not overflow
                    && Math.abs(numerator.divide(exact(b), EXACT).doubleValue()) < 1e290; // nor the loss's term
            if (fits && inRange(quotient(a, b)) && inRange(quotient(c, b)) && inRange(numerator.divide(exact(b), EXACT).divide(exact(b), EXACT))) {
                out.add(new Term(a, b, c));
            }
        }
        return out;
    }

    /** ±10^u for u uniform in [lo, hi] (subnormal below -308), with random low bits. */
    private static double draw(Random r, int lo, int hi) {
        double v = Math.pow(10, lo + r.nextDouble() * (hi - lo));
        if (v >= Double.MIN_NORMAL) {
            v = Double.longBitsToDouble(Double.doubleToLongBits(v) ^ (r.nextLong() & 0xFFFFF));
        }
        return r.nextBoolean() ? v : -v;
    }

    private static BigDecimal exact(double v) { return new BigDecimal(v); }

    private static BigDecimal quotient(double a, double b) { return exact(a).divide(exact(b), EXACT); }

    /** Well inside the normal doubles: no reference rounds to 0, a subnormal or an infinity. */
    private static boolean inRange(BigDecimal x) {
        double v = Math.abs(x.doubleValue());
        return v > 1e-290 && v < 1e290;
    }

    /** The file with vectors (the layer program's loops) and the one without (the tape), with the same numbers. */
    static String vectorFile(List<Term> terms) {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        StringBuilder c = new StringBuilder();
        for (Term t : terms) {
            a.append(a.length() == 0 ? "" : ", ").append(t.a());
            b.append(b.length() == 0 ? "" : ", ").append(t.b());
            c.append(c.length() == 0 ? "" : ", ").append(t.c());
        }
        int n = terms.size();
        return "weight a[" + n + "] = [" + a + "]\nweight b[" + n + "] = [" + b + "]\nweight c[" + n + "] = [" + c + "]\n"
                + "loss L = sum(c * (a / b))\n";
    }

    static String scalarFile(List<Term> terms) {
        StringBuilder s = new StringBuilder();
        StringBuilder loss = new StringBuilder("loss L = ");
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            int k = i + 1;
            s.append("weight a").append(k).append(" = ").append(t.a()).append('\n');
            s.append("weight b").append(k).append(" = ").append(t.b()).append('\n');
            s.append("weight c").append(k).append(" = ").append(t.c()).append('\n');
            loss.append(i == 0 ? "" : " + ").append("c").append(k).append("*(a").append(k).append("/b").append(k).append(")");
        }
        return s.append(loss).append('\n').toString();
    }

    /** The names of term i's three gradient entries in {@code file}: a, b, c. */
    private static List<String> names(boolean vector, int i) {
        int k = i + 1;
        return vector ? List.of("a[" + k + "]", "b[" + k + "]", "c[" + k + "]") : List.of("a" + k, "b" + k, "c" + k);
    }

    @Test
    void quotientsAreCorrectlyRoundedAndEveryEvaluatorAgrees(@TempDir Path dir) throws Exception {
        List<Term> terms = terms(24, 20261130L);
        for (boolean vector : new boolean[] {true, false}) {
            String text = vector ? vectorFile(terms) : scalarFile(terms);
            Path file = dir.resolve(vector ? "vector.nn" : "scalar.nn");
            Files.writeString(file, text);
            Map<String, Map<String, Double>> byEvaluator = new LinkedHashMap<>();
            byEvaluator.put("eval (" + (vector ? "loops" : "tape") + ")", gradient(cli("eval", file.toString(), "--json")));
            byEvaluator.put("grad (the interpreter)", gradient(cli("grad", file.toString(), "--json")));
            for (String lang : List.of("java", "c", "python")) {
                Path sub = Files.createDirectories(dir.resolve(lang + (vector ? "-vector" : "-scalar")));
                String source = GeneratedPrograms.codegen(file, lang, GeneratedPrograms.javaClass(0));
                List<GeneratedPrograms.Printed> printed = GeneratedPrograms.run(lang, sub, List.of(source));
                byEvaluator.put("generated " + lang, printed.get(0).gradient());
            }
            Map<String, Double> reference = byEvaluator.get("eval (" + (vector ? "loops" : "tape") + ")");
            for (Map.Entry<String, Map<String, Double>> e : byEvaluator.entrySet()) {
                assertEquals(reference, e.getValue(), (vector ? "vector" : "scalar") + " file: " + e.getKey()
                        + " against eval, bit for bit");
            }
            for (int i = 0; i < terms.size(); i++) {
                Term t = terms.get(i);
                List<String> n = names(vector, i);
                String what = t + " in the " + (vector ? "vector" : "scalar") + " file";
                // ∂/∂c = a/b and ∂/∂a = c/b: one division, correctly rounded
                assertEquals(quotient(t.a(), t.b()).doubleValue(), reference.get(n.get(2)), "a/b of " + what);
                assertEquals(quotient(t.c(), t.b()).doubleValue(), reference.get(n.get(0)), "c/b of " + what);
                // ∂/∂b = -c·a/b², computed as -(c·a)/b/b: finite, and within 2 ulps (three roundings)
                // where c·a is a normal double (numerator first: docs/design.md, "Quotients")
                double db = reference.get(n.get(1));
                assertTrue(Double.isFinite(db), "∂/∂b finite for " + what + ": " + db);
                if (Math.abs(t.c() * t.a()) >= Double.MIN_NORMAL) {
                    double expected = exact(t.c()).multiply(exact(t.a())).negate()
                            .divide(exact(t.b()).multiply(exact(t.b())), EXACT).doubleValue();
                    assertTrue(Math.abs(db - expected) <= 2 * Math.ulp(expected),
                            "-c·a/b² of " + what + ": " + db + ", exactly " + expected);
                }
            }
        }
    }

    /** The interpreter's quotient alone, on many more pairs: correctly rounded, never through 1/b. */
    @Test
    void theInterpreterDividesOnce() {
        Sym a = Exprs.local("a");
        Sym b = Exprs.local("b");
        chainrule.expr.Expr q = Exprs.div(a, b);
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            double x = draw(r, -323, 308);
            double y = draw(r, -323, 308);
            double expected = quotient(x, y).doubleValue();
            double got = Evaluator.evaluate(q, s -> s == a ? x : y);
            assertEquals(expected, got, x + "/" + y);
        }
    }

    /** The repros: a quotient finite while its divisor's reciprocal is not. */
    @Test
    void aTinyDivisorDoesNotOverflow(@TempDir Path dir) throws Exception {
        Path quotient = dir.resolve("div.nn");
        Files.writeString(quotient, "input v = 1e-310\nweight w = 1\nloss L = (w*1e-300)/v\n");
        Map<String, Double> g = gradient(cli("eval", quotient.toString(), "--json"));
        double expected = exact(1e-300).divide(exact(1e-310), EXACT).doubleValue();
        assertEquals(expected, g.get("w"), "∂L/∂w = 1e-300/v");
        // w/v with both weights: L = 2e10 is finite now; ∂L/∂w = 1/v = 1e310 is not, and is refused as such
        Path both = dir.resolve("both.nn");
        Files.writeString(both, "weight w = 2e-300\nweight v = 1e-310\nloss L = w/v\n");
        Result r = run("eval", both.toString(), "--json");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("the derivative of 'L' with respect to 'w' is inf"), r.err());
        assertTrue(!r.err().contains("'L' is inf"), r.err());
    }

    /** Division by an exact 0 is still undefined, with the same message in every command (../shared/cases/README.md). */
    @Test
    void divisionByZeroIsStillRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("zero.nn");
        Files.writeString(f, "weight x = 0.5\nweight y = 0\nloss L = x/y\n");
        for (String command : List.of("eval", "grad")) {
            Result r = run(command, f.toString());
            assertEquals(1, r.status(), command + ": " + r.out());
            assertTrue(r.err().contains("'L' is inf: division by 0 in 1/y"), command + ": " + r.err());
        }
    }

    private record Result(int status, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String cli(String... args) {
        Result r = run(args);
        assertEquals(0, r.status(), String.join(" ", args) + ":\n" + r.err());
        return r.out();
    }

    private static final Pattern GRADIENT = Pattern.compile("\"gradient\": \\{([^}]*)\\}");
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]*)\": ([^,\"]*)(?:, |$)");

    /** The gradient object of eval's (or grad's) JSON. */
    private static Map<String, Double> gradient(String json) {
        Matcher m = GRADIENT.matcher(json);
        assertTrue(m.find(), "no gradient in " + json);
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(m.group(1));
        while (e.find()) {
            out.put(e.group(1), e.group(2).equals("null") ? Double.NaN : Double.parseDouble(e.group(2)));
        }
        return out;
    }
}
