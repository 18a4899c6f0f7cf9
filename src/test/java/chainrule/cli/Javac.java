package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * javac run in the test's JVM (javax.tools) instead of as a process: a javac process starts a JVM
 * and warms its compiler from cold every time (seconds on a loaded machine), while in-process runs
 * share one warmed compiler. Same arguments, same diagnostics.
 */
final class Javac {
    private Javac() {}

    /** Compiles with {@code args} (sources are resolved against {@code dir}; classes go there); asserts success. */
    static void compile(Path dir, String... args) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: the tests need a JDK");
        List<String> all = new ArrayList<>(List.of("-d", dir.toString()));
        for (String a : args) {
            all.add(a.endsWith(".java") ? dir.resolve(a).toString() : a);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            int status = javac.run(null, out, out, all.toArray(String[]::new));
            assertEquals(0, status, "javac " + String.join(" ", args) + ":\n" + log.toString(StandardCharsets.UTF_8));
        }
    }
}
