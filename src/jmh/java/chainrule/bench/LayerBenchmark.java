package chainrule.bench;

import chainrule.compile.CompiledGradient;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A 784-128-10 relu network, batch 1: the loop-compiled gradient against {@link HandWrittenMlp}
 * in the same run, loss + gradient and forward only. {@code head}: softmax + cross-entropy
 * (issue 5's network) or sigmoid + sum of squares.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class LayerBenchmark {
    static final int IN = 784;
    static final int HIDDEN = 128;
    static final int OUT = 10;

    @Param({"SOFTMAX_CE", "SIGMOID_SQUARES"})
    public String head;

    private CompiledGradient.Workspace compiled;
    private double[] compiledGrad;
    private HandWrittenMlp hand;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Layers.Head h = Layers.Head.valueOf(head);
        String text = Layers.text(h, IN, HIDDEN, OUT);
        CompiledGradient g = Layers.compile("mnist.nn", text, Layers.analyserAccepts(text));
        if (g.tape().isPresent()) {
            throw new IllegalStateException("expected the loop compiler");
        }
        compiled = g.workspace();
        compiledGrad = new double[g.parameters().size()];
        hand = new HandWrittenMlp(IN, HIDDEN, OUT, h == Layers.Head.SOFTMAX_CE);
        fill(g);
        checkAgreement(g);
    }

    /** The same deterministic values in both: small weights of both signs, inputs in [0, 1], a one-hot target. */
    private void fill(CompiledGradient g) {
        for (int j = 0; j < IN; j++) {
            set(g, "x[" + (j + 1) + "]", hand.x, j, (j % 11) / 10.0);
        }
        for (int k = 0; k < OUT; k++) {
            set(g, "y[" + (k + 1) + "]", hand.y, k, k == 3 ? 1.0 : 0.0);
            set(g, "b2[" + (k + 1) + "]", hand.b2, k, ((k % 5) - 2) / 20.0);
            for (int j = 0; j < HIDDEN; j++) {
                set(g, "W2[" + (k + 1) + "," + (j + 1) + "]", hand.w2, k * HIDDEN + j, (((k * 7 + j * 13) % 19) - 9) / 60.0);
            }
        }
        for (int i = 0; i < HIDDEN; i++) {
            set(g, "b1[" + (i + 1) + "]", hand.b1, i, ((i % 7) - 3) / 50.0);
            for (int j = 0; j < IN; j++) {
                set(g, "W1[" + (i + 1) + "," + (j + 1) + "]", hand.w1, i * IN + j, (((i * 31 + j * 17) % 23) - 11) / 400.0);
            }
        }
    }

    private void set(CompiledGradient g, String name, double[] array, int index, double value) {
        compiled.set(g.declaredIndex(name), value);
        array[index] = value;
    }

    /** Refuses to measure two gradients that do not compute the same thing. */
    private void checkAgreement(CompiledGradient g) {
        double compiledLoss = compiled.gradient(compiledGrad);
        double handLoss = hand.gradient();
        same(compiledLoss, handLoss, 1, "loss");
        int k = 0;
        double largest = 0;
        for (double[] part : new double[][] {hand.gw1, hand.gw2, hand.gb1, hand.gb2}) {
            for (double v : part) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        // The file declares W1, b1, W2, b2 in that order: the gradient array's order.
        String[] order = {"W1", "b1", "W2", "b2"};
        double[][] byOrder = {hand.gw1, hand.gb1, hand.gw2, hand.gb2};
        for (int p = 0; p < order.length; p++) {
            for (double v : byOrder[p]) {
                same(compiledGrad[k], v, largest, g.parameters().get(k));
                k++;
            }
        }
        if (k != compiledGrad.length) {
            throw new IllegalStateException("compared " + k + " of " + compiledGrad.length + " entries");
        }
    }

    /** Equal to 1e-12 relative, or within 1e-15 of {@code scale} (for entries that cancel to about 0); else refuses to run. */
    static void same(double a, double b, double scale, String what) {
        if (Math.abs(a - b) > 1e-12 * Math.max(1e-300, Math.max(Math.abs(a), Math.abs(b))) + 1e-15 * scale) {
            throw new IllegalStateException(what + ": compiled " + a + " but hand-written " + b);
        }
    }

    @Benchmark
    public double compiledGradient() {
        return compiled.gradient(compiledGrad);
    }

    @Benchmark
    public double handWrittenGradient() {
        return hand.gradient();
    }

    @Benchmark
    public double compiledForward() {
        return compiled.loss();
    }

    @Benchmark
    public double handWrittenForward() {
        return hand.forward();
    }
}
