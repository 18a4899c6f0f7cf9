package chainrule.print;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.ExprPrinter;
import chainrule.expr.Sym;
import chainrule.expr.TextPrinter;
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

    @Override public String number(double v) { return base.number(v); }

    /**
     * The texts of the symbols printed so far that stand for one number, not a vector: a sum over
     * a vector ({@code Σy}, kind {@code LOCAL}, which no vertex has). They multiply with the scalar
     * product sign ({@code p·Σy}), not ⊙.
     */
    private final java.util.Set<String> scalarTexts = new java.util.HashSet<>();

    /** Symbols that stand for one number although they are no sum ({@code lambda}); none unless given. */
    private java.util.function.Predicate<Sym> scalars = NONE;

    /**
     * The same printer, with {@code scalars} telling which symbols stand for one number
     * ({@code lambda·w}, not {@code lambda ⊙ w}: ⊙ is only between two vectors).
     */
    public ElementwisePrinter withScalars(java.util.function.Predicate<Sym> scalars) {
        ElementwisePrinter p = new ElementwisePrinter(base, hadamard, scalarTimes, symbols);
        p.scalars = scalars;
        return p;
    }

    @Override public String symbol(Sym s) {
        String text = symbols == null ? base.symbol(s) : symbols.apply(s);
        if (s.kind() == chainrule.expr.SymKind.LOCAL || scalars.test(s)) {
            scalarTexts.add(text);
        } else {
            vectorTexts.add(text);
        }
        return text;
    }

    @Override
    public String times(List<String> factors) {
        StringBuilder sb = new StringBuilder(factors.get(0));
        boolean previousScalar = isScalar(factors.get(0));
        for (int i = 1; i < factors.size(); i++) {
            boolean scalar = isScalar(factors.get(i)) && !factors.get(i).matches("[0-9.].*") || scalarTexts.contains(factors.get(i));
            sb.append(previousScalar || scalar ? scalarTimes : hadamard).append(factors.get(i));
            previousScalar = scalar;
        }
        return sb.toString();
    }

    /** A leading coefficient ({@code 2·h ⊙ y}) or a scalar symbol. */
    private boolean isScalar(String factor) {
        return factor.matches("[0-9.]+|\\{[0-9.]+ \\\\times 10\\^\\{-?[0-9]+\\}\\}|[0-9.]+e-?[0-9]+") || scalarTexts.contains(factor)
                || (scalars != NONE && !mentionsVector(factor));
    }

    private static final java.util.function.Predicate<Sym> NONE = s -> false;

    /** The texts of the symbols printed so far that stand for a vector. */
    private final java.util.Set<String> vectorTexts = new java.util.HashSet<>();

    /** Whether {@code factor} names a vector printed so far ({@code log(abs(q[1]))} does not: q[1] is one number). */
    private boolean mentionsVector(String factor) {
        for (String v : vectorTexts) {
            if (java.util.regex.Pattern.compile("(?<![\\w.\\]])" + java.util.regex.Pattern.quote(v) + "(?![\\w.\\[])")
                    .matcher(factor).find()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String fraction(String numerator, String denominator, int denPrec) {
        return base.fraction(numerator, denominator, denPrec);
    }

    @Override public boolean fractionIsGrouping() { return base.fractionIsGrouping(); }

    @Override
    public String power(String b, Expr exponent, String exponentText) {
        return base.power(b, exponent, exponentText);
    }

    @Override public String call(Apply a, List<String> args) { return base.call(a, args); }

    @Override public String group(String s) { return base.group(s); }

    @Override public String plus() { return base.plus(); }

    @Override public String minus() { return base.minus(); }

    @Override public String negative() { return base.negative(); }
}
