package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.layer.LayerCompiler;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Logs of a named sigmoid vertex and of a named softmax's element in a file written with vectors
 * (issue 13): the loops compute them from the pre-activation, as the tape does (model.SigmoidLogs),
 * so at saturated values (z = ±36.7, ±40, ±800, where p rounds to 0 or 1 and its log to -inf or 0)
 * the loss and gradient are mpmath's ({@link SigmoidVertexLogTest#REFERENCES}, 50 digits) and the
 * tape's, finite wherever the math is.
 */
class StableLogLoopsTest {

    /** A loss and its value and derivative by z[1] as indexes into a reference row (z, softplus(z), σ(z), softplus(-z), -σ(-z)). */
    private record Form(String loss, int value, int derivative) {}

    private static final List<Form> FORMS = List.of(
            new Form("sum(-log(1 - p))", 1, 2),
            new Form("-log(1 - p[1])", 1, 2),
            new Form("binary_cross_entropy(p, t0)", 1, 2),
            new Form("sum(-log(p))", 3, 4),
            new Form("-log(p[1])", 3, 4),
            new Form("binary_cross_entropy(p, t1)", 3, 4),
            // -log s[2] = log(e^z + 1) = softplus(z): ∂/∂z[1] = s[1] = σ(z)
            new Form("-log(s[2])", 1, 2),
            // -log s[1] = softplus(-z): ∂/∂z[1] = s[1] - 1 = -σ(-z)
            new Form("-log(s[1])", 3, 4));

    @Test
    void loopsGiveTheReferenceAndTheTapesNumbersAtSaturatedValues() throws Exception {
        for (double[] r : SigmoidVertexLogTest.REFERENCES) {
            for (Form f : FORMS) {
                String text = "weight z[2] = [" + r[0] + ", 0]\ntarget t0[2] = [0, 0]\ntarget t1[2] = [1, 1]\n"
                        + "p = sigmoid(z)\ns = softmax(z)\nloss E = " + f.loss() + "\n";
                // over both elements, the second (z = 0) adds log 2; binary_cross_entropy is their mean
                boolean both = f.loss().startsWith("binary") || f.loss().startsWith("sum");
                double n = f.loss().startsWith("binary") ? 2 : 1;
                double value = (r[f.value()] + (both ? Math.log(2) : 0)) / n;
                String what = "z = " + r[0] + ", E = " + f.loss();
                Source source = new Source("s.nn", text);
                Ast.File ast = SourceParser.parseFile(source);
                Network network = Analyzer.analyze(source, ast);
                CompiledGradient loops = LayerCompiler.compile(network, ast);
                assertTrue(loops.tape().isEmpty(), what + ": compiled to loops");
                double[] g = new double[2];
                double loss = loops.workspace().gradient(g);
                if (f.loss().contains("s[")) {
                    // log_softmax is z[i] - logsumexp(z), its VJP δ·(1[j = i] - softmax(z)[j]): exact to the
                    // rounding of terms of size max(1, |z|), as in the tape (log(1 + e^-40) rounds to 0; its
                    // relative digits would need log1p), and finite
                    double terms = 1e-15 * Math.max(1, Math.abs(r[0]));
                    assertEquals(value, loss, terms, what + ": loss");
                    assertEquals(r[f.derivative()], g[0], terms, what + ": ∂E/∂z[1]");
                    assertTrue(Double.isFinite(loss) && Double.isFinite(g[0]) && Double.isFinite(g[1]), what);
                } else {
                    close(value, loss, what + ": loss");
                    close(r[f.derivative()] / n, g[0], what + ": ∂E/∂z[1]");
                }
                double[] tg = new double[2];
                double tapeLoss = CompiledGradient.compile(network).workspace().gradient(tg);
                // the same up to the last digits (two summation orders): 1e-14 of the loss's scale
                double scale = Math.max(1, Math.abs(r[0])) * 1e-14;
                assertEquals(tapeLoss, loss, scale, what + ": loss, tape against loops");
                assertEquals(tg[0], g[0], Math.max(scale, 1e-14 * Math.abs(tg[0])), what + ": ∂E/∂z[1], tape against loops");
                assertEquals(tg[1], g[1], Math.max(scale, 1e-14 * Math.abs(tg[1])), what + ": ∂E/∂z[2], tape against loops");
            }
        }
    }

    /** Within 1e-13 relative of the reference, or both below the smallest normal double (finite, in any case). */
    private static void close(double expected, double actual, String what) {
        assertTrue(Double.isFinite(actual), what + ": " + actual);
        if (Math.abs(expected) < Double.MIN_NORMAL) {
            assertTrue(Math.abs(actual) < Double.MIN_NORMAL, what + ": " + actual + " for " + expected);
        } else {
            assertEquals(expected, actual, 1e-13 * Math.abs(expected), what);
        }
    }
}
