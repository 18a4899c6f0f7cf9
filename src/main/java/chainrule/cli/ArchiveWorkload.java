package chainrule.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The work the build runs once under {@code -XX:ArchiveClassesAtExit} to make the class-data
 * sharing archive {@code target/chainrule.jsa} that {@code bin/chainrule} starts with: one command
 * of each kind on the examples, so the archive holds the classes every command loads (picocli, the
 * parser, the expression and printing code) already parsed and verified. Output is discarded.
 * See docs/performance.md, "Start-up".
 */
public final class ArchiveWorkload {
    private ArchiveWorkload() {}

    private static final List<List<String>> COMMANDS = List.of(
            List.of("grad", "examples/mazur.nn"),
            List.of("grad", "examples/mazur-vector.nn", "--json"),
            List.of("grad", "examples/softmax.nn"),
            List.of("paths", "examples/mazur.nn", "--wrt", "w1", "--notation", "book"),
            List.of("paths", "examples/mazur.nn", "--wrt", "w1", "--json"),
            List.of("diff", "sin(x)^2*exp(x)", "--wrt", "x", "--set", "x=0.5"),
            List.of("eval", "examples/mazur.nn"),
            List.of("eval", "examples/softmax.nn", "--json"),
            List.of("check", "examples/mazur.nn"),
            List.of("train", "examples/mazur.nn", "--lr", "0.5", "--steps", "10", "--json"),
            List.of("codegen", "examples/mazur.nn", "--lang", "python"),
            List.of("latex", "examples/mazur.nn", "--wrt", "w1"),
            List.of("graph", "examples/mazur.nn", "--wrt", "w1"),
            List.of("flow", "examples/chain10-sigmoid.nn"),
            List.of("grad", "examples/no-such-file.nn"),
            List.of("grad", "--no-such-option"),
            List.of("grad", "--help"));

    /** Runs the commands (from the project directory, where examples/ is). */
    public static void main(String[] args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        for (List<String> command : COMMANDS) {
            Main.run(sink, sink, command.toArray(String[]::new));
        }
    }
}
