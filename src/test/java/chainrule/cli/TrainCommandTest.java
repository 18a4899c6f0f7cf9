package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir Path dir;

    /** Mazur's post trains 10000 steps at rate 0.5 with fixed biases; PyTorch float64 gives 3.510187782978859e-05. */
    @Test
    void mazursTrainingReachesPyTorchsLoss() throws Exception {
        Path out = dir.resolve("trained.nn");
        Cli r = Cli.run("train", "examples/mazur.nn", "--lr", "0.5", "--steps", "10000", "--freeze", "b1,b2",
                "--json", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = TestJson.object(r.out());
        assertEquals(10000.0, json.get("steps"));
        double loss = (Double) json.get("loss");
        assertEquals(3.510187782978859e-05, loss, 1e-12 * 3.51e-05);
        Map<?, ?> values = (Map<?, ?>) json.get("values");
        assertEquals(0.35, values.get("b1"));
        assertEquals(0.6, values.get("b2"));

        // The written file keeps comments and layout; only trained numbers change; it evaluates to the same loss.
        String original = Files.readString(Path.of("examples/mazur.nn"));
        String trained = Files.readString(out);
        assertEquals(original.lines().count(), trained.lines().count());
        assertTrue(trained.startsWith("# Matt Mazur's"));
        assertTrue(trained.contains("bias   b1 = 0.35, b2 = 0.60\n"), trained);
        assertTrue(trained.contains("net_h1 = w1*i1 + w2*i2 + b1      # pre-activation"), trained);
        assertTrue(trained.contains("weight w1 = " + chainrule.expr.Numbers.exact((Double) values.get("w1")) + ", w2 = "));
        Map<String, Object> again = TestJson.object(Cli.run("eval", out.toString(), "--json").out());
        assertEquals(loss, EvalCheckCommandTest.lossValue(again), 0.0);
    }

    /** A vector declaration is rewritten as nested brackets (or given them); the written file resumes where training stopped. */
    @Test
    void vectorValuesAreWrittenAsNestedBrackets() throws Exception {
        Path f = dir.resolve("v.nn");
        Files.writeString(f, "input x[2] = [0.05, # first\n  0.10]\ntarget y[2] = [0.01, 0.99]\n"
                + "weight W1[2,2], W2[2,2] = 0.4\nbias b1[2] = [0.35, 0.35], b2 = 0.6\n"
                + "h = sigmoid(W1 @ x + b1)\no = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n");
        Path out = dir.resolve("v-trained.nn");
        Cli r = Cli.run("train", f.toString(), "--set", "W1=0.2", "--lr", "0.5", "--steps", "3", "--json", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        Map<?, ?> values = (Map<?, ?>) TestJson.object(r.out()).get("values");
        String text = Files.readString(out);
        String w2 = "W2[2,2] = [[" + chainrule.expr.Numbers.exact((Double) values.get("W2[1,1]")) + ", "
                + chainrule.expr.Numbers.exact((Double) values.get("W2[1,2]")) + "], [";
        assertTrue(text.contains(w2), text);
        assertTrue(text.startsWith("input x[2] = [0.05, # first\n  0.10]\n"), text);
        assertTrue(text.contains("weight W1[2,2] = [["), text);
        Map<String, Object> again = TestJson.object(Cli.run("eval", out.toString(), "--json").out());
        assertEquals((Double) TestJson.object(r.out()).get("loss"), EvalCheckCommandTest.lossValue(again), 0.0);
    }

    @Test
    void plainProgressLinesWhenNotATerminal() {
        Cli r = Cli.run("train", "examples/mazur.nn", "--lr", "0.5", "--steps", "20");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("step 0/20  loss 0.2983711087600027\nstep 2/20  loss "), r.out());
        assertTrue(r.out().contains("step 20/20  loss "), r.out());
        assertTrue(r.out().contains("E = "), r.out());
    }

    @Test
    void valuesAreInsertedForDeclarationsWithoutOne() throws Exception {
        Path f = dir.resolve("n.nn");
        Files.writeString(f, "input x = 2   // the input\nweight 웨 // no value yet\nloss L = (웨*x - 1)^2\n");
        Path out = dir.resolve("o.nn");
        Cli r = Cli.run("train", f.toString(), "--set", "웨=0", "--lr", "0.05", "--steps", "200", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        String text = Files.readString(out);
        assertTrue(text.matches("(?s)input x = 2   // the input\nweight 웨 = 0\\.(5|49999\\d*) // no value yet\n.*"), text);
    }

    @Test
    void freezingSomethingThatIsNotAParameterIsAnError() {
        Cli r = Cli.run("train", "examples/mazur.nn", "--lr", "0.5", "--steps", "1", "--freeze", "i1");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("'i1' is a input, not a weight or bias") || r.err().contains("'i1' is an input"), r.err());
        assertEquals(2, Cli.run("train", "examples/mazur.nn", "--lr", "-1", "--steps", "1").status());
    }

    @Test
    void trainingOnDataLowersTheMeanLossAndWritesWhatEvalReads() throws Exception {
        Path data = dir.resolve("xor.csv");
        Files.writeString(data, "i1,i2,t1,t2\n0,0,0.1,0.9\n0,1,0.9,0.1\n1,0,0.9,0.1\n1,1,0.1,0.9\n");
        Path out = dir.resolve("xor.nn");
        Map<String, Object> before = TestJson.object(Cli.run("eval", "examples/mazur.nn", "--data", data.toString(), "--json").out());
        Cli r = Cli.run("train", "examples/mazur.nn", "--data", data.toString(), "--lr", "0.5", "--steps", "300",
                "--json", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = TestJson.object(r.out());
        assertEquals(EvalCheckCommandTest.lossValue(before), (Double) json.get("initial_loss"), 0.0);
        assertTrue((Double) json.get("loss") < 0.9 * EvalCheckCommandTest.lossValue(before), r.out());
        Map<String, Object> after = TestJson.object(Cli.run("eval", out.toString(), "--data", data.toString(), "--json").out());
        assertEquals((Double) json.get("loss"), EvalCheckCommandTest.lossValue(after), 0.0);
    }
}
