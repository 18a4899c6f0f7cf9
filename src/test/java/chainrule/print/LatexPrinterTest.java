package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.parse.SourceParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parentheses only where the shared precedence table needs them; forms from the primitive table. */
class LatexPrinterTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "(a + b)*c|c{\\left(a + b\\right)}",
        "a - (b - c)|a - b + c",
        "-x^2|-x^{2}",
        "(-x)^2|x^{2}",
        "a/(b*c)|\\frac{a}{b \\cdot c}",
        "(a + b)^2|{\\left(a + b\\right)}^{2}",
        "sigmoid(x1)|\\sigma\\mathopen{}\\left(x_{1}\\right)",
        "sqrt(x + 1)|\\sqrt{x + 1}",
        "x^(a + b)|x^{a + b}",
        "2*x*y|2 \\cdot x \\cdot y",
        // e^{x}^{y} is a TeX error (double superscript): a superscripted base is parenthesised
        "exp(x)^y|{\\left(e^{x}\\right)}^{y}",
        "sqrt(x)^y|\\sqrt{x}^{y}",
    })
    void layout(String source, String latex) throws Exception {
        var e = Analyzer.lowerStandalone(new Source("t", source), SourceParser.parseExpression(new Source("t", source)));
        assertEquals(latex, LatexPrinter.latex().print(e));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0.3775|0.3775", "1.5e-9|{1.5 \\times 10^{-9}}", "inf|\\infty"})
    void numbers(String decimal, String latex) {
        assertEquals(latex, LatexPrinter.number(decimal));
    }
}
