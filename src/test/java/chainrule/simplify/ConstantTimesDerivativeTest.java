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
 * The chain rule's {@code k·f′(k·x)} keeps f′'s textbook form times the constant:
 * {@code tanh(x/2)′ = (1 − tanh(x/2)²)/2}, not {@code 1/2 − tanh(x/2)²/2}; {@code 3·(1 − tanh(3x)²)},
 * not {@code 3 − 3·tanh(3x)²}. Each printed form's value is checked against central differences
 * of the input at two points, and against the hand-written k·(1 − tanh(k·x)²), so an expected
 * form that is wrong fails.
 */
class ConstantTimesDerivativeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tanh(x/2) | (1 - tanh(x/2)^2)/2 | 0.5",
        "tanh(3*x) | 3*(1 - tanh(3*x)^2) | 3",
        "3*tanh(x) | 3*(1 - tanh(x)^2) | 0",
        "tanh(x)/4 | (1 - tanh(x)^2)/4 | 0",
        "tanh(a*x) | a*(1 - tanh(a*x)^2) | 0",
        "tanh(2*x)^2 | 4*tanh(2*x)*(1 - tanh(2*x)^2) | 0",
        "sigmoid(x/2) | sigmoid(x/2)*(1 - sigmoid(x/2))/2 | 0",
        "tanh(x) | 1 - tanh(x)^2 | 1",
    })
    void keepsTheTextbookFormTimesTheConstant(String input, String expected, double k) throws Exception {
        Source source = new Source("<expr>", input);
        Expr e = Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));
        Expr d = Simplifier.simplify(Differentiator.derivative(e, Exprs.local("x")));
        assertEquals(expected, TextPrinter.plain().print(d));
        for (double x : new double[] {0.7, -1.3}) {
            double h = 1e-5;
            Map<String, Double> at = new java.util.HashMap<>(Map.of("a", 0.8));
            at.put("x", x + h);
            double up = Evaluator.evaluate(e, at);
            at.put("x", x - h);
            double numeric = (up - Evaluator.evaluate(e, at)) / (2 * h);
            at.put("x", x);
            double printed = Evaluator.evaluate(d, at);
            assertEquals(numeric, printed, 1e-6 * (1 + Math.abs(numeric)), input + " at " + x);
            if (k != 0) { // tanh(k·x)′ by hand
                double t = Math.tanh(k * x);
                assertEquals(k * (1 - t * t), printed, 1e-12, input + " by hand at " + x);
            }
        }
    }
}
