package chainrule.cli;

import chainrule.compile.CompiledGradient;
import chainrule.compile.Objective;
import chainrule.data.Dataset;
import chainrule.data.DatasetObjective;
import chainrule.data.RowObjective;
import chainrule.data.StreamedObjective;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.layer.BatchExport;
import chainrule.layer.LayerCompiler;
import chainrule.layer.LayerLowering;
import chainrule.model.Network;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code eval}, {@code check} and {@code train} start with: the network loaded (with
 * {@code --set}), the optional {@code --data} samples, every needed value present, the gradient
 * compiled, and the objective (one sample, or the mean over the data).
 *
 * @param network  the network with every value the loss needs (with data: the first row's inputs)
 * @param declared the declared values in the compiled layout
 * @param data     the samples, or null
 */
record CompiledSetup(LoadedNetwork loaded, Network network, CompiledGradient compiled, Objective objective,
                     double[] declared, Dataset data, int threads, long samples) {

    /** Whether the objective is a mean over samples ({@code --data}, in memory or streamed). */
    boolean hasData() { return samples > 0; }

    static CompiledSetup prepare(String file, CommonOptions options, String dataFile)
            throws CliError, DiagnosticException {
        return prepare(file, options, dataFile, Runtime.getRuntime().availableProcessors(), LoadedNetwork.DEFAULT_SEED);
    }

    /** With {@code threads} for the data and {@code seed} for random initialisation. */
    static CompiledSetup prepare(String file, CommonOptions options, String dataFile, int threads, long seed)
            throws CliError, DiagnosticException {
        LoadedNetwork loaded = LoadedNetwork.loadForCompiling(file, options, seed);
        Network network = loaded.network();
        Dataset data = null;
        if (dataFile != null && isLarge(dataFile, options.maxInput)) {
            java.util.Optional<chainrule.batch.BatchGraph> graph = LayerLowering.lower(loaded.file(), network).filter(BatchExport::covers).map(BatchExport::of);
            if (graph.isPresent()) {
                return streamed(loaded, network, dataFile, graph.get(), threads);
            }
        }
        if (dataFile != null) {
            // Only the batched engine reads a stream (a chunk of rows at a time): a data file over
            // the limit that reaches here needs its rows whole, and the error says why.
            Source csv = InputLoader.load(dataFile, options.maxInput, "only networks of whole-vector layers read a"
                    + " larger data file as a stream; " + file + " needs every row in memory (an element of a vector"
                    + " node read on its own, as h[1], or a file of scalars)");
            data = Dataset.parse(csv, network);
            Map<String, Double> firstRow = new LinkedHashMap<>();
            for (int c = 0; c < data.columns().size(); c++) {
                firstRow.put(data.columns().get(c), data.rows()[0][c]);
            }
            network = network.withValues(firstRow);
        }
        network.requireValues();
        CompiledGradient compiled;
        try {
            // without data: the program codegen writes (straightLine), so codegen --main prints eval's numbers
            compiled = data == null && straightLine(network, LayerLowering.lower(loaded.file(), network).isPresent())
                    ? CompiledGradient.compile(network) : LayerCompiler.compile(network, loaded.file());
        } catch (org.objectweb.asm.ClassTooLargeException | org.objectweb.asm.MethodTooLargeException e) {
            // Only the tape compiler unrolls: a file the layer view does not cover, written at a huge size.
            throw new CliError(file + ": the network is too large for the compiler (" + network.vertices().size()
                    + " vertices unrolled to scalar code exceed the JVM's class size limit); write it with "
                    + "layers (W @ x) to have it compiled to loops, or use paths and grad, which work without compiling");
        }
        Objective objective = data == null ? Objective.single(compiled)
                : DatasetObjective.of(compiled, data, LayerLowering.lower(loaded.file(), network).filter(BatchExport::covers).map(BatchExport::of), threads);
        return new CompiledSetup(loaded, network, compiled, objective, compiled.workspace().declared(), data, threads,
                data == null ? 0 : data.size());
    }

    /**
     * Whether a file written with layers is computed by the straight-line code of its element view
     * (the tape) rather than by its loops: where its gradient may meet a removable singularity, so
     * that generated code carries the limit fallbacks only straight-line code can
     * ({@code paths.Limits.unrollForLimits}: small files only), and the straight-line function is
     * within javac's method limit. One rule for {@code codegen} and for {@code eval}, {@code check}
     * and {@code train} without data: the generated program and the compiled one then add and
     * multiply in the same order, and {@code codegen --main} prints {@code eval --json}'s numbers
     * to the last bit (docs/api.md, "Generated code").
     *
     * @param layered whether the layer lowering covers the file (a file it does not cover is straight-line anyway)
     */
    static boolean straightLine(Network network, boolean layered) {
        return layered && chainrule.paths.Limits.unrollForLimits(network)
                && chainrule.codegen.SourceGenerator.statements(chainrule.compile.Tape.of(network))
                        <= chainrule.codegen.SourceGenerator.JAVA_MAX_STATEMENTS;
    }

    /** A data file larger than --max-input: not loaded, but read as a stream at every evaluation (layered networks). */
    private static boolean isLarge(String dataFile, long maxInput) {
        java.nio.file.Path p = java.nio.file.Path.of(dataFile);
        try {
            return !dataFile.equals("-") && java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.size(p) > maxInput;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static CompiledSetup streamed(LoadedNetwork loaded, Network network, String dataFile,
                                          chainrule.batch.BatchGraph graph, int threads) throws CliError, DiagnosticException {
        StreamedObjective.Header header;
        java.nio.file.Path path = java.nio.file.Path.of(dataFile);
        try {
            header = StreamedObjective.check(path, dataFile, network);
        } catch (java.io.IOException e) {
            throw new CliError(dataFile + ": cannot read: " + e.getMessage());
        }
        Map<String, Double> firstRow = new LinkedHashMap<>();
        for (int c = 0; c < header.columns().size(); c++) {
            firstRow.put(header.columns().get(c), header.firstRow()[c]);
        }
        network = network.withValues(firstRow);
        network.requireValues();
        CompiledGradient compiled = LayerCompiler.compile(network, loaded.file());
        Objective objective = new StreamedObjective(compiled, graph, path, dataFile, header, threads);
        return new CompiledSetup(loaded, network, compiled, objective, compiled.workspace().declared(), null, threads,
                header.rows());
    }

    /** The mean over other samples ({@code train --test}), computed like the main data's. */
    RowObjective objectiveFor(Dataset other) {
        return DatasetObjective.of(compiled, other, LayerLowering.lower(loaded.file(), network).filter(BatchExport::covers).map(BatchExport::of), threads);
    }

    /** The loss's name. */
    String lossName() { return network.lossName(); }
}
