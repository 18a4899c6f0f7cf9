package chainrule.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.expr.Numbers;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated {@code --main} prints the same JSON text as {@code eval --json} (CLI.md): each
 * language's {@code cr_json} against {@link Numbers#json}, the formatter {@code eval} uses, on
 * the layout's edges (plain from 1e-7 up to below 1e21, exponent form outside), subnormals, the
 * largest double, short decimals and random bit patterns. The values go in as hexadecimal floats,
 * which Java, C and Python read exactly.
 */
class JsonNumbersTest {
    @TempDir Path dir;

    private static List<Double> values() {
        List<Double> v = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 2.0, 10.0, 250.0, 1e-7, 9.99e-8,
                1.5e-7, 1e-8, 1e20, 9.99e20, 1e21, 1.5e21, 123456789012345680000.0, 1e22, 3e25, Double.MIN_VALUE,
                Double.MIN_NORMAL, Double.MAX_VALUE, 0.000438567734474347, 0.2983711087600027, 1.0 / 3, 2.0 / 3,
                100.5, 1e15, 1e16, 1e17, 123.456, -0.022740242215978212, 5e-324, 4.9e-324, 1e-300, 1e300));
        Random r = new Random(11);
        for (int i = 0; i < 400; i++) {
            double x = Double.longBitsToDouble(r.nextLong());
            if (Double.isFinite(x)) {
                v.add(x);
            }
            v.add((r.nextInt(2000) - 1000) / Math.pow(10, r.nextInt(30) - 5)); // short decimals
            v.add(r.nextGaussian() * Math.pow(10, r.nextInt(60) - 30));
        }
        v.add(Double.NaN);
        v.add(Double.POSITIVE_INFINITY);
        return v;
    }

    private static String expected(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach(x -> sb.append(Numbers.json(x)).append('\n'));
        return sb.toString();
    }

    private static String hexLines(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double x : values) {
            sb.append(Double.isNaN(x) ? "nan" : Double.isInfinite(x) ? "inf" : Double.toHexString(x)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void javaWritesNumbersAsEvalDoes() throws Exception {
        List<Double> values = values();
        Files.writeString(dir.resolve("J.java"), "public final class J {\n" + JsonNumbers.JAVA
                + "public static String all(double[] v) { StringBuilder sb = new StringBuilder();"
                + " for (double x : v) sb.append(cr_json(x)).append('\\n'); return sb.toString(); }\n}\n");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), dir.resolve("J.java").toString()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()})) {
            Method all = loader.loadClass("J").getMethod("all", double[].class);
            double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
            assertEquals(expected(values), all.invoke(null, (Object) v));
        }
    }

    @Test
    void cWritesNumbersAsEvalDoes() throws Exception {
        List<Double> values = values();
        Files.writeString(dir.resolve("j.c"), "#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n\n" + JsonNumbers.C
                + "\nint main(void) {\n    char line[64];\n    while (fgets(line, sizeof line, stdin)) {\n"
                + "        cr_json(strtod(line, NULL));\n        putchar('\\n');\n    }\n    return 0;\n}\n");
        run(null, "gcc", "-std=c99", "-Wall", "-Werror", "-pedantic", "-o", dir.resolve("j").toString(), dir.resolve("j.c").toString(), "-lm");
        assertEquals(expected(values), run(hexLines(values), dir.resolve("j").toString()));
    }

    @Test
    void pythonWritesNumbersAsEvalDoes() throws Exception {
        List<Double> values = values();
        Files.writeString(dir.resolve("j.py"), "import math\nimport sys\n\n\n" + JsonNumbers.PYTHON
                + "\n\nfor line in sys.stdin:\n    s = line.strip()\n"
                + "    print(cr_json(float(s) if s in ('nan', 'inf') else float.fromhex(s)))\n");
        assertEquals(expected(values), run(hexLines(values), "python3", dir.resolve("j.py").toString()));
    }

    private String run(String input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
