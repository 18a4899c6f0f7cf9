package chainrule.bench;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
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
 * Compiled gradient against a hand-written one, in the same run: loss + gradient, forward only,
 * and central finite differences over every parameter (what the gradient replaces).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class GradientBenchmark {
    @Param({"mazur", "deep3x32"})
    public String network;

    private CompiledGradient.Workspace compiled;
    private double[] compiledGrad;
    private double[] declared;
    private int[] parameterIndex;
    private double[] mazurParams;
    private double[] mazurInputs;
    private double[] mazurGrad;
    private HandWritten.Deep deep;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String text = network.equals("mazur") ? Networks.MAZUR : Networks.deep();
        CompiledGradient g = CompiledGradient.compile(Analyzer.analyze(new Source(network + ".nn", text)));
        compiled = g.workspace();
        compiledGrad = new double[g.parameters().size()];
        declared = compiled.declared();
        parameterIndex = g.parameterIndices();
        mazurParams = new double[] {0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, 0.35, 0.60};
        mazurInputs = new double[] {0.05, 0.10, 0.01, 0.99};
        mazurGrad = new double[10];
        deep = new HandWritten.Deep();
        checkAgreement(g);
    }

    /** Refuses to measure two gradients that do not compute the same thing. */
    private void checkAgreement(CompiledGradient g) {
        double compiledLoss = compiled.gradient(compiledGrad);
        double handLoss = network.equals("mazur") ? HandWritten.mazur(mazurParams, mazurInputs, mazurGrad) : deep.gradient();
        same(compiledLoss, handLoss, "loss");
        for (int k = 0; k < compiledGrad.length; k++) {
            String name = g.parameters().get(k);
            same(compiledGrad[k], handGradient(name, k), name);
        }
    }

    private double handGradient(String name, int k) {
        if (network.equals("mazur")) {
            return mazurGrad[k];
        }
        String[] part = name.substring(1).split("_");
        int l = Integer.parseInt(part[0]) - 1;
        int j = Integer.parseInt(part[1]) - 1;
        return name.startsWith("w") ? deep.gw[l][j][Integer.parseInt(part[2]) - 1] : deep.gb[l][j];
    }

    private static void same(double a, double b, String what) {
        LayerBenchmark.same(a, b, 0, what);
    }

    @Benchmark
    public double compiledGradient() {
        return compiled.gradient(compiledGrad);
    }

    @Benchmark
    public double handWrittenGradient() {
        return network.equals("mazur") ? HandWritten.mazur(mazurParams, mazurInputs, mazurGrad) : deep.gradient();
    }

    @Benchmark
    public double compiledForward() {
        return compiled.loss();
    }

    @Benchmark
    public double handWrittenForward() {
        return network.equals("mazur") ? HandWritten.mazurForward(mazurParams, mazurInputs) : deep.forward();
    }

    /** Central differences for every parameter with the compiled forward pass: 2 passes per parameter. */
    @Benchmark
    public double finiteDifferences() {
        double sum = 0;
        for (int k = 0; k < parameterIndex.length; k++) {
            int i = parameterIndex[k];
            double w = declared[i];
            double h = 6.055454452393343e-6 * Math.max(1, Math.abs(w));
            compiled.set(i, w + h);
            double up = compiled.loss();
            compiled.set(i, w - h);
            double down = compiled.loss();
            compiled.set(i, w);
            sum += (up - down) / (2 * h);
        }
        return sum;
    }
}
