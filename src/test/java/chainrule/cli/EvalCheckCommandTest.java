package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCheckCommandTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> gradient(Map<String, Object> json) {
        return (Map<String, Object>) json.get("gradient");
    }

    @SuppressWarnings("unchecked")
    static double lossValue(Map<String, Object> json) {
        return (Double) ((Map<String, Object>) json.get("loss")).get("value");
    }

    @Test
    void evalJsonGivesMazursNumbers() {
        Cli r = Cli.run("eval", "examples/mazur.nn", "--json");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = TestJson.object(r.out());
        assertEquals("E", ((Map<?, ?>) json.get("loss")).get("name"));
        assertEquals(0.298371108760, lossValue(json), 1e-12);
        assertEquals(0.000438567734474, (Double) gradient(json).get("w1"), 1e-15);
        assertEquals(0.0821670405642, (Double) gradient(json).get("w5"), 1e-13);
        assertEquals(10, gradient(json).size());

        Map<String, Object> changed = TestJson.object(Cli.run("eval", "examples/mazur.nn", "--json", "--set", "w5=0").out());
        assertNotEquals(lossValue(json), lossValue(changed));
        assertEquals(0.264693122031, lossValue(changed), 1e-12);
        assertEquals((Double) gradient(json).get("w7"), (Double) gradient(changed).get("w7"), 1e-15);
        assertNotEquals(gradient(json).get("w1"), gradient(changed).get("w1"));
    }

    @Test
    void missingValueIsAPositionedError() throws Exception {
        Path f = write("m.nn", "input x\nweight w = 2\nloss L = (w*x)^2\n");
        Cli r = Cli.run("eval", f.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(f + ":1:7: error: input 'x' has no value"), r.err());
        assertFalse(r.err().contains("Exception"));
        assertEquals(0, Cli.run("eval", f.toString(), "--set", "x=3").status());
    }

    @Test
    void checkPassesOnMazurAndMarksKinks() throws Exception {
        Cli r = Cli.run("check", "examples/mazur.nn", "--json");
        assertEquals(0, r.status(), r.out());
        assertEquals(true, TestJson.object(r.out()).get("ok"));

        Path kink = write("k.nn", "input x = 1\nweight w = 0, v = -2\nloss L = relu(w*x) + abs(v + 2) + leaky_relu(w, 0.3)\n");
        Cli k = Cli.run("check", kink.toString(), "--json");
        assertEquals(0, k.status(), k.out());
        List<?> rows = (List<?>) TestJson.object(k.out()).get("rows");
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            assertEquals(true, row.get("kink"), row.toString());
            assertEquals(true, row.get("ok"), row.toString());
        }
    }

    /**
     * A saturated loss: σ(40·tanh(20)) changes by less than its rounding over the step, so both
     * central differences are 0 while the analytic values are tiny and right (mpmath at 50 digits:
     * ∂L/∂w = 2.8877622205526e-33, ∂L/∂v = 4.2483542552916e-18). Relative error 1 is no agreement:
     * the rows are counted apart and the summary says why, never "all agree".
     */
    @Test
    void aSaturatedLossIsNotReportedAsAgreement() throws Exception {
        Path sat = write("sat.nn", "input x = 1\nweight w = 20, v = 40\nh = tanh(w*x)\no = sigmoid(v*h)\nloss L = o\n");
        Cli r = Cli.run("check", sat.toString());
        assertFalse(r.out().contains("agree with finite differences (relative"), r.out());
        assertFalse(r.out().matches("(?s).*\\s1\\s+ok\\b.*"), r.out());
        assertTrue(r.out().contains("2 unchecked, where the finite difference underflows"), r.out());
        Cli j = Cli.run("check", sat.toString(), "--json");
        Map<String, Object> json = TestJson.object(j.out());
        assertEquals(0.0, ((Number) json.get("agree")).doubleValue(), j.out());
        assertEquals(2.0, ((Number) json.get("below_rounding")).doubleValue(), j.out());
        List<?> rows = (List<?>) json.get("rows");
        double[] expected = {2.8877622205526e-33, 4.2483542552916e-18};
        for (int i = 0; i < 2; i++) {
            Map<?, ?> row = (Map<?, ?>) rows.get(i);
            assertEquals(true, row.get("below_rounding"), row.toString());
            assertEquals(expected[i], ((Number) row.get("analytic")).doubleValue(), 1e-12 * expected[i]);
        }
    }

    @Test
    void checkFailsAtAJumpAndNamesTheParameterAndPath() throws Exception {
        // step() jumps at 0 and is not a kink function: its derivative 0 disagrees with the difference.
        Path f = write("j.nn", "input x = 1\nweight w = 0.000001, v = 0.5\nh = step(w*x)\nloss L = v*h + v^2\n");
        Cli r = Cli.run("check", f.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("FAIL: w disagrees most"), r.out());
        assertTrue(r.out().contains("w -> h.in -> h -> L"), r.out());
        Map<String, Object> json = TestJson.object(Cli.run("check", f.toString(), "--json").out());
        assertEquals(false, json.get("ok"));
        assertEquals(List.of("w", "h.in", "h", "L"), ((Map<?, ?>) json.get("worst")).get("path"));
    }

    @Test
    void dataGivesTheMeanOverRows() throws Exception {
        StringBuilder csv = new StringBuilder("i1, i2, t1, t2\n");
        double[][] rows = new double[150][];
        for (int k = 0; k < rows.length; k++) {
            rows[k] = new double[] {0.01 * k, 0.1 - 0.001 * k, 0.01 + 0.002 * k, 0.99 - 0.003 * k};
            csv.append(rows[k][0]).append(',').append(rows[k][1]).append(',').append(rows[k][2]).append(',').append(rows[k][3]).append('\n');
        }
        Path data = write("d.csv", csv.toString());
        Map<String, Object> mean = TestJson.object(Cli.run("eval", "examples/mazur.nn", "--data", data.toString(), "--json").out());
        double loss = 0;
        double w1 = 0;
        chainrule.compile.CompiledGradient g = chainrule.compile.CompiledGradient.compile(chainrule.compile.CompiledGradientTest.mazur());
        double[] grad = new double[g.parameters().size()];
        for (double[] row : rows) {
            loss += g.workspace().set("i1", row[0]).set("i2", row[1]).set("t1", row[2]).set("t2", row[3]).gradient(grad);
            w1 += grad[0];
        }
        assertEquals(loss / rows.length, lossValue(mean), 1e-14);
        assertEquals(w1 / rows.length, (Double) gradient(mean).get("w1"), 1e-16);
        assertEquals(150.0, (Double) mean.get("samples"));
        assertEquals(0, Cli.run("check", "examples/mazur.nn", "--data", data.toString()).status());
    }

    @Test
    void badDataRowsAreReportedAtTheCell() throws Exception {
        Path data = write("bad.csv", "i1,i2,t1,t2\n0.1,0.2,0.3,0.4\n0.1, oops ,0.3,0.4\n");
        Cli r = Cli.run("eval", "examples/mazur.nn", "--data", data.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(data + ":3:6: error: column 'i2': 'oops' is not a finite number"), r.err());
        assertTrue(r.err().contains("\n         ^~~~"), r.err());

        Path header = write("h.csv", "i1,w1\n1,2\n");
        Cli h = Cli.run("eval", "examples/mazur.nn", "--data", header.toString());
        assertTrue(h.err().startsWith(header + ":1:4: error: column 'w1' is a weight, not an input or target"), h.err());

        Path shortRow = write("s.csv", "i1,i2,t1,t2\n1,2,3\n");
        Cli s = Cli.run("eval", "examples/mazur.nn", "--data", shortRow.toString());
        assertTrue(s.err().startsWith(shortRow + ":2:5: error: row has 3 values but the header names 4 columns"), s.err());
    }

    @Test
    void dumpClassWritesAVerifiableClassFile() throws Exception {
        Cli r = Cli.run("eval", "examples/mazur.nn", "--dump-class", dir.resolve("classes").toString());
        assertEquals(0, r.status(), r.err());
        byte[] bytes = Files.readAllBytes(dir.resolve("classes/ChainruleKernel.class"));
        assertEquals(0xCAFEBABE, java.nio.ByteBuffer.wrap(bytes).getInt());
    }
}
