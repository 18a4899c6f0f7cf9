package chainrule.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docs that cannot drift: every command shown in README.md and docs/*.md runs, and its output
 * must be what the page shows. A command is a line in a fenced block that starts with
 * {@code $ java -jar target/chainrule.jar}, {@code $ bin/chainrule} or {@code $ chainrule} (the
 * tutorial's alias); the lines after it, up to the next {@code $} line or the end of the block,
 * are its output (standard output, then standard error), trailing blank lines aside. A line
 * {@code ...} in the shown output stands for any number of lines. Commands run in-process
 * through {@link Main#run}, from the project directory; a file named by {@code -o} is written to a
 * temporary directory instead. Shell syntax beyond quoting (pipes, redirection) is refused, so a
 * page cannot show a command this test does not run. A command shown without a prompt and
 * without output ({@code java -jar target/chainrule.jar latex ... -o w1.tex} in a block of its
 * own) must run with exit status 0 and print nothing on standard error.
 *
 * <p>When printed forms change on purpose, regenerate the pages and review the diff:
 * <pre>
 * mvn -q -o test -Dtest=GoldenDocsTest -Ddocs.update=true
 * </pre>
 * (an output with {@code ...} keeps its first lines; each part after a {@code ...} is found again
 * by its first line).
 */
class GoldenDocsTest {
    private static final boolean UPDATE = Boolean.getBoolean("docs.update");
    private static final List<String> PREFIXES = List.of("java -jar target/chainrule.jar ", "bin/chainrule ", "chainrule ");
    private static final String ELISION = "...";

    @TempDir
    static Path outputs;

    /**
     * A command shown on a page: its arguments and the lines [from, to) of the page that show its
     * output; {@code withOutput} false for a command shown without a {@code $} prompt and without
     * output, which must only run without an error.
     */
    record Shown(Path page, int line, List<String> args, int from, int to, boolean withOutput) {}

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedCommandPrintsWhatItsPageShows() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            List<Shown> shown = commands(page, lines);
            if (UPDATE) {
                update(page, lines, shown);
                continue;
            }
            for (Shown s : shown) {
                tests.add(DynamicTest.dynamicTest(page + ":" + s.line() + ": " + String.join(" ", s.args()),
                        () -> {
                            if (s.withOutput()) {
                                assertShown(lines.subList(s.from(), s.to()), run(s.args()), s);
                            } else {
                                assertRuns(s);
                            }
                        }));
            }
        }
        return tests.stream();
    }

    /** The pages must show commands at all, or the test above would pass by finding none. */
    @Test
    void theTutorialAndReadmeShowCommands() throws IOException {
        for (String page : List.of("README.md", "docs/tutorial.md")) {
            Path p = Path.of(page);
            assertFalse(commands(p, Files.readAllLines(p, StandardCharsets.UTF_8)).isEmpty(), page);
        }
    }

    @Test
    void elisionMatchesAnyLines() {
        assertMatches(List.of("a", "...", "d"), List.of("a", "b", "c", "d"), true);
        assertMatches(List.of("a", "...", "d"), List.of("a", "d"), true);
        assertMatches(List.of("a", "...", "c", "...", "e"), List.of("a", "b", "c", "d", "e"), true);
        assertMatches(List.of("a", "...", "d"), List.of("a", "b", "c"), false);
        assertMatches(List.of("a", "b"), List.of("a", "b", "c"), false);
        assertMatches(List.of("a", "...", "c", "...", "e"), List.of("a", "b", "d", "e"), false);
    }

    private static void assertMatches(List<String> shown, List<String> actual, boolean expected) {
        assertEquals(expected, matches(shown, actual), shown + " against " + actual);
    }

    static List<Shown> commands(Path page, List<String> lines) {
        List<Shown> out = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced && !line.startsWith("$ ")) {
                String plain = line.startsWith("java -jar target/chainrule.jar ") || line.startsWith("bin/chainrule ")
                        ? commandOf(line) : null;
                // serve runs until it is stopped: PlaygroundServerTest starts it and talks to it instead
                if (plain != null && !plain.startsWith("serve")) {
                    out.add(new Shown(page, i + 1, words(plain, page + ":" + (i + 1)), i + 1, i + 1, false));
                }
                continue;
            }
            String command = fenced ? commandOf(line.substring(2)) : null;
            if (command == null) {
                continue;
            }
            int from = i + 1;
            int to = from;
            while (to < lines.size() && !lines.get(to).startsWith("```") && !lines.get(to).startsWith("$ ")) {
                to++;
            }
            while (to > from && lines.get(to - 1).isBlank()) {
                to--;
            }
            out.add(new Shown(page, i + 1, words(command, page + ":" + (i + 1)), from, to, true));
        }
        return out;
    }

    /** The command after one of the prefixes, or null for a line that runs something else. */
    private static String commandOf(String line) {
        for (String prefix : PREFIXES) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        return null;
    }

    /** Splits a command as a POSIX shell would, for words, '...' and "..." only. */
    static List<String> words(String command, String where) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'' || c == '"') {
                int end = command.indexOf(c, i + 1);
                if (end < 0) {
                    fail(where + ": unclosed quote in " + command);
                }
                word = word == null ? new StringBuilder() : word;
                word.append(command, i + 1, end);
                i = end;
            } else if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if ("|<>;&`$\\*?".indexOf(c) >= 0) {
                fail(where + ": '" + c + "' is shell syntax this test does not run; show one plain chainrule command per $ line");
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** The arguments with {@code -o FILE} moved into the temporary directory. */
    private static List<String> redirected(List<String> args) {
        List<String> redirected = new ArrayList<>(args);
        for (int i = 0; i + 1 < redirected.size(); i++) {
            if (redirected.get(i).equals("-o") || redirected.get(i).equals("--output")) {
                redirected.set(i + 1, outputs.resolve(Path.of(redirected.get(i + 1)).getFileName()).toString());
            }
        }
        return redirected;
    }

    /** Runs the command in-process; {@code -o FILE} writes into the temporary directory. */
    static List<String> run(List<String> args) {
        List<String> redirected = redirected(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Main.run(o, e, redirected.toArray(String[]::new));
        }
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(text.lines().toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** A command shown without output runs with exit status 0 and nothing on standard error. */
    private static void assertRuns(Shown s) {
        List<String> args = new ArrayList<>(s.args());
        if (args.contains("png") && !graphvizInstalled()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") != null, "Graphviz's dot is not installed");
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, redirected(args).toArray(String[]::new));
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8), s.page() + ":" + s.line());
        assertEquals(0, status, s.page() + ":" + s.line());
    }

    private static boolean graphvizInstalled() {
        try {
            return new ProcessBuilder("dot", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void assertShown(List<String> shown, List<String> actual, Shown s) {
        if (!matches(shown, actual)) {
            assertEquals(String.join("\n", shown), String.join("\n", actual),
                    s.page() + ":" + s.line() + " shows output that `" + String.join(" ", s.args())
                            + "` does not print (regenerate with -Ddocs.update=true and review)");
        }
    }

    /** Whether {@code actual} is {@code shown}, each {@code ...} line standing for any lines. */
    static boolean matches(List<String> shown, List<String> actual) {
        List<List<String>> chunks = chunks(shown);
        if (chunks.size() == 1) {
            return shown.equals(actual);
        }
        List<String> first = chunks.get(0);
        List<String> last = chunks.get(chunks.size() - 1);
        if (actual.size() < first.size() + last.size()
                || !actual.subList(0, first.size()).equals(first)
                || !actual.subList(actual.size() - last.size(), actual.size()).equals(last)) {
            return false;
        }
        int at = first.size();
        int end = actual.size() - last.size();
        for (List<String> middle : chunks.subList(1, chunks.size() - 1)) {
            int found = indexOf(actual.subList(at, end), middle);
            if (found < 0) {
                return false;
            }
            at += found + middle.size();
        }
        return true;
    }

    private static int indexOf(List<String> in, List<String> part) {
        for (int i = 0; i + part.size() <= in.size(); i++) {
            if (in.subList(i, i + part.size()).equals(part)) {
                return i;
            }
        }
        return -1;
    }

    private static List<List<String>> chunks(List<String> shown) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        for (String line : shown) {
            if (line.strip().equals(ELISION)) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
            } else {
                chunk.add(line);
            }
        }
        chunks.add(chunk);
        return chunks;
    }

    /**
     * The new output to show: all of {@code actual} where nothing was elided; else as many lines
     * before the first {@code ...} as before, and each part after one found again by its first line:
     * as long as it was, the last part to the end of the output.
     */
    private static List<String> updated(List<List<String>> chunks, List<String> actual, String where) {
        if (chunks.size() == 1) {
            return actual;
        }
        List<String> first = chunks.get(0);
        List<String> out = new ArrayList<>(actual.subList(0, Math.min(first.size(), actual.size())));
        int at = out.size();
        for (int c = 1; c < chunks.size(); c++) {
            List<String> part = chunks.get(c);
            boolean last = c == chunks.size() - 1;
            out.add(ELISION);
            if (part.isEmpty()) {
                continue;
            }
            int found = actual.subList(at, actual.size()).indexOf(part.get(0));
            if (found < 0) {
                fail(where + ": the output no longer has the line '" + part.get(0) + "' that the page shows after '...'; update it by hand");
            }
            int end = last ? actual.size() : Math.min(actual.size(), at + found + part.size());
            out.addAll(actual.subList(at + found, end));
            at = end;
        }
        return out;
    }

    /** Rewrites each shown output with what the command prints now. */
    private static void update(Path page, List<String> lines, List<Shown> shown) throws IOException {
        List<String> out = new ArrayList<>();
        int at = 0;
        for (Shown s : shown) {
            if (!s.withOutput()) {
                continue;
            }
            out.addAll(lines.subList(at, s.from()));
            List<String> actual = run(s.args());
            out.addAll(updated(chunks(lines.subList(s.from(), s.to())), actual, page + ":" + s.line()));
            at = s.to();
        }
        out.addAll(lines.subList(at, lines.size()));
        if (!out.equals(lines)) {
            Files.writeString(page, String.join("\n", out) + "\n", StandardCharsets.UTF_8);
        }
    }
}
