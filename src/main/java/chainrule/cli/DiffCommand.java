package chainrule.cli;

import chainrule.diag.Source;
import chainrule.diff.Differentiator;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.model.Analyzer;
import chainrule.model.Symbols;
import chainrule.parse.SourceParser;
import chainrule.print.Json;
import chainrule.print.Numbers;
import chainrule.print.TextPrinter;
import chainrule.simplify.Simplifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "The derivative of a plain expression such as 'sin(x)^2*exp(x)', simplified, "
                + "and its value where every name has one.")
final class DiffCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @Parameters(index = "0", paramLabel = "EXPR", description = "The expression, quoted.")
    String expression;

    @Option(names = "--wrt", required = true, paramLabel = "X", description = "The variable.")
    String wrt;

    @Override
    public Integer call() throws Exception {
        Source source = new Source("<expr>", expression);
        Expr e = Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));
        Expr d = Simplifier.simplify(Differentiator.derivative(e, Exprs.local(wrt)));
        Map<String, Double> values = options.overrides();
        boolean complete = values.keySet().containsAll(
                Symbols.free(d).stream().map(s -> s.name()).toList());
        Double value = complete ? Evaluator.evaluate(d, values) : null;
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("wrt", wrt);
            out.put("expr", TextPrinter.plain().print(e));
            out.put("derivative", TextPrinter.plain().print(d));
            if (value != null) {
                out.put("value", value);
            }
            Main.out().println(Json.write(out));
        } else {
            Main.out().println("d/d" + wrt + " " + TextPrinter.pretty().print(e));
            Main.out().println("  = " + TextPrinter.pretty().print(d));
            if (value != null) {
                Main.out().println("  = " + Numbers.text(value) + (values.isEmpty() ? "" : "   at " + describe(values)));
            }
        }
        return 0;
    }

    private static String describe(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(" = ").append(Numbers.exact(v)));
        return sb.toString();
    }
}
