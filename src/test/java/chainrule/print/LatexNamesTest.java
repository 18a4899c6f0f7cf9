package chainrule.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The name mapping of docs/latex.md, and that no string can escape it. */
class LatexNamesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "net_h1|\\mathrm{net}_{h1}",
        "out_o1|\\mathrm{out}_{o1}",
        "w1|w_{1}",
        "E|E",
        "x|x",
        "lr|\\mathrm{lr}",
        "w12|w_{12}",
        "alpha|\\alpha",
        "alpha1|\\alpha_{1}",
        "Delta|\\Delta",
        "Alpha|\\mathrm{A}",
        "eta|\\eta",
        "h_in|h_{\\mathrm{in}}",
        "a_b_c|a_{b,c}",
        "W1[1,2]|W^{(1)}_{1,2}",
        "W_h[1,2]|W^{(h)}_{1,2}",
        "out1[2]|\\mathrm{out}^{(1)}_{2}",
        "x[3]|x_{3}",
        "h.in|h^{\\mathrm{in}}",
        "h.in[2]|h^{\\mathrm{in}}_{2}",
        "v.mean|v^{\\mathrm{mean}}",
        "v.mean2|v^{\\mathrm{mean2}}",
        "s1.sum|{s_{1}}^{\\mathrm{sum}}",
        "net_h1.in|{\\mathrm{net}_{h1}}^{\\mathrm{in}}",
        "들1|\\text{들}_{1}",
        "웨_out|\\text{웨}_{\\mathrm{out}}",
        "begin|\\mathrm{begin}",
        "_x|\\mathrm{\\_x}",
        "__w__|\\mathrm{\\_\\_w\\_\\_}",
        "w_|\\mathrm{w\\_}",
        "__w__[1]|\\mathrm{\\_\\_w\\_\\_}_{1}",
    })
    void names(String identifier, String latex) {
        assertEquals(latex, LatexNames.name(identifier));
    }

    /** A whole vector is named as its elements are: W1 is W⁽¹⁾ and W1[1,2] is W⁽¹⁾ with indices 1,2. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "W1|W^{(1)}",
        "W_h|W^{(h)}",
        "h.in|h^{\\mathrm{in}}",
        "h1.in|h^{(1),\\mathrm{in}}",
        "x|x",
        "__w__|\\mathrm{\\_\\_w\\_\\_}",
    })
    void vectors(String identifier, String latex) {
        assertEquals(latex, LatexNames.vector(identifier));
        assertTrue(LatexNames.name(identifier + "[1,2]").startsWith(latex), "an element starts with its vector's name");
    }

    private static final Set<String> ALLOWED_COMMANDS = Set.of("mathrm", "text", "langle", "rangle", "varsigma",
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
            "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
            "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega");

    /** Whatever the string, the LaTeX has balanced braces, only known commands and no active character. */
    @Property(tries = 300)
    void noStringCanBreakOrInjectLatex(@ForAll String identifier) {
        assertSafe(LatexNames.name(identifier));
        assertSafe(LatexNames.name(identifier + "[1,2]"));
        assertSafe(LatexNames.name("a_" + identifier));
        assertSafe(LatexNames.vector(identifier));
    }

    static void assertSafe(String latex) {
        int depth = 0;
        for (int i = 0; i < latex.length(); i++) {
            char c = latex.charAt(i);
            assertTrue("$%#&~\"\n\r\t".indexOf(c) < 0 && !Character.isISOControl(c), () -> "active character in " + latex);
            if (c == '\\') {
                if (i + 1 < latex.length() && latex.charAt(i + 1) == '_') {
                    i++;
                    continue;
                }
                Matcher m = Pattern.compile("[a-zA-Z]+").matcher(latex);
                assertTrue(m.find(i + 1) && m.start() == i + 1 && ALLOWED_COMMANDS.contains(m.group()), () -> "command in " + latex);
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                assertTrue(depth >= 0, () -> "unbalanced in " + latex);
            }
        }
        assertEquals(0, depth, () -> "unbalanced in " + latex);
    }

    @Property(tries = 200)
    void textIsSafe(@ForAll String text) {
        String t = LatexText.escape(text);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            assertTrue("%#&~{}^\\\n\r\t".indexOf(c) < 0 || t.startsWith("\\_", i) || t.startsWith("$\\", i - 1)
                    || t.startsWith("\\", i) && t.substring(i).matches("(?s)\\\\(_|partial|to|cdot|sigma|langle|rangle).*"), () -> t);
        }
    }
}
