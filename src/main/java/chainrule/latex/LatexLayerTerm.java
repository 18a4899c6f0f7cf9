package chainrule.latex;

import chainrule.expr.Numbers;
import chainrule.paths.LayerForm;
import chainrule.print.ElementwisePrinter;
import chainrule.print.LatexNames;
import chainrule.print.LatexPrinter;
import chainrule.print.LayerTermText;
import chainrule.print.VectorSummary;

/**
 * A layer form in LaTeX, on {@link LayerTermText}'s layout: {@code \delta^{(h^{\mathrm{in}})}},
 * {@code \odot}, {@code \otimes}, {@code W_2^{\top}}. Names go through {@link LatexNames}.
 */
final class LatexLayerTerm extends LayerTermText {
    /** Vectors up to this length and matrices up to these sizes are written out. */
    static final int LISTED_VECTOR = 10;
    static final int LISTED_ROWS = 4;
    static final int LISTED_COLUMNS = 6;
    static final int DIGITS = 6;

    private final LayerForm form;

    LatexLayerTerm(LayerForm form) {
        this(form, false);
    }

    private LatexLayerTerm(LayerForm form, boolean book) {
        super(form, ElementwisePrinter.latex(s -> form.group(s.name()).map(LatexLayerTerm::wholeName)
                .or(() -> form.summedGroup(s).map(y -> "\\Sigma " + wholeName(y)))
                .or(() -> form.softmaxOf(s).map(z -> chainrule.expr.VectorPrimitive.SOFTMAX.latexName()
                        + "\\mathopen{}\\left(" + wholeName(z) + "\\right)"))
                .or(() -> chainrule.print.LatexPrinter.folded(s))
                .orElseGet(() -> LatexNames.name(s.name()))), book);
        this.form = form;
    }

    /** The same shape in the book's words, as LaTeX: {@code \text{액} \odot \partial L/\partial \text{나}}. */
    @Override
    public LatexLayerTerm bookWords() {
        return new LatexLayerTerm(form, true);
    }

    @Override
    protected String bookWord(String word) {
        if (word.startsWith("∂") && word.endsWith("/∂나")) { // ∂E/∂나: the loss's name as the file names it
            return "\\partial " + LatexNames.name(word.substring(1, word.length() - "/∂나".length())) + "/\\partial \\text{나}";
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder hangul = new StringBuilder();
        for (int i = 0; i < word.length(); ) {
            int c = word.codePointAt(i);
            i += Character.charCount(c);
            if (chainrule.print.LatexText.isHangul(c)) {
                hangul.appendCodePoint(c);
                continue;
            }
            if (hangul.length() > 0) {
                sb.append("\\text{").append(hangul).append('}');
                hangul.setLength(0);
            }
            sb.append(c == '∂' ? "\\partial " : c == '/' ? "/" : LatexNames.name(new String(Character.toChars(c))));
        }
        if (hangul.length() > 0) {
            sb.append("\\text{").append(hangul).append('}');
        }
        return sb.toString();
    }

    @Override public String delta(LayerForm.Group g) { return "\\delta^{(" + printedName(g) + ")}"; }

    /** A group's name, a shared reduction as its call ({@code \operatorname{mean}(h)}, not {@code L.mean}). */
    public String printedName(LayerForm.Group g) {
        chainrule.expr.Sym call = form().printedCall(g);
        String name = call == null ? null : LatexPrinter.folded(call).orElse(null);
        return name != null ? name : name(g);
    }

    @Override
    protected String quotient(String rest, java.math.BigInteger k, java.math.BigInteger denominator) {
        String sign = k.signum() < 0 ? "-" : "";
        String times = k.abs().equals(java.math.BigInteger.ONE) ? "" : k.abs() + scalarTimes();
        return sign + "\\frac{" + times + rest + "}{" + denominator + "}";
    }

    /** A vector or matrix as its elements are named ({@code W^{(1)}} for {@code W1[i,j]}); a scalar as itself. */
    @Override protected String name(LayerForm.Group g) { return wholeName(g); }

    static String wholeName(LayerForm.Group g) {
        return g.isScalar() ? LatexNames.name(g.name()) : LatexNames.vector(g.name());
    }

    @Override protected String hadamard() { return LatexPrinter.BREAK + " \\odot "; }

    @Override protected String scalarTimes() { return " \\cdot "; }

    @Override protected String outerSign() { return " \\otimes "; }

    @Override protected String transposeOf(String matrix) { return "{" + matrix + "}^{\\top}"; }

    @Override protected String matrixTimes() { return " \\, "; }

    @Override protected String group(String s) { return "\\left(" + s + "\\right)"; }

    @Override protected String sumOver(String vectorElement) { return "\\sum_i " + vectorElement; }

    @Override protected String element(String vector) { return "{" + vector + "}_i"; }

    @Override protected String inner(String a, String b) { return "\\langle " + a + ", " + b + " \\rangle"; }

    @Override
    protected String jacobianOf(LayerForm.Group output, LayerForm.Group input) {
        return "\\left(\\frac{\\partial " + name(output) + "}{\\partial " + name(input) + "}\\right)^{\\top}";
    }

    @Override protected String plus() { return LatexPrinter.BREAK + " + "; }

    /**
     * The values of a group as LaTeX: a number, a short vector in brackets, a small matrix as a
     * {@code bmatrix}, or the size, extremes and norm of anything larger.
     */
    static String numbers(LayerForm.Group g, double[] v) {
        if (g.isScalar()) {
            return LatexPrinter.number(Numbers.text(v[0]));
        }
        if (g.shape().size() == 1 && v.length <= LISTED_VECTOR) {
            return "\\left[" + row(v, 0, v.length, ",\\ ") + "\\right]";
        }
        if (g.shape().size() == 2 && g.shape().get(0) <= LISTED_ROWS && g.shape().get(1) <= LISTED_COLUMNS) {
            int columns = g.shape().get(1);
            StringBuilder sb = new StringBuilder("\\begin{bmatrix}");
            for (int r = 0; r < g.shape().get(0); r++) {
                sb.append(r == 0 ? " " : " \\\\ ").append(row(v, r * columns, columns, " & "));
            }
            return sb.append(" \\end{bmatrix}").toString();
        }
        VectorSummary s = VectorSummary.of(v);
        return "\\bigl(" + g.shapeText().replace("×", " \\times ") + "\\text{ values: } \\min "
                + LatexPrinter.rounded(v[s.min()], DIGITS) + ",\\ \\max " + LatexPrinter.rounded(v[s.max()], DIGITS)
                + ",\\ \\lVert\\cdot\\rVert = " + LatexPrinter.rounded(s.norm(), DIGITS) + "\\bigr)";
    }

    private static String row(double[] v, int from, int count, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int k = from; k < from + count; k++) {
            sb.append(k == from ? "" : separator).append(LatexPrinter.rounded(v[k], DIGITS));
        }
        return sb.toString();
    }
}
