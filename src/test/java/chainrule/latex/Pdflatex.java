package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compiles LaTeX with {@code pdflatex -halt-on-error -interaction=nonstopmode} in a temporary
 * directory. Where pdflatex is missing the calling test is skipped with a message, except in CI
 * ({@code CI} set), where it must be installed and the test fails instead.
 */
final class Pdflatex {
    private Pdflatex() {}

    private static Boolean available;

    static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(List.of("pdflatex", "--version")).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        return available;
    }

    /** Skips (outside CI) or fails (in CI) when pdflatex is not installed. */
    static void require() {
        if (!available()) {
            if (System.getenv("CI") != null) {
                fail("pdflatex is not installed, but CI must run the LaTeX tests (.ci/run installs texlive-latex-base)");
            }
            assumeTrue(false, "pdflatex is not installed: LaTeX compile tests skipped (apt-get install texlive-latex-base texlive-lang-korean)");
        }
    }

    /** Compiles the document and asserts that pdflatex made a PDF without an error. */
    static void assertCompiles(String document, String what) throws Exception {
        require();
        Path dir = Files.createTempDirectory("chainrule-latex");
        try {
            Files.writeString(dir.resolve("doc.tex"), document, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(List.of("pdflatex", "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + ": pdflatex timed out");
            if (p.exitValue() != 0 || !Files.exists(dir.resolve("doc.pdf"))) {
                fail(what + ": pdflatex failed:\n" + tail(log) + "\n--- document ---\n" + document);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String tail(String log) {
        int i = log.indexOf("\n!");
        return i >= 0 ? log.substring(i, Math.min(log.length(), i + 1500)) : log.substring(Math.max(0, log.length() - 1500));
    }

    /** An align* fragment in the smallest document that can hold it. */
    static String wrapFragment(String fragment) {
        return "\\documentclass{article}\n\\usepackage{amsmath}\n"
                + (fragment.codePoints().anyMatch(chainrule.print.LatexText::isHangul) ? "\\usepackage{kotex}\n" : "")
                + "\\allowdisplaybreaks\n\\begin{document}\n" + fragment + "\\end{document}\n";
    }
}
