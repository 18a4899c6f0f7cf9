package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.paths.Values;
import chainrule.print.GradientReport;
import chainrule.print.NonFiniteCheck;
import chainrule.print.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "grad", mixinStandardHelpOptions = true,
        description = "For each parameter (all by default): the closed-form derivative of the loss, factored, and its value.")
final class GradCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--wrt", paramLabel = "W", description = "A parameter to differentiate by (repeatable; default: all).")
    List<String> wrt;

    @Override
    public Integer call() throws Exception {
        LoadedNetwork loaded = LoadedNetwork.loadLazily(input.file, options);
        // --wrt 'W1[1,1]': the element view of that parameter's cone only (docs/design.md, "The
        // element view on demand"); where it cannot say what the whole view says, the whole view
        String out = loaded.fromCone(wrt, this::report);
        Main.out().print(out != null ? out : report(loaded));
        return 0;
    }

    /** What {@code grad} prints about {@code loaded} from its whole element view: what a partial view is held to (PartialViewTest). */
    String wholeViewReport(LoadedNetwork loaded) throws CliError, DiagnosticException {
        return report(loaded);
    }

    /** What {@code grad} prints about {@code loaded} from the partial element view of {@code --wrt}'s cone; null where it declines. */
    String partialViewReport(LoadedNetwork loaded) throws Exception {
        return loaded.fromCone(wrt, this::report);
    }

    private String report(LoadedNetwork loaded) throws CliError, DiagnosticException {
        return report(loaded, loaded.valuesIfComplete());
    }

    private String report(LoadedNetwork loaded, Values values) throws CliError, DiagnosticException {
        List<chainrule.model.Vertex> parameters = loaded.parameters(wrt);
        PrintedSizeCheck.require(loaded.graph(), parameters);
        if (values != null) {
            // only the derivatives printed: --wrt 'W1[1,1]' derives the edges below it, not all
            if (wrt == null || wrt.isEmpty()) {
                NonFiniteCheck.requireFiniteDerivatives(loaded.graph(), values); // one full pass, shared with the report
            } else {
                NonFiniteCheck.requireFiniteDerivatives(loaded.graph(), values, parameters);
            }
        }
        GradientReport report = new GradientReport(loaded.graph(), parameters, values);
        return options.json ? Json.write(report.json()) + "\n" : report.text(options.notation());
    }
}
