package chainrule.print;

import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Sum;
import chainrule.model.Vertex;
import chainrule.paths.Edge;
import chainrule.paths.Chain;
import chainrule.paths.ClosedForm;
import java.util.ArrayList;
import java.util.List;

/**
 * A closed form as text, factors in path order: {@code i1·out_h1·(1 - out_h1)·(w5·… + w7·…)}.
 * Factors equal to 1 (a bias's input) are left out of products. Other notations (LaTeX) subclass it
 * and replace only the tokens: the product sign, grouping, the sum sign, a factor, a δ's name.
 */
public class ChainText {
    private final ExprPrinter printer;

    public ChainText(ExprPrinter printer) {
        this.printer = printer;
    }

    public static ChainText pretty() { return new ChainText(TextPrinter.pretty()); }

    public static ChainText plain() { return new ChainText(TextPrinter.plain()); }

    protected String times() { return printer == TextPrinter.plain() ? "*" : "·"; }

    /** The name of δ(v) in text. */
    public String delta(Vertex v) {
        return printer == TextPrinter.plain() ? "delta_" + v.name().replace('.', '_') : "δ(" + v.name() + ")";
    }

    public String print(Chain c) {
        return render(c, false);
    }

    private String render(Chain c, boolean inProduct) {
        return Chain.visit(c, new Chain.Visitor<String>() {
            @Override public String factor(Chain.Factor f) { return edgeFactor(f.edge(), inProduct); }

            @Override public String series(Chain.Series s) {
                List<String> parts = new ArrayList<>();
                for (Chain x : s.parts()) {
                    if (x instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE) {
                        continue;
                    }
                    parts.add(render(x, s.parts().size() > 1));
                }
                if (parts.isEmpty()) {
                    return "1";
                }
                return parts.size() == 1 ? render(onlyNonUnit(s), inProduct) : String.join(times(), parts);
            }

            @Override public String parallel(Chain.Parallel p) {
                if (p.alternatives().isEmpty()) {
                    return "0";
                }
                List<String> parts = new ArrayList<>();
                for (Chain x : p.alternatives()) {
                    parts.add(render(x, false));
                }
                String sum = String.join(plus(), parts);
                return inProduct ? groupSum(sum) : sum;
            }

            @Override public String delta(Chain.Delta d) { return ChainText.this.delta(d.vertex()); }
        });
    }

    private static Chain onlyNonUnit(Chain.Series s) {
        for (Chain x : s.parts()) {
            if (!(x instanceof Chain.Factor f && f.edge().factor() == Exprs.ONE)) {
                return x;
            }
        }
        throw new AssertionError("caller checked that one part is not 1");
    }

    /** The sign between alternatives of a sum. */
    protected String plus() { return " + "; }

    /** A sum of alternatives standing in a product. */
    protected String groupSum(String sum) { return "(" + sum + ")"; }

    /** A factor standing in a product that needs grouping (a sum, a negative term). */
    protected String groupFactor(String factor) { return "(" + factor + ")"; }

    /** How one edge's factor is written; a numeric notation writes its value instead. */
    protected String edgeFactor(Edge e, boolean inProduct) { return factorText(e.factor(), inProduct); }

    /** A factor's text, in parentheses when it is a sum or negative and stands in a product. */
    public String factorText(Expr e, boolean inProduct) {
        String t = printer.print(e);
        return inProduct && (e instanceof Sum || ExprPrinter.isNegative(e)) ? groupFactor(t) : t;
    }

    /** Lines {@code where δ(v) = ∂E/∂v = ...} for each δ of the form. */
    public List<String> deltaDefinitions(ClosedForm form, String lossName) {
        List<String> out = new ArrayList<>();
        form.deltas().forEach((v, chain) -> out.add(delta(v) + " = ∂" + lossName + "/∂" + v.name() + " = " + print(chain)));
        return out;
    }
}
