package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.FiniteDifference;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexGroup;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Paths, counts and listings follow LANGUAGE.md's graph, where "reductions add no vertex", also
 * where the element view makes a long reduction broadcast over a vector a vertex of its own
 * ({@code c.mean}, from 16 elements on): a network of 15 elements (no such vertex) and its
 * 16-element twin print the same structure, and on random centred and layer-norm networks every
 * parameter's path count equals a brute-force count on the spec's graph, built here from the
 * definitions with each reduction written out, and the listed paths' products add up to a central
 * difference of the loss.
 */
class SharedReductionPathsTest {

    /** A 2-n-2 network whose hidden layer is centred: {@code c = h - mean(h)}. */
    private static String centred(int n) {
        Random r = new Random(7);
        return "input x[2] = [0.3, -0.6]\ntarget y[2] = [0.2, 0.7]\n"
                + "weight W1[" + n + ",2] = " + matrix(r, n, 2) + "\nbias b1 = 0.1\n"
                + "weight W2[2," + n + "] = " + matrix(r, 2, n) + "\nbias b2 = 0.2\n"
                + "h = tanh(W1 @ x + b1)\nc = h - mean(h)\no = W2 @ c + b2\nloss L = mse(o, y)\n";
    }

    private static String matrix(Random r, int rows, int columns) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < rows; i++) {
            s.append(i == 0 ? "" : ", ").append(vector(r, columns));
        }
        return s.append(']').toString();
    }

    private static String vector(Random r, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(Math.round((r.nextDouble() * 2 - 1) * 1e3) / 1e3);
        }
        return s.append(']').toString();
    }

    /**
     * At 15 and 16 elements alike: W1[i,j] has 2n paths (h[i] → c[k] for every k, then o[1] or
     * o[2]), the scalar b1 2n² (through every h.in[i]), W2[m,k] one, b2 two; W1[1,1]'s paths are
     * W1[1,1] → h.in[1] → h[1] → c[k] → o[m] → L in that order, h[1] → c[1] carries
     * 1 − 1/n and h[1] → c[k] −1/n, and no path or count knows a vertex {@code c.mean}.
     */
    @Test
    void fifteenAndSixteenElementsHaveTheSameGraph() throws DiagnosticException {
        for (int n : new int[] {15, 16}) {
            Network net = Analyzer.analyze(new Source("centred.nn", centred(n)));
            assertEquals(n == 16, net.vertex("c.mean").isPresent(), "the element view shares the mean from 16 on");
            PathGraph graph = PathGraph.of(net);
            Values values = Values.of(net);
            assertEquals(BigInteger.valueOf(2L * n), graph.pathCount(net.vertex("W1[1,1]").orElseThrow()), "n = " + n);
            assertEquals(BigInteger.valueOf(2L * n), graph.pathCount(net.vertex("W1[" + n + ",2]").orElseThrow()), "n = " + n);
            assertEquals(BigInteger.valueOf(2L * n * n), graph.pathCount(net.vertex("b1").orElseThrow()), "n = " + n);
            assertEquals(BigInteger.ONE, graph.pathCount(net.vertex("W2[2," + n + "]").orElseThrow()), "n = " + n);
            assertEquals(BigInteger.TWO, graph.pathCount(net.vertex("b2").orElseThrow()), "n = " + n);

            List<Path> paths = PathEnumerator.first(graph, net.vertex("W1[1,1]").orElseThrow(), 1000);
            assertEquals(2 * n, paths.size());
            int i = 0;
            for (int k = 1; k <= n; k++) {
                for (int m = 1; m <= 2; m++) {
                    assertEquals(List.of("W1[1,1]", "h.in[1]", "h[1]", "c[" + k + "]", "o[" + m + "]", "L"), names(paths.get(i++)));
                }
            }
            Edge diagonal = paths.get(0).edges().get(2);
            Edge across = paths.get(2).edges().get(2);
            assertEquals(chainrule.expr.Exprs.rational(n - 1, n), diagonal.factor(), "n = " + n);
            assertEquals(chainrule.expr.Exprs.rational(-1, n), across.factor(), "n = " + n);
            assertEquals(Role.LOCAL, diagonal.role());
            assertEquals((n - 1.0) / n, values.of(diagonal), 1e-15);
            assertEquals(-1.0 / n, values.of(across), 1e-15);

            Vertex h1 = net.vertex("h[1]").orElseThrow();
            assertEquals(n, graph.pathOutgoing(h1).size(), "h[1] → c[k], one edge each");
            assertEquals(n, graph.pathIncoming(net.vertex("c[3]").orElseThrow()).size(), "h[j] → c[3], one edge each");
            for (Vertex v : graph.pathVertices()) {
                assertFalse(v.name().contains("mean"), v.name());
                for (Edge e : graph.pathOutgoing(v)) {
                    assertFalse(e.to().name().contains("mean"), e.toString());
                }
            }
            // top paths rank the spec's paths
            for (Path p : TopPaths.largest(graph, values, net.vertex("W1[1,1]").orElseThrow(), 5)) {
                assertEquals(6, p.vertices().size(), p.toString());
            }
        }
    }

    private static List<String> names(Path p) {
        List<String> out = new ArrayList<>();
        for (Vertex v : p.vertices()) {
            out.add(v.name());
        }
        return out;
    }

    /** Kinds of random network: what follows the hidden layer h of n elements. */
    private static final List<String> KINDS = List.of(
            "c = h - mean(h)\no = W2 @ c + b2\nloss L = mse(o, y)",
            "c = (h - mean(h)) / sqrt(mean((h - mean(h))^2) + 0.00001)\no = W2 @ c + b2\nloss L = mse(o, y)",
            "c = g*(h - mean(h)) + b3\no = sigmoid(W2 @ c + b2)\nloss L = mse(o, y)",
            "c = h - sum(h)\no = W2 @ c + b2\nloss L = mse(o, y)",
            "c = h*mean(h) + h/sum(h)\no = W2 @ c + b2\nloss L = mse(o, y)",
            "o = W2 @ h + b2\nloss L = mse(o, y) + sum((h - mean(h))^2)/N");

    private static String randomNetwork(int kind, int n, int inputs, int outputs, long seed) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder();
        s.append("input x[").append(inputs).append("] = ").append(vector(r, inputs)).append('\n');
        s.append("target y[").append(outputs).append("] = ").append(vector(r, outputs)).append('\n');
        s.append("weight W1[").append(n).append(',').append(inputs).append("] = ").append(matrix(r, n, inputs)).append('\n');
        s.append("bias b1[").append(n).append("] = ").append(vector(r, n)).append('\n');
        s.append("weight W2[").append(outputs).append(',').append(n).append("] = ").append(matrix(r, outputs, n)).append('\n');
        s.append("bias b2 = 0.1\n");
        if (KINDS.get(kind).contains("g*")) {
            s.append("weight g = 1.5\nbias b3[").append(n).append("] = ").append(vector(r, n)).append('\n');
        }
        s.append("h = tanh(W1 @ x + b1)\n").append(KINDS.get(kind).replace("N", String.valueOf(n))).append('\n');
        return s.toString();
    }

    /**
     * The spec's graph, built from its rules: a vertex per name except the element view's shared
     * reductions, an edge u → v wherever u appears in v's definition with every shared reduction
     * written out (the expression a file below 16 elements has), found by walking the expression.
     */
    private static Map<Vertex, Set<Vertex>> specGraph(Network net) {
        Map<Expr, Expr> inline = new HashMap<>();
        for (Vertex v : net.vertices()) { // topological: a shared reduction's own ones first
            if (v.group().origin() == VertexGroup.Origin.SHARED_REDUCTION) {
                inline.put(v.symbol(), Substitution.replace(v.definition(), inline));
            }
        }
        Map<Vertex, Set<Vertex>> out = new LinkedHashMap<>();
        for (Vertex v : net.vertices()) {
            if (v.group().origin() != VertexGroup.Origin.SHARED_REDUCTION) {
                out.put(v, new LinkedHashSet<>());
            }
        }
        for (Vertex v : out.keySet()) {
            if (!v.isDefined()) {
                continue;
            }
            Set<Sym> mentioned = new HashSet<>();
            names(Substitution.replace(v.definition(), inline), mentioned, new HashSet<>());
            for (Sym s : mentioned) {
                net.vertex(s.name()).filter(out::containsKey).ifPresent(u -> out.get(u).add(v));
            }
        }
        return out;
    }

    private static void names(Expr e, Set<Sym> out, Set<Expr> seen) {
        if (!seen.add(e)) {
            return;
        }
        if (e instanceof Sym s) {
            out.add(s);
        }
        for (Expr c : e.children()) {
            names(c, out, seen);
        }
    }

    /** Paths from {@code from} to the loss, one by one (depth first, memo-free: the brute force). */
    private static long bruteForce(Map<Vertex, Set<Vertex>> graph, Vertex from, Vertex loss) {
        if (from == loss) {
            return 1;
        }
        long n = 0;
        for (Vertex next : graph.get(from)) {
            n += bruteForce(graph, next, loss);
        }
        return n;
    }

    @Property(tries = 24)
    void countsAndListingsAreTheSpecGraphs(@ForAll @IntRange(min = 0, max = 5) int kind,
                                           @ForAll @IntRange(min = 16, max = 19) int n,
                                           @ForAll @IntRange(min = 1, max = 2) int inputs,
                                           @ForAll @IntRange(min = 1, max = 2) int outputs,
                                           @ForAll long seed) throws DiagnosticException {
        String text = randomNetwork(kind, n, inputs, outputs, seed);
        Network net = Analyzer.analyze(new Source("random.nn", text));
        assertTrue(net.vertices().stream().anyMatch(v -> v.group().origin() == VertexGroup.Origin.SHARED_REDUCTION),
                () -> "a shared reduction in\n" + text);
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        Map<Vertex, Set<Vertex>> spec = specGraph(net);
        Vertex loss = net.loss();
        for (Vertex w : net.parameters()) {
            long expected = bruteForce(spec, w, loss);
            assertEquals(BigInteger.valueOf(expected), graph.pathCount(w), () -> w.name() + " in\n" + text);
        }
        // every spec edge once, and no other
        for (Vertex v : graph.pathVertices()) {
            Set<Vertex> to = new LinkedHashSet<>();
            for (Edge e : graph.pathOutgoing(v)) {
                assertTrue(to.add(e.to()), () -> "one edge " + e + " in\n" + text);
            }
            assertEquals(spec.get(v), to, () -> "the edges out of " + v.name() + " in\n" + text);
        }
        Random r = new Random(seed);
        List<Vertex> parameters = net.parameters();
        List<Vertex> checked = List.of(parameters.get(0), parameters.get(r.nextInt(parameters.size())),
                net.vertex("b2").orElseThrow());
        for (Vertex w : checked) {
            List<Path> paths = PathEnumerator.first(graph, w, 1_000_000);
            assertEquals(graph.pathCount(w).longValue(), paths.size(), () -> w.name() + " in\n" + text);
            double sum = 0;
            for (Path p : paths) {
                sum += p.value(values);
            }
            double numeric = FiniteDifference.derivative(x -> lossWith(net, w.name(), x), net.values().get(w.name()));
            double tolerance = FiniteDifference.tolerance(sum, net.lossAt(net.values()));
            assertEquals(numeric, sum, tolerance, () -> "paths of " + w.name() + " against a central difference in\n" + text);
            // each factor as printed (the reductions folded into their calls, mean(h)) has the value the sum used
            // (printed through PathGraph.printedForm, as every printer writes a factor: an edge's own
            // factor may name the shared vertex, g → c[1] is h[1] - c.mean, kind 2 with g drawn)
            for (Edge e : paths.isEmpty() ? List.<Edge>of() : paths.get(0).edges()) {
                Expr printed = graph.printedForm(e.factor());
                assertFalse(printed.toString().contains(".mean") || printed.toString().contains(".sum"),
                        () -> e + ": " + printed);
                assertEquals(values.of(e), values.evaluate(printed), 1e-9 * (1 + Math.abs(values.of(e))),
                        () -> e + ": " + printed + " in\n" + text);
            }
        }
    }

    /**
     * Every merged edge's factor, printed with the shared reductions folded back into their calls,
     * has the value of the sum over its routes of the products of the element view's values.
     */
    @Property(tries = 12)
    void foldedFactorsHaveTheRoutesValues(@ForAll @IntRange(min = 0, max = 5) int kind,
                                          @ForAll @IntRange(min = 16, max = 19) int n,
                                          @ForAll long seed) throws DiagnosticException {
        String text = randomNetwork(kind, n, 2, 2, seed);
        Network net = Analyzer.analyze(new Source("random.nn", text));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        int merged = 0;
        for (Vertex v : graph.pathVertices()) {
            for (Edge e : graph.pathOutgoing(v)) {
                if (e.routes() == null || !graph.reachedFromParameter(v)) {
                    continue;
                }
                merged++;
                String printed = chainrule.expr.TextPrinter.pretty().print(e.factor());
                assertFalse(printed.contains(".mean") || printed.contains(".sum"), () -> e + ": " + printed);
                assertEquals(values.of(e), values.evaluate(e.factor()), 1e-9 * (1 + Math.abs(values.of(e))),
                        () -> e + ": " + printed + " in\n" + text);
            }
        }
        assertTrue(merged > 0, text);
    }

    /**
     * A layer norm of 16 units: each edge h[1] → c[k] names the mean as the file writes it,
     * {@code mean(h)}, in text and LaTeX ({@code \operatorname{mean}}), not its 16 terms; a centring's
     * factors stay the numbers 15/16 and −1/16 ({@link #fifteenAndSixteenElementsHaveTheSameGraph}).
     */
    @Test
    void aLayerNormsFactorsNameTheMeanAsTheFileWritesIt() throws DiagnosticException {
        String text = randomNetwork(1, 16, 2, 2, 5);
        Network net = Analyzer.analyze(new Source("norm.nn", text));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        List<Edge> out = graph.pathOutgoing(net.vertex("h[1]").orElseThrow());
        assertEquals(16, out.size(), text);
        for (Edge e : out) {
            String printed = chainrule.expr.TextPrinter.pretty().print(e.factor());
            assertTrue(printed.contains("mean(h)"), printed);
            assertFalse(printed.contains(".mean"), printed);
            // the mean's 16 terms appear nowhere (nor what its route leaves of them, h[2]/16 + … + h[16]/16)
            assertFalse(printed.contains("h[3]/16 + h[4]/16") || printed.contains("h[4]/16 + h[5]/16"), printed);
            assertEquals(values.of(e), values.evaluate(e.factor()), 1e-9 * (1 + Math.abs(values.of(e))), printed);
            String latex = chainrule.print.LatexPrinter.latex().print(e.factor());
            assertTrue(latex.contains("\\operatorname{mean}\\mathopen{}\\left(h\\right)"), latex);
        }
    }

    private static double lossWith(Network net, String name, double value) {
        Map<String, Double> v = new HashMap<>(net.values());
        v.put(name, value);
        return net.lossAt(v);
    }
}
