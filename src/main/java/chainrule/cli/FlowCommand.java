package chainrule.cli;

import chainrule.flow.FlowChart;
import chainrule.flow.FlowTable;
import chainrule.flow.GradientFlow;
import chainrule.flow.LayerFlow;
import chainrule.print.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import chainrule.data.Dataset;
import chainrule.diag.DiagnosticException;
import chainrule.model.Network;
import chainrule.paths.Values;
import chainrule.print.NonFiniteCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "flow", mixinStandardHelpOptions = true,
        description = "Per layer depth (1 = nearest the loss): the magnitudes of the activation-derivative (액) and "
                + "weight (웨) factors, their products, the product accumulated from the loss back to that depth, "
                + "and the gradient norm there.")
final class FlowCommand implements Callable<Integer> {
    /** The output formats of {@code --format}. */
    enum Format { text, svg, png }

    @Spec CommandSpec spec;

    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--format", paramLabel = "text|svg|png", defaultValue = "text",
            description = "A table (default), or a chart on a log scale as SVG or PNG.")
    Format format;

    @Option(names = "--data", paramLabel = "CSV",
            description = "Samples (header: input and target names): factor magnitudes over every row, the mean gradient's norm.")
    String data;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Write to this file instead of standard output (required for png).")
    String output;

    @Override
    public Integer call() throws Exception {
        if (format == Format.png && output == null) {
            throw new ParameterException(spec.commandLine(), "--format png needs -o OUT.png: a PNG is not written to a terminal");
        }
        LoadedNetwork loaded = LoadedNetwork.load(input.file, options);
        List<LayerFlow> layers = GradientFlow.of(loaded.graph(), samples(loaded));
        String lossName = loaded.network().loss().name();
        if (options.json) {
            write(Json.write(new FlowTable(lossName, layers, options.notation()).json()) + "\n");
            return 0;
        }
        switch (format) {
            case text -> write(new FlowTable(lossName, layers, options.notation()).text());
            case svg -> write(FlowChart.svg(layers, title()));
            case png -> {
                System.setProperty("java.awt.headless", "true");
                writeFile(FlowChart.png(layers, title()));
            }
        }
        return 0;
    }

    /** Under flow's too-large error: its rows are held (every row's factors are kept), never streamed. */
    private static final String FLOW_HELP = "flow keeps every row's factors, so it reads its --data file whole, never as a"
            + " stream; raise --max-input to load it, or give flow a sample of the rows";

    /** One sample (the file's values), or one per row of {@code --data}. */
    private List<Values> samples(LoadedNetwork loaded) throws CliError, DiagnosticException {
        if (data == null) {
            Values values = loaded.requireValues();
            NonFiniteCheck.requireFiniteDerivatives(loaded.graph(), values);
            return List.of(values);
        }
        Network network = loaded.network();
        Dataset rows = Dataset.parse(InputLoader.loadData(data, options.maxInput, FLOW_HELP), network, CompiledSetup.given(options, network));
        List<Values> out = new ArrayList<>(rows.rows().length);
        for (double[] row : rows.rows()) {
            Map<String, Double> sample = new LinkedHashMap<>();
            for (int c = 0; c < rows.columns().size(); c++) {
                sample.put(rows.columns().get(c), row[c]);
            }
            Network withRow = network.withValues(sample);
            withRow.requireValues();
            out.add(Values.of(withRow));
        }
        return out;
    }

    private String title() {
        String name = input.file.equals("-") ? "<stdin>" : Path.of(input.file).getFileName().toString();
        return "gradient flow: " + name;
    }

    private void write(String text) throws CliError {
        if (output == null) {
            Main.out().print(text);
        } else {
            writeFile(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void writeFile(byte[] bytes) throws CliError {
        try {
            Files.write(Path.of(output), bytes);
        } catch (NoSuchFileException e) {
            throw new CliError(output + ": cannot write: no such directory");
        } catch (AccessDeniedException e) {
            throw new CliError(output + ": cannot write: permission denied");
        } catch (IOException | InvalidPathException e) {
            throw new CliError(output + ": cannot write: " + e.getMessage());
        }
    }
}
