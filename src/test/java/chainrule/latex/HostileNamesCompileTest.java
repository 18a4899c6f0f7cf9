package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import chainrule.graph.Graphviz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that mean something to LaTeX or to a programming language ({@code class}, {@code int},
 * {@code lambda}, {@code _}, {@code begin}, {@code end_}, {@code frac}, {@code __x__}, Hangul)
 * give LaTeX that pdflatex compiles and DOT whose node ids are generated ({@code n0}, {@code n1},
 * ...) with the names only inside quoted, escaped labels. (Generated Java, C and Python with such
 * names are compiled and run by {@code CodegenCommandTest.trickyNamesInEveryLanguage}.)
 */
class HostileNamesCompileTest {
    static final String NETWORK = """
            function swish(z) = z*sigmoid(z)
            input class = 0.5, int = -0.25
            target lambda = 0.3
            weight 들1 = 0.2, _ = -0.4, begin = 0.7, end_ = 0.1, frac = 0.3, __x__ = 0.5, 가나다 = 0.2
            bias b = 0.1
            나 = swish(들1*class + _*int + b)
            h = tanh(begin*나) + relu(end_ - int)
            loss L = (lambda - h*frac*__x__*가나다)^2
            """;

    @TempDir Path dir;

    private String file() throws Exception {
        Path f = dir.resolve("hostile.nn");
        Files.writeString(f, NETWORK);
        return f.toString();
    }

    @Test
    void latexCompilesInBothNotations() throws Exception {
        String f = file();
        Pdflatex.assertCompiles(LatexCompileTest.run("latex", f), "hostile names");
        Pdflatex.assertCompiles(LatexCompileTest.run("latex", f, "--notation", "book"), "hostile names, book notation");
        Pdflatex.assertCompiles(LatexCompileTest.run("latex", f, "--wrt", "_"), "hostile names --wrt _");
    }

    @Test
    void dotIdsAreGeneratedAndEveryNameIsAQuotedLabel() throws Exception {
        String dot = LatexCompileTest.run("graph", file(), "--wrt", "_");
        Matcher node = Pattern.compile("(?m)^  (\\S+) \\[label=\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"").matcher(dot);
        int nodes = 0;
        while (node.find()) {
            assertTrue(node.group(1).matches("n\\d+"), node.group(1));
            nodes++;
        }
        assertEquals(15, nodes, dot); // class int lambda, 8 parameters, 나.in 나 h L
        for (String name : new String[] {"class", "int", "lambda", "_", "begin", "end_", "frac", "__x__", "가나다", "들1"}) {
            assertTrue(dot.contains("[label=\"" + name + "\""), name + " in\n" + dot);
        }
        String svg;
        try {
            svg = new String(Graphviz.render(dot, "svg"), StandardCharsets.UTF_8);
        } catch (Graphviz.NotInstalledException e) {
            assumeTrue(System.getenv("CI") != null, "Graphviz's dot is not installed: SVG check skipped");
            throw e;
        }
        assertTrue(svg.contains("<svg") && svg.contains("가나다"), svg);
    }
}
