package chainrule.cli;

import chainrule.compile.GradientCheck;
import chainrule.compile.WorstPath;
import chainrule.model.Vertex;
import chainrule.paths.Values;
import chainrule.print.Json;
import chainrule.print.NonFiniteCheck;
import chainrule.print.Numbers;
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

    @Override
    public Integer call() throws Exception {
        CompiledSetup setup = CompiledSetup.prepare(input.file, options, data);
        List<GradientCheck.Row> rows = GradientCheck.run(setup.objective(), setup.declared());
        if (setup.data() == null && rows.stream().anyMatch(r -> !Double.isFinite(r.analytic()))) {
            // a nan from the forward pass is the file's problem, not a disagreement: say where it starts
            NonFiniteCheck.require(setup.network(), Values.of(setup.network()).vertices());
        }
        GradientCheck.Row worst = null;
        for (GradientCheck.Row r : rows) {
            if (!r.ok() && (worst == null || !(r.relativeError() <= worst.relativeError()))) {
                worst = r;
            }
        }
        if (rows.stream().anyMatch(r -> !Double.isFinite(r.analytic()))) {
            EvalCommand.explainNonFinite(setup); // a nan is no disagreement to report: say where it comes from
        }
        WorstPath path = null;
        if (worst != null) {
            Vertex p = setup.network().vertex(worst.name()).orElseThrow();
            path = WorstPath.find(setup.loaded().graph(), Values.of(setup.network()), p);
        }
        if (options.json) {
            Main.out().println(Json.write(json(rows, worst, path)));
        } else {
            Main.out().print(text(rows, worst, path));
        }
        return worst == null ? 0 : 1;
    }

    private static Map<String, Object> json(List<GradientCheck.Row> rows, GradientCheck.Row worst, WorstPath path) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", worst == null);
        List<Object> list = new ArrayList<>();
        for (GradientCheck.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("analytic", r.analytic());
            m.put("numeric", r.numeric());
            m.put("rel_error", r.relativeError());
            m.put("ok", r.ok());
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
                    r.ok() ? "ok" : "FAIL",
                    r.kink() ? "  (kink: one-sided differences " + Numbers.text(r.leftDifference()) + " and "
                            + Numbers.text(r.rightDifference()) + ")" : ""));
        }
        if (worst == null) {
            sb.append("all ").append(rows.size()).append(" gradients agree with finite differences (relative error ≤ ")
                    .append(Numbers.exact(GradientCheck.TOLERANCE)).append(")\n");
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
