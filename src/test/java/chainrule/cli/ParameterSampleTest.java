package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParameterSampleTest {
    private static List<String> names(String base, int n) {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            out.add(base + "[" + k + "]");
        }
        return out;
    }

    @Test
    void everyDeclarationGetsItsShareAndAtLeastSixteen() {
        List<String> params = new ArrayList<>(names("W1", 100_352));
        params.addAll(names("W2", 1280));
        params.addAll(names("b1", 128));
        params.addAll(names("b2", 10));
        params.add("s");
        int[] which = ParameterSample.of(List.of(100_352, 1280, 128, 10, 1), 1000);
        int[] perGroup = new int[5];
        for (int i = 0; i < which.length; i++) {
            assertTrue(i == 0 || which[i] > which[i - 1], "ascending and distinct");
            String name = params.get(which[i]);
            perGroup[name.startsWith("W1") ? 0 : name.startsWith("W2") ? 1 : name.startsWith("b1") ? 2 : name.startsWith("b2") ? 3 : 4]++;
        }
        assertArrayEquals(new int[] {987, 16, 16, 10, 1}, perGroup); // ceil(1000·100352/101771), then the minimums
        assertEquals(params.get(0), params.get(which[0]), "a declaration's sample starts at its first element");
    }

    @Test
    void zeroOrMoreThanThereAreMeansAll() {
        assertArrayEquals(IntStream.range(0, 40).toArray(), ParameterSample.of(List.of(40), 0));
        assertArrayEquals(IntStream.range(0, 40).toArray(), ParameterSample.of(List.of(40), 40));
        assertEquals(16, ParameterSample.of(List.of(40), 5).length);
    }

    @Test
    void checkSaysHowManyItCheckedAndRefusesANegativeSample() {
        Cli r = Cli.run("check", "examples/mazur-vector.nn", "--json", "--sample", "0");
        assertEquals(0, r.status(), r.err());
        java.util.Map<String, Object> out = TestJson.object(r.out());
        assertEquals(10, ((Number) out.get("checked")).intValue());
        assertEquals(10, ((Number) out.get("parameters")).intValue());
        Cli bad = Cli.run("check", "examples/mazur-vector.nn", "--sample", "-1");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--sample must be 0 or more, not -1"), bad.err());
    }
}
