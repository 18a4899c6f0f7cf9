package chainrule.cli;

import chainrule.compile.GradientCheck;
import chainrule.compile.WorstPath;
import chainrule.expr.Numbers;
import chainrule.model.Vertex;
import chainrule.paths.Values;
import chainrule.print.Json;
import chainrule.print.NonFiniteCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Compiled gradient against central finite differences, one row per parameter; "
                + "exit status 1 if any fails.")
final class CheckCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Mixin NetworkFile input;

    @Option(names = "--data", paramLabel = "CSV", description = "Check the mean loss over these samples.")
    String data;

    /** More parameters than this are checked by a sample unless --sample says otherwise. */
    static final int ALL_UP_TO = 2000;
    /** The default sample size for larger networks. */
    static final int DEFAULT_SAMPLE = 1000;

    @Option(names = "--sample", paramLabel = "N",
            description = "Check N parameters spread over every weight and bias (default: all of them when there are at most "
                    + ALL_UP_TO + ", else " + DEFAULT_SAMPLE + "); 0 checks all.")
    Integer sample;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sample != null && sample < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--sample must be 0 or more, not " + sample);
        }
        CompiledSetup setup = CompiledSetup.prepare(input.file, options, data);
        List<String> parameters = setup.compiled().parameters();
        int wanted = sample != null ? sample : parameters.size() <= ALL_UP_TO ? 0 : DEFAULT_SAMPLE;
        List<Integer> sizes = new java.util.ArrayList<>();
        for (List<Integer> shape : setup.network().parameterShapes().values()) {
            sizes.add(shape.stream().reduce(1, Math::multiplyExact));
        }
        if (sizes.stream().mapToLong(Integer::longValue).sum() != parameters.size()) {
            throw new IllegalStateException("the compiled gradient has " + parameters.size()
                    + " parameters, the declarations " + sizes);
        }
        int[] which = ParameterSample.of(sizes, wanted);
        List<GradientCheck.Row> rows = GradientCheck.run(setup.objective(), setup.declared(), which);
        boolean interpreted = false;
        if (!setup.hasData() && rows.stream().anyMatch(r -> !Double.isFinite(r.analytic()) || !Double.isFinite(r.numeric()))) {
            // a nan from the forward pass is the file's problem, not a disagreement: say where it starts
            NonFiniteCheck.require(setup.network(), Values.of(setup.network()).vertices());
            // compiled code overflowed where the interpreter has a stable value or a removable singularity's limit
            List<GradientCheck.Row> again = GradientCheck.run(new InterpretedObjective(setup.network(), setup.compiled()),
                    setup.declared(), which);
            if (again.stream().allMatch(r -> Double.isFinite(r.analytic()) && Double.isFinite(r.numeric()))) {
                rows = again;
                interpreted = true;
            }
        }
        GradientCheck.Row worst = null;
        for (GradientCheck.Row r : rows) {
            if (!r.ok() && (worst == null || !(r.relativeError() <= worst.relativeError()))) {
                worst = r;
            }
        }
        if (rows.stream().anyMatch(r -> !Double.isFinite(r.analytic()) || !Double.isFinite(r.numeric()))) {
            EvalCommand.explainNonFinite(setup); // a nan is no disagreement to report: say where it comes from
        }
        WorstPath path = null;
        if (worst != null) {
            Vertex p = setup.network().vertex(worst.name()).orElseThrow();
            path = WorstPath.find(setup.loaded().graph(), Values.of(setup.network()), p);
        }
        if (options.json) {
            Map<String, Object> out = json(rows, worst, path);
            if (interpreted) {
                out.put("interpreted", true);
            }
            out.put("checked", rows.size());
            out.put("parameters", parameters.size());
            Main.out().println(Json.write(out));
        } else {
            if (interpreted) {
                Main.out().println("(computed by the interpreter: compiled code is not finite here; see docs/hardening.md)");
            }
            Main.out().print(text(rows, worst, path));
            if (rows.size() < parameters.size()) {
                Main.out().println("checked a sample of " + rows.size() + " of the " + parameters.size()
                        + " parameters, spread over every weight and bias (--sample N to change, --sample 0 for all)");
            }
        }
        return worst == null ? 0 : 1;
    }

    /**
     * A row that passes only because the analytic value is within the rounding noise of the loss's
     * difference (the loss is saturated: the difference is 0 or a few ulps while the analytic value
     * is tiny but not 0). It is no evidence of agreement and is counted apart, as a kink is.
     */
    static boolean belowRounding(GradientCheck.Row r) {
        return r.ok() && !r.kink() && !(r.relativeError() <= GradientCheck.TOLERANCE);
    }

    private static Map<String, Object> json(List<GradientCheck.Row> rows, GradientCheck.Row worst, WorstPath path) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", worst == null);
        long kinks = rows.stream().filter(GradientCheck.Row::kink).count();
        out.put("agree", rows.stream().filter(r -> r.ok() && !r.kink() && !belowRounding(r)).count());
        out.put("kinks", kinks);
        out.put("below_rounding", rows.stream().filter(CheckCommand::belowRounding).count());
        List<Object> list = new ArrayList<>();
        for (GradientCheck.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("analytic", r.analytic());
            m.put("numeric", r.numeric());
            m.put("rel_error", r.relativeError());
            m.put("ok", r.ok());
            if (belowRounding(r)) {
                m.put("below_rounding", true);
            }
            if (r.kink()) {
                m.put("kink", true);
                m.put("left", r.leftDifference());
                m.put("right", r.rightDifference());
            }
            list.add(m);
        }
        out.put("rows", list);
        out.put("tolerance", GradientCheck.TOLERANCE);
        if (worst != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("name", worst.name());
            if (path != null) {
                w.put("path", path.path().stream().map(Vertex::name).toList());
                w.put("symbolic", path.symbolic());
                w.put("numeric", path.numeric());
            }
            out.put("worst", w);
        }
        return out;
    }

    private static String text(List<GradientCheck.Row> rows, GradientCheck.Row worst, WorstPath path) {
        int width = "parameter".length();
        for (GradientCheck.Row r : rows) {
            width = Math.max(width, r.name().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + width + "s  %-22s  %-22s  %-10s  %s%n", "parameter", "analytic", "numeric",
                "rel.error", "result"));
        for (GradientCheck.Row r : rows) {
            sb.append(String.format("%-" + width + "s  %-22s  %-22s  %-10s  %s%s%n", r.name(),
                    Numbers.exact(r.analytic()), Numbers.exact(r.numeric()), Numbers.rounded(r.relativeError(), 2),
                    belowRounding(r) ? "unchecked" : r.ok() ? "ok" : "FAIL",
                    r.kink() ? "  (kink: one-sided differences " + Numbers.text(r.leftDifference()) + " and "
                            + Numbers.text(r.rightDifference()) + ")" : ""));
        }
        if (worst == null) {
            long kinks = rows.stream().filter(GradientCheck.Row::kink).count();
            long rounding = rows.stream().filter(CheckCommand::belowRounding).count();
            if (kinks == 0 && rounding == 0) {
                sb.append("all ").append(rows.size()).append(" gradients agree with finite differences (relative error ≤ ")
                        .append(Numbers.exact(GradientCheck.TOLERANCE)).append(")\n");
            } else {
                // a row at a kink agrees only with a one-sided difference, a row below rounding with
                // nothing: neither is counted as agreeing
                sb.append(rows.size() - kinks - rounding).append(" agree with finite differences to ")
                        .append(Numbers.exact(GradientCheck.TOLERANCE));
                if (kinks > 0) {
                    sb.append("; ").append(kinks).append(kinks == 1 ? " is" : " are")
                            .append(" at a kink (a relu, leaky_relu or abs argument at 0 within the step):"
                                    + " the analytic value is one of the one-sided differences shown");
                }
                if (rounding > 0) {
                    sb.append("; ").append(rounding).append(" unchecked, where the finite difference underflows:"
                            + " the loss is saturated and its change over the step is below its rounding"
                            + " (the analytic values are shown, not confirmed)");
                }
                sb.append('\n');
            }
            return sb.toString();
        }
        sb.append("FAIL: ").append(worst.name()).append(" disagrees most (relative error ")
                .append(Numbers.rounded(worst.relativeError(), 3)).append(")\n");
        if (path != null) {
            sb.append("  the path that disagrees most: ")
                    .append(String.join(" -> ", path.path().stream().map(Vertex::name).toList()))
                    .append("\n  product of its symbolic factors ").append(Numbers.text(path.symbolic()))
                    .append(", of its factors by finite differences ").append(Numbers.text(path.numeric())).append('\n');
        }
        return sb.toString();
    }
}
