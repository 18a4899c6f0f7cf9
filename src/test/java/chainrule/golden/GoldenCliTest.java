package chainrule.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files for how the command line behaves: usage errors (exit status 2, one line and "Try
 * ... --help"), help texts, refusals and the messages of options. The cases are
 * {@code src/test/resources/golden/cli/cases.txt}, one a line: {@code NAME STATUS COMMAND LINE};
 * standard output must equal {@code NAME.out}, standard error {@code NAME.err} (absent: nothing),
 * and the exit status STATUS. Regenerate with
 * <pre>
 * mvn -q -o test -Dtest=GoldenCliTest -Dgolden.update=true
 * </pre>
 * and review the diff: each file is a claim about what a user should see.
 */
class GoldenCliTest {
    static final Path DIR = GoldenTest.DIR.resolve("cli");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    record Case(String name, int status, List<String> args) {}

    @TestFactory
    Stream<DynamicTest> cliBehaviour() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name() + ": " + String.join(" ", c.args()),
                () -> check(c)));
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("cases.txt"), StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] words = trimmed.split("\\s+");
            out.add(new Case(words[0], Integer.parseInt(words[1]), Arrays.asList(words).subList(2, words.length)));
        }
        return out;
    }

    private static void check(Case c) throws IOException {
        GoldenTest.Result r = GoldenTest.run(c.args());
        Path outFile = DIR.resolve(c.name() + ".out");
        Path errFile = DIR.resolve(c.name() + ".err");
        if (UPDATE) {
            write(outFile, r.out());
            write(errFile, r.err());
            return;
        }
        assertEquals(read(errFile), r.err(), "standard error of " + c.name());
        assertEquals(read(outFile), r.out(), "standard output of " + c.name());
        assertEquals(c.status(), r.status(), "exit status of " + c.name());
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    private static void write(Path p, String text) throws IOException {
        if (text.isEmpty()) {
            Files.deleteIfExists(p);
        } else {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        }
    }
}
