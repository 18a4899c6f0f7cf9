package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.TextPrinter;
import chainrule.model.Analyzer;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code diff}'s header shows the expression as the user typed it (as parsed), not its normal form:
 * {@code log(σ(x))}, not {@code -softplus(-x)}. The typed text, parsed again, must have the input's
 * value at several points (so a dropped bracket or sign fails), and the derivative stays the
 * simplified one, whose value is checked against central differences of the input.
 */
class TypedExpressionTest {

    private static Expr lower(String text) throws Exception {
        Source source = new Source("<expr>", text);
        return Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "log(sigmoid(x)) | log(σ(x))",
        "x/x | (x/x)",
        "0.5*x^2 | (0.5·x²)",
        "x^2*sin(x) | (x²·sin(x))",
        "(x+1)*(x-1) | ((x + 1)·(x - 1))",
        "e^x | e^x",
        "-x^2 | (-x²)",
        "x - -x | (x - (-x))",
        "2*-x | (2·(-x))",
        "x^(1/3) | x^(1/3)",
        "(a*x+b)/(c*x+d) | ((a·x + b)/(c·x + d))",
        "(x - 1)/(x*(x + 2)) | ((x - 1)/(x·(x + 2)))",
        "2^(x+1) | 2^(x + 1)",
        "pi*x/(2 - x) | (π·x/(2 - x))",
        "max(x, -x) | max(x, -x)",
        "log(1 + exp(x)) | log(1 + exp(x))",
    })
    void theHeaderIsWhatWasTypedAndParsesBackToTheSameValue(String input, String operand) throws Exception {
        Source source = new Source("<expr>", input);
        Ast.Expr parsed = SourceParser.parseExpression(source);
        assertEquals(operand, TypedExpression.operand(TextPrinter.pretty(), source, parsed));
        String plain = TypedExpression.text(TextPrinter.plain(), source, parsed);
        assertNotNull(plain);
        Expr original = lower(input);
        Expr again = lower(plain);
        for (double x : new double[] {0.3, 1.7, 2.9}) {
            Map<String, Double> at = new HashMap<>(Map.of("x", x, "a", 0.4, "b", -1.2, "c", 2.5, "d", 0.7));
            assertEquals(Evaluator.evaluate(original, at), Evaluator.evaluate(again, at), 1e-12, plain + " at " + x);
        }
        String wrt = input.contains("a*x") ? "∂/∂x " : "d/dx ";
        Cli r = Cli.run("diff", input, "--wrt", "x");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith(wrt + operand + "\n"), r.out());
    }

    @Test
    void theDerivativeIsStillTheSimplifiedOneAndJsonAndLatexShowTheTypedForm() throws Exception {
        Cli r = Cli.run("diff", "log(sigmoid(x))", "--wrt", "x", "--set", "x=0.8", "--json");
        Map<String, Object> json = TestJson.object(r.out());
        assertEquals("log(sigmoid(x))", json.get("expr"));
        assertEquals("sigmoid(-x)", json.get("derivative"));
        double h = 1e-6;
        double numeric = (Math.log(1 / (1 + Math.exp(-(0.8 + h)))) - Math.log(1 / (1 + Math.exp(-(0.8 - h))))) / (2 * h);
        assertEquals(numeric, ((Number) json.get("value")).doubleValue(), 1e-8);
        Cli latex = Cli.run("diff", "log(sigmoid(x))", "--wrt", "x", "--latex");
        assertTrue(latex.out().startsWith("\\frac{d}{dx} \\log\\mathopen{}\\left(\\sigma\\mathopen{}\\left(x\\right)\\right) = "), latex.out());
    }

    @Test
    void anIndexIsNotWrittenAndFallsBackToTheNormalForm() throws Exception {
        Source source = new Source("<expr>", "x[1]*2");
        try {
            Ast.Expr parsed = SourceParser.parseExpression(source);
            assertEquals(null, TypedExpression.text(TextPrinter.plain(), source, parsed));
        } catch (chainrule.diag.DiagnosticException e) {
            // an index is not an expression diff accepts at all: nothing to print
        }
    }
}
