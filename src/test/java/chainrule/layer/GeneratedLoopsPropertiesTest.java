package chainrule.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.codegen.Language;
import chainrule.codegen.LoopSourceGenerator;
import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The third back end of every op: the source loops {@code codegen} writes from a layer program
 * ({@link Node#forwardSource}, {@link Node#backwardSource}), compiled by javac and run, against
 * the bytecode loops of the same program — which {@link LayerPropertiesTest} checks against the
 * element view (the tape) and central differences. Random layered networks cover every op
 * (dense layers, elementwise functions, sum/mean, softmax, log_softmax, the fused and unfused
 * losses, broadcast scalars).
 */
class GeneratedLoopsPropertiesTest {
    @Property(tries = 25)
    void generatedJavaEqualsTheCompiledLoops(@ForAll long seed) throws Exception {
        LayeredNetworks n = LayeredNetworks.generate(seed, false);
        assertGeneratedEqualsLoops(n.vector(), n.values());
    }

    private static final String DECLARED = """
            input x[4] = [0.3, -1.2, 0.8, 2.0]
            target y[3] = [0.2, 0.5, 0.3]
            weight W[3,4] = [[0.1, -0.3, 0.5, 0.2], [0.4, 0.1, -0.2, 0.3], [-0.5, 0.2, 0.1, -0.1]]
            weight t[3] = [0.1, 0.7, 0.2], c = 0.3, s = 0.6
            bias b[3] = [0.05, -0.1, 0.2]
            input X[2,4] = [[0.5, -0.2, 0.1, 0.9], [-1.0, 0.4, 0.3, -0.6]]
            weight V[4,3] = [[0.2, -0.1, 0.4], [0.3, 0.5, -0.2], [-0.4, 0.1, 0.2], [0.1, 0.2, 0.3]]
            weight U[3,3] = [[0.5, 0.1, -0.2], [0.2, -0.3, 0.4], [0.1, 0.2, 0.3]]
            function swish(z) = z*sigmoid(z)
            """;

    /**
     * Ops the random networks do not reach: softmax on its own, a fused cross-entropy whose target
     * is a parameter (vector and scalar), log_softmax with a broadcast scalar weight, user functions
     * and kinks. Each also against central differences, so these cases do not rest on the loops.
     */
    @org.junit.jupiter.api.Test
    void everyOpInGeneratedJavaAndAgainstFiniteDifferences() throws Exception {
        for (String body : new String[] {
            "p = softmax(W @ x + b)\nloss L = sum(p*y) + mse(p, y) + s*sum(p^3)\n",
            "loss L = cross_entropy(softmax(W @ x), t) + cross_entropy(softmax(W @ x + b), c)\n",
            "o = log_softmax(W @ x + b)\nloss L = -sum(y*o) + s*sum(o^2)\n",
            "z = W @ x\nh = swish(z)/(1 + abs(z))\nloss L = mean(h^3) + sum(leaky_relu(h - b, 0.2)) + sum(sqrt(1 + h^2)*s)\n",
            "h = tanh(W @ x + b)\nloss L = sum((h - mean(h))^2)/2 + cross_entropy(sigmoid(h), y)\n",
            "H = tanh(X @ V + 0.1)\nO = H @ U\nloss L = mean(O^2) + s*sum(H) + sum(W @ V)\n",
        }) {
            String text = DECLARED + body;
            Ast.File ast = SourceParser.parseFile(new Source("ops.nn", text));
            CompiledGradient loops = LayerCompiler.compile(LayerLowering.lower(ast).orElseThrow(), null).orElseThrow();
            java.util.Map<String, Double> values = chainrule.model.Analyzer.analyze(new Source("ops.nn", text)).values();
            CompiledGradient.Workspace ws = loops.workspace();
            values.forEach(ws::set);
            LayerPropertiesTest.assertAgreesWithFiniteDifferences(loops, ws.declared(), "\n" + text);
            // and the element view, through the tape compiler
            CompiledGradient tape = CompiledGradient.compile(chainrule.model.Analyzer.analyze(new Source("ops.nn", text)));
            assertEquals(tape.parameters(), loops.parameters(), text);
            double[] expected = new double[tape.parameters().size()];
            double[] actual = new double[expected.length];
            double tapeLoss = tape.workspace().gradient(expected);
            assertClose(tapeLoss, ws.gradient(actual), Math.abs(tapeLoss), "loss\n" + text);
            double floor = 0;
            for (double e : expected) {
                floor = Math.max(floor, Math.abs(e));
            }
            for (int i = 0; i < expected.length; i++) {
                assertClose(expected[i], actual[i], floor, tape.parameters().get(i) + "\n" + text);
            }
            assertGeneratedEqualsLoops(text, values);
        }
    }

    private static void assertGeneratedEqualsLoops(String text, Map<String, Double> values) throws Exception {
        Ast.File ast = SourceParser.parseFile(new Source("vector.nn", text));
        LayerProgram program = LayerLowering.lower(ast).orElseThrow();
        CompiledGradient loops = LayerCompiler.compile(program, null).orElseThrow();
        CompiledGradient.Workspace ws = loops.workspace();
        values.forEach(ws::set);
        double[] expected = new double[loops.parameters().size()];
        double expectedLoss = ws.gradient(expected);

        String source = LoopSourceGenerator.generate(program, Language.JAVA, "vector.nn", "L", Map.of(), false);
        Path dir = Files.createTempDirectory("generated");
        try {
            Files.writeString(dir.resolve("ChainruleGradient.java"), source);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            assertEquals(0, javac.run(null, null, null, "-Xlint:all", "-Werror", "-d", dir.toString(),
                    dir.resolve("ChainruleGradient.java").toString()), source);
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
                Method gradient = loader.loadClass("ChainruleGradient").getMethod("gradient", double[].class, double[].class);
                double[] actual = new double[Math.max(1, expected.length)];
                double loss = (double) gradient.invoke(null, ws.declared(), actual);
                String where = "\n" + text + "\n" + source;
                assertClose(expectedLoss, loss, Math.abs(expectedLoss), "loss" + where);
                double floor = 0;
                for (double e : expected) {
                    floor = Math.max(floor, Math.abs(e));
                }
                for (int i = 0; i < expected.length; i++) {
                    assertClose(expected[i], actual[i], floor, loops.parameters().get(i) + where);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Matrix–matrix products go through the loop compiler (they went to the tape before). */
    @org.junit.jupiter.api.Test
    void matrixProductsAreLoops() throws Exception {
        Ast.File ast = SourceParser.parseFile(new Source("mm.nn", DECLARED + "loss L = sum(X @ V)\n"));
        assertTrue(LayerLowering.lower(ast).orElseThrow().describe().contains("MatMul"));
    }

    /** Equal to 1e-12 relative, or within 1e-13 of {@code scale} (terms that cancel). */
    private static void assertClose(double expected, double actual, double scale, String what) {
        double tolerance = Math.max(1e-12 * Math.abs(expected), 1e-13 * scale);
        assertTrue(Math.abs(expected - actual) <= tolerance || (Double.isNaN(expected) && Double.isNaN(actual)),
                what + ": expected " + expected + ", got " + actual);
    }
}
