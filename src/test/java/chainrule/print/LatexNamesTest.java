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
        "W1[1,2]|W1_{1,2}",
        "h.in|h^{\\mathrm{in}}",
        "h.in[2]|{h_{2}}^{\\mathrm{in}}",
        "net_h1.in|{\\mathrm{net}_{h1}}^{\\mathrm{in}}",
        "들1|\\text{들}_{1}",
        "웨_out|\\text{웨}_{\\mathrm{out}}",
        "begin|\\mathrm{begin}",
        "_x|\\mathrm{\\_x}",
    })
    void names(String identifier, String latex) {
        assertEquals(latex, LatexNames.name(identifier));
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
