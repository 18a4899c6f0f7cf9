package chainrule.print;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Sym;
import java.util.List;

/**
 * An elementwise factor of a layer form, such as {@code o ⊙ (1 - o)}: the tokens of another printer
 * (text or LaTeX), except that a product of vectors is the elementwise (Hadamard) product. A
 * leading numeric coefficient keeps the ordinary product sign ({@code 2·h ⊙ y}).
 */
public final class ElementwisePrinter extends ExprPrinter {
    private final ExprPrinter base;
    private final String hadamard;
    private final String scalarTimes;
    private final java.util.function.Function<Sym, String> symbols;

    private ElementwisePrinter(ExprPrinter base, String hadamard, String scalarTimes,
                               java.util.function.Function<Sym, String> symbols) {
        this.base = base;
        this.hadamard = hadamard;
        this.scalarTimes = scalarTimes;
        this.symbols = symbols;
    }

    /** For text: {@code ⊙} between vector factors. */
    public static ElementwisePrinter text() {
        return new ElementwisePrinter(TextPrinter.pretty(), " ⊙ ", "·", null);
    }

    /** For LaTeX: {@code \odot} between vector factors. */
    public static ElementwisePrinter latex() {
        return new ElementwisePrinter(LatexPrinter.latex(), " \\odot ", " \\, ", null);
    }

    /**
     * For LaTeX, with the symbols named by {@code symbols}: a vector symbol ({@code h1} standing for
     * every {@code h1[i]}) as the vector is named, {@code h^{(1)}}, not as a scalar {@code h_{1}}.
     */
    public static ElementwisePrinter latex(java.util.function.Function<Sym, String> symbols) {
        return new ElementwisePrinter(LatexPrinter.latex(), " \\odot ", " \\, ", symbols);
    }

    @Override protected String number(double v) { return base.number(v); }

    @Override protected String symbol(Sym s) { return symbols == null ? base.symbol(s) : symbols.apply(s); }

    @Override
    protected String times(List<String> factors) {
        boolean coefficient = factors.get(0).matches("[0-9.]+|\\{[0-9.]+ \\\\times 10\\^\\{-?[0-9]+\\}\\}|[0-9.]+e-?[0-9]+");
        String rest = String.join(hadamard, factors.subList(coefficient ? 1 : 0, factors.size()));
        return coefficient ? factors.get(0) + scalarTimes + rest : rest;
    }

    @Override
    protected String fraction(String numerator, String denominator, int denPrec) {
        return base.fraction(numerator, denominator, denPrec);
    }

    @Override protected boolean fractionIsGrouping() { return base.fractionIsGrouping(); }

    @Override
    protected String power(String b, Expr exponent, String exponentText) {
        return base.power(b, exponent, exponentText);
    }

    @Override protected String call(Apply a, List<String> args) { return base.call(a, args); }

    @Override protected String group(String s) { return base.group(s); }

    @Override protected String plus() { return base.plus(); }

    @Override protected String minus() { return base.minus(); }

    @Override protected String negative() { return base.negative(); }
}
