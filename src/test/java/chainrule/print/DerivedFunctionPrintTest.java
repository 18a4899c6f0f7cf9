package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.diff.UserDerivation;
import chainrule.expr.Evaluator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Primitive;
import chainrule.expr.Sym;
import chainrule.expr.TextPrinter;
import chainrule.expr.UserFunction;
import chainrule.model.Analyzer;
import chainrule.parse.SourceParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A derived user function (swish′) has no name in the language, so plain text writes its body out;
 * inside a product that body must keep its brackets, or the formula means something else.
 */
class DerivedFunctionPrintTest {

    @Test
    void aWrittenOutDerivativeKeepsItsBracketsInAProduct() throws Exception {
        Sym z = Exprs.local("z");
        UserFunction swish = new UserFunction("swish", List.of(z),
                Exprs.mul(z, Exprs.apply(Primitive.SIGMOID, z)), UserDerivation.SIMPLIFIED);
        Sym x = Exprs.local("x");
        Sym y = Exprs.local("y");
        Expr e = Exprs.mul(Exprs.apply(swish.partialFunction(0), x), y);

        String text = TextPrinter.plain().print(e);
        Source source = new Source("<test>", text);
        Expr reparsed = Analyzer.lowerStandalone(source, SourceParser.parseExpression(source));

        Map<String, Double> at = Map.of("x", 0.3, "y", 2.0);
        double s = 1 / (1 + Math.exp(-0.3));
        double expected = (s + 0.3 * s * (1 - s)) * 2.0; // swish′(0.3)·2, by hand
        assertEquals(expected, Evaluator.evaluate(e, at), 1e-15);
        assertEquals(expected, Evaluator.evaluate(reparsed, at), 1e-15, text);
    }
}
