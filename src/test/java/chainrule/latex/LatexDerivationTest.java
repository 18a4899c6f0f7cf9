package chainrule.latex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.paths.PathGraph;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Golden checks on Mazur's derivation, δ sharing, and random networks that must compile. */
class LatexDerivationTest {

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Softmax with cross-entropy against a target that does not sum to 1: p Σy − y, with Σy defined. */
    @Test
    void aTargetNotSummingToOneKeepsTheGeneralSoftmaxForm() {
        String doc = LatexCompileTest.run("latex", "src/test/resources/textbook/softmax-soft-target.nn");
        assertTrue(doc.contains("\\frac{\\partial L}{\\partial p^{\\mathrm{in}}} = p \\, \\Sigma y - y"), doc);
        // y = [0.2, 0.5, 0.1]: the legend gives the number Σy stands for
        assertTrue(doc.contains("$\\Sigma y = \\sum_i y_i = \\frac{4}{5}$"), doc);
        assertFalse(doc.contains("= p - y"), doc);
    }

    @Test
    void aWholeVectorParameterIsDerivedByLayersAndAnElementByPaths() {
        String doc = LatexCompileTest.run("latex", "examples/mazur-vector.nn");
        String flat = doc.replaceAll("\\s*\\\\\\\\\\*?\\n\\s*&(\\\\quad)?\\s*", " ");
        assertTrue(flat.contains("\\frac{\\partial E}{\\partial W^{(1)}} &= \\delta^{(h^{\\mathrm{in}})} \\otimes x "
                + "= \\begin{bmatrix} 0.000438568 & 0.000877135 \\\\ 0.000497713 & 0.000995425 \\end{bmatrix}"), flat);
        assertTrue(flat.contains("\\delta^{(o^{\\mathrm{in}})} &= \\frac{\\partial E}{\\partial o^{\\mathrm{in}}} "
                + "= \\left(o - y\\right) \\odot o \\odot {\\left(1 - o\\right)} = \\left[0.138499,\\ -0.0380982\\right]"), flat);
        assertTrue(flat.contains("\\left({W^{(2)}}^{\\top} \\, \\delta^{(o^{\\mathrm{in}})}\\right)"), flat);
        assertEquals(0, count(doc, "(?m)^P_\\{\\d+\\} &"), "no element paths when every parameter has a layer form");

        String element = LatexCompileTest.run("latex", "examples/mazur-vector.nn", "--wrt", "W1[1,2]");
        assertFalse(element.contains("Backpropagation by layers"));
        assertEquals(2, count(element, "(?m)^P_\\{\\d+\\} &"), "W1[1,2] has two paths");
    }

    @Test
    void mazurW1HasBothPathsTheFactoredFormAndThePublishedValue() {
        String doc = LatexCompileTest.run("latex", "examples/mazur.nn", "--wrt", "w1");
        assertEquals(2, count(doc, "(?m)^P_\\{\\d+\\} &"), "one row per path");
        assertTrue(doc.contains("Path 1: $w_{1} \\to \\mathrm{net}_{h1} \\to \\mathrm{out}_{h1} \\to \\mathrm{net}_{o1} \\to \\mathrm{out}_{o1} \\to E$"));
        assertTrue(doc.contains("Path 2: $w_{1} \\to \\mathrm{net}_{h1} \\to \\mathrm{out}_{h1} \\to \\mathrm{net}_{o2} \\to \\mathrm{out}_{o2} \\to E$"));
        String flat = doc.replaceAll("\\s*\\\\\\\\\\*?\\n\\s*&(\\\\quad)?\\s*", " ");
        // backpropagation order, as Mazur writes it: (Σₒ δₒ·wₒ)·out_h1·(1 − out_h1)·i1
        assertTrue(flat.contains("\\frac{\\partial E}{\\partial w_{1}} &= "
                + "\\bigl({\\left(\\mathrm{out}_{o1} - t_{1}\\right)} \\cdot \\mathrm{out}_{o1}{\\left(1 - \\mathrm{out}_{o1}\\right)} \\cdot w_{5} "
                + "+ {\\left(\\mathrm{out}_{o2} - t_{2}\\right)} \\cdot \\mathrm{out}_{o2}{\\left(1 - \\mathrm{out}_{o2}\\right)} \\cdot w_{7}\\bigr) "
                + "\\cdot \\mathrm{out}_{h1}{\\left(1 - \\mathrm{out}_{h1}\\right)} \\cdot i_{1}"), flat);
        assertTrue(doc.contains("= 0.000438567734474"));
        // Mazur's forward numbers, substituted: net_h1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775
        assertTrue(flat.contains("\\mathrm{net}_{h1} &= w_{1} \\cdot i_{1} + w_{2} \\cdot i_{2} + b_{1} = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 = 0.3775"));
        assertTrue(doc.contains("\\sigma'\\mathopen{}\\left(\\mathrm{net}_{h1}\\right)"), "σ′ from the primitive table's template");
        assertFalse(doc.contains(String.valueOf(chainrule.print.LatexPrinter.BREAK)), "no break mark reaches the document");
        assertFalse(doc.contains("kotex"), "no Hangul, no kotex");
    }

    @Test
    void withoutWrtEachDeltaIsDefinedOnceAndEveryParameterHasASection() {
        String doc = LatexCompileTest.run("latex", "examples/mazur.nn");
        assertEquals(10, count(doc, "\\\\section\\*\\{The derivative"));
        Matcher m = Pattern.compile("(?m)^(\\\\delta_\\{.*?\\}) &=").matcher(doc);
        java.util.Set<String> seen = new java.util.HashSet<>();
        int rows = 0;
        while (m.find()) {
            rows++;
            assertTrue(seen.add(m.group(1)), "δ defined twice: " + m.group(1));
        }
        assertTrue(rows >= 2, "b1's four paths meet at out_h1 and out_h2... some δ is shared");
        // b1 = 0.35 has 4 paths; the derivation lists each.
        String b1 = LatexCompileTest.run("latex", "examples/mazur.nn", "--wrt", "b1");
        assertEquals(4, count(b1, "(?m)^P_\\{\\d+\\} &"));
    }

    /**
     * A factor 1/k of a folded reduction (a mean over 16 or more elements, printed as its call)
     * divides the other factors in the factored form, as text writes mean(h)/128 (review rev8b):
     * {@code \frac{\operatorname{mean}(h)}{128}}, never {@code \operatorname{mean}(h) \cdot \frac{1}{128}}.
     */
    @Test
    void aFactorOneOverKIsADivisionInTheFactoredForm() throws Exception {
        for (String loss : new String[] {"mean(mean(h)*h)", "sum(c*(h - mean(h))/sqrt(mean((h - mean(h))^2) + 0.00001))"}) {
            StringBuilder h = new StringBuilder("[");
            for (int i = 0; i < 128; i++) {
                h.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.3f", Math.sin(i + 0.5)));
            }
            String src = "weight h[128] = " + h + "]\ninput c[128] = 0.25\nloss L = " + loss + "\n";
            Network net = Analyzer.analyze(new Source("mm.nn", src));
            PathGraph g = PathGraph.of(net);
            String doc = LatexDerivation.of(g, net.parameters().subList(0, 1), chainrule.paths.Values.of(net),
                    chainrule.print.Notation.DEFAULT, "mm.nn", 100, false);
            String factored = doc.substring(doc.indexOf("Factored"));
            factored = factored.substring(0, factored.indexOf("\\end{align*}"));
            assertFalse(factored.contains("\\frac{1}{128}"), loss + ": a factor 1/128 in the factored form:\n" + factored);
            assertTrue(factored.contains("}{128}"), loss + ": divided by 128:\n" + factored);
        }
    }

    @Test
    void longSumsBreakAcrossLines() throws Exception {
        StringBuilder src = new StringBuilder("input x = 1\nweight ");
        StringBuilder sum = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            src.append(i > 1 ? ", " : "").append("w").append(i).append(" = 0.").append(i);
            sum.append(i > 1 ? " + " : "").append("w").append(i).append("*x");
        }
        src.append("\nh = ").append(sum).append("\nloss L = h^2\n");
        Network net = Analyzer.analyze(new Source("long.nn", src.toString()));
        PathGraph g = PathGraph.of(net);
        String doc = LatexDerivation.of(g, net.parameters().subList(0, 1), chainrule.paths.Values.of(net),
                chainrule.print.Notation.DEFAULT, "long.nn", 100, false);
        String hRow = doc.substring(doc.indexOf("h &="), doc.indexOf("L &="));
        assertTrue(count(hRow, "\\\\\\\\\\*?\\n") >= 3, "a 30-term sum takes several lines:\n" + hRow);
        for (String line : hRow.split("\\\\\\\\\\*?\\n")) {
            assertTrue(LineBreaker.width(line) <= LatexDerivation.WIDTH + 12, "line too wide: " + line);
        }
    }

    @Test
    void withoutValuesTheDerivationHasFormulasOnlyAndCompiles() throws Exception {
        Network net = Analyzer.analyze(new Source("novalues.nn",
                "input x\nweight w, v\nh = tanh(w*x)\nloss L = (v*h)^2\n"));
        PathGraph g = PathGraph.of(net);
        String doc = LatexDerivation.of(g, net.parameters(), null, chainrule.print.Notation.DEFAULT, "novalues.nn", 100, false);
        assertFalse(doc.contains("Numerically") || doc.contains("Given"), doc);
        assertTrue(doc.contains("\\tanh'"), "tanh′ from the primitive table's template");
        Pdflatex.assertCompiles(doc, "novalues.nn");
    }

    /** Random layered networks: the LaTeX compiles and has one row per path. */
    @Property(tries = 6)
    void randomNetworksCompileWithOneRowPerPath(@ForAll("networks") String source) throws Exception {
        Pdflatex.require();
        Network net = Analyzer.analyze(new Source("random.nn", source));
        PathGraph g = PathGraph.of(net);
        var w = net.parameters().get(0);
        String doc = LatexDerivation.of(g, java.util.List.of(w), chainrule.paths.Values.of(net),
                chainrule.print.Notation.DEFAULT, "random.nn", 1000, false);
        assertEquals(g.pathCount(w).intValue(), count(doc, "(?m)^P_\\{\\d+\\} &"), source);
        Pdflatex.assertCompiles(doc, source);
    }

    @Provide
    Arbitrary<String> networks() {
        Arbitrary<Integer> width = Arbitraries.integers().between(1, 3);
        Arbitrary<Integer> depth = Arbitraries.integers().between(1, 3);
        Arbitrary<String> activation = Arbitraries.of("sigmoid", "tanh", "relu", "softplus", "exp", "sin");
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(width, depth, activation, seed).as(LatexDerivationTest::network);
    }

    /** A dense network: {@code depth} hidden layers of {@code width} units, names with underscores. */
    static String network(int width, int depth, String activation, long seed) {
        java.util.Random r = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder("input x_in = 0.5\ntarget y_true = 0.25\n");
        java.util.List<String> previous = java.util.List.of("x_in");
        int weights = 0;
        for (int layer = 1; layer <= depth; layer++) {
            java.util.List<String> outs = new java.util.ArrayList<>();
            for (int u = 1; u <= width; u++) {
                StringBuilder net = new StringBuilder();
                for (String p : previous) {
                    String w = "w" + (++weights);
                    sb.append("weight ").append(w).append(" = ").append(String.format("%.2f", r.nextDouble() - 0.5)).append('\n');
                    net.append(net.length() > 0 ? " + " : "").append(w).append('*').append(p);
                }
                String name = "h" + layer + "_" + u;
                sb.append("net_").append(name).append(" = ").append(net).append('\n');
                sb.append("out_").append(name).append(" = ").append(activation).append("(net_").append(name).append(")\n");
                outs.add("out_" + name);
            }
            previous = outs;
        }
        sb.append("loss E = 0.5*(y_true - (").append(String.join(" + ", previous)).append("))^2\n");
        return sb.toString();
    }
}
