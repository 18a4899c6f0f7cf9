package chainrule.cli;

import chainrule.print.Json;
import chainrule.print.PathsReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "paths", mixinStandardHelpOptions = true,
        description = "Every path from parameter W to the loss, each with its product of labelled edge factors, "
                + "then their sum and the factored closed form.")
final class PathsCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Parameters(index = "0", paramLabel = "FILE", description = "The .nn file, or - for standard input.")
    String file;

    @Option(names = "--wrt", required = true, paramLabel = "W", description = "The parameter (weight or bias).")
    String wrt;

    @Option(names = "--max-paths", paramLabel = "N", defaultValue = "100",
            description = "The most paths to list; the count is always exact (default: ${DEFAULT-VALUE}).")
    long maxPaths;

    @Override
    public Integer call() throws Exception {
        LoadedNetwork loaded = LoadedNetwork.load(file, options);
        PathsReport report = PathsReport.of(loaded.graph(), loaded.parameter(wrt), Math.max(0, maxPaths),
                loaded.valuesIfComplete(), options.notation());
        Main.out().print(options.json ? Json.write(report.json()) + "\n" : report.text());
        return 0;
    }
}
