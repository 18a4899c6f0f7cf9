package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every command's --help ends with two or three examples, and every example runs. */
class HelpExamplesTest {
    @TempDir
    Path dir;

    @Test
    void everyHelpEndsWithTwoOrThreeExamples() {
        List<String> commands = new ArrayList<>(List.of(""));
        commands.addAll(Main.commandNames());
        commands.remove("help"); // a new command needs its examples in HelpExamples too
        for (String command : commands) {
            Cli r = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
            assertEquals(0, r.status(), command);
            List<String> lines = r.out().lines().toList();
            int examples = lines.indexOf("Examples:");
            assertTrue(examples > 0, command + " --help has no examples:\n" + r.out());
            List<String> shown = lines.subList(examples + 1, lines.size());
            assertTrue(shown.size() >= 2 && shown.size() <= 3, command + ": " + shown);
            for (String line : shown) {
                assertTrue(line.startsWith(("  chainrule " + command).stripTrailing() + " "), command + ": " + line);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRuns() {
        // serve runs until it is stopped; PlaygroundServerTest starts it and talks to it instead.
        return HelpExamples.EXAMPLES.values().stream().flatMap(List::stream).distinct()
                .filter(example -> !example.startsWith("serve"))
                .map(example -> DynamicTest.dynamicTest(example, () -> {
                    List<String> args = new ArrayList<>(Arrays.asList(example.replace("'", "").split(" ")));
                    if (example.startsWith("diff")) { // the one example with a quoted expression
                        args = new ArrayList<>(List.of("diff", example.split("'")[1]));
                        args.addAll(Arrays.asList(example.split("'")[2].strip().split(" ")));
                    }
                    Path written = null;
                    int o = args.indexOf("-o");
                    if (o >= 0) {
                        written = dir.resolve(args.get(o + 1));
                        args.set(o + 1, written.toString());
                    }
                    if (args.contains("png") && !graphvizInstalled()) {
                        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") != null,
                                "Graphviz's dot is not installed: " + example + " skipped");
                    }
                    Cli r = Cli.run(args.toArray(String[]::new));
                    assertEquals(0, r.status(), example + "\n" + r.err());
                    assertEquals("", r.err(), example);
                    if (written != null) {
                        assertTrue(Files.size(written) > 0, example + " wrote nothing");
                    } else {
                        assertTrue(!r.out().isEmpty(), example + " printed nothing");
                    }
                }));
    }

    private static boolean graphvizInstalled() {
        try {
            return new ProcessBuilder("dot", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
