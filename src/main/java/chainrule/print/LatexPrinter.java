package chainrule.print;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.ExprPrinter;
import chainrule.expr.Numbers;
import chainrule.expr.Precedence;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import chainrule.expr.VectorElement;
import java.util.List;
import java.util.Map;

/**
 * Expressions as LaTeX math, on the shared {@link ExprPrinter} layout: {@code \cdot} for products,
 * {@code \frac} for quotients, function forms from the primitive table's {@code latexTemplate},
 * names through {@link LatexNames}. A printer made {@link #withValues} writes the known values in
 * place of the names ({@code 0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35}). A {@link #breakable()}
 * printer marks every top-level {@code +}/{@code -} with {@link #BREAK} so that a caller can break
 * a long sum across lines (see {@code chainrule.latex.LineBreaker}); the marks must not reach a
 * document.
 */
public final class LatexPrinter extends ExprPrinter {
    /** Marks a place where a line may break; not a character any name or number can contain. */
    public static final char BREAK = '\u001F';

    private static final LatexPrinter PLAIN = new LatexPrinter(Map.of(), false);

    private final Map<String, Double> values;
    private final boolean breakable;

    private LatexPrinter(Map<String, Double> values, boolean breakable) {
        this.values = values;
        this.breakable = breakable;
    }

    /** Symbolic LaTeX with no break marks. */
    public static LatexPrinter latex() { return PLAIN; }

    /** Symbolic LaTeX with break marks before each {@code +} and {@code -} of a sum. */
    public static LatexPrinter breakable() { return new LatexPrinter(Map.of(), true); }

    /** LaTeX with each name that has a value written as that value (rounded), with break marks. */
    public static LatexPrinter withValues(Map<String, Double> values) { return new LatexPrinter(values, true); }

    /** Significant digits of the values written in place of names. */
    static final int SUBSTITUTED_DIGITS = 6;

    /**
     * A number as LaTeX: {@code 0.3775}, {@code -2}, {@code {1.5 \times 10^{-9}}} (braced, so that a
     * power of it stays well formed), {@code \infty}.
     */
    public static String number(String decimal) {
        switch (decimal) {
            case "inf": return "\\infty";
            case "-inf": return "-\\infty";
            case "nan": return "\\mathrm{NaN}";
            default: break;
        }
        int e = decimal.indexOf('e');
        if (e < 0) {
            return decimal;
        }
        return "{" + decimal.substring(0, e) + " \\times 10^{" + decimal.substring(e + 1) + "}}";
    }

    /** A value for people: {@code significant} digits. */
    public static String rounded(double v, int significant) {
        return number(Numbers.rounded(v, significant));
    }

    @Override public String number(double v) { return unbraced(number(Numbers.exact(v))); }

    /** {@code 3 \times 10^{20}}, unbraced like {@link #number(double)}'s: it binds like a product. */
    @Override public String scientific(String mantissa, int exponent) {
        return mantissa + " \\times 10^{" + exponent + "}";
    }

    /** {@code 3\times10^{25}} without the braces {@link #number(String)} puts round it: the layout decides on parentheses. */
    private static String unbraced(String latex) {
        return latex.startsWith("{") && latex.contains("\\times") ? latex.substring(1, latex.length() - 1) : latex;
    }

    /** A number written with {@code \times} binds like a product: its power or its place in a product is parenthesised. */
    @Override public int leafPrecedence(String text) {
        return text.contains("\\times") && !text.startsWith("{\\left(") ? Precedence.PRODUCT : Precedence.ATOM;
    }

    /** A name whose value is 0, where names are written as values: left out of a sum ({@code 0.58}, not {@code 0.58 - 0}). */
    @Override protected boolean vanishes(Sym name) {
        Double v = values.get(name.name());
        return v != null && v == 0;
    }

    /** A name whose value is exactly 1, where names are written as values: {@code \\log(0.62)}, not {@code 1 \\cdot \\log(0.62)}. */
    @Override protected boolean writtenAsOne(Expr factor) {
        return !values.isEmpty() && (factor instanceof Sym || factor instanceof chainrule.expr.Sum) && valueOf(factor) == 1; // y = 1, or 1 - y with y = 0
    }

    /** The value of {@code e} where every name in it has one, else nan. */
    private double valueOf(Expr e) {
        for (Sym s : chainrule.model.Symbols.free(e)) {
            if (!values.containsKey(s.name())) {
                return Double.NaN;
            }
        }
        return chainrule.expr.Evaluator.evaluate(e, values);
    }

    /**
     * A product of a name whose value is 0 (or a positive power of one) and other factors, whose
     * value is 0: written {@code 0}, and left out of a sum, where names are written as values
     * ({@code 0 \\cdot \\log(0.37)} and {@code -\\frac{0}{0.37}} are not written). A name alone
     * stays: {@code 1 - 0}.
     */
    @Override protected boolean vanishes(chainrule.expr.Product p) {
        if (values.isEmpty()) {
            return false;
        }
        boolean zeroFactor = false;
        for (Expr f : p.factors()) {
            Expr base = f instanceof chainrule.expr.Power pw && pw.exponent() instanceof chainrule.expr.Num n && n.value() > 0 ? pw.base() : f;
            zeroFactor |= (base instanceof Sym || base instanceof chainrule.expr.Sum) && valueOf(base) == 0; // y = 0, or 1 - y with y = 1
        }
        if (!zeroFactor) {
            return false;
        }
        for (Sym s : chainrule.model.Symbols.free(p)) {
            if (!values.containsKey(s.name())) {
                return false;
            }
        }
        return chainrule.expr.Evaluator.evaluate(p, values) == 0; // 0·log(0) is nan, and stays written
    }

    @Override
    public String symbol(Sym s) {
        Double v = values.get(s.name());
        if (v == null) {
            return folded(s).orElseGet(() -> LatexNames.name(s.name()));
        }
        String text = unbraced(rounded(v, SUBSTITUTED_DIGITS));
        return v < 0 ? group(text) : text;
    }

    /**
     * A shared reduction folded back into its call ({@code mean(x)} in a merged edge's factor), as
     * other named functions are written: {@code \operatorname{mean}\mathopen{}\left(x\right)}, a
     * whole vector by the name its elements have ({@code W^{(1)}}).
     */
    public static java.util.Optional<String> folded(Sym s) {
        return chainrule.paths.FoldedReductions.call(s).map(LatexPrinter::call);
    }

    private static String call(chainrule.paths.FoldedReductions.Call c) {
        String argument = c.argument() instanceof Sym v ? LatexNames.vector(v.name()) : PLAIN.print(c.argument());
        return "\\operatorname{" + LatexNames.operatorName(c.function()) + "}\\mathopen{}\\left(" + argument + "\\right)";
    }

    private static final String NUMBER = "-?[0-9.]+( \\\\times 10\\^\\{-?[0-9]+\\})?";
    private static final String SCIENTIFIC = "\\{?(-?[0-9.]+ \\\\times 10\\^\\{-?[0-9]+\\})\\}?";

    /**
     * {@code a \cdot b}, but {@code a\left(1 - a\right)} before a parenthesised factor, as written by
     * hand. A number is never juxtaposed with what follows it when that starts with a digit, a sign
     * or a bracket (0.01 \cdot (-3)^{2}, not 0.01(-3)^{2}), and a number in scientific form after
     * the first factor is bracketed (0.01 \cdot (3 \times 10^{25}), not 0.01 \cdot 3 \times 10^{25}).
     */
    @Override
    public String times(List<String> factors) {
        StringBuilder sb = new StringBuilder(factors.get(0));
        for (int i = 1; i < factors.size(); i++) {
            String f = factors.get(i);
            if (f.matches(SCIENTIFIC)) {
                f = "{\\left(" + f.replaceAll(SCIENTIFIC, "$1") + "\\right)}";
            }
            String previous = factors.get(i - 1);
            boolean afterNumber = previous.matches("\\{?" + NUMBER + "\\}?")
                    || previous.matches("\\{\\\\left\\(" + NUMBER + "\\\\right\\)\\}");
            // juxtapose a parenthesised factor, a(1 - a), but never a number or after a number: 2 \cdot (-1), not 2(-1)
            // nor after a function's call: \log(1 - p) \cdot (1 - y), whose bracket would read as a second argument
            boolean afterCall = previous.startsWith("\\") && (previous.endsWith("\\right)") || previous.endsWith("\\bigr)"));
            boolean juxtapose = (f.startsWith("{\\left(") || f.startsWith("\\bigl(")) && !afterNumber && !afterCall
                    && !f.matches("\\{\\\\left\\(" + NUMBER + "\\\\right\\)\\}(\\^.*)?");
            // after a number in scientific form, a name or call is juxtaposed as in print: 3 \times 10^{20} x^{2}
            boolean afterScientific = i == 1 && factors.get(0).matches("-?[0-9.]+ \\\\times 10\\^\\{-?[0-9]+\\}")
                    && !f.isEmpty() && !Character.isDigit(f.charAt(0)) && f.charAt(0) != '-' && f.charAt(0) != '.'
                    && f.charAt(0) != '{' && !f.startsWith("\\left");
            if (breakable && !juxtapose && !afterScientific) {
                sb.append(BREAK); // a long product may break before a \cdot, as a sum before a sign
            }
            sb.append(juxtapose ? "" : afterScientific ? " " : " \\cdot ").append(f);
        }
        return sb.toString();
    }

    /**
     * {@code \frac{a}{b}}. In a breakable printer, a long sum over a whole number is written
     * {@code \frac{1}{2}\bigl(a + b + …\bigr)} instead: a line cannot break inside {@code \frac},
     * so the mean of a long sum ran off the page (220pt); {@code \bigl}/{@code \bigr} need not
     * stand on one line, so the sum breaks between its terms like any other.
     */
    @Override
    public String fraction(String numerator, String denominator, int denPrec) {
        if (breakable && hasTopLevelBreak(numerator) && denominator.matches("[0-9]+") && numerator.length() > LONG_NUMERATOR) {
            return "\\frac{1}{" + denominator + "}\\bigl(" + numerator + "\\bigr)";
        }
        return "\\frac{" + numerator + "}{" + denominator + "}";
    }

    /** Characters of LaTeX source (about 40 printed) past which a numerator over a number is set apart. */
    private static final int LONG_NUMERATOR = 80;

    @Override public boolean fractionIsGrouping() { return true; }

    /** {@code \frac{a}{b}} and nothing else: its bar groups it. */
    @Override
    public boolean isSelfGrouped(String text) {
        if (!text.startsWith("\\frac{")) {
            return false;
        }
        int i = "\\frac".length();
        for (int group = 0; group < 2; group++) {
            if (i >= text.length() || text.charAt(i) != '{') {
                return false;
            }
            int depth = 0;
            do {
                char c = text.charAt(i);
                if (c == '\\') {
                    i++; // an escaped brace does not count
                } else if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
                i++;
            } while (depth > 0 && i < text.length());
        }
        return i == text.length();
    }

    @Override
    public String power(String base, Expr exponent, String exponentText) {
        // The braces group the exponent already: no parentheses, whatever its precedence.
        // A base that ends in a superscript (exp(x) prints as e^{x}) is parenthesised: e^{x}^{2}
        // is a TeX error ("Double superscript").
        String b = endsInSuperscript(base) ? "{\\left(" + base + "\\right)}" : base;
        return b + "^{" + print(exponent) + "}";
    }

    /** Whether {@code text} ends with a group {@code ^{...}}. */
    private static boolean endsInSuperscript(String text) {
        if (!text.endsWith("}")) {
            return false;
        }
        int depth = 0;
        for (int i = text.length() - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (c == '}' && (i == 0 || text.charAt(i - 1) != '\\')) {
                depth++;
            } else if (c == '{' && (i == 0 || text.charAt(i - 1) != '\\')) {
                depth--;
                if (depth == 0) {
                    return i > 0 && text.charAt(i - 1) == '^';
                }
            }
        }
        return false;
    }

    @Override
    public String call(Apply a, List<String> args) {
        List<String> bare = args.stream().map(LatexPrinter::withoutGroup).toList();
        if (a.fn() instanceof VectorElement e) {
            // softmax(p.in)_2: the vector by its name when the arguments are exactly its elements
            // (a printer with values lists them instead, so the numbers show)
            String listed = String.join(", ", bare);
            String vector = values.isEmpty() ? VectorElement.vectorOf(a.args()).map(LatexNames::name)
                    .orElseGet(() -> VectorElement.commonArgument(a.args()).map(this::print).orElse(listed)) : listed;
            return e.primitive().latexName() + "\\mathopen{}\\left(" + vector + "\\right)_{" + (e.index() + 1) + "}";
        }
        if (a.fn() instanceof Primitive p) {
            return fill(p.latexTemplate(), bare);
        }
        return functionName((UserFunction) a.fn()) + "\\mathopen{}\\left(" + String.join(", ", bare) + "\\right)";
    }

    /**
     * The derivative of a call with respect to its first argument, written with a prime as a
     * textbook does: {@code \sigma'\left(\mathrm{net}_{h1}\right)}. A template with no
     * {@code \left(} (as {@code e^{x}}) is primed as a whole: {@code \left(e^{x}\right)'}.
     */
    public String primedCall(Apply a) {
        if (a.fn() instanceof VectorElement) {
            throw new IllegalArgumentException("an element of " + a.fn().sourceName() + " has no one-argument prime form");
        }
        List<String> args = a.args().stream().map(this::print).toList();
        if (a.fn() instanceof Primitive p) {
            String template = p.latexTemplate();
            int paren = template.indexOf("\\left(");
            if (paren > 0 && template.startsWith("\\")) {
                return fill(template.substring(0, paren) + "'" + template.substring(paren), args);
            }
            return "\\left(" + fill(template, args) + "\\right)'";
        }
        return functionName((UserFunction) a.fn()) + "'\\mathopen{}\\left(" + String.join(", ", args) + "\\right)";
    }

    /** {@code \operatorname{swish}}; a derived function f′ (one parameter) or ∂ᵢf (several). */
    private static String functionName(UserFunction f) {
        UserFunction of = f.derivativeOf();
        if (of == null) {
            return "\\operatorname{" + LatexNames.operatorName(f.sourceName()) + "}";
        }
        if (of.arity() == 1) {
            return functionName(of) + "'";
        }
        int i = 0;
        while (i < of.arity() && of.partialFunction(i) != f) {
            i++;
        }
        return "\\partial_{" + (i + 1) + "}" + functionName(of);
    }

    /**
     * The template with {@code {0}}, {@code {1}} replaced in one pass (an argument may contain
     * "{1}"). {@code \mathopen{}} before {@code \left(} keeps TeX from putting a space between
     * the function's name and its parenthesis ("σ(x)", not "σ (x)").
     */
    private static String fill(String rawTemplate, List<String> args) {
        String template = rawTemplate.replace("\\left(", "\\mathopen{}\\left(");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' && i + 2 < template.length() && Character.isDigit(template.charAt(i + 1))
                    && template.charAt(i + 2) == '}') {
                sb.append(args.get(template.charAt(i + 1) - '0'));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A substituted negative value standing alone as an argument needs no parentheses of its own: σ(-0.3). */
    private static String withoutGroup(String arg) {
        String open = "{\\left(";
        String close = "\\right)}";
        if (arg.startsWith(open) && arg.endsWith(close)) {
            String inner = arg.substring(open.length(), arg.length() - close.length());
            if (inner.matches("-[0-9.]+")) {
                return inner;
            }
        }
        return arg;
    }

    /** Parentheses that stretch; braced so that they space like a letter, not like an inner formula. */
    /**
     * {@code {\left(s\right)}}; in a breakable printer a long sum is grouped with
     * {@code {\bigl(s\bigr)}} instead, whose halves may stand on different lines, so that a long
     * factor such as the bracket of a GELU derivative breaks between its terms.
     */
    @Override public String group(String s) {
        if (breakable && s.length() > LONG_NUMERATOR && hasTopLevelBreak(s)) {
            return "\\bigl(" + s + "\\bigr)"; // no braces around it: a brace group cannot break
        }
        return "{\\left(" + s + "\\right)}";
    }

    /** Whether {@code s} has a break mark outside every brace and {@code \left…\right} group. */
    private static boolean hasTopLevelBreak(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
                i++;
            } else if (c == '{' || s.startsWith("\\left", i) && !s.startsWith("\\leftarrow", i)) {
                depth++;
            } else if (c == '}' || s.startsWith("\\right", i) && !s.startsWith("\\rightarrow", i)) {
                depth--;
            } else if (c == BREAK && depth == 0) {
                return true;
            }
        }
        return false;
    }

    @Override public String plus() { return breakable ? BREAK + " + " : " + "; }

    @Override public String minus() { return breakable ? BREAK + " - " : " - "; }

}
