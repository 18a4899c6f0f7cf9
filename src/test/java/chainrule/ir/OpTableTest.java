package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.expr.VectorPrimitive;
import chainrule.layer.LayerCompiler;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks every op of the op table ({@link Op}, the {@link Reduction} entries and the vector
 * functions) on small networks, and checks the two views derived from the graph, and the code
 * generated from them, against each other and against numbers computed without any of them:
 * <ul>
 *   <li>its element expansion ({@code model.ElementView}, evaluated by the interpreter) agrees with
 *       its loops (the layer program, compiled), to 1e-12;</li>
 *   <li>its vector–Jacobian product (the loops' gradient) agrees with central differences of the
 *       loss, and with the gradient of the element view compiled by the tape compiler;</li>
 *   <li>its generated code ({@code codegen --lang java|c|python --main}, compiled by javac and gcc
 *       -Werror and run, or run by python3) agrees with both: its loss and every gradient entry
 *       with the loops' and the element view's to 1e-12 relative, and with central differences of
 *       the element view's loss to 1e-9; where {@code codegen} writes a layered file straight-line
 *       (for its limit fallbacks), the loops' source is run too
 *       ({@link #generatedCodeAgreesWithTheLoopsAndTheElementView});</li>
 *   <li>a file the loops do not cover (one without a vector) is checked the same way through the
 *       tape, and its generated code is the tape's straight-line code.</li>
 * </ul>
 * {@link #everyOpIsWalked} fails when an op, a reduction or a vector function is added without a
 * case here.
 */
class OpTableTest {
    /** Each case: a name and a file; values chosen away from kinks and saturation. */
    static final Map<String, String> CASES = new LinkedHashMap<>();

    static {
        CASES.put("matvec, chain, sigmoid, arithmetic, negate, mse", """
                input x[3] = [0.5, -0.2, 0.9]
                target y[2] = [0.3, 0.7]
                weight W[2,3] = [[0.1, -0.4, 0.3], [0.2, 0.5, -0.6]]
                bias b[2] = [0.05, -0.1]
                h = sigmoid(W @ x + b)
                g = -h * 2 / (1 + h^2) - 0.5 + b
                loss L = mse(g, y)
                """);
        CASES.put("matmul (a batch), tanh with a scalar weight, sum", """
                input X[2,3] = [[0.5, -0.2, 0.9], [0.1, 0.4, -0.3]]
                weight W[3,2] = [[0.1, -0.4], [0.3, 0.2], [0.5, -0.6]]
                weight s = 0.7
                loss L = sum(tanh(s * (X @ W)) ^ 2)
                """);
        CASES.put("softmax cross-entropy (fused), relu pre-activation, user function, mean", """
                function f(a, b) = a * exp(-b) + b
                input x[3] = [0.5, -0.2, 0.9]
                target y[3] = [0, 1, 0]
                weight W1[4,3] = [[0.1, -0.4, 0.3], [0.2, 0.5, -0.6], [0.3, 0.1, 0.2], [-0.2, 0.4, 0.1]]
                bias b1[4] = [0.05, -0.1, 0.2, 0.1]
                weight W2[3,4] = [[0.1, -0.4, 0.3, 0.2], [0.2, 0.5, -0.6, 0.1], [0.3, 0.1, 0.2, -0.3]]
                h = relu(W1 @ x + b1)
                k = f(h, mean(h))
                loss L = cross_entropy(softmax(W2 @ k), y)
                """);
        CASES.put("stored softmax, its log, log_softmax, cross_entropy of probabilities", """
                input x[3] = [0.5, -0.2, 0.9]
                target y[3] = [0.2, 0.5, 0.3]
                weight W[3,3] = [[0.1, -0.4, 0.3], [0.2, 0.5, -0.6], [0.3, 0.1, 0.2]]
                p = softmax(W @ x)
                q = log_softmax(2 * (W @ x))
                r = sigmoid(W @ x)
                loss L = -sum(y * log(p)) + sum(q * y) + cross_entropy(r, y)
                """);
        CASES.put("binary cross-entropy, bce with logits, leaky_relu with its default", """
                input x[3] = [0.5, -0.2, 0.9]
                target y[2] = [0, 1]
                weight W[2,3] = [[0.1, -0.4, 0.3], [0.2, 0.5, -0.6]]
                z = leaky_relu(W @ x)
                loss L = binary_cross_entropy(1 / (1 + exp(-z)), y) + bce_with_logits(2 * z, y)
                """);
        CASES.put("indexing a definition and a parameter, twice", """
                input x[2] = [0.5, -0.2]
                target y[2] = [0.3, 0.7]
                weight W[2,2] = [[0.1, -0.4], [0.2, 0.5]]
                h = tanh(W @ x)
                k = h[1]
                loss L = (k - y[1])^2 + h[2] * W[2,1] + (W[2,1] * x[2] - y[2])^2
                """);
        CASES.put("the constants pi and e", """
                input x[2] = [0.5, -0.2]
                weight W[2,2] = [[0.1, -0.4], [0.2, 0.5]]
                loss L = pi * sum(tanh(W @ x)) + e^sum(W @ x) / e
                """);
        CASES.put("logs of a named sigmoid and of a named softmax's element, from the pre-activation", """
                input x[3] = [0.5, -0.2, 0.9]
                target y[3] = [0, 1, 0]
                weight W[3,3] = [[0.1, -0.4, 0.3], [0.2, 0.5, -0.6], [0.3, 0.1, 0.2]]
                weight v = 0.4
                p = sigmoid(W @ x)
                q = sigmoid(v)
                s = softmax(W @ x)
                loss L = binary_cross_entropy(p, y) - sum(log(1 - p) * y) - log(p[2]) - log(s[1]) - log(q) + s[3] * p[1]
                """);
        CASES.put("a file without vectors (through the tape)", """
                input x = 0.5
                weight w = 0.3
                loss L = pi * tanh(w * x)
                """);
    }

    static Stream<String> cases() {
        return CASES.keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void elementViewLoopsAndCentralDifferencesAgree(String name) throws Exception {
        Source source = new Source("op.nn", CASES.get(name));
        Ast.File ast = SourceParser.parseFile(source);
        Network network = Analyzer.check(source, ast);
        CompiledGradient compiled = LayerCompiler.compile(network, ast);
        boolean loops = compiled.tape().isEmpty();
        assertEquals(!name.contains("through the tape"), loops, name + ": compiled to loops");

        // the element view, by the interpreter
        double elementLoss = network.lossAt(network.values());
        CompiledGradient.Workspace w = compiled.workspace();
        double[] gradient = new double[compiled.parameters().size()];
        w.gradient(gradient);
        double loss = w.gradient(gradient); // again, on the work array the first call left: no stale adjoint may count
        assertEquals(elementLoss, loss, 1e-12 * Math.max(1, Math.abs(loss)), name + ": loss, element view against compiled");

        // the element view compiled by the tape: its gradient is the element expansion's
        double[] tapeGradient = new double[gradient.length];
        CompiledGradient tape = chainrule.compile.CompiledGradient.compile(network);
        tape.workspace().gradient(tapeGradient);

        // central differences of the compiled loss
        double[] declared = w.declared();
        int[] slots = compiled.parameterIndices();
        for (int i = 0; i < gradient.length; i++) {
            double v = declared[slots[i]];
            double h = 1e-6 * Math.max(1, Math.abs(v));
            double[] x = declared.clone();
            x[slots[i]] = v + h;
            w.setDeclared(x);
            double up = w.loss();
            x[slots[i]] = v - h;
            w.setDeclared(x);
            double down = w.loss();
            double numeric = (up - down) / (2 * h);
            String p = name + ": ∂L/∂" + compiled.parameters().get(i);
            assertEquals(numeric, gradient[i], 1e-6 * Math.max(1, Math.abs(numeric)), p + " against central differences");
            assertEquals(tapeGradient[i], gradient[i], 1e-9 * Math.max(1, Math.abs(gradient[i])), p + " against the element view");
        }
    }

    /** The numbers the generated code must give for one case, computed without it. */
    private record Reference(String lossName, List<String> parameters, double loopsLoss, double[] loopsGradient,
            double elementLoss, double[] elementGradient, double[] centralDifferences) {}

    /** Each case's {@link Reference}, computed once for the three languages (a class's methods run one after another). */
    private static final Map<String, Reference> REFERENCES = new LinkedHashMap<>();

    private static Reference reference(String name) throws Exception {
        Reference known = REFERENCES.get(name);
        if (known != null) {
            return known;
        }
        Source source = new Source("op.nn", CASES.get(name));
        Ast.File ast = SourceParser.parseFile(source);
        Network network = Analyzer.check(source, ast);
        // the loops: the compiled layer program (the tape for the file without vectors)
        CompiledGradient compiled = LayerCompiler.compile(network, ast);
        double[] loopsGradient = new double[compiled.parameters().size()];
        double loopsLoss = compiled.workspace().gradient(loopsGradient);
        // the element view: its loss by the interpreter, its gradient compiled by the tape, and
        // central differences of the interpreted loss (five points: truncation error O(h^4), so
        // what is left is rounding, about 1e-12 absolute)
        Map<String, Double> values = new LinkedHashMap<>(network.values());
        double elementLoss = network.lossAt(values);
        double[] elementGradient = new double[loopsGradient.length];
        CompiledGradient.compile(network).workspace().gradient(elementGradient);
        double[] central = new double[loopsGradient.length];
        for (int i = 0; i < central.length; i++) {
            String p = compiled.parameters().get(i);
            double v = values.get(p);
            double h = 1e-4 * Math.max(1, Math.abs(v));
            double[] at = new double[4];
            double[] steps = {-2 * h, -h, h, 2 * h};
            for (int s = 0; s < 4; s++) {
                values.put(p, v + steps[s]);
                at[s] = network.lossAt(values);
            }
            values.put(p, v);
            central[i] = (at[0] - 8 * at[1] + 8 * at[2] - at[3]) / (12 * h);
        }
        Reference r = new Reference(network.lossName(), compiled.parameters(), loopsLoss, loopsGradient, elementLoss,
                elementGradient, central);
        REFERENCES.put(name, r);
        return r;
    }

    /**
     * Every case's {@code codegen --lang L --main} program, compiled (javac, gcc -Werror) and run
     * (java, the executable, python3), prints a loss and gradient that agree with the loops' (the
     * compiled layer program) to 1e-12 relative, with the element view's (its loss by the
     * interpreter, its gradient compiled by the tape) to 1e-12 relative, and with central
     * differences of the interpreted loss to 1e-9 (relative to at least 0.1: a zero entry, such
     * as a dead relu's, meets their rounding). Where {@code codegen} writes a file with vectors as
     * the tape's straight-line code (a quotient that may be 0/0, so the limit fallbacks of that
     * code are wanted: {@code paths.Limits.unrollForLimits}), the loops' source of the same file
     * ({@code codegen.LoopSourceGenerator}) is checked too, so every op's loop source is run. All
     * programs of a language are built and run in one go ({@link GeneratedPrograms}); a language
     * whose tool is missing is skipped.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"java", "c", "python"})
    void generatedCodeAgreesWithTheLoopsAndTheElementView(String lang, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        List<String> labels = new ArrayList<>();
        List<String> ofCase = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (String name : CASES.keySet()) {
            java.nio.file.Path f = dir.resolve("op" + ofCase.size() + ".nn");
            java.nio.file.Files.writeString(f, CASES.get(name));
            String generated = GeneratedPrograms.codegen(f, lang, GeneratedPrograms.javaClass(sources.size()));
            labels.add(lang + ", " + name + ", codegen");
            ofCase.add(name);
            sources.add(generated);
            boolean loops = !name.contains("through the tape");
            if (!loops) {
                assertFalse(generated.contains("with loops over arrays"), labels.get(labels.size() - 1) + ": the tape's straight-line code");
            } else if (!generated.contains("with loops over arrays")) {
                Source source = new Source(f.getFileName().toString(), CASES.get(name));
                Ast.File ast = SourceParser.parseFile(source);
                Network network = Analyzer.check(source, ast);
                String loopSource = chainrule.codegen.LoopSourceGenerator.generate(
                        chainrule.layer.LayerLowering.lower(ast, network).orElseThrow(), chainrule.codegen.Language.byOptionName(lang),
                        f.getFileName().toString(), network.lossName(), network.values(), true, GeneratedPrograms.javaClass(sources.size()));
                assertTrue(loopSource.contains("with loops over arrays"), loopSource);
                labels.add(lang + ", " + name + ", the loops' source");
                ofCase.add(name);
                sources.add(loopSource);
            }
        }
        List<GeneratedPrograms.Printed> printed = GeneratedPrograms.run(lang, dir, sources);
        for (int c = 0; c < sources.size(); c++) {
            String name = labels.get(c);
            Reference r = reference(ofCase.get(c));
            GeneratedPrograms.Printed p = printed.get(c);
            assertEquals(r.lossName(), p.lossName(), name + ": the loss's name");
            close(r.loopsLoss(), p.loss(), 1e-12, 0, name + ": loss, the loops against the generated code");
            close(r.elementLoss(), p.loss(), 1e-12, 0, name + ": loss, the element view against the generated code");
            assertEquals(r.parameters(), List.copyOf(p.gradient().keySet()), name + ": the gradient's entries");
            for (int i = 0; i < r.parameters().size(); i++) {
                String entry = name + ": ∂L/∂" + r.parameters().get(i);
                double generated = p.gradient().get(r.parameters().get(i));
                close(r.loopsGradient()[i], generated, 1e-12, 0, entry + ", the loops against the generated code");
                close(r.elementGradient()[i], generated, 1e-12, 0, entry + ", the element view against the generated code");
                close(r.centralDifferences()[i], generated, 1e-9, 0.1, entry + ", central differences against the generated code");
            }
        }
    }

    /** |expected − actual| ≤ tolerance · max(floor, |expected|, |actual|), both finite. */
    private static void close(double expected, double actual, double tolerance, double floor, String what) {
        assertTrue(Double.isFinite(expected) && Double.isFinite(actual)
                        && Math.abs(expected - actual) <= tolerance * Math.max(floor, Math.max(Math.abs(expected), Math.abs(actual))),
                what + ": expected " + expected + ", generated code " + actual + " (difference " + (actual - expected) + ")");
    }

    /**
     * Each op's numeric forward pass ({@link Op#forward}) gives the values the interpreter gives its
     * expanded elements, and its element-level dependence ({@link Op#reaches}) leads from each
     * declared element exactly to the elements whose expansion, written out down to declared
     * names, mentions it: what the partial element view of {@code grad --wrt} relies on.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndReachesAgreeWithTheElementExpansion(String name) throws Exception {
        Source source = new Source("op.nn", CASES.get(name));
        Network network = Analyzer.check(source, SourceParser.parseFile(source));
        Map<String, Double> interpreted = network.forward();
        List<Op.Definition> definitions = new ArrayList<>();
        for (Op.Definition d : network.graph().definitions()) {
            collectDefinitions(d, definitions);
        }
        Map<Op, double[]> numbers = new java.util.IdentityHashMap<>();
        for (Op.Definition d : definitions) {
            double[] values = forward(d, network, numbers);
            for (int k = 0; k < values.length; k++) {
                String element = Shapes.elementName(d.name(), d.shape(), k);
                double expected = interpreted.get(element);
                assertEquals(expected, values[k], 1e-12 * Math.max(1, Math.abs(expected)), name + ": " + element);
            }
        }
        for (Op.Declared leaf : network.graph().declared()) {
            for (int j = 0; j < leaf.size(); j++) {
                String declared = Shapes.elementName(leaf.name(), leaf.shape(), j);
                Map<Op, java.util.BitSet> reached = new java.util.IdentityHashMap<>();
                java.util.BitSet seed = new java.util.BitSet();
                seed.set(j);
                reached.put(leaf, seed);
                for (Op.Definition d : definitions) {
                    java.util.BitSet r = reach(d, reached);
                    for (int k = 0; k < d.size(); k++) {
                        String element = Shapes.elementName(d.name(), d.shape(), k);
                        boolean mentions = chainrule.model.Symbols.free(network.inlined(network.vertex(element).orElseThrow()))
                                .stream().anyMatch(x -> x.name().equals(declared));
                        assertEquals(mentions, r.get(k), name + ": does " + declared + " reach " + element + "?");
                    }
                }
            }
        }
    }

    private static void collectDefinitions(Op op, List<Op.Definition> out) {
        for (Op in : op.inputs()) {
            if (!(in instanceof Op.Definition d && out.contains(d))) {
                collectDefinitions(in, out);
            }
        }
        if (op instanceof Op.Definition d && !out.contains(d)) {
            out.add(d);
        }
    }

    private static double[] forward(Op op, Network network, Map<Op, double[]> known) {
        double[] done = known.get(op);
        if (done != null) {
            return done;
        }
        double[] out;
        if (op instanceof Op.Declared d) {
            out = new double[d.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = network.values().get(Shapes.elementName(d.name(), d.shape(), k));
            }
        } else {
            List<double[]> inputs = new ArrayList<>();
            for (Op in : op.inputs()) {
                inputs.add(forward(in, network, known));
            }
            out = op.forward(inputs);
        }
        known.put(op, out);
        return out;
    }

    private static java.util.BitSet reach(Op op, Map<Op, java.util.BitSet> known) {
        java.util.BitSet done = known.get(op);
        if (done != null) {
            return done;
        }
        java.util.BitSet out = new java.util.BitSet();
        for (int i = 0; i < op.inputs().size(); i++) {
            java.util.BitSet in = reach(op.inputs().get(i), known);
            int input = i;
            for (int k = in.nextSetBit(0); k >= 0; k = in.nextSetBit(k + 1)) {
                op.reaches(input, k, out::set);
            }
        }
        known.put(op, out);
        return out;
    }

    @Test
    void everyOpIsWalked() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (String text : CASES.values()) {
            Source source = new Source("op.nn", text);
            Graph g = Analyzer.check(source, SourceParser.parseFile(source)).graph();
            for (Op.Definition d : g.definitions()) {
                walk(d, seen);
            }
        }
        Set<String> expected = new TreeSet<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            if (c != Op.Invalid.class) { // never in a checked network
                expected.add(c.getSimpleName());
            }
        }
        expected.add("PRE_ACTIVATION");
        for (Reduction r : Reduction.values()) {
            expected.add(r.name());
        }
        for (VectorPrimitive f : VectorPrimitive.values()) {
            expected.add(f.name());
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "ops without a case in OpTableTest: " + missing);
    }

    private static void walk(Op op, Set<String> seen) {
        List<Op> stack = new ArrayList<>(List.of(op));
        while (!stack.isEmpty()) {
            Op o = stack.remove(stack.size() - 1);
            seen.add(o.getClass().getSimpleName());
            if (o instanceof Op.Definition d && d.role() == Op.Definition.Role.PRE_ACTIVATION) {
                seen.add("PRE_ACTIVATION");
            } else if (o instanceof Op.Reduce r) {
                seen.add(r.reduction().name());
            } else if (o instanceof Op.VectorFunction v) {
                seen.add(v.function().name());
            }
            if (!(o instanceof Op.Definition d) || d == op || d.role() == Op.Definition.Role.PRE_ACTIVATION) {
                stack.addAll(o.inputs());
            }
        }
    }
}
