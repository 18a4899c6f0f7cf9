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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The product rule's result as textbooks write it, u′·v + u·v′ ({@code x²·cos(x) + 2·x·sin(x)}
 * for x²·sin x, not {@code x·(x·cos(x) + 2·sin(x))}), where that prints no longer than the factored
 * form; factored forms that print shorter, or keep a unit such as {@code p·(1 − p)} or
 * {@code x^x·(log(x) + 1)}, stay. Values against central differences of the input.
 */
class ProductRuleFormTest {

    private static Expr lower(String text) throws Exception {
        Source source = new Source("<expr>", text);
        return Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "x^2*sin(x) | x^2*cos(x) + 2*x*sin(x)",
        "x^2*tanh(x) | x^2*(1 - tanh(x)^2) + 2*x*tanh(x)",
        "x^3*exp(x) | x^2*exp(x)*(x + 3)",
        "x^x | x^x*(log(x) + 1)",
        "sigmoid(x)*x | sigmoid(x)*(x*(1 - sigmoid(x)) + 1)",
        "x*sin(x) | x*cos(x) + sin(x)",
    })
    void productRule(String input, String expected) throws Exception {
        Expr e = lower(input);
        Expr d = Simplifier.simplify(Differentiator.derivative(e, Exprs.local("x")));
        assertEquals(expected, TextPrinter.plain().print(d));
        for (double x : new double[] {0.7, 1.9}) {
            double h = 1e-5;
            double numeric = (Evaluator.evaluate(e, Map.of("x", x + h)) - Evaluator.evaluate(e, Map.of("x", x - h))) / (2 * h);
            assertEquals(numeric, Evaluator.evaluate(d, Map.of("x", x)), 1e-6 * (1 + Math.abs(numeric)), input + " at " + x);
        }
        if (input.equals("x^2*sin(x)")) { // by hand: 2x·sin x + x²·cos x
            assertEquals(2 * 0.7 * Math.sin(0.7) + 0.49 * Math.cos(0.7), Evaluator.evaluate(d, Map.of("x", 0.7)), 1e-15);
        }
    }

    @Test
    void aFactoredInputIsNeverExpandedToSomethingLarger() throws Exception {
        Expr e = lower("x*(x + y)");
        assertEquals("x*(x + y)", TextPrinter.plain().print(Simplifier.simplify(e)));
    }
}
