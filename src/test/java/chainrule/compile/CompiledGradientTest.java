package chainrule.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class CompiledGradientTest {
    static Network network(String text) throws Exception {
        return Analyzer.analyze(new Source("test.nn", text));
    }

    public static Network mazur() throws Exception {
        return network(Files.readString(Path.of("examples/mazur.nn")));
    }

    /** Compiled gradient against the interpreter's reverse accumulation over the path graph. */
    static void assertMatchesInterpreter(Network net, double tolerance) {
        CompiledGradient g = CompiledGradient.compile(net);
        ClassVerifier.verify(g);
        double[] grad = new double[g.parameters().size()];
        double loss = g.workspace().gradient(grad);
        Values values = Values.of(net);
        assertClose(values.vertex(net.loss().name()), loss, tolerance, "loss");
        Map<String, Double> expected = ReverseAccumulator.gradient(PathGraph.of(net), values);
        for (int i = 0; i < grad.length; i++) {
            String name = g.parameters().get(i);
            assertClose(expected.get(name), grad[i], tolerance, name);
        }
        assertClose(values.vertex(net.loss().name()), g.workspace().loss(), tolerance, "forward-only loss");
    }

    static void assertClose(double expected, double actual, double relative, String what) {
        double scale = Math.max(Math.abs(expected), Math.abs(actual));
        assertTrue(Math.abs(expected - actual) <= relative * scale || expected == actual,
                what + ": expected " + expected + " but compiled code gave " + actual);
    }

    @Test
    void mazursPublishedNumbers() throws Exception {
        CompiledGradient g = CompiledGradient.compile(mazur());
        ClassVerifier.verify(g);
        double[] grad = new double[g.parameters().size()];
        double loss = g.workspace().gradient(grad);
        assertEquals(0.298371108760, loss, 1e-12);
        assertEquals(0.000438567734474, grad[g.parameters().indexOf("w1")], 1e-15);
        assertEquals(0.0821670405642, grad[g.parameters().indexOf("w5")], 1e-13);
        assertMatchesInterpreter(mazur(), 1e-12);
    }

    @Test
    void settingAWeightChangesTheNumbers() throws Exception {
        CompiledGradient g = CompiledGradient.compile(mazur());
        double[] grad = new double[g.parameters().size()];
        double loss = g.workspace().set("w5", 0.0).gradient(grad);
        Network changed = mazur().withValues(Map.of("w5", 0.0));
        assertEquals(changed.forward().get("E"), loss, 1e-15);
        assertTrue(Math.abs(loss - 0.298371108760) > 1e-3);
    }

    @Test
    void everyBuiltInUserFunctionsPowersAndSharing() throws Exception {
        assertMatchesInterpreter(network("""
                function swish(z) = z*sigmoid(z)
                function bump(a, b) = exp(-(a - b)^2) / (1 + a^2)
                input x = 0.7, y = -0.3
                target t = 0.25
                weight w = 0.4, v = -1.2, u = 0.9
                bias b = 0.1
                h = swish(w*x + b) + tanh(v*y) + relu(u - x) + leaky_relu(v*x, 0.2) + softplus(w*v)
                g = log(1 + h^2) + sqrt(abs(h) + 1) + sin(w) * cos(v) + bump(h, u) + h^u / (v^2 + 1)
                k = g * h * w + 2^w
                loss L = (k - t)^2 + 0.01*(w^2 + v^2 + u^2)
                """), 1e-12);
    }

    @Test
    void parameterOutsideTheLossGetsZeroAndConstantLossWorks() throws Exception {
        CompiledGradient g = CompiledGradient.compile(network("""
                weight w = 0.5, unused = 3
                loss L = w
                """));
        ClassVerifier.verify(g);
        double[] grad = new double[2];
        assertEquals(0.5, g.workspace().gradient(grad));
        assertEquals(1.0, grad[0]);
        assertEquals(0.0, grad[1]);
    }

    @Test
    void wideSumsAreSplitIntoMethodsBelowTheJitLimit() throws Exception {
        StringBuilder src = new StringBuilder("input x = 0.3\n");
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            src.append("weight w").append(i).append(" = ").append((i % 17) / 10.0 - 0.8).append('\n');
            src.append("h").append(i).append(" = tanh(w").append(i).append("*x + ").append(i % 5).append(")\n");
            sum.append(i == 0 ? "" : " + ").append("h").append(i).append("^2");
        }
        src.append("loss L = ").append(sum).append('\n');
        Network net = network(src.toString());
        CompiledGradient g = CompiledGradient.compile(net);
        assertTrue(ClassMetrics.methodCodeSizes(g.classFile()).size() > 10);
        assertMatchesInterpreter(net, 1e-12);
    }

    @Test
    void sharedSubexpressionsAreComputedOnce() throws Exception {
        Network net = network("""
                input x = 0.3
                weight w = 0.7, v = -0.2
                a = sigmoid(w*x) + v
                b = sigmoid(w*x) * v
                loss L = (a - b)^2 + sigmoid(w*x)
                """);
        Tape tape = Tape.of(net);
        long sigmoids = tape.forward().stream().filter(s -> s.node() instanceof chainrule.expr.Apply).count();
        assertEquals(1, sigmoids);
        long reverseSigmoids = tape.reverse().stream().filter(s -> s.node() instanceof chainrule.expr.Apply).count();
        // σ′ = σ(wx)·σ(−wx), the table's numeric column: it reuses the forward σ(wx) and adds one
        // σ(−wx), once for all three uses (out·(1 − out) would lose every digit once σ rounds to 1)
        assertEquals(1, reverseSigmoids, "the derivative reuses the forward value and computes σ(−wx) once");
        assertMatchesInterpreter(net, 1e-12);
    }

    @Test
    void evaluationDoesNotAllocate() throws Exception {
        CompiledGradient g = CompiledGradient.compile(mazur());
        CompiledGradient.Workspace ws = g.workspace();
        double[] grad = new double[g.parameters().size()];
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += ws.gradient(grad);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            sink += ws.gradient(grad) + ws.loss();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, allocated + " bytes allocated by 20000 evaluations (sink " + sink + ")");
    }
}
