package chainrule.latex;

import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.Values;
import chainrule.print.ChainText;
import chainrule.print.LatexNames;
import chainrule.print.LatexPrinter;
import java.util.Map;

/**
 * A closed form ({@link chainrule.paths.Chain}) in LaTeX, on {@link ChainText}'s layout: symbolic,
 * or with every factor and δ written as its value for the numeric step. Sums of alternatives are
 * grouped with {@code \bigl(...\bigr)}, which may break across lines.
 */
final class LatexChain extends ChainText {
    private final Values values;
    private final Map<Vertex, Double> deltaValues;

    private LatexChain(Values values, Map<Vertex, Double> deltaValues) {
        super(LatexPrinter.breakable());
        this.values = values;
        this.deltaValues = deltaValues;
    }

    /** Factors as formulas, δ terms by name. */
    static LatexChain symbolic() {
        return new LatexChain(null, null);
    }

    /**
     * Factors and δ terms as numbers.
     *
     * @param values      the evaluation, which gives each edge factor's value
     * @param deltaValues the value of each δ the chains use
     */
    static LatexChain numeric(Values values, Map<Vertex, Double> deltaValues) {
        return new LatexChain(values, deltaValues);
    }

    @Override protected boolean writesFormulas() { return values == null; }

    /** A factor 1/k divides the others, {@code \frac{\operatorname{mean}(h)}{128}}, as text writes mean(h)/128. */
    @Override protected boolean fractionsDivide() { return values == null; }

    @Override
    protected String over(String numerator, chainrule.expr.Expr den) {
        return "\\frac{" + withoutOuterGroup(numerator, "{\\left(", "\\right)}") + "}{" + LatexPrinter.breakable().print(den) + "}";
    }


    @Override protected String times() { return LatexPrinter.BREAK + " \\cdot "; }

    @Override protected String plus() { return LatexPrinter.BREAK + " + "; }

    @Override protected String minus() { return LatexPrinter.BREAK + " - "; }

    @Override protected String groupSum(String sum) { return "\\bigl(" + sum + "\\bigr)"; }

    @Override protected String groupFactor(String factor) { return "{\\left(" + factor + "\\right)}"; }

    @Override
    protected String edgeFactor(Edge e, boolean inProduct) {
        if (values == null) {
            return super.edgeFactor(e, inProduct);
        }
        return value(values.of(e), inProduct);
    }

    @Override
    public String delta(Vertex v) {
        if (deltaValues == null) {
            return LatexNames.delta(v);
        }
        return value(deltaValues.get(v), true);
    }

    /**
     * A number standing in a product or after a sign: negative ones in parentheses (a product
     * {@code 1 \\cdot (-1)} and a sum {@code + (-0.01)}, never {@code + -0.01}).
     */
    static String value(double v, boolean inProduct) {
        String text = LatexPrinter.rounded(v, LatexDerivation.FACTOR_DIGITS);
        return v < 0 ? "{\\left(" + text + "\\right)}" : text;
    }
}
