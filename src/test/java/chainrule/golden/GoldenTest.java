package chainrule.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
 * Golden tests in the style of jlox's test suite: the inputs under
 * {@code src/test/resources/golden/} are small {@code .nn} files that read as examples, and
 * {@code cases.txt} there lists one command line per case:
 * <pre>
 * mazur.paths-w1     paths mazur.nn --wrt w1
 * </pre>
 * Each case runs through {@link Main#run} and compares, exactly,
 * <ul>
 *   <li>standard output with {@code NAME.out} (absent: nothing may be printed); for {@code --json}
 *       cases full-precision doubles are compared to 12 significant digits,</li>
 *   <li>standard error with {@code NAME.err} (absent: nothing may be printed),</li>
 *   <li>the exit status: 1 when {@code NAME.err} exists, else 0.</li>
 * </ul>
 * A {@code .nn} file in the command line is looked up in the golden directory, then in the project
 * (so {@code examples/mazur.nn} is the shipped example itself); the golden directory's prefix is
 * removed from the output, so diagnostics read {@code errors/cycle.nn:3:1: error: ...}.
 *
 * <p>To regenerate the expected files after an intended change of output, run
 * <pre>
 * mvn -q -o test -Dtest=GoldenTest -Dgolden.update=true
 * </pre>
 * and review every changed file with {@code git diff} before committing: a golden file is a claim
 * that the output is right (the numbers of Mazur's network are his published ones; see
 * {@code README.md} in the golden directory for how the others were checked).
 */
class GoldenTest {
    static final Path DIR = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    /** One line of cases.txt. */
    record Case(String name, List<String> args) {}

    @TestFactory
    Stream<DynamicTest> goldenFiles() throws IOException {
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
            List<String> args = new ArrayList<>();
            for (String w : Arrays.asList(words).subList(1, words.length)) {
                args.add(w.endsWith(".nn") && Files.exists(DIR.resolve(w)) ? DIR.resolve(w).toString() : w);
            }
            out.add(new Case(words[0], args));
        }
        return out;
    }

    /** Runs a command line in-process and returns {stdout, stderr} with the directory prefix removed, and the status. */
    static Result run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, args.toArray(String[]::new));
        }
        String prefix = DIR + java.io.File.separator;
        return new Result(out.toString(StandardCharsets.UTF_8).replace(prefix, ""),
                err.toString(StandardCharsets.UTF_8).replace(prefix, ""), status);
    }

    record Result(String out, String err, int status) {}

    private static void check(Case c) throws IOException {
        Result r = run(c.args());
        Path outFile = DIR.resolve(c.name() + ".out");
        Path errFile = DIR.resolve(c.name() + ".err");
        if (UPDATE) {
            write(outFile, r.out());
            write(errFile, r.err());
            return;
        }
        String expectedErr = read(errFile);
        assertEquals(expectedErr, r.err(), "standard error of " + c.name());
        if (c.args().contains("--json")) {
            assertEquals(roundLongNumbers(read(outFile)), roundLongNumbers(r.out()), "standard output of " + c.name());
        } else {
            assertEquals(read(outFile), r.out(), "standard output of " + c.name());
        }
        assertEquals(expectedErr.isEmpty() ? 0 : 1, r.status(), "exit status of " + c.name());
    }

    private static final java.util.regex.Pattern LONG_NUMBER =
            java.util.regex.Pattern.compile("-?\\d+\\.\\d{12,}(?:[eE][-+]?\\d+)?");

    /**
     * JSON holds full doubles, whose last digit may differ by an ulp between platforms' {@code exp}:
     * numbers with more than 12 decimals are compared to 12 significant digits, the precision of
     * the text output and of the published numbers.
     */
    static String roundLongNumbers(String json) {
        return LONG_NUMBER.matcher(json).replaceAll(m -> new java.math.BigDecimal(m.group())
                .round(new java.math.MathContext(12)).stripTrailingZeros().toString());
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    private static void write(Path p, String text) throws IOException {
        if (text.isEmpty()) {
            Files.deleteIfExists(p);
        } else {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
        }
    }
}
