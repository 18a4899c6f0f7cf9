package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LANGUAGE.md's vector form of Mazur's network must give the scalar form's numbers through every
 * numeric command: {@code W1[1,2]} is {@code w2}, {@code W2[2,1]} is {@code w7}.
 */
class VectorMazurTest {
    /** Element name of the vector file → name in examples/mazur.nn. */
    private static final Map<String, String> SAME = Map.ofEntries(
            Map.entry("W1[1,1]", "w1"), Map.entry("W1[1,2]", "w2"), Map.entry("W1[2,1]", "w3"),
            Map.entry("W1[2,2]", "w4"), Map.entry("W2[1,1]", "w5"), Map.entry("W2[1,2]", "w6"),
            Map.entry("W2[2,1]", "w7"), Map.entry("W2[2,2]", "w8"), Map.entry("b1", "b1"), Map.entry("b2", "b2"));

    @Test
    void gradAndEvalGiveTheScalarNetworksNumbers() {
        for (String command : new String[] {"grad", "eval"}) {
            Map<String, Object> scalar = json(command, "examples/mazur.nn");
            Map<String, Object> vector = json(command, "examples/mazur-vector.nn");
            assertEquals(number(section(scalar, "loss").get("value")), number(section(vector, "loss").get("value")), 1e-12);
            Map<String, Object> g = section(vector, "gradient");
            Map<String, Object> expected = section(scalar, "gradient");
            assertEquals(SAME.size(), g.size(), command + ": one entry per element parameter");
            for (Map.Entry<String, String> e : SAME.entrySet()) {
                assertEquals(number(expected.get(e.getValue())), number(g.get(e.getKey())), 1e-12, command + " " + e.getKey());
            }
        }
    }

    @Test
    void checkAgreesWithFiniteDifferencesOnEveryElement() {
        Cli r = Cli.run("check", "examples/mazur-vector.nn", "--json");
        assertEquals(0, r.status(), r.out() + r.err());
        Map<String, Object> result = TestJson.object(r.out());
        assertEquals(true, result.get("ok"));
        assertEquals(SAME.size(), ((java.util.List<?>) result.get("rows")).size());
    }

    @Test
    void wrtAVectorParameterMeansAllItsElements() {
        Map<String, Object> g = section(json("grad", "examples/mazur-vector.nn", "--wrt", "W1"), "gradient");
        assertEquals(java.util.List.of("W1[1,1]", "W1[1,2]", "W1[2,1]", "W1[2,2]"), new java.util.ArrayList<>(g.keySet()));
        Cli paths = Cli.run("paths", "examples/mazur-vector.nn", "--wrt", "W1");
        assertEquals(1, paths.status());
        assertEquals("chainrule: error: --wrt W1: 'W1' is a vector; name one element, as in --wrt 'W1[1,1]'\n", paths.err());
    }

    @Test
    void latexNamesElementsWithSubscripts() {
        Cli r = Cli.run("latex", "examples/mazur-vector.nn");
        assertEquals(0, r.status(), r.err());
        assertEquals(true, r.out().contains("W^{(1)}_{1,2} = 0.2"), r.out()); // named as the whole W^{(1)} is
    }

    @Test
    void setTakesAListOrOneNumberForAVector() {
        Map<String, Object> vector = json("eval", "examples/mazur-vector.nn", "--set", "x=[0.1, 0.2]", "--set", "W1=0.5",
                "--set", "W2[2,1]=0.7");
        Map<String, Object> scalar = json("eval", "examples/mazur.nn", "--set", "i1=0.1", "--set", "i2=0.2",
                "--set", "w1=0.5", "--set", "w2=0.5", "--set", "w3=0.5", "--set", "w4=0.5", "--set", "w7=0.7");
        assertEquals(number(section(scalar, "loss").get("value")), number(section(vector, "loss").get("value")), 1e-12);
        assertEquals(number(section(scalar, "gradient").get("w2")), number(section(vector, "gradient").get("W1[1,2]")), 1e-12);
        Cli wrongShape = Cli.run("eval", "examples/mazur-vector.nn", "--set", "x=[1, 2, 3]");
        assertEquals(1, wrongShape.status());
        assertEquals(true, wrongShape.err().contains("'x' has shape [2], but the list has shape [3]"), wrongShape.err());
        assertEquals(2, Cli.run("eval", "examples/mazur-vector.nn", "--set", "W1=[[1, 2], [3]]").status());
    }

    @Test
    @SuppressWarnings("unchecked")
    void anElementOfTheFirstLayerHasTwoPaths() {
        Map<String, Object> paths = json("paths", "examples/mazur-vector.nn", "--wrt", "W1[1,2]");
        assertEquals(2, ((Number) paths.get("count")).intValue(), paths.toString());
        Map<String, Object> first = (Map<String, Object>) ((java.util.List<Object>) paths.get("paths")).get(0);
        assertEquals(java.util.List.of("W1[1,2]", "h.in[1]", "h[1]", "o.in[1]", "o[1]", "E"), first.get("nodes"));
        Map<String, Object> scalar = json("paths", "examples/mazur.nn", "--wrt", "w2");
        assertEquals(number(scalar.get("value")), number(paths.get("value")), 1e-12);
    }

    private static Map<String, Object> json(String command, String file, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = command;
        args[1] = file;
        args[2] = "--json";
        System.arraycopy(more, 0, args, 3, more.length);
        Cli r = Cli.run(args);
        assertEquals(0, r.status(), r.err());
        return TestJson.object(r.out());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    private static double number(Object o) {
        return ((Number) o).doubleValue();
    }
}
