package chainrule.serve;

import chainrule.codegen.Language;
import chainrule.codegen.SourceGenerator;
import chainrule.compile.Tape;
import chainrule.diag.DiagnosticException;
import chainrule.latex.LatexDerivation;
import chainrule.model.Vertex;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import chainrule.print.NonFiniteCheck;
import chainrule.print.Notation;
import chainrule.train.SourceRewriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The page's downloads, each what the matching command writes: {@code latex}, PDF of it, {@code codegen}, the file with its values. */
final class Exports {
    private Exports() {}

    /** {@code chainrule latex} of the network: every parameter, or the one followed on the page. */
    static String latex(Analysis.Loaded loaded, String wrt, Notation notation) throws DiagnosticException, Work.Failure {
        PathGraph graph = PathGraph.of(loaded.network());
        List<Vertex> parameters = new ArrayList<>();
        loaded.network().vertex(wrt == null ? "" : wrt).filter(v -> v.kind().isParameter()).ifPresent(parameters::add);
        if (parameters.isEmpty()) {
            parameters.addAll(loaded.network().parameters());
        }
        String tooLarge = chainrule.print.PrintedSize.tooLarge(graph, parameters); // as the CLI's latex: before printing
        if (tooLarge != null) {
            throw new Work.Failure(422, tooLarge);
        }
        Values values = null;
        if (loaded.network().missingValues().isEmpty()) {
            values = Values.of(loaded.network());
            NonFiniteCheck.require(loaded.network(), values.vertices());
            NonFiniteCheck.requireFiniteDerivatives(graph, values);
        }
        return LatexDerivation.of(graph, parameters, values, notation, loaded.source().name(), Analysis.MAX_PATHS, false);
    }

    /** The path of pdflatex, or null where it is not installed. */
    static Path pdflatex() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "pdflatex");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The derivation compiled by pdflatex in a fresh directory (no shell escape), deleted afterwards. */
    static byte[] pdf(String latex) throws Work.Failure {
        Path pdflatex = pdflatex();
        if (pdflatex == null) {
            throw new Work.Failure(501, "PDF needs pdflatex, which is not installed here; download the .tex instead");
        }
        Path dir = null;
        Process p = null;
        try {
            dir = Files.createTempDirectory("chainrule-serve");
            Files.writeString(dir.resolve("derivation.tex"), latex, StandardCharsets.UTF_8);
            p = new ProcessBuilder(pdflatex.toString(), "-no-shell-escape", "-interaction=nonstopmode",
                    "-halt-on-error", "derivation.tex")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("pdflatex.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Work.Failure(503, "pdflatex took longer than 60 s");
            }
            Path pdf = dir.resolve("derivation.pdf");
            if (p.exitValue() != 0 || !Files.exists(pdf)) {
                throw new Work.Failure(422, "pdflatex failed (exit " + p.exitValue() + "); download the .tex to see why");
            }
            return Files.readAllBytes(pdf);
        } catch (IOException e) {
            throw new Work.Failure(500, "cannot run pdflatex: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Work.Failure(503, "interrupted");
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly(); // abandoned past --timeout (Work interrupts it): no pdflatex left running
                boolean interrupted = Thread.interrupted();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory left behind is harmless
                }
            }
        }
    }

    /** {@code chainrule codegen --lang L --main}. */
    static String code(Analysis.Loaded loaded, String lang) throws Work.Failure, DiagnosticException {
        Language language = Language.byOptionName(lang == null ? "" : lang);
        if (language == null) {
            throw new Work.Failure(400, "lang must be java, c or python");
        }
        boolean main = loaded.network().missingValues().isEmpty();
        Tape tape = Tape.of(loaded.network());
        if (language == Language.JAVA && SourceGenerator.statements(tape) > SourceGenerator.JAVA_MAX_STATEMENTS) {
            throw new Work.Failure(422, "the generated Java method would pass javac's 64 KB limit; generate C or Python instead");
        }
        chainrule.paths.PathGraph graph = chainrule.paths.PathGraph.of(loaded.network()); // limits, as codegen gives them
        return SourceGenerator.generate(tape, language, main, SourceGenerator.JAVA_CLASS, new chainrule.codegen.LimitFallbacks(
                chainrule.paths.Limits.fallbackForms(graph), chainrule.paths.Limits.moved(graph)));
    }

    /** The text with the values the sliders (and "randomise weights") set written into its declarations. */
    static String withValues(Analysis.Loaded loaded) throws DiagnosticException {
        return SourceRewriter.withValues(loaded.source(), loaded.applied());
    }
}
