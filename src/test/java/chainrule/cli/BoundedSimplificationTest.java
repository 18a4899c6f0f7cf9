package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Sym;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Symbols;
import chainrule.model.Vertex;
import chainrule.simplify.Rules;
import chainrule.simplify.Simplifier;
import chainrule.simplify.Simplifier.Limits;
import chainrule.simplify.Simplifier.Result;
import chainrule.simplify.Simplifier.StopReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Simplification is bounded by work, never by time (issue 13, item 6), on the case that used to
 * hit the wall-clock budget edge after edge: {@code slow-grad-variance.nn}, three sample variances
 * each scaled by a weight. Every assertion is on results and work counters, none on wall time.
 */
class BoundedSimplificationTest {
    static final Path CASE = Path.of("src/test/resources/cases/slow-grad-variance.nn");

    /** Every local partial of every definition: what the path graph simplifies, edge by edge. */
    static List<Expr> edgeFactors() throws Exception {
        Network n = Analyzer.analyze(new Source(CASE.toString(), Files.readString(CASE)));
        List<Expr> out = new java.util.ArrayList<>();
        for (Vertex v : n.definitions()) {
            Map<Sym, Expr> partials = Differentiator.gradient(v.definition(), new HashSet<>(Symbols.free(v.definition())));
            out.addAll(partials.values());
        }
        return out;
    }

    @Test void everyEdgeFactorSaturatesWellInsideTheWorkBudget() throws Exception {
        List<Expr> factors = edgeFactors();
        assertTrue(factors.size() >= 108, "one factor per parameter at least");
        long total = 0;
        for (Expr e : factors) {
            Result r = new Simplifier(Rules.ALL, Limits.DEFAULT).run(e);
            assertEquals(StopReason.SATURATED, r.reason(), () -> "stopped early on " + e);
            // An edge of the variance (a 36-term linear form times a weight, or the sum of 35 such
            // squares) costs under 20,000 units; the default budget is 200,000: far from deciding
            // any printed form.
            assertTrue(r.work() < 20_000, () -> r.work() + " units for " + e);
            total += r.work();
        }
        assertTrue(total < 1_500_000, "all edges together: " + total);
    }

    @Test void theResultDoesNotDependOnTheBudget() throws Exception {
        for (Expr e : edgeFactors()) {
            Result normal = new Simplifier(Rules.ALL, Limits.DEFAULT).run(e);
            for (double scale : new double[] {0.1, 1, 10}) {
                Result scaled = new Simplifier(Rules.ALL, Limits.DEFAULT.scaledWork(scale)).run(e);
                assertSame(normal.expr(), scaled.expr(), "budget x" + scale);
                assertEquals(normal.work(), scaled.work(), "the work spent is a function of the input alone");
            }
        }
    }

    /**
     * grad --json against the gradient written by hand: with m_i the mean and V_i the sample
     * variance of x_i, L = s·Σ S[i]·V_i, so ∂L/∂x_i[k] = s·S[i]·2(x_i[k] − m_i)/34,
     * ∂L/∂S[i] = s·V_i and ∂L/∂s = Σ S[i]·V_i.
     */
    @Test void gradJsonMatchesTheHandWrittenGradient() throws Exception {
        Cli r = Cli.run("grad", "--json", CASE.toString());
        assertEquals(0, r.status(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = (Map<String, Object>) TestJson.object(r.out()).get("gradient");
        Map<String, double[]> x = declaredVectors();
        double[] scale = x.get("S");
        double s = 1;
        double loss = 0;
        for (int i = 1; i <= 3; i++) {
            double[] xi = x.get("x" + i);
            double mean = Stream.of(box(xi)).mapToDouble(Double::doubleValue).average().orElseThrow();
            double var = 0;
            for (double v : xi) {
                var += (v - mean) * (v - mean) / 34.0;
            }
            loss += scale[i - 1] * var;
            assertEquals(s * var, (Double) gradient.get("S[" + i + "]"), 1e-12);
            for (int k = 0; k < xi.length; k++) {
                double expected = s * scale[i - 1] * 2 * (xi[k] - mean) / 34.0;
                assertEquals(expected, (Double) gradient.get("x" + i + "[" + (k + 1) + "]"), 1e-12);
            }
        }
        assertEquals(loss, (Double) gradient.get("s"), 1e-12);
        assertEquals(108 + 1, gradient.size());
    }

    /** The vectors the case file declares, read from its text (not through chainrule). */
    private static Map<String, double[]> declaredVectors() throws IOException {
        Map<String, double[]> out = new java.util.HashMap<>();
        for (String line : Files.readAllLines(CASE)) {
            var m = java.util.regex.Pattern.compile("weight (\\w+)\\[\\d+\\] = \\[(.*)\\]").matcher(line);
            if (m.matches()) {
                out.put(m.group(1), Stream.of(m.group(2).split(",")).mapToDouble(t -> Double.parseDouble(t.trim())).toArray());
            }
        }
        return out;
    }

    private static Double[] box(double[] xs) {
        return java.util.Arrays.stream(xs).boxed().toArray(Double[]::new);
    }

    /** No clock decides a printed form: the library reads no time at all (the train progress bar only redraws by it). */
    @Test void noLibraryCodeReadsTheClock() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String text = Files.readString(f);
                boolean readsClock = text.contains("nanoTime") || text.contains("currentTimeMillis")
                        || text.contains("Instant.now") || text.contains("java.time.Duration");
                if (readsClock) {
                    // Allowed: train's progress-bar redraw, and the playground's request timeout and the
                    // "millis"/"phases" it reports beside (never inside) the formulas.
                    assertTrue(java.util.Set.of("TrainCommand.java", "Analysis.java", "Work.java")
                            .contains(f.getFileName().toString()), f + " reads the clock");
                }
            }
        }
    }
}
