package chainrule.bench;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.layer.LayerCompiler;
import chainrule.layer.LayerLowering;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import chainrule.paths.PathGraph;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to build a 784-128-128-128-10 relu network (135,818 parameters) from its text: the whole
 * pipeline {@code eval} runs before evaluating (parse, analyse to the element view, lower to the
 * layer view, derive the backward loops, generate and load the class), and its parts separately.
 * One build per iteration ({@link Mode#SingleShotTime}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@State(Scope.Thread)
public class BuildBenchmark {
    @Param({"SIGMOID_SQUARES", "SOFTMAX_CE"})
    public String head;

    private String text;
    private Source source;
    private Ast.File ast;
    private Network network;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        text = Layers.text(Layers.Head.valueOf(head), 784, 128, 128, 128, 10);
        source = new Source("deep.nn", text);
        ast = SourceParser.parseFile(source);
        network = Layers.analyserAccepts(text) ? Analyzer.analyze(source, ast) : null;
    }

    /**
     * Everything: text to a loaded, ready-to-run gradient, as eval does. Where the analyser does
     * not accept the file yet (softmax), without it: parse, lower, derive, compile.
     */
    @Benchmark
    public CompiledGradient parseAnalyseDeriveCompile() throws Exception {
        return Layers.compile("deep.nn", text, network != null);
    }

    /** Parse and analyse only: the element view (one vertex per element), which eval also builds. */
    @Benchmark
    public Object parseAndAnalyse() throws Exception {
        Ast.File file = SourceParser.parseFile(new Source("deep.nn", text));
        return network == null ? file : Analyzer.analyze(source, file);
    }

    /** From the syntax tree: lower to the layer view, derive the backward loops, generate and load the class. */
    @Benchmark
    public CompiledGradient lowerDeriveCompile() {
        return network == null ? LayerCompiler.compile(LayerLowering.lower(ast).orElseThrow(), null).orElseThrow()
                : LayerCompiler.compile(network, ast);
    }

    /** The element path graph (paths, grad, latex need it; eval, check and train no longer build it). */
    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    public Object pathGraph() {
        return network == null ? null : PathGraph.of(network);
    }
}
