package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.ir.Reduction;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each entry of {@link Reduction}, read by both lowerings, gives the same loss and gradient through
 * the loop compiler (layer program) and the tape (element view), and both match the value and
 * gradient written out here by hand from the textbook definitions.
 */
class ReductionTableTest {
    static final double[] P = {0.2, 0.7, 0.1};
    static final double[] Y = {0.0, 1.0, 0.0};

    /** Loss and ∂loss/∂p[k] by hand. */
    static double[] byHand(Reduction r) {
        int n = P.length;
        double[] out = new double[n + 1];
        for (int k = 0; k < n; k++) {
            double p = P[k];
            double y = Y[k];
            switch (r) {
                case SUM -> { out[n] += p; out[k] = 1; }
                case MEAN -> { out[n] += p / n; out[k] = 1.0 / n; }
                case MSE -> { out[n] += (p - y) * (p - y) / n; out[k] = 2 * (p - y) / n; }
                case CROSS_ENTROPY -> { out[n] -= y * Math.log(p); out[k] = -y / p; }
                case BINARY_CROSS_ENTROPY -> {
                    out[n] -= (y * Math.log(p) + (1 - y) * Math.log(1 - p)) / n;
                    out[k] = (-y / p + (1 - y) / (1 - p)) / n;
                }
                case BCE_WITH_LOGITS -> {
                    double sp = Math.log1p(Math.exp(p));
                    out[n] += (sp - y * p) / n;
                    out[k] = (1 / (1 + Math.exp(-p)) - y) / n;
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void bothLoweringsGiveTheTextbookNumbers(Reduction r) throws Exception {
        String call = r.sourceName() + (r.isLoss() ? "(p, y)" : "(p)");
        String text = "weight p[3] = [0.2, 0.7, 0.1]\ntarget y[3] = [0, 1, 0]\nloss L = " + call + "\n";
        Source source = new Source("r.nn", text);
        Ast.File ast = SourceParser.parseFile(source);
        CompiledGradient loops = LayerCompiler.compile(Analyzer.analyze(source, ast), ast);
        assertTrue(loops.tape().isEmpty(), "compiled to loops");
        CompiledGradient tape = CompiledGradient.compile("r.nn", text);
        double[] expected = byHand(r);
        for (CompiledGradient c : new CompiledGradient[] {loops, tape}) {
            String what = c == loops ? "loops" : "tape";
            double[] g = new double[c.parameters().size()];
            double loss = c.workspace().gradient(g);
            assertEquals(expected[P.length], loss, 1e-14, what + " " + r);
            for (int k = 0; k < P.length; k++) {
                assertEquals(expected[k], g[c.parameters().indexOf("p[" + (k + 1) + "]")], 1e-13, what + " " + r + " p[" + (k + 1) + "]");
            }
        }
    }
}
