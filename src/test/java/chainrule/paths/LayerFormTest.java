package chainrule.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.SymKind;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.VertexKind;
import chainrule.parse.Ast;
import chainrule.print.LayerTermText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Layer forms: the textbook's backpropagation equations recognised in the element graph. Each
 * recognised form is checked against references that do not use it: Mazur's published numbers,
 * the scalar form of his network, and central finite differences of the loss.
 */
class LayerFormTest {

    private static Network network(String name, String text) throws Exception {
        return Analyzer.analyze(new Source(name, text));
    }

    private static Network example(String file) throws Exception {
        return network(file, Files.readString(Path.of("examples", file)));
    }

    private static String formula(LayerForm form, String parameter) {
        return LayerTermText.of(form).print(form.gradient(form.group(parameter).orElseThrow()).orElseThrow());
    }

    private static String delta(LayerForm form, String group) {
        return LayerTermText.of(form).print(form.delta(form.group(group).orElseThrow()));
    }

    /** ∂loss/∂element by central differences of the interpreter's forward pass. */
    /** Every element of every layer-form gradient agrees with finite differences. */
    private static void assertMatchesFiniteDifferences(Network net, LayerForm form, Values values, String... parameters) {
        for (String p : parameters) {
            LayerForm.Group g = form.group(p).orElseThrow();
            double[] layer = form.evaluate(form.gradient(g).orElseThrow(), values);
            for (int k = 0; k < g.size(); k++) {
                String element = g.elements().get(k).name();
                double fd = LossDifference.central(net, element);
                assertEquals(fd, layer[k], 1e-6 * Math.max(1, Math.abs(fd)), element);
            }
        }
    }

    @Test
    void mazursVectorNetworkReadsLikeTheTextbook() throws Exception {
        Network net = example("mazur-vector.nn");
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(graph, values);

        assertEquals("δ(h.in) ⊗ x", formula(form, "W1"));
        assertEquals("δ(o.in) ⊗ h", formula(form, "W2"));
        assertEquals("Σᵢ δ(h.in)[i]", formula(form, "b1"));
        assertEquals("Σᵢ δ(o.in)[i]", formula(form, "b2"));
        assertEquals("(o - y) ⊙ o ⊙ (1 - o)", delta(form, "o.in"));
        assertEquals("(W2ᵀ δ(o.in)) ⊙ h ⊙ (1 - h)", delta(form, "h.in"));
        assertTrue(form.isNamed(form.group("h.in").orElseThrow()));
        assertFalse(form.isNamed(form.group("h").orElseThrow()), "δ(h) is written out inside δ(h.in)");

        // Mazur's δ_o1 = 0.138498562, computed from the layer form alone.
        double[] deltaO = form.evaluate(new LayerTerm.Delta(form.group("o.in").orElseThrow()), values);
        assertEquals(0.138498562, deltaO[0], 1e-9);
        // ∂E/∂W1 from δ(h.in) ⊗ x is the scalar network's ∂E/∂w1 .. ∂E/∂w4 (W1 row-major).
        Network scalar = example("mazur.nn");
        Map<String, Double> expected = ReverseAccumulator.gradient(PathGraph.of(scalar), Values.of(scalar));
        double[] w1 = form.evaluate(form.gradient(form.group("W1").orElseThrow()).orElseThrow(), values);
        String[] same = {"w1", "w2", "w3", "w4"};
        for (int k = 0; k < 4; k++) {
            assertEquals(expected.get(same[k]), w1[k], 1e-15, same[k]);
        }
        assertEquals(0.000438567734474, w1[0], 1e-15);
        double[] b1 = form.evaluate(form.gradient(form.group("b1").orElseThrow()).orElseThrow(), values);
        assertEquals(expected.get("b1"), b1[0], 1e-15);
    }

    @Test
    void reluLayersWithVectorBiasesMatchFiniteDifferences() throws Exception {
        Network net = example("mlp-relu.nn");
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(graph, values);
        assertEquals("δ(h.in) ⊗ x", formula(form, "W1"));
        assertEquals("δ(h.in)", formula(form, "b1"));
        assertEquals("(W2ᵀ δ(o.in)) ⊙ step(h.in)", delta(form, "h.in"));
        assertEquals("o - y", delta(form, "o.in")); // sigmoid with binary cross-entropy, as a textbook writes it
        assertMatchesFiniteDifferences(net, form, values, "W1", "W2", "b1", "b2");
    }

    private static Network golden(String file) throws Exception {
        return network(file, Files.readString(Path.of("src/test/resources/golden", file)));
    }

    /**
     * A dropout-style mask, {@code h = relu(W1 @ x + b1) * m} with a constant m, keeps the layer
     * (h.in, the outer product, δ(h.in) with the mask as one more elementwise factor) instead of
     * falling back to elements, and the edges labelled "input" carry only the input, not the
     * activation's derivative. Either order of the product.
     */
    @Test
    void aConstantMaskKeepsTheLayerForm() throws Exception {
        for (String order : List.of("relu(W1 @ x + b1) * m", "m * relu(W1 @ x + b1)")) {
            Network net = network("mask.nn", Files.readString(Path.of("src/test/resources/golden/layer-mask.nn"))
                    .replace("relu(W1 @ x + b1) * m", order));
            PathGraph graph = PathGraph.of(net);
            Values values = Values.of(net);
            LayerForm form = LayerForm.of(graph, values);
            assertEquals("δ(h.in) ⊗ x", formula(form, "W1"), order);
            assertEquals("(W2ᵀ δ(p.in)) ⊙ m ⊙ step(h.in)", delta(form, "h.in"), order);
            assertMatchesFiniteDifferences(net, form, values, "W1", "b1", "W2", "b2");
            Vertex w = net.vertex("W1[1,1]").orElseThrow();
            for (Edge e : graph.outgoing(w)) {
                assertEquals(Role.INPUT, e.role());
                assertEquals(net.vertex("x[1]").orElseThrow().symbol(), e.factor(), "an input factor without step(…)");
            }
            Vertex pre = net.vertex("h.in[1]").orElseThrow();
            assertEquals(Role.ACTIVATION, graph.outgoing(pre).get(0).role(), "the mask times relu′ is the activation's factor");
            // The masked unit 2 gets no gradient, by hand: m[2] = 0.
            double[] w1 = form.evaluate(form.gradient(form.group("W1").orElseThrow()).orElseThrow(), values);
            assertEquals(0.0, w1[3], 0.0);
            assertEquals(0.0, w1[4], 0.0);
            assertEquals(0.0, w1[5], 0.0);
        }
    }

    /** A parameter or a node as the mask is not a constant mask: no implicit h.in is made for it. */
    @Test
    void onlyADeclaredConstantIsAMask() throws Exception {
        String text = Files.readString(Path.of("src/test/resources/golden/layer-mask.nn"))
                .replace("const  m[4]", "weight m[4]");
        Network net = network("mask.nn", text);
        assertTrue(net.vertex("h.in[1]").isEmpty());
        LayerForm form = LayerForm.of(PathGraph.of(net), Values.of(net));
        assertMatchesFiniteDifferences(net, form, Values.of(net));
    }

    @Test
    void aUserActivationOnAVectorLayerMatchesFiniteDifferences() throws Exception {
        Network net = golden("gelu-vector.nn");
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(PathGraph.of(net), values);
        assertEquals("(W2ᵀ δ(p.in)) ⊙ gelu_ish′(h.in)", delta(form, "h.in"));
        assertMatchesFiniteDifferences(net, form, values, "W1", "b1", "W2");
    }

    private static final String DENSE = """
            input  x[3] = [0.5, -1.0, 2.0]
            target y[2] = [0.2, 0.8]
            weight W[2,3] = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
            weight v = 0.7
            h = tanh(W @ x)
            z = v * h
            p = exp(z) / sum(exp(z))
            loss L = mean((p - y)^2)
            """;

    @Test
    void aDenseLayerIsItsJacobianAndAScalarWeightAnInnerProduct() throws Exception {
        Network net = network("dense.nn", DENSE);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(PathGraph.of(net), values);
        assertEquals("⟨h, δ(z)⟩", formula(form, "v"));
        assertEquals("(∂p/∂z)ᵀ (p - y)", delta(form, "z"));
        assertEquals("δ(z)·v ⊙ (1 - h²)", delta(form, "h.in")); // v is a scalar: ⊙ only between two vectors
        assertMatchesFiniteDifferences(net, form, values, "W", "v");
    }

    @Test
    void formsAreRecognisedWithoutValuesAtAProbePoint() throws Exception {
        Network net = network("dense.nn", DENSE.replaceAll(" = \\[.*\\]", "").replace(" = 0.7", ""));
        assertFalse(net.missingValues().isEmpty());
        LayerForm form = LayerForm.of(PathGraph.of(net), null);
        assertEquals("δ(h.in) ⊗ x", formula(form, "W"));
    }

    @Test
    void patternsThatDoNotFitEveryElementFallBack() throws Exception {
        // z[i] = v·tanh(row i of W @ x): the factor of W[i,j] depends on row i, so it is no outer product.
        Network rowDependent = network("row.nn", DENSE.replace("h = tanh(W @ x)\nz = v * h", "z = tanh(W @ x) * v"));
        LayerForm form = LayerForm.of(PathGraph.of(rowDependent), Values.of(rowDependent));
        assertTrue(form.gradient(form.group("W").orElseThrow()).isEmpty());
        // A loss that treats the outputs differently is no reduction of one elementwise factor.
        Network uneven = network("uneven.nn", DENSE.replace("mean((p - y)^2)", "(p[1] - y[1])^2 + 3*p[2]"));
        LayerForm unevenForm = LayerForm.of(PathGraph.of(uneven), Values.of(uneven));
        assertNull(unevenForm.delta(unevenForm.group("p").orElseThrow()));
        assertTrue(unevenForm.gradient(unevenForm.group("W").orElseThrow()).isEmpty(),
                "nothing computed from an unrecognised δ has a layer form");
    }

    @Test
    void scalarNetworksHaveNoLayerForms() throws Exception {
        Network net = example("mazur.nn");
        assertFalse(LayerForm.hasVectorParameters(net));
        LayerForm form = LayerForm.of(PathGraph.of(net), Values.of(net));
        assertTrue(form.gradient(form.group("w1").orElseThrow()).isEmpty());
    }

    @Test
    void softmaxFactorsAreRecognisedAndOthersAreNot() {
        List<Vertex> elements = chainrule.model.VertexGroup.declared("p", List.of(3), VertexKind.NODE).elements();
        LayerForm.Group p = new LayerForm.Group("p", List.of(3), elements);
        Expr[] factor = new Expr[9];
        for (int j = 0; j < 3; j++) {
            Expr pj = elements.get(j).symbol();
            for (int k = 0; k < 3; k++) {
                Expr pk = elements.get(k).symbol();
                // as a derivation might write them: p_j - p_j^2 on the diagonal, -p_j p_k off it
                factor[j * 3 + k] = j == k ? Exprs.sub(pj, Exprs.pow(pj, Exprs.TWO)) : Exprs.neg(Exprs.mul(pj, pk));
            }
        }
        assertTrue(LayerForm.isSoftmax(factor, p));
        factor[1] = Exprs.mul(elements.get(0).symbol(), elements.get(1).symbol()); // sign flipped
        assertFalse(LayerForm.isSoftmax(factor, p));
    }

    @Test
    void theSoftmaxProductComputesTheJacobianVectorProduct() throws Exception {
        // p ⊙ (r - ⟨p, r⟩) against the explicit Jacobian p_j(δjk - p_k) applied to r
        Network net = network("dense.nn", DENSE);
        Values values = Values.of(net);
        LayerForm form = LayerForm.of(PathGraph.of(net), values);
        LayerForm.Group p = form.group("p").orElseThrow();
        LayerForm.Group y = form.group("y").orElseThrow();
        double[] r = form.evaluate(new LayerTerm.Elementwise(Exprs.ONE, y, new LayerTerm.Delta(p), Role.LOCAL), values);
        LayerTerm softmax = new LayerTerm.Softmax(p, new LayerTerm.Delta(p));
        assertEquals("p ⊙ (p - y - ⟨p, p - y⟩)", LayerTermText.of(form).print(softmax));
        double[] jvp = form.evaluate(softmax, values);
        assertNotNull(jvp);
        for (int k = 0; k < 2; k++) {
            double expected = 0;
            for (int j = 0; j < 2; j++) {
                double pj = values.vertex("p[" + (j + 1) + "]");
                double pk = values.vertex("p[" + (k + 1) + "]");
                expected += pj * ((j == k ? 1 : 0) - pk) * r[j];
            }
            assertEquals(expected, jvp[k], 1e-15);
        }
    }
}
