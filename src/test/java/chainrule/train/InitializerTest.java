package chainrule.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.SourceParser;
import org.junit.jupiter.api.Test;

/** {@code ~} random initialisation: the distributions' moments and bounds, seeds, written values, errors. */
class InitializerTest {
    private static Network load(String text, long seed) throws DiagnosticException {
        Source source = new Source("init.nn", text);
        return Analyzer.analyze(source, Initializer.apply(source, SourceParser.parseFile(source), seed));
    }

    private static double[] values(Network n, String name, int count, int columns) {
        double[] out = new double[count];
        for (int k = 0; k < count; k++) {
            String element = columns == 0 ? name + "[" + (k + 1) + "]" : name + "[" + (k / columns + 1) + "," + (k % columns + 1) + "]";
            out[k] = n.values().get(element);
        }
        return out;
    }

    @Test
    void heAndGlorotHaveTheirStandardDeviations() throws Exception {
        Network n = load("input x[400]\nweight W[300,400] ~ he_normal, V[200,400] ~ glorot_uniform\n"
                + "loss L = sum(W @ x) + sum(V @ x)\n", 1);
        double[] w = values(n, "W", 120_000, 400);
        assertEquals(Math.sqrt(2.0 / 400), std(w), 0.01 * Math.sqrt(2.0 / 400));
        assertEquals(0, mean(w), 0.01 * Math.sqrt(2.0 / 400));
        double limit = Math.sqrt(6.0 / 600);
        double[] v = values(n, "V", 80_000, 400);
        for (double d : v) {
            assertTrue(Math.abs(d) <= limit);
        }
        assertEquals(limit / Math.sqrt(3), std(v), 0.01 * limit);
    }

    @Test
    void normalAndUniformTakeTheirArguments() throws Exception {
        Network n = load("input x[100]\nweight W[100,100] ~ normal(0.5, 0.1)\nbias b[100] ~ uniform(-0.25, 0.75)\n"
                + "loss L = sum(W @ x + b)\n", 1);
        double[] w = values(n, "W", 10_000, 100);
        assertEquals(0.5, mean(w), 0.005);
        assertEquals(0.1, std(w), 0.005);
        double[] b = values(n, "b", 100, 0);
        for (double d : b) {
            assertTrue(d >= -0.25 && d < 0.75, String.valueOf(d));
        }
    }

    @Test
    void seedAndNameDecideTheValuesAndAWrittenValueWins() throws Exception {
        String text = "input x[3] = 1\nweight W[2,3] ~ he_normal\nweight V[2,3] ~ he_normal = 0.5\nloss L = sum(W @ x) + sum(V @ x)\n";
        Network a = load(text, 1);
        Network again = load("weight other ~ normal(0, 1)\n" + text, 1);
        Network b = load(text, 2);
        assertEquals(a.values().get("W[2,3]"), again.values().get("W[2,3]"));
        assertNotEquals(a.values().get("W[2,3]"), b.values().get("W[2,3]"));
        assertEquals(0.5, a.values().get("V[1,2]"));
    }

    @Test
    void errorsPointAtTheInitialiser() {
        DiagnosticException e = assertThrows(DiagnosticException.class,
                () -> load("weight W[2,2] ~ he_norml\nloss L = sum(W)\n", 1));
        String text = e.getMessage() + e.diagnostics();
        assertTrue(text.contains("unknown distribution 'he_norml'") && text.contains("he_normal"), text);
        DiagnosticException arity = assertThrows(DiagnosticException.class,
                () -> load("weight w ~ normal(1)\nloss L = w\n", 1));
        assertTrue(arity.diagnostics().toString().contains("normal takes 2 numbers: normal(mean, std)"), arity.diagnostics().toString());
        DiagnosticException input = assertThrows(DiagnosticException.class,
                () -> load("input x ~ he_normal\nloss L = x\n", 1));
        assertTrue(input.diagnostics().toString().contains("only weights and biases are drawn at random"), input.diagnostics().toString());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double d : v) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / v.length);
    }
}
