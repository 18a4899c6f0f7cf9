package chainrule.cli;

import chainrule.batch.BatchGraph;
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
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code eval}, {@code check} and {@code train} start with: the network loaded (with
 * {@code --set}), the optional {@code --data} samples, every needed value present, the gradient
 * compiled, and the objective (one sample, or the mean over the data, in memory or read as a
 * stream when the file is larger than {@code --max-input}).
 *
 * @param network  the network with every value the loss needs (with data: the first row's inputs)
 * @param declared the declared values in the compiled layout
 * @param data     the samples in memory, or null (no data, or a file read as a stream)
 * @param columns  the data file's columns (empty without data)
 * @param samples  the number of samples (0 without data)
 * @param dataSource the data file as read (its lines, to locate a row: {@link BadRow}); for a file read as a
 *                   stream, its name alone (empty text); null without data
 */
record CompiledSetup(LoadedNetwork loaded, Network network, CompiledGradient compiled, Objective objective,
                     double[] declared, Dataset data, List<String> columns, int threads, long samples,
                     Source dataSource) {

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
        StreamedObjective.Header streamed = null;
        List<String> columns = List.of();
        Source dataSource = null;
        if (dataFile != null && isLarge(dataFile, options.maxInput)) {
            // Larger than --max-input: checked once here, then read a chunk at a time at every
            // evaluation, whatever the network (the same bits as read whole: StreamedObjective).
            try {
                streamed = StreamedObjective.check(Path.of(dataFile), dataFile, network, given(options, network));
            } catch (java.io.IOException e) {
                throw new CliError(dataFile + ": cannot read: " + e.getMessage());
            }
            columns = streamed.columns();
            dataSource = new Source(dataFile, "");
            network = network.withValues(firstRow(columns, streamed.firstRow()));
        } else if (dataFile != null) {
            Source csv = InputLoader.loadData(dataFile, options.maxInput, null);
            data = Dataset.parse(csv, network, given(options, network));
            dataSource = csv;
            columns = data.columns();
            network = network.withValues(firstRow(columns, data.rows()[0]));
        }
        boolean withData = dataFile != null;
        network.requireValues();
        CompiledGradient compiled;
        try {
            // without data: the program codegen writes (straightLine), so codegen --main prints eval's numbers
            compiled = !withData && straightLine(network, LayerLowering.lower(loaded.file(), network).isPresent())
                    ? CompiledGradient.compile(network) : LayerCompiler.compile(network, loaded.file());
        } catch (org.objectweb.asm.ClassTooLargeException | org.objectweb.asm.MethodTooLargeException e) {
            // Only the tape compiler unrolls: a file the layer view does not cover, written at a huge size.
            throw new CliError(file + ": the network is too large for the compiler (" + network.vertices().size()
                    + " vertices unrolled to scalar code exceed the JVM's class size limit); write it with "
                    + "layers (W @ x) to have it compiled to loops, or use paths and grad, which work without compiling");
        }
        // With data, one choice in memory and streamed: the batched engine where it covers the
        // network, the compiled gradient one row at a time otherwise.
        Optional<BatchGraph> graph = withData
                ? LayerLowering.lower(loaded.file(), network).filter(BatchExport::covers).map(BatchExport::of)
                : Optional.empty();
        Objective objective = streamed != null
                ? new StreamedObjective(compiled, graph, Path.of(dataFile), dataFile, streamed, threads)
                : data != null ? DatasetObjective.of(compiled, data, graph, threads) : Objective.single(compiled);
        long samples = streamed != null ? streamed.rows() : data != null ? data.size() : 0;
        return new CompiledSetup(loaded, network, compiled, objective, compiled.workspace().declared(), data, columns,
                threads, samples, dataSource);
    }

    /**
     * The declared elements {@code --set} gives a value: a data file need not have their columns
     * (a vector's name gives all its elements).
     */
    static java.util.Set<String> given(CommonOptions options, Network network) {
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String name : options.setValues().keySet()) {
            if (network.declaredShape(name).isPresent()) {
                given.addAll(network.elementNames(name));
            } else {
                given.add(name);
            }
        }
        return given;
    }

    /** The first sample's values by column name: the values the network is checked and explained with. */
    private static Map<String, Double> firstRow(List<String> columns, double[] row) {
        Map<String, Double> first = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            first.put(columns.get(c), row[c]);
        }
        return first;
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

    /** A data file larger than --max-input: not loaded, but read as a stream at every evaluation. */
    private static boolean isLarge(String dataFile, long maxInput) {
        try {
            Path p = Path.of(dataFile);
            return !dataFile.equals("-") && java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.size(p) > maxInput;
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** The mean over other samples ({@code train --test}), computed like the main data's. */
    RowObjective objectiveFor(Dataset other) {
        return DatasetObjective.of(compiled, other, batchGraph(), threads);
    }

    /**
     * The mean over the samples of {@code file} ({@code train --test}), computed like the main
     * data's: read whole, or as a stream when larger than {@code --max-input}. Its header must
     * name every column the main data names ({@link #columns}), or one of them would take the
     * first training row's value for every held-out row.
     */
    RowObjective objectiveFor(String file, String dataFile, CommonOptions options) throws CliError, DiagnosticException {
        Network declared = loaded.network();
        java.util.Set<String> given = given(options, declared);
        if (isLarge(file, options.maxInput)) {
            StreamedObjective.Header header;
            try {
                header = StreamedObjective.check(Path.of(file), file, declared, given);
            } catch (java.io.IOException e) {
                throw new CliError(file + ": cannot read: " + e.getMessage());
            }
            requireColumns(dataFile, header.columns(), () -> headerSource(file));
            return new StreamedObjective(compiled, batchGraph(), Path.of(file), file, header, threads);
        }
        Source source = InputLoader.loadData(file, options.maxInput, null);
        Dataset other = Dataset.parse(source, declared, given);
        requireColumns(dataFile, other.columns(), () -> source);
        return objectiveFor(other);
    }

    private interface HeaderSource {
        Source get() throws CliError;
    }

    /** A column of the main data ({@code dataFile}) the held-out file lacks: an error at the held-out file's header. */
    private void requireColumns(String dataFile, List<String> have, HeaderSource source) throws CliError, DiagnosticException {
        for (String column : columns) {
            if (!have.contains(column)) {
                Source s = source.get();
                int line = 1;
                while (line < s.lineCount() && s.line(line).isBlank()) {
                    line++;
                }
                int width = Math.max(1, s.line(line).codePointCount(0, s.line(line).length()));
                throw new DiagnosticException(List.of(chainrule.diag.Diagnostic.error(s, line, 1, width,
                        "no column '" + column + "': held-out rows need every column the --data file " + dataFile + " gives")));
            }
        }
    }

    /** The first lines of {@code file} up to its header (a file read as a stream is not held). */
    private static Source headerSource(String file) throws CliError {
        StringBuilder text = new StringBuilder();
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(Path.of(file), java.nio.charset.StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                text.append(text.length() == 0 && line.startsWith("\uFEFF") ? line.substring(1) : line).append('\n');
                if (!line.isBlank()) {
                    break;
                }
            }
        } catch (java.io.IOException e) {
            throw new CliError(file + ": cannot read: " + e.getMessage());
        }
        return new Source(file, text.toString());
    }

    /** The batched engine's view of the network, where it covers it. */
    private Optional<BatchGraph> batchGraph() {
        return LayerLowering.lower(loaded.file(), network).filter(BatchExport::covers).map(BatchExport::of);
    }

    /** The loss's name. */
    String lossName() { return network.lossName(); }
}
