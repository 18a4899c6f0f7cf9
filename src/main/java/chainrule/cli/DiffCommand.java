package chainrule.cli;

import chainrule.diag.Source;
import chainrule.diff.Differentiator;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Numbers;
import chainrule.expr.Sym;
import chainrule.expr.TextPrinter;
import chainrule.model.Analyzer;
import chainrule.model.Suggestions;
import chainrule.model.Symbols;
import chainrule.parse.SourceParser;
import chainrule.print.Json;
import chainrule.print.LatexPrinter;
import chainrule.print.NonFiniteCheck;
import chainrule.simplify.Simplifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code diff}: a calculus tool. The derivative of an expression, simplified, with respect to one
 * name or (several {@code --wrt}) each of several names, of any {@code --order}; its value where
 * every name has one. A name the expression does not contain is an error with a suggestion (a typo
 * such as {@code --wrt X} for {@code x} would otherwise print 0). An expression or derivative that
 * is not finite (0/0, log 0, 1/x at 0) is an error naming the operation, never {@code = nan}.
 *
 * <p>The printed derivative is the textbook form (σ′ = σ·(1 − σ)); the value is computed from the
 * primitive table's numeric column (σ(x)·σ(−x)), which keeps its digits in saturated tails.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "The derivative of a plain expression such as 'sin(x)^2*exp(x)', simplified, "
                + "and its value where every name has one. An expression that starts with '-' needs no '--'.")
final class DiffCommand implements Callable<Integer> {
    @Mixin CommonOptions options;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPR", description = "The expression, quoted.")
    String expression;

    @Option(names = "--wrt", required = true, paramLabel = "X",
            description = "The variable; repeat it for the gradient (one derivative per name).")
    List<String> wrt;

    @Option(names = "--order", paramLabel = "N", defaultValue = "1",
            description = "The order of the derivative (default 1): 2 for d²/dx², and so on.")
    int order;

    @Option(names = "--latex", description = "Print the derivatives as LaTeX.")
    boolean latex;

    /** Beyond this, repeated differentiation grows without bound for little use. */
    static final int MAX_ORDER = 20;

    /** The largest derivative {@code diff} writes out, in tree size (names, numbers and operations). */
    static final long MAX_PRINTED_SIZE = 20_000;

    @Override
    public Integer call() throws Exception {
        if (order < 1 || order > MAX_ORDER) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--order must be between 1 and " + MAX_ORDER + ", not " + order);
        }
        Source source = new Source("<expr>", expression);
        chainrule.parse.Ast.Expr parsed = SourceParser.parseExpression(source);
        Expr e = Analyzer.lowerStandalone(source, parsed);
        this.source = source;
        this.parsed = parsed;
        Set<String> names = new TreeSet<>();
        for (Sym s : Symbols.free(e)) {
            names.add(s.name());
        }
        // the names as typed: x/x is 1 once normalised, yet d/dx (x/x) is a fair question (0), not a typo
        Set<String> typed = new TreeSet<>(names);
        for (chainrule.parse.Ast.Expr x : chainrule.parse.Ast.subexpressions(parsed)) {
            if (x instanceof chainrule.parse.Ast.NameRef n && chainrule.expr.Primitive.byName(n.name().text())
                    .filter(chainrule.expr.Primitive::isConstant).isEmpty()) {
                typed.add(n.name().text());
            }
        }
        partial = typed.size() > 1;
        String undefined = undefinedPart(e);
        if (undefined != null) {
            throw new CliError(TextPrinter.plain().print(e) + " is undefined: " + undefined);
        }
        Set<String> variables = new LinkedHashSet<>(wrt);
        for (String x : variables) {
            java.util.Optional<chainrule.expr.Primitive> constant = chainrule.expr.Primitive.byName(x)
                    .filter(chainrule.expr.Primitive::isConstant);
            if (constant.isPresent()) {
                throw new CliError("--wrt " + x + ": '" + x + "' is the constant " + constantName(constant.get())
                        + ", not a variable; a derivative is taken with respect to a name such as x");
            }
            if (!typed.contains(x)) {
                String several = x.contains(",") ? "; for several names repeat the option: --wrt "
                        + String.join(" --wrt ", x.split(",")) : "";
                if (typed.isEmpty()) {
                    throw new CliError("--wrt " + x + ": '" + x + "' does not occur in " + TextPrinter.plain().print(e)
                            + ", which has no variables (a constant: every derivative is 0)" + several);
                }
                throw new CliError("--wrt " + x + ": '" + x + "' does not occur in " + TextPrinter.plain().print(e)
                        + Suggestions.didYouMean(x, typed) + " (its names: " + String.join(", ", typed) + ")" + several);
            }
        }
        Map<String, Double> values = options.overrides();
        for (String name : values.keySet()) {
            if (!typed.contains(name)) {
                throw new CliError("--set " + name + ": '" + name + "' does not occur in " + TextPrinter.plain().print(e)
                        + Suggestions.didYouMean(name, typed));
            }
        }
        boolean complete = values.keySet().containsAll(names);
        if (complete && Double.isNaN(Evaluator.evaluate(e, values))) {
            // undefined there (log of a negative number): so is every derivative. An expression that
            // merely overflows (x^2 at 1e200) still has a finite derivative, which is reported.
            requireFinite(e, values, TextPrinter.plain().print(e));
        }
        List<Result> results = new ArrayList<>();
        // with several --wrt names and --order 2 or more: every distinct mixed partial (the
        // Hessian's entries on and above the diagonal, ∂²/∂x∂y once), in the order of the names
        List<List<String>> sequences = sequences(new ArrayList<>(variables), order);
        if (sequences.size() > MAX_PARTIALS) {
            throw new CliError(sequences.size() + " distinct partial derivatives of order " + order + " in "
                    + variables.size() + " names is more than " + MAX_PARTIALS + "; try a lower --order or fewer --wrt names");
        }
        Map<List<String>, Expr[]> done = new java.util.HashMap<>();
        done.put(List.of(), new Expr[] {e, e});
        for (List<String> seq : sequences) {
            for (int k = 1; k <= seq.size(); k++) {
                List<String> prefix = seq.subList(0, k);
                if (done.containsKey(prefix)) {
                    continue;
                }
                Expr[] before = done.get(seq.subList(0, k - 1));
                Sym s = Exprs.local(seq.get(k - 1));
                Expr raw = Differentiator.derivative(before[0], s);
                if (raw.treeSize() > MAX_PRINTED_SIZE) {
                    // Higher derivatives of nested functions grow exponentially: stop before
                    // simplifying or printing megabytes (tan(sin(x)·exp(x)) at order 10).
                    throw new CliError("the derivative of order " + k + " with respect to " + String.join(", ", prefix)
                            + " has more than " + MAX_PRINTED_SIZE + " terms and operations written out; try a lower --order");
                }
                done.put(List.copyOf(prefix), new Expr[] {Simplifier.simplify(raw), Differentiator.numericDerivative(before[1], s)});
            }
            Expr[] d = done.get(seq);
            Double value = null;
            if (complete) {
                try {
                    value = value(d[0], d[1], values, label(seq, e));
                } catch (CliError err) {
                    // where the expression itself is not finite (log x at 0), that is the cause to name
                    requireFinite(e, values, TextPrinter.plain().print(e));
                    throw err;
                }
            }
            results.add(new Result(String.join(",", seq), seq, d[0], value));
        }
        print(e, results, values);
        return 0;
    }

    private record Result(String wrt, List<String> sequence, Expr derivative, Double value) {}

    /** The expression as parsed, for the header: what the user typed, not its normal form. */
    private Source source;
    private chainrule.parse.Ast.Expr parsed;

    /** The expression as typed, as the operand of d/dx, in {@code printer}'s forms; its normal form where that cannot be written. */
    private String typedOperand(chainrule.expr.ExprPrinter printer, Expr e) {
        String typed = TypedExpression.operand(printer, source, parsed);
        return typed != null ? typed : printer.printOperand(e);
    }

    /** The expression as typed, plain (JSON's {@code expr}). */
    private String typedPlain(Expr e) {
        String typed = TypedExpression.text(TextPrinter.plain(), source, parsed);
        return typed != null ? typed : TextPrinter.plain().print(e);
    }

    /** The most partial derivatives one {@code diff} prints. */
    static final int MAX_PARTIALS = 200;

    /** Each multiset of {@code order} names once, as a non-decreasing sequence of positions in {@code names}. */
    private static List<List<String>> sequences(List<String> names, int order) {
        List<List<String>> out = new ArrayList<>();
        extend(names, order, 0, new ArrayList<>(), out);
        return out;
    }

    private static void extend(List<String> names, int order, int from, List<String> prefix, List<List<String>> out) {
        if (prefix.size() == order) {
            out.add(List.copyOf(prefix));
            return;
        }
        for (int i = from; i < names.size() && out.size() <= MAX_PARTIALS; i++) {
            prefix.add(names.get(i));
            extend(names, order, i, prefix, out);
            prefix.remove(prefix.size() - 1);
        }
    }

    private void print(Expr e, List<Result> results, Map<String, Double> values) {
        if (options.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            if (results.size() == 1) {
                Result r = results.get(0);
                out.put("wrt", r.wrt());
                if (order != 1) {
                    out.put("order", order);
                }
                out.put("expr", typedPlain(e));
                out.put("derivative", TextPrinter.plain().print(r.derivative()));
                if (latex) {
                    out.put("latex", LatexPrinter.latex().print(r.derivative()));
                }
                if (r.value() != null) {
                    out.put("value", r.value());
                }
            } else {
                out.put("wrt", results.stream().flatMap(r -> r.sequence().stream()).distinct().toList());
                if (order != 1) {
                    out.put("order", order);
                }
                out.put("expr", typedPlain(e));
                Map<String, Object> ds = new LinkedHashMap<>();
                Map<String, Object> vs = new LinkedHashMap<>();
                Map<String, Object> ls = new LinkedHashMap<>();
                for (Result r : results) {
                    ds.put(r.wrt(), TextPrinter.plain().print(r.derivative()));
                    ls.put(r.wrt(), LatexPrinter.latex().print(r.derivative()));
                    if (r.value() != null) {
                        vs.put(r.wrt(), r.value());
                    }
                }
                out.put("gradient", ds);
                if (latex) {
                    out.put("latex", ls);
                }
                if (!vs.isEmpty()) {
                    out.put("value", vs);
                }
            }
            Main.out().println(Json.write(out));
            return;
        }
        String at = values.isEmpty() ? "" : "   at " + describe(values);
        List<String> equations = new ArrayList<>();
        for (Result r : results) {
            // a derivative that is a number already is its own value: = -2, not = -2 = -2 at x = 1
            boolean valueLine = r.value() != null && !(r.derivative() instanceof chainrule.expr.Num);
            if (latex) {
                // one equation per derivative, its value on the same line; several are separated by
                // \\, so that they can be pasted into an align* or gather* as they are
                equations.add(latexOperator(r.sequence()) + " " + typedOperand(LatexPrinter.latex(), e)
                        + " = " + LatexPrinter.latex().print(r.derivative())
                        + (valueLine ? " = " + LatexPrinter.latex().print(Exprs.num(r.value())) + latexAt(values) : ""));
                continue;
            }
            Main.out().println(textOperator(r.sequence()) + " " + typedOperand(TextPrinter.pretty(), e));
            Main.out().println("  = " + TextPrinter.pretty().print(r.derivative()));
            if (valueLine) {
                Main.out().println("  = " + Numbers.exact(r.value()) + at);
            }
        }
        if (latex) {
            Main.out().println(String.join(" \\\\\n", equations));
        }
    }

    /** Whether the expression has more than one variable, so that its derivatives are partial (∂). */
    private boolean partial;

    /** {@code \quad\text{at } x = 2}: the point, as LaTeX. */
    private static String latexAt(Map<String, Double> values) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\\quad\\text{at } ");
        boolean first = true;
        for (Map.Entry<String, Double> v : values.entrySet()) {
            sb.append(first ? "" : ",\\ ").append(chainrule.print.LatexNames.name(v.getKey())).append(" = ")
                    .append(LatexPrinter.latex().print(Exprs.num(v.getValue())));
            first = false;
        }
        return sb.toString();
    }

    private static String constantName(chainrule.expr.Primitive p) {
        return p == chainrule.expr.Primitive.E ? "e (Euler's number, 2.718…)" : p == chainrule.expr.Primitive.PI
                ? "π (3.14159…)" : p.sourceName();
    }

    private String textOperator(List<String> seq) {
        if (seq.stream().distinct().count() == 1 && !partial) {
            String x = seq.get(0);
            return order == 1 ? "d/d" + x : "d" + superscript(order) + "/d" + x + superscript(order);
        }
        StringBuilder sb = new StringBuilder("∂" + (order == 1 ? "" : superscript(order)) + "/");
        counts(seq).forEach((x, n) -> sb.append("∂").append(x).append(n == 1 ? "" : superscript(n)));
        return sb.toString();
    }

    private String latexOperator(List<String> seq) {
        if (seq.stream().distinct().count() == 1 && !partial) {
            String name = chainrule.print.LatexNames.name(seq.get(0));
            return order == 1 ? "\\frac{d}{d" + name + "}"
                    : "\\frac{d^{" + order + "}}{d" + name + "^{" + order + "}}";
        }
        StringBuilder sb = new StringBuilder(order == 1 ? "\\frac{\\partial}{" : "\\frac{\\partial^{" + order + "}}{");
        String[] sep = {""};
        counts(seq).forEach((x, n) -> {
            sb.append(sep[0]).append("\\partial ").append(chainrule.print.LatexNames.name(x)).append(n == 1 ? "" : "^{" + n + "}");
            sep[0] = "\\,";
        });
        return sb.append('}').toString();
    }

    private static Map<String, Integer> counts(List<String> seq) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (String x : seq) {
            n.merge(x, 1, Integer::sum);
        }
        return n;
    }

    private String label(List<String> seq, Expr e) {
        return textOperator(seq) + " " + TextPrinter.plain().printOperand(e);
    }

    private static String superscript(int n) {
        StringBuilder sb = new StringBuilder();
        for (char c : Integer.toString(n).toCharArray()) {
            sb.append("⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
        }
        return sb.toString();
    }

    /**
     * The value from the numeric form; where that is not finite but the simplified form is (a
     * cancellation the simplifier made, as x·(1/x)), the simplified form's value, the limit. Else
     * an error naming the operation that goes wrong.
     */
    private static double value(Expr printed, Expr numeric, Map<String, Double> values, String what) throws CliError {
        double v = Evaluator.evaluate(numeric, values);
        if (Double.isFinite(v)) {
            return v;
        }
        double p = Evaluator.evaluate(printed, values);
        if (Double.isFinite(p)) {
            return p;
        }
        requireFinite(printed, values, what);
        return p;
    }

    private static void requireFinite(Expr e, Map<String, Double> values, String what) throws CliError {
        double v = Evaluator.evaluate(e, values);
        if (!Double.isFinite(v)) {
            throw new CliError(what + " is " + Numbers.exact(v) + " at " + describe(values) + ": "
                    + NonFiniteCheck.explain(e, values));
        }
    }

    /**
     * The innermost part of {@code e} with no names whose value is not finite, explained
     * ({@code division by 0 in 0^(-1)}); null when there is none. The normal form keeps 0/0 and
     * 0·log(0) as they are (it never folds them to 0), so they are found here.
     */
    static String undefinedPart(Expr e) {
        Map<Expr, Boolean> closed = new IdentityHashMap<>();
        Expr bad = findUndefined(e, closed);
        return bad == null ? null : NonFiniteCheck.explain(bad, Map.of());
    }

    private static Expr findUndefined(Expr e, Map<Expr, Boolean> closed) {
        if (closed.containsKey(e)) {
            return null;
        }
        boolean isClosed = !(e instanceof Sym);
        for (Expr c : e.children()) {
            Expr inner = findUndefined(c, closed);
            if (inner != null) {
                return inner;
            }
            isClosed &= closed.get(c);
        }
        closed.put(e, isClosed);
        if (isClosed && !Double.isFinite(Evaluator.evaluate(e, Map.of()))) {
            return e;
        }
        return null;
    }

    private static String describe(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(" = ").append(Numbers.exact(v)));
        return sb.toString();
    }
}
