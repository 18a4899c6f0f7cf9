package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} and {@code --data} on the vector form of Mazur's network (compiled to loops) give
 * exactly the numbers of the scalar form (compiled by the tape): same values, same order of
 * operations where it matters, so equal to the last bit here.
 */
class LayeredCommandsTest {
    private static final Map<String, String> SAME = Map.of("W1[1,1]", "w1", "W1[2,2]", "w4", "W2[2,1]", "w7", "b1", "b1", "b2", "b2");

    @Test
    void trainingThroughLoopsFollowsTheScalarNetworkStepForStep() {
        Map<String, Object> vector = TestJson.object(Cli.run("train", "examples/mazur-vector.nn", "--lr", "0.5", "--steps", "100", "--json").out());
        Map<String, Object> scalar = TestJson.object(Cli.run("train", "examples/mazur.nn", "--lr", "0.5", "--steps", "100", "--json").out());
        assertEquals(scalar.get("loss"), vector.get("loss"));
        assertEquals(0.009997164794094123, ((Number) vector.get("loss")).doubleValue(), 1e-15);
        Map<?, ?> v = (Map<?, ?>) vector.get("values");
        Map<?, ?> s = (Map<?, ?>) scalar.get("values");
        SAME.forEach((element, name) -> assertEquals(s.get(name), v.get(element), element));
    }

    @Test
    void theMeanOverDataThroughLoopsEqualsTheScalarNetworks(@TempDir Path dir) throws Exception {
        Path vectorCsv = dir.resolve("v.csv");
        Path scalarCsv = dir.resolve("s.csv");
        Files.writeString(vectorCsv, "x[1],x[2],y[1],y[2]\n0.05,0.10,0.01,0.99\n0.3,0.2,0.5,0.4\n");
        Files.writeString(scalarCsv, "i1,i2,t1,t2\n0.05,0.10,0.01,0.99\n0.3,0.2,0.5,0.4\n");
        Map<String, Object> vector = TestJson.object(Cli.run("eval", "examples/mazur-vector.nn", "--data", vectorCsv.toString(), "--json").out());
        Map<String, Object> scalar = TestJson.object(Cli.run("eval", "examples/mazur.nn", "--data", scalarCsv.toString(), "--json").out());
        assertEquals(((Map<?, ?>) scalar.get("loss")).get("value"), ((Map<?, ?>) vector.get("loss")).get("value"));
        Map<?, ?> v = (Map<?, ?>) vector.get("gradient");
        Map<?, ?> s = (Map<?, ?>) scalar.get("gradient");
        SAME.forEach((element, name) -> assertEquals(((Number) s.get(name)).doubleValue(), ((Number) v.get(element)).doubleValue(),
                1e-15, element));
        assertEquals(0, Cli.run("check", "examples/mazur-vector.nn", "--data", vectorCsv.toString()).status());
    }
}
