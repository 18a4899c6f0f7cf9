package chainrule.cli;

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
        LoadedNetwork loaded = LoadedNetwork.load(input.file, options);
        Values values = loaded.valuesIfComplete();
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
        Main.out().print(options.json ? Json.write(report.json()) + "\n" : report.text(options.notation()));
        return 0;
    }
}
