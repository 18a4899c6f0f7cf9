package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failing inputs of issue 12 (saturated tails, stable log-sigmoid and BCE, removable
 * singularities, train on a diverging rate), each with its value. References are computed here
 * from the mathematics (softplus, σ, the function the loss reduces to), not from chainrule.
 */
class NumericEdgesTest {
    @TempDir Path dir;

    private String write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    /** softplus(x) = log(1 + e^x), computed stably: the reference for every log-sigmoid below. */
    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** grad and eval, as JSON: loss value and the gradient by name; both must agree exactly. */
    private static double[] gradAndEval(String file, String... params) {
        double[] first = null;
        for (String command : new String[] {"grad", "eval"}) {
            Cli r = Cli.run(command, file, "--json");
            assertEquals(0, r.status(), command + ": " + r.err());
            Map<String, Object> json = TestJson.object(r.out());
            double[] v = new double[params.length + 1];
            v[0] = EvalCheckCommandTest.lossValue(json);
            for (int i = 0; i < params.length; i++) {
                v[i + 1] = ((Number) EvalCheckCommandTest.gradient(json).get(params[i])).doubleValue();
            }
            if (first == null) {
                first = v;
            } else {
                for (int i = 0; i < v.length; i++) {
                    assertEquals(first[i], v[i], 1e-15 * Math.abs(first[i]), command + " vs grad, entry " + i);
                }
            }
        }
        return first;
    }

    @Test
    void aNamedSigmoidVertexInsideALogAtMinus800() throws IOException {
        // E = -log σ(-w) = softplus(w): 800 at w = 800, and ∂E/∂w = σ(w) = 1
        String file = write("sig.nn", "weight w = 800\nz = 0 - w\np = sigmoid(z)\nloss E = -log(p)\n");
        double[] v = gradAndEval(file, "w");
        assertEquals(softplus(800), v[0], 0.0);
        assertEquals(800.0, v[0], 0.0);
        assertEquals(1.0, v[1], 0.0);
        // check compares the same numbers with finite differences of the stable loss
        Map<String, Object> check = TestJson.object(Cli.run("check", file, "--json").out());
        assertEquals(true, check.get("ok"), check.toString());
        // compiled code values log(p) from p's pre-activation (model.SigmoidLogs): no interpreter fallback
        assertEquals(null, check.get("interpreted"), check.toString());
    }

    @Test
    void binaryCrossEntropyOnASigmoidOutputAt40IsFinite() throws IOException {
        // written out, with a named p = σ(40) that rounds to 1: -(t·log p + (1 - t)·log(1 - p)) at t = 1 is softplus(-40)
        String file = write("bce.nn", "weight z = 40\ntarget t = 1\np = sigmoid(z)\n"
                + "loss E = -(t*log(p) + (1 - t)*log(1 - p))\n");
        double[] v = gradAndEval(file, "z");
        assertEquals(softplus(-40), v[0], 1e-13 * softplus(-40));
        assertTrue(Double.isFinite(v[1]) && Math.abs(v[1]) < 1e-17, "∂E/∂z = σ(40) - 1 ≈ -4.2e-18, got " + v[1]);
    }

    @Test
    void bceBuiltInsAreStableAtEveryScale() throws IOException {
        for (double z : new double[] {-800, -40, -3, 0.3, 40, 800}) {
            for (double t : new double[] {0, 0.3, 1}) {
                double loss = softplus(z) - t * z;
                double slope = sigmoid(z) - t;
                String decl = "weight z = " + z + "\ntarget t = " + t + "\n";
                for (String body : List.of("loss E = bce_with_logits(z, t)\n",
                        "loss E = binary_cross_entropy(sigmoid(z), t)\n",
                        "p = sigmoid(z)\nloss E = binary_cross_entropy(p, t)\n")) {
                    String what = body.trim() + " at z = " + z + ", t = " + t;
                    double[] v = gradAndEval(write("b.nn", decl + body), "z");
                    assertEquals(loss, v[0], 1e-13 * Math.max(1, Math.abs(loss)), what);
                    // a named p that rounds to 0 or 1 keeps the gradient to within its rounding
                    assertEquals(slope, v[1], 1e-13 * Math.max(1, Math.abs(slope)) + (body.startsWith("p") ? 1e-16 : 0), what);
                }
            }
        }
    }

    @Test
    void bceWithLogitsKeepsItsDigitsInTheTail() throws IOException {
        // softplus(z) - t·z cancels at t = 1: 40 - 40 = 0, where the loss is softplus(-40) ≈ 4.25e-18
        // (PyTorch's binary_cross_entropy_with_logits gives 4.25e-18); the slope is σ(z) - 1 = -σ(-z)
        for (double z : new double[] {30, 36.7, 40, 700}) {
            String file = write("t.nn", "weight z = " + z + "\ntarget t = 1\nloss E = bce_with_logits(z, t)\n");
            double[] v = gradAndEval(file, "z");
            assertEquals(softplus(-z), v[0], 1e-13 * softplus(-z), "loss at z = " + z);
            assertEquals(-sigmoid(-z), v[1], 1e-13 * sigmoid(-z), "slope at z = " + z);
            String zero = write("u.nn", "weight z = " + -z + "\ntarget t = 0\nloss E = bce_with_logits(z, t)\n");
            double[] u = gradAndEval(zero, "z");
            assertEquals(softplus(-z), u[0], 1e-13 * softplus(-z), "loss at z = " + -z + ", t = 0");
            assertEquals(sigmoid(-z), u[1], 1e-13 * sigmoid(-z), "slope at z = " + -z + ", t = 0");
        }
    }

    @Test
    void anInfiniteFactorTimesAZeroAdjointIsNotASilentZero() throws IOException {
        // L = sin(√w)² and (e^√w - 1)² are w + O(w²) near 0: the one-sided derivative at w = 0 is 1.
        // δ(u) = 2·sin(u)·cos(u) is 0 there and sqrt′(0) is infinite; the zero-adjoint convention
        // made that product 0, a wrong gradient printed without warning. The limit is not found
        // symbolically, so the answer must be the error at u, never 0.
        for (String body : List.of("a = sin(u)\nloss L = a^2\n", "a = exp(u) - 1\nloss L = a^2\n", "a = abs(u)\nloss L = a^2\n")) {
            String file = write("z.nn", "weight w = 0\nu = sqrt(w)\n" + body);
            for (String command : new String[] {"grad", "eval"}) {
                Cli r = Cli.run(command, file, "--json");
                if (r.status() == 0) {
                    double g = ((Number) EvalCheckCommandTest.gradient(TestJson.object(r.out())).get("w")).doubleValue();
                    assertEquals(1.0, g, 1e-12, command + " on " + body);
                } else {
                    assertEquals(1, r.status(), r.err());
                    assertTrue(r.err().startsWith(file + ":2:1: error: ") && r.err().contains("'u'"), command + ": " + r.err());
                }
            }
        }
        // a 0 that no parameter moves (h from the input alone) still takes the product to 0: ∂L/∂w = 1
        String dead = write("d.nn", "input x = 0\nweight w = 0\nh = relu(x - 1)\nu = sqrt(w)\nloss L = h*u + w\n");
        assertEquals(1.0, gradAndEval(dead, "w")[1], 0.0);
    }

    @Test
    void bceOfVectorsIsTheMeanOverElements() throws IOException {
        String file = write("v.nn", "input x[2] = [1, -1]\ntarget y[2] = [1, 0]\nweight w = 800\n"
                + "loss E = bce_with_logits(w*x, y)\n");
        // elements: softplus(800) - 800 = 0 and softplus(-800) = 0; ∂/∂w = ((σ(800) - 1)·1 + σ(-800)·(-1))/2 = 0
        double[] v = gradAndEval(file, "w");
        assertEquals(0.0, v[0], 0.0);
        assertEquals(0.0, v[1], 0.0);
        String other = write("v2.nn", "input x[2] = [1, -1]\ntarget y[2] = [0, 1]\nweight w = 800\n"
                + "loss E = binary_cross_entropy(sigmoid(w*x), y)\n");
        double[] u = gradAndEval(other, "w");
        assertEquals(800.0, u[0], 0.0);
        assertEquals(1.0, u[1], 0.0); // (σ(800)·1 + (σ(-800) - 1)·(-1))/2
    }

    @Test
    void logOnePlusExpIsSoftplus() {
        Cli r = Cli.run("diff", "log(1 + exp(x))", "--wrt", "x", "--set", "x=800");
        assertEquals(0, r.status(), r.err());
        // the header shows what was typed; the derivative is softplus's, σ(x), computed stably
        assertTrue(r.out().startsWith("d/dx log(1 + exp(x))\n  = σ(x)\n"), r.out());
        assertTrue(r.out().contains("= 1   at x = 800"), r.out());
        Cli s = Cli.run("diff", "log(sigmoid(x)) + log(1 - sigmoid(x))", "--wrt", "x", "--set", "x=-800", "--json");
        assertEquals(0, s.status(), s.err());
        // d/dx (-softplus(-x) - softplus(x)) = σ(-x) - σ(x) = 1 at x = -800
        assertEquals(1.0, ((Number) TestJson.object(s.out()).get("value")).doubleValue(), 0.0);
    }

    @Test
    void removableSingularitiesHaveTheirLimit() throws IOException {
        // r = sqrt(x² + y²), L = r² = x² + y²: gradient (0, 0) at the origin, as written inline
        double[] r = gradAndEval(write("r.nn", "weight x = 0, y = 0\nr = sqrt(x^2 + y^2)\nloss L = r^2\n"), "x", "y");
        assertEquals(0.0, r[0], 0.0);
        assertEquals(0.0, r[1], 0.0);
        assertEquals(0.0, r[2], 0.0);
        // L = w + c·sqrt(w·w) with c = 0: L = w, derivative 1
        double[] c = gradAndEval(write("c.nn", "weight w = 0\nconst c = 0\nloss L = w + c*sqrt(w*w)\n"), "w");
        assertEquals(1.0, c[1], 0.0);
        // u = sqrt(w), L = u² = w: the δ of u is 0 at w = 0 and sqrt′ is infinite; the limit is 1, not 0 or nan
        double[] u = gradAndEval(write("u.nn", "weight w = 0\nu = sqrt(w)\nloss L = u^2\n"), "w");
        assertEquals(1.0, u[1], 0.0);
        // with x = 0 the loss does not depend on w at all
        double[] h = gradAndEval(write("h.nn", "input x = 0\nweight w = 1\nh = sqrt(w*x)\nloss E = (h - 1)^2\n"), "w");
        assertEquals(0.0, h[1], 0.0);
    }

    @Test
    void noFiniteLimitKeepsTheErrorAtTheVertex() throws IOException {
        String file = write("n.nn", "weight w = 0\nu = sqrt(w)\nloss L = u + w\n");
        for (String command : new String[] {"grad", "eval", "paths"}) {
            Cli r = command.equals("paths") ? Cli.run(command, file, "--wrt", "w") : Cli.run(command, file);
            assertEquals(1, r.status(), command + ": " + r.out());
            assertTrue(r.err().startsWith(file + ":2:1: error: the derivative of 'u' with respect to 'w' is inf at w = 0"), r.err());
            assertFalse(r.out().contains("nan"), r.out());
        }
    }

    @Test
    void trainStopsAtTheFirstNonFiniteLoss() throws IOException {
        // L = (3w - 1)²: a step of lr = 1 multiplies the error by 1 - 18 = -17, so the loss passes 1e308 in ~125 steps
        String file = write("d.nn", "input x = 3\ntarget y = 1\nweight w = 0.5\nloss E = (w*x - y)^2\n");
        String out = dir.resolve("out.nn").toString();
        Cli r = Cli.run("train", file, "--lr", "1", "--steps", "1000", "-o", out);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().matches("(?s)chainrule: error: the loss E is (inf|nan) at step \\d+ of 1000 .*try a smaller --lr.*"),
                r.err());
        assertFalse(Files.exists(Path.of(out)), "nothing is written");
        Cli ok = Cli.run("train", file, "--lr", "0.01", "--steps", "100", "--json");
        assertEquals(0, ok.status(), ok.err());
    }

    @Test
    void checkCountsRowsAtKinksSeparately() throws IOException {
        String file = write("k.nn", "input x = 1\nweight w = 0, v = -2, u = 0.5\n"
                + "loss L = relu(w*x) + abs(v + 2) + u^2\n");
        Cli r = Cli.run("check", file);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("1 agree with finite differences to 0.00001; 2 are at a kink"), r.out());
        assertFalse(r.out().contains("all 3 gradients agree"), r.out());
        Map<String, Object> json = TestJson.object(Cli.run("check", file, "--json").out());
        assertEquals(1.0, ((Number) json.get("agree")).doubleValue());
        assertEquals(2.0, ((Number) json.get("kinks")).doubleValue());
    }

    @Test
    void zeroOverZeroStaysUndefinedInEveryCommand() throws IOException {
        // (x - x)/0 is 0/0: never folded to 0; every command names the division
        String file = write("z.nn", "weight x = 0.5\nloss L = (x - x)/0\n");
        for (String[] command : new String[][] {{"grad"}, {"eval"}, {"check"}, {"paths", "--wrt", "x"}, {"latex"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = file;
            Cli r = Cli.run(args);
            assertEquals(1, r.status(), String.join(" ", command) + ": " + r.out());
            assertTrue(r.err().startsWith(file + ":2:6: error: 'L' is nan: division by 0"), r.err());
        }
        assertEquals(1, Cli.run("eval", write("l.nn", "weight x = 0.5\nloss L = x + 0*log(0)\n")).status());
        // 0·x is still 0, and a loss folded to a constant still needs no values
        assertEquals(0, Cli.run("grad", write("o.nn", "weight x = 0.5\nloss L = 0*x + x\n")).status());
    }

    @Test
    void layeredBceAtSaturatedLogitsMatchesTheReference() throws IOException {
        // eval compiles W @ x to loops; grad uses the path graph; both against softplus/σ computed here
        String head = "input x[2] = [1, -1]\ntarget y[3] = [0, 1, 1]\n"
                + "weight W[3,2] = [[400, -400], [-400, 400], [20, -20]]\nbias b[3] = [0, 0, 0]\n";
        double[] z = {800, -800, 40};
        double[] y = {0, 1, 1};
        double loss = 0;
        for (int i = 0; i < 3; i++) {
            loss += (softplus(z[i]) - y[i] * z[i]) / 3;
        }
        for (String body : List.of("o = W @ x + b\nloss E = bce_with_logits(o, y)\n",
                "loss E = binary_cross_entropy(sigmoid(W @ x + b), y)\n")) {
            double[] v = gradAndEval(write("layer.nn", head + body), "W[1,1]", "W[2,2]", "W[3,1]", "b[1]", "b[2]");
            assertEquals(loss, v[0], 1e-13 * loss, body);
            assertEquals((sigmoid(800) - 0) * 1 / 3, v[1], 1e-16, body);
            assertEquals((sigmoid(-800) - 1) * -1 / 3, v[2], 1e-16, body);
            assertEquals((sigmoid(40) - 1) / 3, v[3], 1e-16, body);
            assertEquals(1.0 / 3, v[4], 1e-16, body);
            assertEquals(-1.0 / 3, v[5], 1e-16, body);
        }
    }

    @Test
    void powersOfZeroFollowPyTorch() throws IOException {
        // 0^x is 0 for every x > 0: the gradient is 0, not 0·log 0
        double[] z = gradAndEval(write("zx.nn", "weight x[3] = [1, 2, 3]\nloss L = sum(0^x)\n"), "x[1]", "x[2]", "x[3]");
        assertEquals(0.0, z[0], 0.0);
        for (int i = 1; i <= 3; i++) {
            assertEquals(0.0, z[i], 0.0);
        }
        // x^y at (0, 0): value 1 (Math.pow, IEEE pow), gradient (0, 0) as torch.pow's backward gives
        double[] xy = gradAndEval(write("xy.nn", "weight x = 0, y = 0\nloss L = x^y\n"), "x", "y");
        assertEquals(1.0, xy[0], 0.0);
        assertEquals(0.0, xy[1], 0.0);
        assertEquals(0.0, xy[2], 0.0);
        // x^2 at 0 through the general power: ∂/∂x = 2·x = 0, ∂/∂y = 0^2·log 0 → 0
        double[] sq = gradAndEval(write("sq.nn", "weight x = 0, y = 2\nloss L = x^y\n"), "x", "y");
        assertEquals(0.0, sq[1], 0.0);
        assertEquals(0.0, sq[2], 0.0);
        // x^0.5 at 0 has no finite derivative in x: still an error
        Cli r = Cli.run("grad", write("h.nn", "weight x = 0, y = 0.5\nloss L = x^y\n"));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("is inf at x = 0"), r.err());
    }

    @Test
    void zeroLogZeroIsZeroWhereTheTargetIsZero() throws IOException {
        // p[3] = softmax(a*x)[3] underflows to 0 where y[3] = 0: the term is 0·log 0 = 0 (xlogy).
        // Reference: L = -log_softmax(800, 0, -800)[1] = log(1 + e^-800 + e^-1600) = 0, and
        // ∂L/∂a = 800 - Σ x_j·softmax_j = 800 - 800 = 0
        String file = write("sm0.nn", "input  x[3] = [800, 0, -800]\ntarget y[3] = [1, 0, 0]\nweight a = 1\n"
                + "p = softmax(a*x)\nloss L = cross_entropy(p, y)\n");
        double[] v = gradAndEval(file, "a");
        assertEquals(0.0, v[0], 0.0);
        assertEquals(0.0, v[1], 0.0);
        // a probability that is exactly 0 with target 0: the value 0 and ∂/∂q (-y/q) 0, as torch.xlogy gives
        double[] q = gradAndEval(write("q.nn", "weight q = 0\ntarget y = 0\nloss L = cross_entropy(q, y) + q\n"), "q");
        assertEquals(0.0, q[0], 0.0);
        assertEquals(1.0, q[1], 0.0);
    }

    @Test
    void pathsAndLatexShowTheLimitToo() throws IOException {
        String file = write("sig.nn", "weight w = 800\nz = 0 - w\np = sigmoid(z)\nloss E = -log(p)\n");
        Map<String, Object> json = TestJson.object(Cli.run("paths", file, "--wrt", "w", "--json").out());
        assertEquals(1.0, ((Number) json.get("value")).doubleValue(), 0.0, json.toString());
        Map<?, ?> path = (Map<?, ?>) ((List<?>) json.get("paths")).get(0);
        assertEquals(1.0, ((Number) path.get("value")).doubleValue(), 0.0, path.toString());
        Cli latex = Cli.run("latex", file, "--fragment");
        assertEquals(0, latex.status(), latex.err());
        assertFalse(latex.out().contains("NaN"), latex.out());
        Cli r = Cli.run("paths", write("r.nn", "weight x = 0, y = 0\nr = sqrt(x^2 + y^2)\nloss L = r^2\n"), "--wrt", "x");
        assertTrue(r.out().endsWith("= 0\n"), r.out());
        assertFalse(r.out().contains("nan"), r.out());
    }

    /**
     * A subnormal divisor in an elementwise quotient over data rows (the batched engine's Map): the
     * forward value and the adjoint δ/s are true divisions, so `eval --data` gives what `eval`
     * gives on the same row (it refused, "not finite on some row", through 1/s = inf: a review
     * found it). The exact ∂L/∂W is 0.01·1e-300/1e-310 = 1e8.
     */
    @Test
    void aSubnormalDivisorOverDataRowsIsDividedNotInverted() throws IOException {
        String net = write("q.nn", "input x[2]\ninput s[2]\nweight W[2,2] = [[0.1, 0.2], [0.3, 0.4]]\n"
                + "h = (W @ x)/s\nloss L = 1e-2*sum(h)\n");
        String csv = write("q.csv", "x[1],x[2],s[1],s[2]\n1e-300,2e-300,1e-310,3e-310\n2e-300,1e-300,2e-310,1e-310\n");
        Cli data = Cli.run("eval", net, "--data", csv, "--json");
        assertEquals(0, data.status(), data.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> g = (Map<String, Object>) TestJson.object(data.out()).get("gradient");
        double[][] rows = {{1e-300, 2e-300, 1e-310, 3e-310}, {2e-300, 1e-300, 2e-310, 1e-310}};
        String[] names = {"W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]"};
        for (int k = 0; k < 4; k++) {
            double expected = 0; // the mean over the rows of 0.01·x[j]/s[i], from each row's own eval
            for (double[] row : rows) {
                Cli one = Cli.run("eval", net, "--json", "--set", "x=[" + row[0] + "," + row[1] + "]",
                        "--set", "s=[" + row[2] + "," + row[3] + "]");
                assertEquals(0, one.status(), one.err());
                @SuppressWarnings("unchecked")
                Map<String, Object> og = (Map<String, Object>) TestJson.object(one.out()).get("gradient");
                expected += (Double) og.get(names[k]) / rows.length;
            }
            double got = (Double) g.get(names[k]);
            assertTrue(Math.abs(got - expected) <= 1e-12 * Math.abs(expected), names[k] + ": " + got + " vs " + expected);
        }
    }

    /**
     * The same for a reduction of a quotient by a subnormal (a Reduce's partial δ·s^-1 as δ/s):
     * `eval --data` on one row gives `eval`'s numbers (it said the sum over the rows overflowed).
     */
    @Test
    void aReductionOfAQuotientBySubnormalOverDataRows() throws IOException {
        String net = write("rq.nn", "input x[3] = [1e-300, 2e-300, 3e-300]\ninput s = 1e-310\n"
                + "weight W[2,3] = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]\nh = W @ x\nloss L = sum(h/s)*1e-10\n");
        String csv = write("rq.csv", "x[1],x[2],x[3],s\n1e-300,2e-300,3e-300,1e-310\n");
        Cli data = Cli.run("eval", net, "--data", csv, "--json");
        Cli one = Cli.run("eval", net, "--json");
        assertEquals(0, data.status(), data.err());
        assertEquals(0, one.status(), one.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> g = (Map<String, Object>) TestJson.object(data.out()).get("gradient");
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) TestJson.object(one.out()).get("gradient");
        for (String k : e.keySet()) {
            double a = (Double) g.get(k);
            double b = ((Number) e.get(k)).doubleValue();
            assertTrue(Math.abs(a - b) <= 1e-12 * Math.abs(b), k + ": " + a + " vs " + b);
        }
    }
}
