package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.fuzz.FuzzInputs;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Hostile files through the whole command line ({@code grad}, {@code paths --wrt}, {@code eval}):
 * every run ends in exit 0, or exit 1 with a {@code FILE:LINE:COL: error:} diagnostic (or a
 * {@code chainrule: error:} line) — never a stack trace, an internal error or a hang.
 *
 * <p>The property runs in every build. The long campaign runs only when asked:
 * {@code mvn -o test -Dtest=CliFuzzProperties#campaign -Dfuzz.tries=100000} (see docs/hardening.md);
 * it writes each failing input to {@code target/fuzz-failures/}.
 */
class CliFuzzProperties {
    /** How long one command may take on a hostile file (generous: the CI machine is shared). */
    private static final long SECONDS_PER_RUN = 30;
    private static final Pattern DIAGNOSTIC = Pattern.compile("^[^\\n]*:\\d+:\\d+: error: .*", Pattern.DOTALL);

    @Property(tries = 150)
    void everyCommandEndsInResultOrDiagnostic(@ForAll("inputs") byte[] input) throws IOException {
        String problem = problemWith(input);
        if (problem != null) {
            fail(problem + "\ninput:\n" + new String(input, StandardCharsets.UTF_8));
        }
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        return FuzzInputs.anyInput();
    }

    /** The long campaign: {@code -Dfuzz.tries=N} inputs, all failures collected. */
    @Test
    @EnabledIfSystemProperty(named = "fuzz.tries", matches = "\\d+")
    void campaign() throws IOException {
        long tries = Long.parseLong(System.getProperty("fuzz.tries"));
        Path failures = Path.of("target", "fuzz-failures");
        Files.createDirectories(failures);
        List<String> found = new ArrayList<>();
        long[] done = {0};
        long start = System.nanoTime();
        FuzzInputs.anyInput().sampleStream().limit(tries).forEach(input -> {
            try {
                String problem = problemWith(input);
                if (problem != null) {
                    Path file = failures.resolve("failure-" + found.size() + ".nn");
                    Files.write(file, input);
                    found.add(file + ": " + problem.lines().findFirst().orElse(""));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (++done[0] % 1000 == 0) {
                System.out.printf("fuzz: %d inputs, %d failures, %.0f s%n", done[0], found.size(),
                        (System.nanoTime() - start) / 1e9);
            }
        });
        System.out.printf("fuzz campaign: %d inputs, %d failures, %.0f s%n", done[0], found.size(),
                (System.nanoTime() - start) / 1e9);
        assertTrue(found.isEmpty(), String.join("\n", found));
    }

    /** What went wrong running the commands on {@code input}, or null if every run ended well. */
    static String problemWith(byte[] input) throws IOException {
        Path file = Files.createTempFile("fuzz", ".nn");
        try {
            Files.write(file, input);
            List<String[]> commands = new ArrayList<>();
            commands.add(new String[] {"grad", file.toString()});
            commands.add(new String[] {"eval", file.toString()});
            String parameter = firstParameter(input);
            if (parameter != null) {
                commands.add(new String[] {"paths", "--wrt", parameter, file.toString()});
            }
            for (String[] args : commands) {
                String problem = problemWith(args);
                if (problem != null) {
                    return String.join(" ", args) + ": " + problem;
                }
            }
            return null;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String firstParameter(byte[] input) {
        try {
            Network network = Analyzer.analyze(new Source("fuzz.nn", new String(input, StandardCharsets.UTF_8)));
            return network.parameters().isEmpty() ? null : network.parameters().get(0).name();
        } catch (DiagnosticException e) {
            return null;
        }
    }

    private static String problemWith(String[] args) {
        Cli result;
        try {
            result = Cli.runBounded(SECONDS_PER_RUN, args);
        } catch (TimeoutException e) {
            return "no result after " + SECONDS_PER_RUN + " s";
        }
        String err = result.err();
        if (err.contains("at chainrule.") || err.contains("Exception") || err.contains("internal error")
                || err.contains("Error:") && !err.contains("error:")) {
            return "exit " + result.status() + ", stderr:\n" + err;
        }
        if (result.status() == 0) {
            return null;
        }
        if (result.status() == 1 && (DIAGNOSTIC.matcher(err).matches() || err.startsWith("chainrule: error: "))) {
            return null;
        }
        return "exit " + result.status() + ", stderr:\n" + err;
    }
}
