package chainrule.expr;

import java.util.List;

/**
 * Expressions as text. {@link #plain()} is ASCII that parses back to the same expression (JSON and
 * {@code diff} output); {@link #pretty()} is for people: {@code ·} for products, σ for sigmoid,
 * superscript small powers, ′ for derivatives of user functions.
 */
public final class TextPrinter extends ExprPrinter {
    private final boolean pretty;

    private static final TextPrinter PLAIN = new TextPrinter(false);
    private static final TextPrinter PRETTY = new TextPrinter(true);

    private TextPrinter(boolean pretty) {
        this.pretty = pretty;
    }

    public static TextPrinter plain() { return PLAIN; }

    public static TextPrinter pretty() { return PRETTY; }

    @Override
    public String number(double v) {
        if (!pretty && !Double.isFinite(v)) {
            // Constant folding can overflow; the language has no literal for inf or nan, but these
            // fold back to exactly the same constants.
            // (numbers are exact, so the product must outgrow exact arithmetic: 1e600 does)
            return Double.isNaN(v) ? "(1e300*1e300 - 1e300*1e300)" : v > 0 ? "(1e300*1e300)" : "(-1e300*1e300)";
        }
        return Numbers.exact(v);
    }

    @Override public String symbol(Sym s) {
        if (pretty) {
            String call = PRETTY_NAMES.get(s);
            if (call != null) {
                return call;
            }
        }
        return s.name();
    }

    /**
     * Symbols whose name is a call in plain text ({@code mean(w^2)}, a long reduction folded back
     * into its call: paths.FoldedReductions) to the call as {@link #pretty()} writes it
     * ({@code mean(w²)}).
     */
    private static final java.util.Map<Sym, String> PRETTY_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Registers {@code s}'s pretty form (see {@link #PRETTY_NAMES}); its name is the plain one. */
    public static void prettyName(Sym s, String pretty) {
        if (!pretty.equals(s.name())) {
            PRETTY_NAMES.putIfAbsent(s, pretty);
        }
    }

    @Override public String times(List<String> factors) { return String.join(pretty ? "·" : "*", factors); }

    @Override public String fraction(String numerator, String denominator, int denPrec) {
        return numerator + "/" + denominator;
    }

    @Override
    public String power(String base, Expr exponent, String exponentText) {
        if (pretty && exponent instanceof Num n && n.isInteger() && n.value() >= 2 && n.value() <= 9) {
            return base + "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt((int) n.value());
        }
        return base + "^" + exponentText;
    }

    @Override
    public String call(Apply a, List<String> args) {
        String name;
        if (a.fn() instanceof VectorElement e) {
            return vectorElement(e, a, args);
        }
        if (a.fn() instanceof Primitive p) {
            name = pretty ? p.prettyName() : p.sourceName();
            if (p.isConstant()) {
                return name; // π, e: no parentheses
            }
        } else {
            UserFunction f = (UserFunction) a.fn();
            if (!pretty && f.derivativeOf() != null) {
                // A derived function has no name in the language: write its body out.
                // Bracketed unless atomic, since the call it replaces binds like an atom.
                Printed body = render(f.inline(a.args()));
                return body.prec() < Precedence.ATOM ? group(body.text()) : body.text();
            }
            name = f.sourceName();
        }
        return name + "(" + String.join(", ", args) + ")";
    }

    /**
     * {@code softmax(p.in)[2]} when the arguments are one vertex's elements, {@code softmax(k·z)[2]}
     * when they are one expression of vectors' elements at each index, else {@code softmax(a, b)[2]}.
     */
    private String vectorElement(VectorElement e, Apply a, List<String> args) {
        String name = pretty ? e.primitive().prettyName() : e.primitive().sourceName();
        String vector = VectorElement.vectorOf(a.args()).orElseGet(() -> VectorElement.commonArgument(a.args())
                .map(x -> render(x).text()).orElse(String.join(", ", args)));
        return name + "(" + vector + ")[" + (e.index() + 1) + "]";
    }

    @Override public String group(String s) { return "(" + s + ")"; }
}
