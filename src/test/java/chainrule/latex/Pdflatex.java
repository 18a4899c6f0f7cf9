package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        String failure = compile(document, what);
        if (failure != null) {
            fail(failure);
        }
    }

    /** Compiles the document: null if pdflatex made a PDF without an error, else what went wrong. */
    private static String compile(String document, String what) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("chainrule-latex");
        try {
            Files.writeString(dir.resolve("doc.tex"), document, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(List.of("pdflatex", "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return what + ": pdflatex timed out";
            }
            if (p.exitValue() != 0 || !Files.exists(dir.resolve("doc.pdf"))) {
                return what + ": pdflatex failed:\n" + tail(log) + "\n--- document ---\n" + document;
            }
            return null;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Many documents compiled by few pdflatex runs, for test time: documents with the same preamble
     * (everything up to {@code \begin{document}}) are compiled as one document, each body in a
     * group of its own and on pages of its own. pdflatex's start (loading the format and fonts)
     * costs more than a page, so one run of 100 bodies takes about as long as a few runs of one.
     * Where a combined run fails, each of its documents is compiled alone, so a failure is reported
     * for the document that has it, with its own log. Documents are made by suppliers, called at the
     * first check, so that a document that cannot be made fails only its own test.
     */
    static final class Batch {
        private final Map<String, java.util.function.Supplier<String>> makers = new LinkedHashMap<>();
        private Map<String, String> failures;

        /** Adds a document to compile (its name must be new). */
        synchronized void add(String name, java.util.function.Supplier<String> document) {
            if (failures != null) {
                throw new IllegalStateException("the batch has been compiled already");
            }
            makers.put(name, document);
        }

        /** Compiles the batch at the first call; asserts that the document {@code name} compiled. */
        void assertCompiles(String name) throws Exception {
            require();
            String failure = failures().get(name);
            if (failure != null) {
                fail(failure);
            }
        }

        private synchronized Map<String, String> failures() throws Exception {
            if (failures != null) {
                return failures;
            }
            Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
            // made on all cores: some documents take seconds to derive (docs/performance.md's network)
            Map<String, String> documents = new java.util.concurrent.ConcurrentHashMap<>();
            makers.entrySet().parallelStream().forEach(e -> {
                try {
                    documents.put(e.getKey(), e.getValue().get());
                } catch (AssertionError | RuntimeException made) {
                    out.put(e.getKey(), e.getKey() + ": the document could not be made: " + made.getMessage());
                }
            });
            Map<String, Map<String, String>> byPreamble = new LinkedHashMap<>();
            for (String name : makers.keySet()) {
                String document = documents.get(name);
                if (document == null) {
                    continue;
                }
                int begin = document.indexOf(BEGIN);
                int end = document.lastIndexOf(END);
                String preamble = begin < 0 || end < begin ? document : document.substring(0, begin + BEGIN.length());
                byPreamble.computeIfAbsent(preamble, k -> new LinkedHashMap<>()).put(name, document);
            }
            byPreamble.values().parallelStream().forEach(group -> {
                try {
                    compileGroup(group, out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            failures = out;
            return failures;
        }

        /** Compiles documents with one preamble as one; where that fails, each alone, recording failures in {@code out}. */
        private static void compileGroup(Map<String, String> group, Map<String, String> out) throws IOException, InterruptedException {
            String first = group.values().iterator().next();
            if (group.size() == 1 || first.indexOf(BEGIN) < 0) {
                for (Map.Entry<String, String> one : group.entrySet()) {
                    String failure = compile(one.getValue(), one.getKey());
                    if (failure != null) {
                        out.put(one.getKey(), failure);
                    }
                }
                return;
            }
            String preamble = first.substring(0, first.indexOf(BEGIN) + BEGIN.length());
            StringBuilder combined = new StringBuilder(preamble).append('\n');
            for (String document : group.values()) {
                int begin = document.indexOf(BEGIN) + BEGIN.length();
                combined.append("\\begingroup\n").append(document, begin, document.lastIndexOf(END))
                        .append("\n\\endgroup\\clearpage\n");
            }
            combined.append(END).append('\n');
            if (compile(combined.toString(), group.size() + " documents") == null) {
                return;
            }
            for (Map.Entry<String, String> one : group.entrySet()) { // find which
                String failure = compile(one.getValue(), one.getKey());
                if (failure != null) {
                    out.put(one.getKey(), failure);
                }
            }
        }

        private static final String BEGIN = "\\begin{document}";
        private static final String END = "\\end{document}";
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
