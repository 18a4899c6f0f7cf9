package chainrule.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.diff.Differentiator;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.TextPrinter;
import chainrule.model.Analyzer;
import chainrule.parse.SourceParser;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One derivative per kind the session-5 rules fixed in the SymPy comparison
 * (docs/readability.md): the expression of the 200-expression sample, the form chainrule prints,
 * whose length is at most SymPy's {@code simplify} (its form in the comment, from
 * {@code docs/scripts/sympy_simplify_compare.py 200 11}). The value of the printed form is checked
 * against central differences of the input at two points, so an expected form that is wrong fails.
 */
class SympySampleKindsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // over-one-root; SymPy: (-(x - pi)^2 - (x - pi)*(x - asinh(pi)) - 1)/sqrt((x - pi)^2 + 1)
        "(((x - pi)^2 + 1)^(1/2)) * (asinh(pi) - x) | ((x - pi)*(asinh(pi) - 2*x + pi) - 1)/sqrt((x - pi)^2 + 1)",
        // cancel-rational, the numerator's content out; SymPy: 3*(-x^6 + 8*x^4 - 8*x^2 + 1)/(...)
        "atanh((3*(x/(x^2 + 1)))/((3*(x/(x^2 + 1)))^2 + 1)) | 3*(8*x^4 - x^6 - 8*x^2 + 1)/(x^8 + 13*x^6 + 105*x^4 + 13*x^2 + 1)",
        // exp-reciprocal; SymPy: -exp(-sqrt(x))/(2*sqrt(x))
        "(exp(x^(1/2)))^-1 | -exp(-sqrt(x))/(2*sqrt(x))",
        // square-substitution; SymPy: -(sinh(log(x))^2 - 1)*cosh(log(x))/(x*(sinh(log(x))^4 + sinh(log(x))^2 + 1))
        "atanh(sinh(log(x))/(sinh(log(x))^2 + 1)) | cosh(log(x))*(1 - sinh(log(x))^2)/(x*(sinh(log(x))^4 + cosh(log(x))^2))",
        // factor-common with the number out; SymPy: -(x^2 - 1)*cos(x/(5*(x^2 + 1)))/(5*(x^2 + 1)^2)
        "sin((x/(x^2 + 1))/(2^2 + 1)) | cos(x/(5*(x^2 + 1)))*(1 - x^2)/(5*(x^2 + 1)^2)",
        // inverse-composition; SymPy: 3/(9*x^2 + 1)^(3/2)
        "tanh(asinh(x*3)) | 3/(9*x^2 + 1)^(3/2)",
        "sin(asin(x/3)) | 1/3",
        "cosh(asinh(x)) | x/sqrt(x^2 + 1)",
        "cos(asin(x/3)) | -x/(3*sqrt(9 - x^2))",
        // session-5 leftovers (issue 11): σ(−u) = 1 − σ(u) collected; exp(log(x)) = x where log is real
        "bce_with_logits(x, t) + binary_cross_entropy(sigmoid(x), t) | 2*(sigmoid(x) - t)",
        "y*exp(log(x))/x + x | 1",
        "(y - x)^2/6 | (x - y)/3",
        // max(x, −x) is |x|: sign(x), the tie convention's ½ − ½ = 0 at x = 0 (docs/language.md)
        "max(x, -x) | sign(x)",
        "min(x, -x) | -sign(x)",
        "max(2*x, -2*x) | 2*sign(x)",
    })
    void printsTheShortForm(String input, String expected) throws Exception {
        Source source = new Source("<expr>", input);
        Expr e = Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));
        Expr d = Simplifier.simplify(Differentiator.derivative(e, Exprs.local("x")));
        assertEquals(expected, TextPrinter.plain().print(d));
        for (double x : new double[] {0.7, 1.3}) {
            double h = 1e-5;
            Map<String, Double> at = new java.util.HashMap<>(Map.of("t", 0.3, "y", 0.4));
            at.put("x", x + h);
            double up = Evaluator.evaluate(e, at);
            at.put("x", x - h);
            double numeric = (up - Evaluator.evaluate(e, at)) / (2 * h);
            at.put("x", x);
            assertEquals(numeric, Evaluator.evaluate(d, at), 1e-6 * (1 + Math.abs(numeric)), input + " at " + x);
        }
    }
}
