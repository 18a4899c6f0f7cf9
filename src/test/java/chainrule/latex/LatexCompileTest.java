package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example's derivation compiles with pdflatex: the whole document, the document for each
 * single {@code --wrt}, the {@code align*} fragment, and the book notation (Hangul labels).
 */
class LatexCompileTest {

    static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, status, () -> String.join(" ", args) + " failed: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static List<Path> examples() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            return files.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
        }
    }

    /** A test that {@code document} compiles, by one pdflatex run for the whole batch (Pdflatex.Batch). */
    static DynamicTest compiles(Pdflatex.Batch batch, String name, java.util.function.Supplier<String> document) {
        batch.add(name, document);
        return DynamicTest.dynamicTest(name, () -> batch.assertCompiles(name));
    }

    @TestFactory
    List<DynamicTest> everyExampleCompilesWholeAndPerParameter() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> examples = examples();
        assertTrue(examples.stream().anyMatch(p -> p.endsWith("mazur.nn")));
        assertTrue(examples.stream().anyMatch(p -> p.endsWith("hangul.nn")));
        Pdflatex.Batch batch = new Pdflatex.Batch();
        for (Path file : examples) {
            String f = file.toString();
            tests.add(compiles(batch, f + " (all parameters)", () -> run("latex", f)));
            tests.add(compiles(batch, f + " --notation book", () -> {
                String doc = run("latex", f, "--notation", "book");
                assertTrue(doc.contains("\\usepackage{kotex}"), "book labels are Hangul, so kotex is loaded");
                return doc;
            }));
            tests.add(compiles(batch, f + " --fragment", () -> {
                String fragment = run("latex", f, "--fragment");
                assertTrue(fragment.startsWith("\\begin{align*}") && fragment.strip().endsWith("\\end{align*}"));
                assertFalse(fragment.contains("\\documentclass"));
                return Pdflatex.wrapFragment(fragment);
            }));
            Network net = Analyzer.analyze(new Source(f, Files.readString(file)));
            for (Vertex w : net.parameters()) {
                tests.add(compiles(batch, f + " --wrt " + w.name(), () -> run("latex", f, "--wrt", w.name())));
            }
        }
        return tests;
    }

    /**
     * The networks shown in the docs: every fenced block of {@code docs/**.md} that has a
     * {@code loss} line and is a valid network (blocks that show errors on purpose are left out).
     */
    @TestFactory
    List<DynamicTest> everyNetworkInTheDocsCompiles() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        Path docs = Path.of("docs");
        if (!Files.isDirectory(docs)) {
            return tests;
        }
        List<Path> pages;
        try (Stream<Path> files = Files.walk(docs)) {
            pages = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        Pdflatex.Batch batch = new Pdflatex.Batch();
        java.util.regex.Pattern fenced = java.util.regex.Pattern.compile("(?ms)^```[^\\n]*\\n(.*?)^```");
        for (Path page : pages) {
            java.util.regex.Matcher m = fenced.matcher(Files.readString(page));
            int block = 0;
            while (m.find()) {
                block++;
                String text = m.group(1);
                if (!text.matches("(?s)(.*\\n)?loss .*")) {
                    continue;
                }
                Source source = new Source(page + " block " + block, text);
                try {
                    Analyzer.analyze(source);
                } catch (chainrule.diag.DiagnosticException e) {
                    continue;
                }
                tests.add(compiles(batch, source.name(), () -> {
                    try {
                        Path file = Files.createTempFile("chainrule-doc", ".nn");
                        try {
                            Files.writeString(file, text);
                            return run("latex", file.toString());
                        } finally {
                            Files.deleteIfExists(file);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
        }
        return tests;
    }
}
