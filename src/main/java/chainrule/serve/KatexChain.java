package chainrule.serve;

import chainrule.model.Vertex;
import chainrule.print.ChainText;
import chainrule.print.LatexNames;
import chainrule.print.LatexPrinter;

/**
 * A closed form in the LaTeX subset KaTeX typesets, on {@link ChainText}'s layout (the same factors
 * in the same order as {@code chainrule paths} prints): only the tokens differ. Unlike the
 * derivation's {@code LatexChain} it has no line-break marks: the page lets the browser wrap.
 */
final class KatexChain extends ChainText {
    KatexChain() {
        super(LatexPrinter.latex());
    }

    @Override protected String times() { return " \\cdot "; }

    @Override protected String groupSum(String sum) { return "\\left(" + sum + "\\right)"; }

    @Override protected String groupFactor(String factor) { return "\\left(" + factor + "\\right)"; }

    @Override public String delta(Vertex v) { return LatexNames.delta(v); }

    /** A factor 1/k divides the others, {@code \frac{\operatorname{mean}(h)}{128}}, as text writes mean(h)/128. */
    @Override protected boolean fractionsDivide() { return true; }

    @Override
    protected String over(String numerator, chainrule.expr.Expr den) {
        return "\\frac{" + withoutOuterGroup(numerator, "\\left(", "\\right)") + "}{" + LatexPrinter.latex().print(den) + "}";
    }


    /** {@code \frac{\partial E}{\partial w_1}}. */
    static String partial(String of, String by) {
        return "\\frac{\\partial " + LatexNames.name(of) + "}{\\partial " + LatexNames.name(by) + "}";
    }
}
