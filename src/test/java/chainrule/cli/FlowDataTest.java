package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flow --data}: the flow over the rows of a data set, checked against per-row runs. */
class FlowDataTest {
    private static final String NET = "examples/chain10-sigmoid.nn";

    @Test
    void oneRowWithTheFilesValuesGivesTheSameFlow(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("one.csv"), "x,t\n1,0\n");
        FlowCommandTest.Run plain = FlowCommandTest.run("flow", NET, "--json");
        FlowCommandTest.Run data = FlowCommandTest.run("flow", NET, "--json", "--data", csv.toString());
        assertEquals(0, data.status(), data.err());
        assertEquals(plain.out(), data.out());
    }

    @Test
    void gradientNormIsTheNormOfTheMeanGradientAndMagnitudesSpanTheRows(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("two.csv"), "x,t\n0.5,0.2\n-2,0.9\n");
        FlowCommandTest.Run data = FlowCommandTest.run("flow", NET, "--json", "--data", csv.toString());
        assertEquals(0, data.status(), data.err());
        // Reference: the gradient of each row alone, from grad --json with --set.
        FlowCommandTest.Run a = FlowCommandTest.run("grad", NET, "--json", "--set", "x=0.5", "--set", "t=0.2");
        FlowCommandTest.Run b = FlowCommandTest.run("grad", NET, "--json", "--set", "x=-2", "--set", "t=0.9");
        FlowCommandTest.Run flowA = FlowCommandTest.run("flow", NET, "--json", "--set", "x=0.5", "--set", "t=0.2");
        FlowCommandTest.Run flowB = FlowCommandTest.run("flow", NET, "--json", "--set", "x=-2", "--set", "t=0.9");
        // The chain has one weight per depth: depth d is fed by w(11 - d).
        for (int depth = 1; depth <= 10; depth++) {
            String w = "w" + (11 - depth);
            double mean = (number(a.out(), "\"" + w + "\"") + number(b.out(), "\"" + w + "\"")) / 2;
            assertEquals(Math.abs(mean), layerField(data.out(), depth, "grad_norm"), 1e-12 * Math.abs(mean) + 1e-300);
            double actMin = Math.min(layerAct(flowA.out(), depth, "min"), layerAct(flowB.out(), depth, "min"));
            double actMax = Math.max(layerAct(flowA.out(), depth, "max"), layerAct(flowB.out(), depth, "max"));
            assertEquals(actMin, layerAct(data.out(), depth, "min"), 0);
            assertEquals(actMax, layerAct(data.out(), depth, "max"), 0);
        }
    }

    @Test
    void aBadRowIsReportedAtItsCell(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "x,t\n1,zero\n");
        FlowCommandTest.Run r = FlowCommandTest.run("flow", NET, "--data", csv.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(csv + ":2:3: error:"), r.err());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile(Pattern.quote(key) + ": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    private static String layer(String json, int depth) {
        int start = json.indexOf("{\"depth\": " + depth + ",");
        assertTrue(start >= 0, "depth " + depth + " in " + json);
        int end = json.indexOf("{\"depth\": ", start + 1);
        return json.substring(start, end < 0 ? json.length() : end);
    }

    private static double layerField(String json, int depth, String field) {
        return number(layer(json, depth), "\"" + field + "\"");
    }

    private static double layerAct(String json, int depth, String stat) {
        String l = layer(json, depth);
        String act = l.substring(l.indexOf("\"act\""), l.indexOf("\"weight\""));
        return number(act, "\"" + stat + "\"");
    }
}
