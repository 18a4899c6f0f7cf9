package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.model.Vertex;
import chainrule.paths.ClosedForm;
import chainrule.paths.Path;
import chainrule.paths.TopPaths;
import chainrule.paths.Values;
import chainrule.print.Json;
import chainrule.print.NonFiniteCheck;
import chainrule.print.PathsReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "paths", mixinStandardHelpOptions = true,
        description = "Every path from parameter W to the loss, each with its product of labelled edge factors, "
                + "then their sum and the factored closed form.")
final class PathsCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--wrt", required = true, paramLabel = "W", description = "The parameter (weight or bias).")
    String wrt;

    @Option(names = "--max-paths", paramLabel = "N", defaultValue = "100",
            description = "The most paths to list; the count is always exact (default: ${DEFAULT-VALUE}).")
    long maxPaths;

    @Option(names = "--top", paramLabel = "K",
            description = "List only the K paths of largest |product|, largest first, found by a best-first search "
                    + "without listing all paths (needs every value).")
    Integer top;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxPaths < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--max-paths must be 0 or more, not " + maxPaths);
        }
        if (top != null && top < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top must be 1 or more, not " + top);
        }
        LoadedNetwork loaded = LoadedNetwork.loadLazily(input.file, options);
        // the element view of --wrt's cone only, as grad does (docs/design.md, "The element view on
        // demand"); where it cannot say what the whole view says, the whole view
        String out = loaded.fromCone(List.of(wrt), this::report);
        Main.out().print(out != null ? out : report(loaded, loaded.valuesIfComplete()));
        return 0;
    }

    /** What {@code paths} prints about {@code loaded} from its whole element view: what a partial view is held to (PartialViewTest). */
    String wholeViewReport(LoadedNetwork loaded) throws Exception {
        return report(loaded, loaded.valuesIfComplete());
    }

    /** What {@code paths} prints about {@code loaded} from the element view of {@code --wrt}'s cone; null where it declines. */
    String partialViewReport(LoadedNetwork loaded) throws Exception {
        return loaded.fromCone(List.of(wrt), this::report);
    }

    private String report(LoadedNetwork loaded, Values values) throws Exception {
        PrintedSizeCheck.require(loaded.graph(), List.of(loaded.parameter(wrt)));
        if (values != null) {
            // the derivative by --wrt only: the edges below it are derived, not a whole large network's
            NonFiniteCheck.requireFiniteDerivatives(loaded.graph(), values, List.of(loaded.parameter(wrt)));
        }
        PathsReport report = top == null
                ? PathsReport.of(loaded.graph(), loaded.parameter(wrt), maxPaths, values, options.notation())
                : largest(loaded, values);
        if (options.json) {
            Map<String, Object> json = report.json();
            if (top != null) {
                json.put("top", top);
            }
            return Json.write(json) + "\n";
        }
        return report.text();
    }

    /** The report over the {@code --top} paths of largest |product|. */
    private PathsReport largest(LoadedNetwork loaded, Values known) throws Exception {
        Vertex w = loaded.parameter(wrt);
        Values values = known != null ? known : loaded.requireValues();
        List<Path> paths;
        try {
            paths = TopPaths.largest(loaded.graph(), values, w, top);
        } catch (IllegalArgumentException e) {
            throw new CliError("--top: " + e.getMessage());
        }
        return new PathsReport(loaded.graph(), w, paths, loaded.graph().pathCount(w),
                ClosedForm.of(loaded.graph(), w), values, options.notation(), PathsReport.Selection.LARGEST);
    }
}
