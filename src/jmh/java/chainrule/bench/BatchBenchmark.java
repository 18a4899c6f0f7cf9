package chainrule.bench;

import chainrule.compile.CompiledGradient;
import chainrule.data.BatchedObjective;
import chainrule.data.Dataset;
import chainrule.data.DatasetObjective;
import chainrule.diag.Source;
import chainrule.layer.BatchExport;
import chainrule.layer.LayerCompiler;
import chainrule.layer.LayerLowering;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.train.Initializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Mean loss and gradient over a data set by the batched engine ({@code chainrule.batch}):
 * {@code digits} is examples/digits/digits.nn over all 1,797 rows of examples/digits/digits.csv (64-32-10,
 * relu, softmax cross-entropy; run from the repository root), {@code mnist64} a 784-128-10 relu
 * softmax network over 64 random rows (inputs uniform on [0, 1), weights normal with standard deviation
 * 0.05 and 0.1, biases 0: as docs/scripts/torch_batched.py makes them), {@code mnist64c} the same with
 * every weight and bias 0.01 (every hidden unit on for every row: no zero in relu's δ, the dense case). {@code perRow} is the previous way, the compiled
 * single-sample gradient once per row, for comparison.
 *
 * <p>The fork runs with {@code --add-modules jdk.incubator.vector}, as bin/chainrule runs commands
 * with --data, so the matrix kernel is the Vector API one; {@code -jvmArgsAppend
 * -Dchainrule.vector=false} measures the auto-vectorised loops instead.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class BatchBenchmark {
    @Param({"digits", "mnist64", "mnist64c"})
    public String net;

    @Param({"1", "2"})
    public int threads;

    private BatchedObjective batched;
    private DatasetObjective perRow;
    private double[] declared;
    private double[] grad;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Source source;
        Dataset data;
        if (net.equals("digits")) {
            source = new Source("digits.nn", Files.readString(Path.of("examples/digits/digits.nn")));
            Ast.File ast = Initializer.apply(source, SourceParser.parseFile(source), 1);
            Network network = Analyzer.analyze(source, ast);
            data = Dataset.parse(new Source("digits.csv", Files.readString(Path.of("examples/digits/digits.csv"))), network);
            build(network, ast, data);
        } else {
            String text = Layers.text(Layers.Head.SOFTMAX_CE, 784, 128, 10);
            if (net.equals("mnist64")) { // weights drawn as docs/scripts/torch_batched.py draws them, biases 0
                text = text.replace("weight W1[128,784] = 0.01", "weight W1[128,784] ~ normal(0, 0.05)")
                        .replace("weight W2[10,128] = 0.01", "weight W2[10,128] ~ normal(0, 0.1)")
                        .replace("bias b1[128] = 0.01", "bias b1[128] = 0")
                        .replace("bias b2[10] = 0.01", "bias b2[10] = 0");
            }
            source = new Source("mnist.nn", text);
            Ast.File ast = Initializer.apply(source, SourceParser.parseFile(source), 1);
            Network network = Analyzer.analyze(source, ast);
            Random r = new Random(3);
            List<String> columns = new ArrayList<>();
            for (int j = 1; j <= 784; j++) {
                columns.add("x[" + j + "]");
            }
            for (int k = 1; k <= 10; k++) {
                columns.add("y[" + k + "]");
            }
            double[][] rows = new double[64][columns.size()];
            for (double[] row : rows) {
                for (int j = 0; j < 784; j++) {
                    row[j] = r.nextDouble();
                }
                row[784 + r.nextInt(10)] = 1;
            }
            data = new Dataset(columns, rows);
            build(network, ast, data);
        }
    }

    private void build(Network network, Ast.File ast, Dataset data) {
        Map<String, Double> first = new LinkedHashMap<>();
        for (int c = 0; c < data.columns().size(); c++) {
            first.put(data.columns().get(c), data.rows()[0][c]);
        }
        network = network.withValues(first);
        CompiledGradient compiled = LayerCompiler.compile(network, ast);
        batched = new BatchedObjective(compiled, BatchExport.of(LayerLowering.lower(ast, network).orElseThrow()), data, threads);
        perRow = new DatasetObjective(compiled, data);
        declared = compiled.workspace().declared();
        grad = new double[compiled.parameters().size()];
        double[] reference = new double[grad.length];
        perRow.gradient(declared, reference);
        batched.gradient(declared, grad);
        for (int i = 0; i < grad.length; i++) {
            if (Math.abs(grad[i] - reference[i]) > 1e-12 * Math.max(1, Math.abs(reference[i]))) {
                throw new IllegalStateException("batched and per-row gradients differ at " + compiled.parameters().get(i));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batched.close();
    }

    @Benchmark
    public double batchedGradient() {
        return batched.gradient(declared, grad);
    }

    /** The common fork/join pool runs it, whatever {@code threads} says. */
    @Benchmark
    public double perRowGradient() {
        return perRow.gradient(declared, grad);
    }
}
