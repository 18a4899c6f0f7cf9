package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code codegen -o FILE}: the Java class is named after the file, so javac compiles it as written. */
class CodegenOutputTest {
    @TempDir
    Path dir;

    @Test
    void theJavaClassFollowsTheFileNameAndCompiles() throws Exception {
        Path source = dir.resolve("MazurGradient.java");
        Cli r = Cli.run("codegen", "examples/mazur.nn", "--lang", "java", "--main", "-o", source.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out(), "with -o nothing goes to standard output");
        String text = Files.readString(source);
        assertTrue(text.contains("public final class MazurGradient {"), text);
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), source.toString());
        assertEquals(0, javac, "javac compiles the file as written");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()})) {
            Class<?> c = loader.loadClass("MazurGradient");
            double[] d = {0.05, 0.10, 0.01, 0.99, 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, 0.35, 0.60};
            double[] g = new double[10];
            double loss = (double) c.getMethod("gradient", double[].class, double[].class).invoke(null, d, g);
            // Mazur's published numbers: E = 0.298371109, dE/dw1 = 0.000438568, dE/dw5 = 0.082167041
            assertEquals(0.298371109, loss, 1e-9);
            assertEquals(0.000438568, g[0], 1e-9);
            assertEquals(0.082167041, g[4], 1e-9);
        }
    }

    @Test
    void classNamesTheClassOnStandardOutput() {
        Cli r = Cli.run("codegen", "examples/mazur.nn", "--lang", "java", "--class", "Net");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("public final class Net {"));
        assertFalse(r.out().contains("ChainruleGradient"));
    }

    @Test
    void withoutAFileOrClassTheNameIsTheDefault() {
        Cli r = Cli.run("codegen", "examples/mazur.nn", "--lang", "java", "-o", dir.resolve("x.txt").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(dir.resolve("x.txt")));
    }

    /** A file written with layers goes through the loop generator: -o and the class name hold there too (mlp-relu.nn, whose
     * loss takes logs of a sigmoid vertex, is compiled by the tape for stable logs: docs/hardening.md). */
    @Test
    void aLayeredFileIsWrittenToTheFileAndItsClassFollowsIt() throws Exception {
        Path source = dir.resolve("SoftmaxGradient.java");
        Cli r = Cli.run("codegen", "examples/softmax.nn", "--lang", "java", "--main", "-o", source.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out(), "with -o nothing goes to standard output");
        String text = Files.readString(source);
        assertTrue(text.contains("with loops over arrays"), text);
        assertTrue(text.contains("public final class SoftmaxGradient {"), text);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), source.toString()));
        Cli c = Cli.run("codegen", "examples/softmax.nn", "--lang", "c", "-o", dir.resolve("g.c").toString());
        assertEquals("", c.out());
        assertTrue(Files.readString(dir.resolve("g.c")).contains("double chainrule_gradient("));
        Cli n = Cli.run("codegen", "examples/softmax.nn", "--lang", "java", "--class", "Net");
        assertTrue(n.out().contains("public final class Net {"), n.out());
    }
}
