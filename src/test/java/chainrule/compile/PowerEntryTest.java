package chainrule.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diag.Source;
import chainrule.expr.Exprs;
import chainrule.expr.PowerEntry;
import chainrule.layer.LayerCompiler;
import chainrule.model.Analyzer;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The power entry is read by both bytecode kernels through {@link ExprEmitter}: for each form
 * (square, reciprocal, call with a number or a name as exponent) the tape and the loop compiler
 * give the value and derivative of b^k that the closed forms k·b^(k−1) and b^k·log b give,
 * independently of chainrule.
 */
class PowerEntryTest {

    @Test
    void formsAreDecidedByTheExponent() {
        assertEquals(PowerEntry.Form.SQUARE, PowerEntry.form(Exprs.num(2)));
        assertEquals(PowerEntry.Form.RECIPROCAL, PowerEntry.form(Exprs.num(-1)));
        assertEquals(PowerEntry.Form.CALL, PowerEntry.form(Exprs.num(3)));
        assertEquals(PowerEntry.Form.CALL, PowerEntry.form(Exprs.num(0.5)));
        assertEquals(PowerEntry.Form.CALL, PowerEntry.form(Exprs.local("k")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "-1", "3", "0.5", "-2.5", "k"})
    void tapeAndLoopsAgreeWithTheClosedForm(String exponent) throws Exception {
        double b0 = 1.3;
        double k = 2.75;
        double kk = exponent.equals("k") ? k : Double.parseDouble(exponent);
        String scalar = "weight b = " + b0 + "\nweight k = " + k + "\nloss L = b^" + paren(exponent) + " + 0*k\n";
        CompiledGradient tape = CompiledGradient.compile("p.nn", scalar);
        check(tape, b0, kk, exponent.equals("k"), "tape");

        String vector = "weight b[2] = [" + b0 + ", " + b0 + "]\nweight k = " + k
                + "\nloss L = sum(b^" + paren(exponent) + ")/2 + 0*k\n";
        Source src = new Source("v.nn", vector);
        Ast.File ast = SourceParser.parseFile(src);
        CompiledGradient loops = LayerCompiler.compile(Analyzer.analyze(src, ast), ast);
        assertEquals(false, loops.tape().isPresent(), "the loop compiler takes the vector file");
        double[] g = new double[loops.parameters().size()];
        double loss = loops.workspace().gradient(g);
        assertEquals(Math.pow(b0, kk), loss, 1e-14 * Math.abs(loss), "loops value");
        assertEquals(kk * Math.pow(b0, kk - 1) / 2, g[loops.parameters().indexOf("b[1]")], 1e-13, "loops ∂/∂b[1]");
        if (exponent.equals("k")) {
            assertEquals(Math.pow(b0, k) * Math.log(b0), g[loops.parameters().indexOf("k")], 1e-13, "loops ∂/∂k");
        }
    }

    private static void check(CompiledGradient c, double b0, double kk, boolean symbolic, String what) {
        double[] g = new double[c.parameters().size()];
        double loss = c.workspace().gradient(g);
        assertEquals(Math.pow(b0, kk), loss, 1e-14 * Math.abs(loss), what + " value");
        assertEquals(kk * Math.pow(b0, kk - 1), g[c.parameters().indexOf("b")], 1e-13, what + " ∂/∂b");
        if (symbolic) {
            assertEquals(Math.pow(b0, kk) * Math.log(b0), g[c.parameters().indexOf("k")], 1e-13, what + " ∂/∂k");
        }
    }

    private static String paren(String e) {
        return e.startsWith("-") ? "(" + e + ")" : e;
    }
}
