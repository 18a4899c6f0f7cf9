package chainrule.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quotient by a subnormal divisor in the reverse pass (review 8b): the numerator of {@code a/s}
 * has the partial {@code s^-1}, and its adjoint {@code δ·s^-1} must be {@code δ/s}
 * ({@code expr.QuotientEntry}), never {@code δ·(1/s)}: 1/s is inf for s = 1e-310 where δ/s is
 * finite. Checked in the tape (straight-line code: the bytecode and the generated source) and in
 * the layer loops (bytecode and source), against gradients computed independently: for the small
 * files, correctly rounded values from mpmath at 400 bits; for the layered one, a hand-written
 * gradient in doubles. {@code codegen --main} must print {@code eval --json}'s text in Java, C and
 * Python.
 */
class SubnormalDivisorTest {
    static final String VQ = """
            input x[3] = [1e-300, 2e-300, 3e-300]
            input s[2] = [1e-310, 3e-309]
            target y[2] = [1, 2]
            weight W[2,3] = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
            bias b[2] = [1e-301, -1e-301]
            h = (W @ x + b) / s
            o = tanh(h/1e12)
            loss L = mse(o, y) + sum(o / (s * 1e300))
            """;

    static final String M1 = """
            input x = 1e-300, s = 1e-310
            weight W = 0.1
            bias b = 1e-301
            h = (W*x + b)/s
            loss L = 1e-2*h
            """;

    static final String M2 = """
            input x[1] = [1e-300]
            input s[1] = [1e-310]
            weight W[1,1] = [[0.1]]
            h = (W @ x)/s
            loss L = 1e-2*sum(h)
            """;

    /** mpmath at 400 bits, rounded to the nearest double (independent of this code). */
    static final Map<String, Map<String, Double>> EXACT = Map.of(
            VQ, Map.of("W[1,1]", 99977503.36472255, "W[1,2]", 199955006.7294451, "W[1,3]", 299932510.09416765,
                    "W[2,1]", 111110.99180289869, "W[2,2]", 222221.98360579737, "W[2,3]", 333332.9754086961,
                    "b[1]", 9.997750336472255e307, "b[2]", 1.111109918028987e305),
            M1, Map.of("W", 100000000.00000031, "b", 1.000000000000003e308),
            M2, Map.of("W[1,1]", 100000000.00000031));

    /** The layered network: 20 wide, so codegen writes the layer loops (more than 400 declared numbers). */
    static final int N = 20;

    static double[] x() {
        double[] x = new double[N];
        for (int i = 0; i < N; i++) {
            x[i] = (i + 1) * 1e-300;
        }
        return x;
    }

    static double[] s() {
        double[] s = new double[N];
        for (int i = 0; i < N; i++) {
            s[i] = i % 2 == 0 ? (1 + i % 5) * 1e-310 : (1 + i) * 1e-309; // subnormal, or near the smallest normal
        }
        return s;
    }

    static double[] y() {
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            y[i] = (i % 7 - 3) / 4.0;
        }
        return y;
    }

    static double[][] w() {
        double[][] w = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                w[i][j] = ((i * 7 + j * 3) % 11 - 5) / 8.0;
            }
        }
        return w;
    }

    static double[] b() {
        double[] b = new double[N];
        for (int i = 0; i < N; i++) {
            b[i] = (i % 2 == 0 ? 1 : -1) * (1 + i) * 1e-301;
        }
        return b;
    }

    static String layered() {
        StringBuilder w = new StringBuilder("[");
        for (int i = 0; i < N; i++) {
            w.append(i == 0 ? "" : ", ").append(vector(w()[i]));
        }
        return "input x[" + N + "] = " + vector(x()) + "\ninput s[" + N + "] = " + vector(s()) + "\ntarget y[" + N + "] = "
                + vector(y()) + "\nweight W[" + N + "," + N + "] = " + w + "]\nbias b[" + N + "] = " + vector(b())
                + "\nh = (W @ x + b) / s\no = tanh(h/1e12)\nloss L = mse(o, y) + sum(o / (s * 1e300))\n";
    }

    private static String vector(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return sb.append(']').toString();
    }

    /** The layered network's gradient written out by hand, in doubles: δh = (2(o − y)/n + 1e-300/s)·(1 − o²)·1e-12/s. */
    static Map<String, Double> handWritten() {
        double[] x = x();
        double[] s = s();
        double[] y = y();
        double[][] w = w();
        double[] b = b();
        Map<String, Double> g = new LinkedHashMap<>();
        for (int i = 0; i < N; i++) {
            double pre = b[i];
            for (int j = 0; j < N; j++) {
                pre += w[i][j] * x[j];
            }
            double o = Math.tanh(pre / s[i] / 1e12);
            double dh = (2 * (o - y[i]) / N + 1e-300 / s[i]) * (1 - o * o) * 1e-12 / s[i];
            for (int j = 0; j < N; j++) {
                g.put("W[" + (i + 1) + "," + (j + 1) + "]", dh * x[j]);
            }
            g.put("b[" + (i + 1) + "]", dh);
        }
        return g;
    }

    private static String[] cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = chainrule.cli.Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {String.valueOf(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static Map<String, Double> gradient(String json) {
        Matcher m = Pattern.compile("\"([^\"]*)\": (-?[0-9][0-9.eE+-]*|null)").matcher(json.substring(json.indexOf("\"gradient\"")));
        Map<String, Double> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), m.group(2).equals("null") ? Double.NaN : Double.parseDouble(m.group(2)));
        }
        return out;
    }

    @Test
    void evalAndGeneratedCodeDivideByASubnormalDivisor(@TempDir Path dir) throws Exception {
        List<String> networks = List.of(VQ, M1, M2, layered());
        List<String> expected = new ArrayList<>();
        Map<String, List<String>> sources = new LinkedHashMap<>();
        for (int i = 0; i < networks.size(); i++) {
            Path f = dir.resolve("net" + i + ".nn");
            Files.writeString(f, networks.get(i));
            String[] eval = cli("eval", f.toString(), "--json");
            assertEquals("0", eval[0], eval[2]);
            expected.add(eval[1].strip());
            Map<String, Double> got = gradient(eval[1]);
            Map<String, Double> want = i < 3 ? EXACT.get(networks.get(i)) : handWritten();
            assertTrue(got.keySet().containsAll(want.keySet()), "network " + i + ": " + got.keySet());
            for (Map.Entry<String, Double> e : want.entrySet()) {
                double g = got.get(e.getKey());
                // the reverse pass rounds a few times more than one correctly rounded quotient
                double ulps = i < 3 ? 2 : 16;
                assertTrue(Math.abs(g - e.getValue()) <= ulps * Math.ulp(e.getValue()),
                        "network " + i + ": " + e.getKey() + ": eval " + g + ", reference " + e.getValue());
            }
            for (String lang : List.of("java", "c", "python")) {
                sources.computeIfAbsent(lang, k -> new ArrayList<>())
                        .add(GeneratedPrograms.codegen(f, lang, GeneratedPrograms.javaClass(i)));
            }
        }
        assertTrue(sources.get("java").get(3).contains("for ("), "the layered network is written as loops");
        for (String lang : List.of("java", "c", "python")) {
            Path d = Files.createDirectories(dir.resolve(lang));
            List<String> printed = GeneratedPrograms.outputs(lang, d, sources.get(lang));
            for (int i = 0; i < networks.size(); i++) {
                assertEquals(expected.get(i), printed.get(i), lang + ", network " + i + ": codegen --main prints eval --json");
            }
        }
    }
}
