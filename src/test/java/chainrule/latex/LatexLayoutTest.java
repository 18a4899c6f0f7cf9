package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the LaTeX derivations are laid out (issue 16): one name for a vector and its elements, δs
 * in forward order within a layer, no page break inside an equation, no number repeated as
 * {@code = 0 = 0}, the given values wrapping inside the margins, the book's words as in text.
 * The overfull check compiles the examples in one pdflatex run and fails on any overfull box
 * (a line too wide, or a page too long).
 */
class LatexLayoutTest {

    /** The documents whose layout is checked: every example without Hangul, and the layer goldens. */
    private static List<String[]> documents(Path dir) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (Path p : LatexCompileTest.examples()) {
            out.add(new String[] {"latex", p.toString()});
        }
        for (String golden : List.of("layer-mask.nn", "gelu-vector.nn")) {
            out.add(new String[] {"latex", "src/test/resources/golden/" + golden});
        }
        out.add(new String[] {"latex", "examples/mazur-vector.nn", "--notation", "book"});
        out.add(new String[] {"latex", manyGivenValues(dir).toString()});
        out.add(new String[] {"latex", longSums(dir).toString()});
        return out;
    }

    /**
     * Long sums where a line could not break: a mean of a long sum ({@code \frac{…}{2}}), a long
     * bracket in a product (the tanh-GELU derivative), and a path listing of many tall rows, which
     * once ran off the page because every row ended in {@code \\*}.
     */
    private static Path longSums(Path dir) throws Exception {
        Path file = dir.resolve("long-sums.nn");
        Files.writeString(file, """
                input x[2] = [0.5, -0.3], x2[2] = [0.1, 0.9]
                target y[2] = [1, 0], y1[3] = [0, 1, 0], y2[3] = [1, 0, 0]
                weight W[2,2] = [[0.1, 0.2], [0.3, 0.4]], V[3,2] = [[0.1, 0.2], [0.3, 0.4], [-0.5, 0.6]]
                weight w1 = 0.8, w2 = -0.4
                function gelu(z) = 0.5*z*(1 + tanh(sqrt(2/pi)*(z + 0.044715*z^3)))
                z = W @ x
                h = gelu(w1*x[1])
                p1 = softmax(V @ x)
                p2 = softmax(V @ x2)
                loss L = bce_with_logits(z, y) + 0.5*(w2*h - 0.3)^2 + (cross_entropy(p1, y1) + cross_entropy(p2, y2))/2
                """, StandardCharsets.UTF_8);
        return file;
    }

    /** Forty parameters with long values: a "Given" list of several lines. */
    private static Path manyGivenValues(Path dir) throws Exception {
        StringBuilder src = new StringBuilder("input x = 0.123456789012\n");
        StringBuilder sum = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            src.append("weight weight_").append(i).append(" = -0.98765432").append(100 + i).append("\n");
            sum.append(i > 1 ? " + " : "").append("weight_").append(i).append("*x");
        }
        src.append("h = sigmoid(").append(sum).append(")\nloss L = (h - 1)^2\n");
        Path file = dir.resolve("given.nn");
        Files.writeString(file, src.toString(), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void noOverfullLineInAnyExample(@TempDir Path dir) throws Exception {
        Pdflatex.require();
        boolean kotex = kotexInstalled();
        StringBuilder bodies = new StringBuilder();
        int compiled = 0;
        for (String[] args : documents(dir)) {
            String doc = LatexCompileTest.run(args);
            if (doc.contains("\\usepackage{kotex}") && !kotex) {
                continue;
            }
            int begin = doc.indexOf("\\begin{document}") + "\\begin{document}".length();
            bodies.append("\n% ").append(String.join(" ", args)).append("\n")
                    .append(doc, begin, doc.indexOf("\\end{document}")).append("\\clearpage\n");
            compiled++;
        }
        assertTrue(compiled >= 10, "compiled " + compiled + " documents");
        String all = "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n"
                + (kotex ? "\\usepackage{kotex}\n" : "")
                + "\\allowdisplaybreaks\n\\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.5\\baselineskip}\n"
                + "\\begin{document}\n" + bodies + "\\end{document}\n";
        Files.writeString(dir.resolve("all.tex"), all, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(List.of("pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                "-no-shell-escape", "all.tex")).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "pdflatex timed out");
        String log = Files.readString(dir.resolve("all.log"), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.exitValue(), () -> "pdflatex failed: " + log.substring(Math.max(0, log.length() - 2000)));
        List<String> overfull = new ArrayList<>();
        Matcher m = Pattern.compile("Overfull \\\\[hv]box[^\\n]*\\n[^\\n]*").matcher(log);
        while (m.find()) {
            overfull.add(m.group());
        }
        assertTrue(overfull.isEmpty(), () -> overfull.size() + " overfull lines:\n" + String.join("\n", overfull));
    }

    private static boolean kotexInstalled() {
        try {
            Process p = new ProcessBuilder(List.of("kpsewhich", "kotex.sty")).redirectErrorStream(true).start();
            String found = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !found.isEmpty();
        } catch (Exception notThere) {
            return false;
        }
    }

    @Test
    void noPageBreakInsideAnEquationAndShortBlocksStayTogether(@TempDir Path dir) throws Exception {
        for (String[] args : documents(dir)) {
            String doc = LatexCompileTest.run(args);
            // A continuation line of an equation ("  &= …") follows \\*, never a plain \\ (only an
            // equation taller than two pages' worth of display lines may break: none of these has one).
            assertFalse(doc.contains("\\\\\n  &"), String.join(" ", args) + ": a page may break inside an equation");
            Matcher block = Pattern.compile("(?s)\\\\begin\\{align\\*\\}\\n(.*?)\\n\\\\end\\{align\\*\\}").matcher(doc);
            while (block.find()) {
                String body = block.group(1);
                if (LatexDerivation.height(body) <= LatexDerivation.PAGE_LINES) {
                    assertFalse(Pattern.compile("\\\\\\\\\\n").matcher(body).find(),
                            String.join(" ", args) + ": a short block may break across pages:\n" + body);
                }
            }
        }
    }

    @Test
    void noNumberIsRepeatedAsItsOwnValue(@TempDir Path dir) throws Exception {
        Pattern repeated = Pattern.compile("= (?:\\{\\\\left\\()?(-?[0-9.]+)(?:\\\\right\\)\\})?(?: \\\\\\\\\\*?\\n\\s*&)? = (-?[0-9.]+)");
        List<String[]> all = documents(dir);
        Path one = dir.resolve("one.nn");
        // A one-edge path and a single-factor closed form: the numbers are the value.
        Files.writeString(one, "input x = 2.54058310674\nweight w = 1\nweight v = 0\nloss E = 3 - w*x + v*x\n");
        all.add(new String[] {"latex", one.toString()});
        for (String[] args : all) {
            String doc = LatexCompileTest.run(args);
            Matcher m = repeated.matcher(doc);
            while (m.find()) {
                double a = Double.parseDouble(m.group(1));
                double b = Double.parseDouble(m.group(2));
                assertFalse(a == b || Math.abs(a - b) <= 1e-5 * Math.abs(b),
                        String.join(" ", args) + ": a number and then itself: " + m.group());
            }
        }
        String doc = LatexCompileTest.run("latex", one.toString());
        assertTrue(doc.contains("&= -2.54058310674"), doc);
        assertFalse(doc.contains("-2.54058 ="), doc);
    }

    @Test
    void aVectorAndItsElementsShareOneNameAndDeltasComeInForwardOrder() {
        String doc = LatexCompileTest.run("latex", "examples/mazur-vector.nn");
        assertTrue(doc.contains("$W^{(1)}_{1,2} = 0.2$"), "an element in the given values");
        assertTrue(doc.contains("\\frac{\\partial E}{\\partial W^{(1)}}"), "the whole matrix");
        assertFalse(doc.contains("W1_{") || doc.contains("W_{1}"), "no second spelling");

        String mazur = LatexCompileTest.run("latex", "examples/mazur.nn");
        int o1 = mazur.indexOf("\\delta_{\\mathrm{net}_{o1}} &=");
        int o2 = mazur.indexOf("\\delta_{\\mathrm{net}_{o2}} &=");
        assertTrue(o1 >= 0 && o2 > o1, "δ_o1 is defined before δ_o2");
    }

    @Test
    void bookNotationCarriesTheBooksWordsIntoLatex() {
        String doc = LatexCompileTest.run("latex", "examples/mazur-vector.nn", "--notation", "book");
        // the loss derivative after the loss's own name: mazur-vector's loss is E
        assertTrue(doc.contains("\\left(\\partial E/\\partial \\text{나} \\odot \\text{액}\\right)"), doc);
        assertTrue(doc.contains("\\left(\\delta^{(h^{\\mathrm{in}})} \\otimes \\text{나}\\right)"), doc);
        assertTrue(doc.contains("\\usepackage{kotex}"));
    }

    @Test
    void underscoresAroundANameAreKept(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("u.nn");
        Files.writeString(f, "input x = 1\nweight __w__ = 0.5\nloss E = (__w__*x)^2\n");
        String doc = LatexCompileTest.run("latex", f.toString());
        assertTrue(doc.contains("$\\mathrm{\\_\\_w\\_\\_} = 0.5$"), doc);
        Pdflatex.assertCompiles(doc, "__w__");
    }

    static void deleteAll(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
