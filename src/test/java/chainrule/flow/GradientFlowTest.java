package chainrule.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The flow numbers against hand computations: the vanishing-gradient acceptance test of issue 6
 * (ten sigmoid layers against ten ReLU layers), Mazur's published activations, and finite
 * differences for the gradient norms.
 */
class GradientFlowTest {

    static Network load(String file) throws Exception {
        return Analyzer.analyze(new Source(file, Files.readString(Path.of(file))));
    }

    static List<LayerFlow> flow(Network net) {
        return GradientFlow.of(PathGraph.of(net), Values.of(net));
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void tenSigmoidLayersShrinkTheAccumulatedProductBelowAQuarterToTheTenth() throws Exception {
        List<LayerFlow> layers = flow(load("examples/chain10-sigmoid.nn"));
        assertEquals(10, layers.size());
        // By hand: x = 1, every weight 1, h_k = σ(h_(k-1)); layer k has depth 11 - k.
        double[] h = new double[11];
        double[] slope = new double[11];
        h[0] = 1;
        for (int k = 1; k <= 10; k++) {
            h[k] = sigmoid(1 * h[k - 1]);
            slope[k] = h[k] * (1 - h[k]);
        }
        double accumulated = 1;
        for (int depth = 1; depth <= 10; depth++) {
            int k = 11 - depth;
            accumulated *= slope[k] * 1;
            LayerFlow l = layers.get(depth - 1);
            assertEquals(depth, l.depth());
            assertEquals(slope[k], l.act().median(), 1e-15);
            assertEquals(1, l.weight().median());
            assertEquals(slope[k], l.product().median(), 1e-15);
            assertEquals(accumulated, l.accumulated(), 1e-12 * accumulated);
            // ∂L/∂w_k = (h10 - t) · Π_(j>k) σ′_j·w_j · σ′_k · h_(k-1), with t = 0
            double grad = h[10] * slope[k] * h[k - 1];
            for (int j = k + 1; j <= 10; j++) {
                grad *= slope[j];
            }
            assertEquals(grad, l.gradNorm(), 1e-12 * grad);
        }
        double first = layers.get(9).accumulated(); // the first layer, nearest the input
        assertTrue(first <= Math.pow(0.25, 10), "at most 0.25^10 of the value at the output (1): " + first);
        assertTrue(first / layers.get(0).accumulated() <= Math.pow(0.25, 9));
        assertEquals(1.84e-7, layers.get(9).gradNorm(), 0.01e-7); // the table in docs/flow.md
    }

    @Test
    void tenReluLayersKeepTheAccumulatedProductAtOne() throws Exception {
        List<LayerFlow> layers = flow(load("examples/chain10-relu.nn"));
        assertEquals(10, layers.size());
        for (LayerFlow l : layers) {
            assertEquals(1.0, l.act().min());
            assertEquals(1.0, l.act().max());
            assertEquals(1.0, l.accumulated(), 0.0);
            // every h_k = 1, so ∂L/∂w_k = (h10 - t)·1·h_(k-1) = 1
            assertEquals(1.0, l.gradNorm(), 0.0);
        }
    }

    @Test
    void mazurLayersHoldHisActivationsAndFiniteDifferenceGradients() throws Exception {
        Network net = load("examples/mazur.nn");
        List<LayerFlow> layers = flow(net);
        assertEquals(2, layers.size());
        // Mazur's published outputs: out_o1 = 0.75136507, out_o2 = 0.772928465; out_h1 = 0.593269992, out_h2 = 0.596884378
        LayerFlow output = layers.get(0);
        LayerFlow hidden = layers.get(1);
        assertEquals(0.772928465 * (1 - 0.772928465), output.act().min(), 1e-8);
        assertEquals(0.75136507 * (1 - 0.75136507), output.act().max(), 1e-8);
        assertEquals(0.596884378 * (1 - 0.596884378), hidden.act().min(), 1e-8);
        assertEquals(0.593269992 * (1 - 0.593269992), hidden.act().max(), 1e-8);
        assertEquals(0.40, output.weight().min());
        assertEquals(0.55, output.weight().max());
        assertEquals((0.45 + 0.50) / 2, output.weight().median(), 1e-15);
        assertEquals(0.15, hidden.weight().min());
        assertEquals(output.product().median() * hidden.product().median(), hidden.accumulated(), 1e-15);
        assertEquals(finiteDifferenceNorm(net, "w5", "w6", "w7", "w8", "b2"), output.gradNorm(), 1e-8);
        assertEquals(finiteDifferenceNorm(net, "w1", "w2", "w3", "w4", "b1"), hidden.gradNorm(), 1e-8);
        assertEquals(5, output.parameters());
        assertEquals(5, hidden.parameters());
    }

    static double finiteDifferenceNorm(Network net, String... names) {
        double sum = 0;
        for (String name : names) {
            double h = 1e-6;
            Map<String, Double> up = new LinkedHashMap<>(net.values());
            Map<String, Double> down = new LinkedHashMap<>(net.values());
            up.put(name, up.get(name) + h);
            down.put(name, down.get(name) - h);
            double d = (net.lossAt(up) - net.lossAt(down)) / (2 * h);
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    @Test
    void aLinearOutputLayerIsALayerWithoutActivation() throws Exception {
        Network net = Analyzer.analyze(new Source("linear.nn", """
                input x = 2
                target t = 0.5
                weight w1 = -0.3, w2 = 1.5
                h = tanh(w1*x)
                y = w2*h
                loss L = 0.5*(y - t)^2
                """));
        List<LayerFlow> layers = flow(net);
        assertEquals(2, layers.size());
        assertNull(layers.get(0).act());
        assertEquals(1.5, layers.get(0).product().median());
        double tanhSlope = 1 - Math.pow(Math.tanh(-0.6), 2);
        assertEquals(tanhSlope, layers.get(1).act().median(), 1e-15);
        assertEquals(0.3 * tanhSlope, layers.get(1).product().median(), 1e-15);
        assertEquals(1.5 * 0.3 * tanhSlope, layers.get(1).accumulated(), 1e-15);
        double y = 1.5 * Math.tanh(-0.6);
        assertEquals(Math.abs((y - 0.5) * Math.tanh(-0.6)), layers.get(0).gradNorm(), 1e-15);
        assertEquals(Math.abs((y - 0.5) * 1.5 * tanhSlope * 2), layers.get(1).gradNorm(), 1e-14);
    }

    @Test
    void aDeadReluStopsTheFlowAndALossOfParametersAloneHasNoLayerFactors() throws Exception {
        List<LayerFlow> dead = flow(Analyzer.analyze(new Source("dead.nn",
                "input x = -1\nweight w = 1\nh = relu(w*x)\nloss L = h\n")));
        assertEquals(1, dead.size());
        assertEquals(0.0, dead.get(0).act().max()); // relu′(-1) = 0
        assertEquals(0.0, dead.get(0).accumulated());
        assertEquals(0.0, dead.get(0).gradNorm());

        List<LayerFlow> bare = flow(Analyzer.analyze(new Source("bare.nn", "weight w = 2\nloss L = w*w\n")));
        assertEquals(1, bare.size());
        assertNull(bare.get(0).act());
        assertNull(bare.get(0).weight());
        assertNull(bare.get(0).product());
        assertEquals(1.0, bare.get(0).accumulated());
        assertEquals(4.0, bare.get(0).gradNorm()); // d(w²)/dw = 2w
        assertTrue(Double.isNaN(bare.get(0).deltaNorm()));
    }

    /** σ′ ≤ 1/4, so with |w| ≤ 1 each sigmoid layer shrinks the accumulated product at least fourfold. */
    @Property(tries = 40)
    void sigmoidLayersWithSmallWeightsShrinkAtLeastFourfold(
            @ForAll @Size(min = 2, max = 8) List<@DoubleRange(min = -1, max = 1) Double> weights,
            @ForAll @DoubleRange(min = -3, max = 3) double x) throws Exception {
        StringBuilder src = new StringBuilder("input x = " + x + "\n");
        for (int k = 1; k <= weights.size(); k++) {
            src.append("weight w").append(k).append(" = ").append(weights.get(k - 1)).append("\n");
            src.append("h").append(k).append(" = sigmoid(w").append(k).append("*").append(k == 1 ? "x" : "h" + (k - 1)).append(")\n");
        }
        src.append("loss L = h").append(weights.size()).append("\n");
        List<LayerFlow> layers = flow(Analyzer.analyze(new Source("chain.nn", src.toString())));
        assertEquals(weights.size(), layers.size());
        double above = 1;
        for (LayerFlow l : layers) {
            assertTrue(l.accumulated() <= 0.25 * above, l.toString());
            above = l.accumulated();
        }
    }
}
