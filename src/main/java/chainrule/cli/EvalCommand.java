package chainrule.cli;

import chainrule.diag.DiagnosticException;
import chainrule.expr.Numbers;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import chainrule.print.Json;
import chainrule.print.NonFiniteCheck;
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
            loss = limitOrExplain(setup, grad);
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
     * The compiled code produced nan or inf. Without {@code --data}, the interpreter's forward pass
     * and reverse accumulation over the path graph may still find finite values: a stable rewriting
     * of a saturated sigmoid or softmax vertex inside a log, or the limit of a removable singularity
     * (docs/hardening.md); then those are the result, and {@code grad[]} is filled in. Otherwise
     * {@link #explainNonFinite} points at the culprit.
     *
     * @return the loss value
     */
    static double limitOrExplain(CompiledSetup setup, double[] grad) throws CliError, DiagnosticException {
        if (!setup.hasData()) { // with data (in memory or streamed) the mean is not the first row's
            Values values = Values.of(setup.network());
            NonFiniteCheck.require(setup.network(), values.vertices());
            NonFiniteCheck.requireFiniteDerivatives(setup.loaded().graph(), values);
            Map<String, Double> g = ReverseAccumulator.gradient(setup.loaded().graph(), values);
            List<String> params = setup.compiled().parameters();
            double loss = values.vertex(setup.network().loss().name());
            boolean complete = Double.isFinite(loss);
            for (String p : params) {
                complete &= g.get(p) != null && Double.isFinite(g.get(p));
            }
            if (complete) {
                for (int i = 0; i < grad.length; i++) {
                    grad[i] = g.get(params.get(i));
                }
                return loss;
            }
        }
        explainNonFinite(setup);
        throw new IllegalStateException("explainNonFinite returned");
    }

    /**
     * The compiled code produced nan or inf: point at the vertex where the interpreter's forward
     * pass first goes non-finite, or say which result did; with {@code --data}, at the first row of
     * the data file that is not finite ({@link BadRow}).
     */
    static void explainNonFinite(CompiledSetup setup) throws CliError, DiagnosticException {
        if (setup.hasData()) {
            // the first row that is not finite, at its line of the data file, with the cause on that row
            BadRow.locate(setup, setup.declared(), "");
            throw new CliError("the loss or a derivative is not finite over the " + setup.samples() + " rows of the data,"
                    + " though every row alone is finite at these values: their sum overflows (or, in check, a value a"
                    + " finite-difference step away does); scale the data or the loss down");
        }
        Values values = Values.of(setup.network());
        NonFiniteCheck.require(setup.network(), values.vertices());
        NonFiniteCheck.requireFiniteDerivatives(setup.loaded().graph(), values);
        // the interpreter found finite values (a stable rewriting, a removable singularity), compiled code did not
        throw new CliError("the compiled code computes a loss or derivative that is not finite, where the path graph finds"
                + " the value " + Numbers.text(values.vertex(setup.network().loss().name())) + " and finite derivatives"
                + " (a saturated sigmoid or softmax vertex inside a log, or a removable singularity: docs/hardening.md);"
                + " write the sigmoid or softmax inside the loss, as in -log(sigmoid(z)), bce_with_logits(z, t) or"
                + " cross_entropy(softmax(z), y), which compile to stable forms");
    }
}
