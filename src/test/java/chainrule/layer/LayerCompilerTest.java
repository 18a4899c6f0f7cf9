package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.ClassVerifier;
import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerCompilerTest {
    /** Element of examples/mazur-vector.nn → name in examples/mazur.nn. */
    private static final Map<String, String> MAZUR = Map.ofEntries(
            Map.entry("W1[1,1]", "w1"), Map.entry("W1[1,2]", "w2"), Map.entry("W1[2,1]", "w3"),
            Map.entry("W1[2,2]", "w4"), Map.entry("W2[1,1]", "w5"), Map.entry("W2[1,2]", "w6"),
            Map.entry("W2[2,1]", "w7"), Map.entry("W2[2,2]", "w8"), Map.entry("b1", "b1"), Map.entry("b2", "b2"));

    private static CompiledGradient loops(String name, String text) throws Exception {
        Source source = new Source(name, text);
        Ast.File ast = SourceParser.parseFile(source);
        return LayerCompiler.compile(Analyzer.analyze(source, ast), ast);
    }

    @Test
    void mazursVectorFileThroughLoopsGivesTheScalarFilesNumbers() throws Exception {
        CompiledGradient loops = loops("mazur-vector.nn", Files.readString(Path.of("examples/mazur-vector.nn")));
        assertTrue(loops.tape().isEmpty(), "compiled to loops");
        ClassVerifier.verify(loops);
        CompiledGradient scalar = CompiledGradient.compile("mazur.nn", Files.readString(Path.of("examples/mazur.nn")));
        double[] expected = new double[scalar.parameters().size()];
        double[] actual = new double[loops.parameters().size()];
        assertEquals(scalar.workspace().gradient(expected), loops.workspace().gradient(actual), 1e-12);
        assertEquals(0.298371108760, loops.workspace().loss(), 1e-12); // Mazur's published loss
        for (Map.Entry<String, String> e : MAZUR.entrySet()) {
            assertEquals(expected[scalar.parameters().indexOf(e.getValue())], actual[loops.parameters().indexOf(e.getKey())],
                    1e-12, e.getKey());
        }
        assertEquals(0.000438567734474, actual[loops.parameters().indexOf("W1[1,1]")], 1e-15);
        assertEquals(0.0821670405642, actual[loops.parameters().indexOf("W2[1,1]")], 1e-13);
    }

    /** Logits of ±800: exp overflows and the probabilities underflow, but the fused loss is exact. */
    @Test
    void fusedCrossEntropyIsExactAtHugeLogits() throws Exception {
        String text = """
                input  x[1] = [1]
                target y[3] = [0, 1, 0]
                weight W[3,1] = [[800], [-800], [0]]
                z = W @ x
                loss L = cross_entropy(softmax(z), y)
                """;
        double[] grad = new double[3];
        double loss = fromSyntaxTree(text).gradient(grad);
        // lse(z) = 800 + log(1 + e^-800 + e^-1600) = 800 in doubles; L = lse − z2 = 1600.
        assertEquals(1600.0, loss, 0);
        // ∂L/∂z = softmax(z)·Σy − y = [1, −1, 0] (to rounding: e^-800 is 0), times x = 1.
        assertEquals(1.0, grad[0], 0);
        assertEquals(-1.0, grad[1], 0);
        assertEquals(0.0, grad[2], 1e-300);
        // Unfused, the same loss is −log(softmax(z)[2]) = −log(0) = inf.
        CompiledGradient.Workspace logSoftmax = fromSyntaxTree(text.replace("cross_entropy(softmax(z), y)", "-sum(y*log_softmax(z))"));
        assertEquals(1600.0, logSoftmax.gradient(grad), 0);
        assertEquals(-1.0, grad[1], 0);
    }

    /**
     * A softmax stored under a name and then given to cross_entropy is fused like the inline
     * form: the element view takes log p[j] as log_softmax(z)[j] (model.SigmoidLogs), so the loops
     * compute from the logits too and agree with it where p[2] underflows: L = 800 - (-800) = 1600.
     */
    @Test
    void aNamedSoftmaxIsFusedAndStable() throws Exception {
        double loss = fromSyntaxTree("""
                input  x[1] = [1]
                target y[3] = [0, 1, 0]
                weight W[3,1] = [[800], [-800], [0]]
                p = softmax(W @ x)
                loss L = cross_entropy(p, y)
                """).loss();
        assertEquals(1600.0, loss, 0);
    }

    /** Softmax itself at ±800: finite probabilities summing to 1, and a finite gradient. */
    @Test
    void softmaxIsStableAtHugeLogits() throws Exception {
        CompiledGradient.Workspace ws = fromSyntaxTree("""
                input  x[1] = [1]
                target y[3] = [0.2, 0.3, 0.5]
                weight W[3,1] = [[-800], [800], [799]]
                p = softmax(W @ x)
                loss L = sum((p - y)^2)
                """);
        double[] grad = new double[3];
        double loss = ws.gradient(grad);
        double e = Math.exp(-1);
        double p2 = 1 / (1 + e);
        double p3 = e / (1 + e);
        assertEquals(0.04 + (p2 - 0.3) * (p2 - 0.3) + (p3 - 0.5) * (p3 - 0.5), loss, 1e-15);
        for (double d : grad) {
            assertTrue(Double.isFinite(d));
        }
        // ∂L/∂z2 = Σ_k 2(p_k − y_k)·p_k(δ_k2 − p_2), with p1 = 0.
        double dz2 = 2 * (p2 - 0.3) * p2 * (1 - p2) + 2 * (p3 - 0.5) * p3 * (-p2);
        assertEquals(dz2, grad[1], 1e-15);
    }

    /**
     * Compiles straight from the syntax tree (the analyser does not know softmax yet) and returns a
     * workspace holding the file's values: nested lists element by element, row-major.
     */
    private static CompiledGradient.Workspace fromSyntaxTree(String text) throws Exception {
        Ast.File ast = SourceParser.parseFile(new Source("t.nn", text));
        CompiledGradient g = LayerCompiler.compile(LayerLowering.lower(ast).orElseThrow(), null).orElseThrow();
        ClassVerifier.verify(g);
        CompiledGradient.Workspace ws = g.workspace();
        for (Ast.Statement s : ast.statements()) {
            if (s instanceof Ast.Declaration d) {
                for (Ast.Declarator x : d.declarators()) {
                    List<Double> values = new ArrayList<>();
                    flatten(x.value(), values);
                    List<String> elements = g.declaredNames().stream()
                            .filter(n -> n.equals(x.name().text()) || n.startsWith(x.name().text() + "[")).toList();
                    assertEquals(elements.size(), values.size(), "values of " + x.name().text());
                    for (int k = 0; k < values.size(); k++) {
                        ws.set(elements.get(k), values.get(k));
                    }
                }
            }
        }
        return ws;
    }

    private static void flatten(Ast.Value v, List<Double> out) {
        if (v instanceof Ast.Scalar s) {
            out.add(s.value());
        } else {
            for (Ast.Value item : ((Ast.Array) v).items()) {
                flatten(item, out);
            }
        }
    }

    /**
     * The op list of issue 5's network with the stable loss: the softmax is fused into the
     * cross-entropy and never computed. Stored under a name, the loss is fused the same way (the
     * element view takes log p[j] as log_softmax(z)[j]), and p, which nothing else reads, is not
     * computed either.
     */
    @Test
    void crossEntropyOfASoftmaxIsOneOpWhenWrittenAsOneExpression() throws Exception {
        String text = """
                input  x[784]
                target y[10]
                weight W1[128,784], W2[10,128]
                bias   b1[128], b2[10]
                h = relu(W1 @ x + b1)
                loss L = cross_entropy(softmax(W2 @ h + b2), y)
                """;
        LayerProgram p = LayerLowering.lower(SourceParser.parseFile(new Source("mnist.nn", text))).orElseThrow();
        assertEquals("""
                v6 = MatVec(W1, x) [128]
                v7 = Elementwise(v6, b1) [128]
                v8 = MatVec(W2, v7) [10]
                v9 = Elementwise(v8, b2) [10]
                v10 = SoftmaxCrossEntropy(v9, y) []  (loss)
                """, p.describe());
        String named = text.replace("loss L = cross_entropy(softmax(W2 @ h + b2), y)",
                "p = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)");
        assertEquals("""
                v6 = MatVec(W1, x) [128]
                v7 = Elementwise(v6, b1) [128]
                v8 = MatVec(W2, v7) [10]
                v9 = Elementwise(v8, b2) [10]
                v11 = SoftmaxCrossEntropy(v9, y) []  (loss)
                """, LayerLowering.lower(SourceParser.parseFile(new Source("named.nn", named))).orElseThrow().describe());
        // 102,564 declared values; 128 + 128 + 10 + 10 + 2 computed (the loss and its lse); an
        // adjoint for each computed value (all depend on a parameter): 1 + 10 + 10 + 128 + 128.
        assertEquals(102_564 + 278 + 277, p.workSize());
    }

    @Test
    void filesTheLayerViewDoesNotCoverGoToTheTapeAndTheFormsItNowCovers() throws Exception {
        String scalarOnly = Files.readString(Path.of("examples/mazur.nn"));
        assertTrue(loops("mazur.nn", scalarOnly).tape().isPresent());
        String indexing = """
                input  x[2] = [1, 2]
                weight W[2,2] = 0.5
                h = tanh(W @ x)
                loss L = h[1]^2
                """;
        // Indexing is a loop op now (issue 13, layer.Pick): h[1] read from h's slot, δh zeroed but at 1.
        assertTrue(LayerLowering.lower(SourceParser.parseFile(new Source("i.nn", indexing))).isPresent());
        CompiledGradient g = loops("i.nn", indexing);
        assertTrue(g.tape().isEmpty());
        double[] grad = new double[4];
        double h1 = Math.tanh(1.5);
        for (int call = 0; call < 2; call++) { // the second call finds the first one's adjoints in the work array
            assertEquals(h1 * h1, g.workspace().gradient(grad), 1e-15);
            assertEquals(2 * h1 * (1 - h1 * h1) * 2, grad[1], 1e-15); // ∂L/∂W[1,2] = 2h·tanh′·x2
            assertEquals(0.0, grad[2]); // W[2,j] reaches only h[2], which the loss does not read
            assertEquals(0.0, grad[3]);
        }
        String constant = """
                input  x[2] = [1, 2]
                weight W[2,2] = 0.5
                loss L = pi * sum(W @ x) + e
                """;
        // The constants are numbers in the element bodies (issue 13): L = 3π + e, ∂L/∂W[i,j] = π·x[j].
        CompiledGradient c = loops("c.nn", constant);
        assertTrue(c.tape().isEmpty());
        double[] cg = new double[4];
        assertEquals(3 * Math.PI + Math.E, c.workspace().gradient(cg), 1e-14);
        assertArrayEquals(new double[] {Math.PI, 2 * Math.PI, Math.PI, 2 * Math.PI}, cg, 1e-14);
        String matrixProduct = """
                input  X[2,2] = 1
                weight W[2,2] = 0.5
                loss L = sum(W @ X)
                """;
        // Matrix–matrix products are loops now (issue 13): sum(W @ X) = 4, ∂L/∂W[i,j] = Σ_c X[j,c] = 2.
        assertTrue(LayerLowering.lower(SourceParser.parseFile(new Source("m.nn", matrixProduct))).isPresent());
        CompiledGradient m = loops("m.nn", matrixProduct);
        assertTrue(m.tape().isEmpty());
        double[] mg = new double[4];
        assertEquals(4.0, m.workspace().gradient(mg), 1e-15);
        assertArrayEquals(new double[] {2, 2, 2, 2}, mg, 1e-15);
    }
}
