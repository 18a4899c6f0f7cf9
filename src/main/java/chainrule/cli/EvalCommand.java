package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.paths.Values;
import chainrule.print.Json;
import chainrule.print.NonFiniteCheck;
import chainrule.print.Numbers;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "The loss value and the gradient, computed by compiled code.")
final class EvalCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--data", paramLabel = "CSV",
            description = "Samples (header: input and target names); the loss and gradient are the mean over the rows.")
    String data;

    @Option(names = "--dump-class", paramLabel = "DIR", description = "Also write the generated class file into DIR.")
    Path dumpClass;

    @Override
    public Integer call() throws Exception {
        CompiledSetup setup = CompiledSetup.prepare(input.file, options, data);
        if (dumpClass != null) {
            try {
                setup.compiled().dumpClass(dumpClass);
            } catch (java.io.IOException e) {
                throw new CliError("--dump-class " + dumpClass + ": cannot write: " + e.getMessage());
            }
        }
        List<String> params = setup.compiled().parameters();
        double[] grad = new double[params.size()];
        double loss = setup.objective().gradient(setup.declared(), grad);
        if (!Double.isFinite(loss) || !java.util.Arrays.stream(grad).allMatch(Double::isFinite)) {
            explainNonFinite(setup);
        }
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            Map<String, Object> lossEntry = new LinkedHashMap<>();
            lossEntry.put("name", setup.lossName());
            lossEntry.put("value", loss);
            out.put("loss", lossEntry);
            Map<String, Object> gradient = new LinkedHashMap<>();
            for (int i = 0; i < grad.length; i++) {
                gradient.put(params.get(i), grad[i]);
            }
            out.put("gradient", gradient);
            if (setup.hasData()) {
                out.put("samples", setup.samples());
            }
            Main.out().println(Json.write(out));
            return 0;
        }
        String over = !setup.hasData() ? "" : "   (mean over " + setup.samples() + " samples)";
        Main.out().println(setup.lossName() + " = " + Numbers.text(loss) + over);
        for (int i = 0; i < grad.length; i++) {
            Main.out().println("∂" + setup.lossName() + "/∂" + params.get(i) + " = " + Numbers.exact(grad[i]));
        }
        return 0;
    }

    /**
     * The compiled code produced nan or inf: point at the vertex where the interpreter's forward
     * pass first goes non-finite (with {@code --data}: on the first row), or say which result did.
     */
    static void explainNonFinite(CompiledSetup setup) throws CliError, DiagnosticException {
        Values values = Values.of(setup.network());
        NonFiniteCheck.require(setup.network(), values.vertices());
        NonFiniteCheck.requireFiniteDerivatives(setup.loaded().graph(), values);
        throw new CliError("the loss or a derivative is not finite ("
                + (!setup.hasData() ? "the forward values are finite: a derivative divides by zero or overflows)"
                        : "on some row of the data)"));
    }
}
