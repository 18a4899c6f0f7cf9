package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where names are written as their values (the LaTeX forward pass and local derivatives), a term
 * that a target of 0 makes 0 is not written as {@code -0 \cdot \log(…)} or {@code -\frac{0}{…}}:
 * it is left out of its sum, or written 0. The numbers written still equal the value computed
 * independently (the loss by hand, −log(1 − σ(0.32)), and the interpreter's forward pass).
 */
class ZeroTermsTest {
    private static final Sym T = Exprs.sym("t", SymKind.DATA);
    private static final Sym P = Exprs.sym("p", SymKind.NODE);

    @Test
    void aProductWithAZeroNameIsWrittenZeroAndLeftOutOfASum() {
        LatexPrinter withValues = LatexPrinter.withValues(Map.of("t", 0.0, "p", 0.25));
        Expr term = Exprs.mul(T, Exprs.apply(Primitive.LOG, P));
        assertEquals("0", withValues.print(Exprs.neg(term)));
        Expr bce = Exprs.neg(Exprs.add(List.of(term,
                Exprs.mul(Exprs.sub(Exprs.ONE, T), Exprs.apply(Primitive.LOG, Exprs.sub(Exprs.ONE, P))))));
        String printed = withValues.print(bce).replace(String.valueOf(LatexPrinter.BREAK), "");
        assertFalse(printed.contains("0 \\cdot"), printed);
        assertTrue(printed.contains("1 - 0.25"), printed); // a name inside a call is written as its value
        // a factor whose value is 1 (1 - t with t = 0) is left out of its product, as t with t = 1
        assertFalse(printed.contains("\\left(1 - 0\\right)"), printed);
        LatexPrinter atOne = LatexPrinter.withValues(Map.of("t", 1.0, "p", 0.25));
        assertEquals("-\\log\\mathopen{}\\left(0.25\\right)", atOne.print(Exprs.neg(term)));
        // a formula printer writes every term
        assertTrue(LatexPrinter.latex().print(bce).contains("t \\cdot"), LatexPrinter.latex().print(bce));
        // 0·log(0) is nan, not 0: it stays written
        LatexPrinter atZero = LatexPrinter.withValues(Map.of("t", 0.0, "p", 0.0));
        assertTrue(atZero.print(Exprs.neg(term)).contains("\\log"), atZero.print(Exprs.neg(term)));
    }

    @Test
    void theForwardPassWithATargetOfZeroWritesNoZeroTerm() throws Exception {
        Network net = Analyzer.analyze(new Source("bce.nn", """
                input x1 = 0.5, x2 = -0.3
                target t = 0
                weight w1 = 0.2, w2 = -0.4
                bias b = 0.1
                p = sigmoid(w1*x1 + w2*x2 + b)
                loss L = -(t*log(p) + (1 - t)*log(1 - p))
                """));
        PathGraph graph = PathGraph.of(net);
        Values values = Values.of(net);
        String latex = chainrule.latex.LatexDerivation.of(graph, List.of(net.vertex("w1").orElseThrow()), values,
                Notation.DEFAULT, "bce.nn", 100, false);
        assertFalse(latex.contains("0 \\cdot \\log"), latex);
        assertFalse(latex.contains("-\\frac{0}"), latex);
        // nor a lone zero-valued name in a sum: (p - t)/(p·(1 - p)) at t = 0 is 0.579324/(…), not (0.579324 - 0)/(…)
        assertFalse(latex.contains("0.579324 - 0}"), latex);
        double byHand = -Math.log(1 - 1 / (1 + Math.exp(-(0.2 * 0.5 + -0.4 * -0.3 + 0.1))));
        assertEquals(byHand, values.vertex("L"), 1e-15);
        assertTrue(latex.contains("= -\\log\\mathopen{}\\left(1 - 0.579324\\right) \\\\*"), latex);
        assertTrue(latex.contains("&= " + LatexPrinter.rounded(byHand, 12)), latex);
    }
}
