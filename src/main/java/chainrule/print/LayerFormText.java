package chainrule.print;

import chainrule.diag.TextWidth;
import chainrule.expr.Numbers;
import chainrule.model.Vertex;
import chainrule.paths.ClosedForm;
import chainrule.paths.LayerForm;
import chainrule.paths.LayerTerm;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code grad} prints for a network with vector parameters: per vector parameter its layer
 * form, the way a textbook writes backpropagation, and then each δ it uses, defined once:
 * <pre>
 * ∂E/∂W1 = δ(h.in) ⊗ x
 *        = [[0.0004385677345, 0.0008771354689],
 *           [0.0004977127353, 0.0009954254705]]
 *
 * where δ(o.in) = ∂E/∂o.in = (o - y) ⊙ o ⊙ (1 - o)
 *               = [0.1384985616, -0.03809823652]
 * </pre>
 * Numbers come from reverse accumulation (which the layer forms were checked against); short
 * vectors and small matrices are listed, longer ones summarised. A parameter named element by
 * element ({@code --wrt 'W1[1,2]'}), or whose layer form is not recognised, gets its element
 * closed form as before.
 */
public final class LayerFormText {
    /** Vectors up to this length are listed in full. */
    static final int LISTED_VECTOR = 10;
    /** Matrices up to this many rows and columns are listed in full. */
    static final int LISTED_ROWS = 4;
    static final int LISTED_COLUMNS = 6;
    /** Elements shown after the summary of a long vector or matrix. */
    static final int SHOWN_ELEMENTS = 3;
    static final int DIGITS = 10;
    /** The numbers of each factor are shown, before the result, when every factor is this short. */
    static final int STEP_VECTOR = 4;

    private final PathGraph graph;
    private final Values values;
    private final Notation notation;
    private final LayerForm form;
    private final LayerTermText formulas;
    private final Map<Vertex, Double> adjoints;
    private final String loss;

    private LayerFormText(PathGraph graph, Values values, Notation notation, boolean layers) {
        this(graph, values, notation, layers, null, null);
    }

    /**
     * With {@code wrt} (element blocks only): the δs below those parameters, not the whole network's;
     * with {@code recognised}, the layer forms {@link LayerForm#of} gives for this graph and values.
     */
    private LayerFormText(PathGraph graph, Values values, Notation notation, boolean layers, List<Vertex> wrt,
                          LayerForm recognised) {
        this.graph = graph;
        this.values = values;
        this.notation = notation;
        this.form = !layers ? null : recognised != null ? recognised : LayerForm.of(graph, values);
        this.formulas = layers ? LayerTermText.of(form) : null;
        this.adjoints = values == null ? null : layers || wrt == null ? ReverseAccumulator.adjoints(graph, values)
                : ReverseAccumulator.adjointsBelow(graph, values, wrt);
        this.loss = graph.network().loss().name();
    }

    /** Whether {@code grad} should print layer forms for this network. */
    public static boolean applies(PathGraph graph) {
        return LayerForm.hasVectorParameters(graph.network());
    }

    /**
     * The report of {@code grad}: the loss, then a block per parameter (a layer form where the whole
     * vector is asked for and recognised, else the element form), then the δ definitions.
     *
     * @param values null when some value is missing: formulas only
     */
    public static String gradient(PathGraph graph, List<Vertex> wrt, Values values, Notation notation) {
        return gradient(graph, wrt, values, notation, Integer.MAX_VALUE);
    }

    /**
     * As {@link #gradient(PathGraph, List, Values, Notation)}, with at most {@code maxElementBlocks}
     * element closed forms (where no layer form is recognised); the others are counted in one line.
     * The playground uses it: 100,000 element blocks of a large network are hundreds of megabytes.
     */
    public static String gradient(PathGraph graph, List<Vertex> wrt, Values values, Notation notation, int maxElementBlocks) {
        return gradient(graph, wrt, values, notation, maxElementBlocks, null);
    }

    /**
     * As {@link #gradient(PathGraph, List, Values, Notation, int)}, with the layer forms already
     * recognised for this graph and values ({@link LayerForm#of}, or a form that is the same there:
     * {@link LayerForm#sameAt}), or null to recognise them. The playground keeps them between edits.
     */
    public static String gradient(PathGraph graph, List<Vertex> wrt, Values values, Notation notation, int maxElementBlocks,
                                  LayerForm recognised) {
        boolean layers = LayerForm.asksForAWholeParameter(graph.network(), wrt);
        return new LayerFormText(graph, values, notation, layers, wrt, recognised).text(wrt, maxElementBlocks);
    }

    private String text(List<Vertex> wrt, int maxElementBlocks) {
        StringBuilder sb = new StringBuilder();
        if (values != null) {
            sb.append(loss).append(" = ").append(Numbers.text(values.vertex(loss))).append("\n\n");
        }
        List<LayerTerm> printed = new ArrayList<>();
        ChainText chains = ChainText.pretty().definingOnce();
        int elementBlocks = 0;
        int skipped = 0;
        for (int i = 0; i < wrt.size(); ) {
            LayerForm.Group g = form == null ? null : form.wholeGroupAt(wrt, i);
            if (g != null) {
                LayerTerm term = form.gradient(g).orElseThrow();
                appendParameter(sb, g, term);
                printed.add(term);
                i += g.size();
            } else if (elementBlocks >= maxElementBlocks) {
                i++;
                skipped++;
            } else {
                elementBlocks++;
                Vertex w = wrt.get(i++);
                for (String line : chains.closedFormBlock(ClosedForm.cancelled(graph, w), loss,
                        adjoints == null ? null : adjoints.get(w), adjoints, true)) {
                    sb.append(line).append("\n");
                }
                sb.append("\n");
            }
        }
        if (skipped > 0) {
            sb.append("… and ").append(skipped).append(skipped == 1 ? " more element" : " more elements")
                    .append(" without a layer form, not shown here: follow one to see its closed form\n\n");
        }
        appendDeltas(sb, printed, chains);
        GradientReport.appendMissingValues(sb, graph.network());
        return sb.toString();
    }

    private void appendParameter(StringBuilder sb, LayerForm.Group g, LayerTerm term) {
        String lhs = "∂" + loss + "/∂" + g.name() + " = ";
        sb.append(lhs).append(formulas.print(term)).append(bookWords(term)).append("\n");
        appendStep(sb, " ".repeat(TextWidth.of(lhs) - 2) + "= ", term);
        appendNumbers(sb, " ".repeat(TextWidth.of(lhs) - 2) + "= ", g, g.name());
        sb.append("\n");
    }

    /**
     * The δs and derived functions the layer forms use, less those an element block above has
     * defined already ({@code elements}): each is defined once per output.
     */
    private void appendDeltas(StringBuilder sb, List<LayerTerm> printed, ChainText elements) {
        if (printed.isEmpty()) {
            return;
        }
        List<LayerForm.Group> used = new ArrayList<>(form.namedDeltasUsedBy(printed));
        List<chainrule.expr.UserFunction> derived = derivedFunctions(printed, used);
        used.removeIf(d -> d.isScalar() && elements.isDefined(d.elements().get(0)));
        derived.removeIf(f -> !elements.toDefine(f));
        if (used.isEmpty() && derived.isEmpty()) {
            return;
        }
        String where = "where ";
        int width = 0;
        for (LayerForm.Group d : used) {
            width = Math.max(width, TextWidth.of(formulas.delta(d)));
        }
        for (LayerForm.Group d : used) {
            String lhs = (d == used.get(0) ? where : " ".repeat(where.length()))
                    + TextWidth.pad(formulas.delta(d), width) + " = ";
            LayerTerm term = form.delta(d);
            sb.append(lhs).append("∂").append(loss).append("/∂").append(form.printedName(d)).append(bookMark(d))
                    .append(" = ").append(formulas.print(term)).append(bookWords(term)).append("\n");
            appendStep(sb, " ".repeat(TextWidth.of(lhs) - 2) + "= ", term);
            appendNumbers(sb, " ".repeat(TextWidth.of(lhs) - 2) + "= ", d, formulas.delta(d));
        }
        ChainText chains = ChainText.pretty();
        for (chainrule.expr.UserFunction f : derived) {
            sb.append(used.isEmpty() && f == derived.get(0) ? where : " ".repeat(where.length()))
                    .append(chains.definition(f)).append("\n");
        }
        sb.append("\n").append(legend(printed, used)).append("\n");
    }

    /**
     * Derivatives of the user's functions ({@code gelu_ish′}) that the printed forms and δs call:
     * the file has no definition for them, so the report gives theirs, as the scalar report does.
     */
    private List<chainrule.expr.UserFunction> derivedFunctions(List<LayerTerm> printed, List<LayerForm.Group> used) {
        List<LayerTerm> terms = new ArrayList<>(printed);
        for (LayerForm.Group d : used) {
            terms.add(form.delta(d));
        }
        java.util.Set<chainrule.expr.UserFunction> found = new java.util.LinkedHashSet<>();
        for (LayerTerm t : terms) {
            for (chainrule.expr.Expr factor : factors(t)) {
                found.addAll(ChainText.derivedFunctions(factor));
            }
        }
        return ChainText.closure(found);
    }

    /** The derivatives of the user's functions a layer term calls, transitively (see ChainText#closure). */
    public static List<chainrule.expr.UserFunction> derivedFunctions(LayerTerm t) {
        java.util.Set<chainrule.expr.UserFunction> found = new java.util.LinkedHashSet<>();
        for (chainrule.expr.Expr factor : factors(t)) {
            found.addAll(ChainText.derivedFunctions(factor));
        }
        return ChainText.closure(found);
    }

    /** The element expressions a layer term multiplies by, in reading order. */
    private static List<chainrule.expr.Expr> factors(LayerTerm t) {
        List<chainrule.expr.Expr> out = new ArrayList<>();
        LayerTerm.visit(t, new LayerTerm.Visitor<Void>() {
            @Override public Void delta(LayerTerm.Delta d) { return null; }

            @Override public Void elementwise(LayerTerm.Elementwise e) {
                out.add(e.factor());
                return LayerTerm.visit(e.rest(), this);
            }

            @Override public Void transposed(LayerTerm.Transposed x) { return LayerTerm.visit(x.rest(), this); }

            @Override public Void outer(LayerTerm.Outer o) {
                LayerTerm.visit(o.rest(), this);
                out.add(o.right());
                return null;
            }

            @Override public Void broadcast(LayerTerm.Broadcast b) {
                out.add(b.factor());
                return LayerTerm.visit(b.rest(), this);
            }

            @Override public Void softmax(LayerTerm.Softmax x) { return LayerTerm.visit(x.rest(), this); }

            @Override public Void jacobian(LayerTerm.Jacobian j) { return LayerTerm.visit(j.rest(), this); }

            @Override public Void sum(LayerTerm.Sum x) {
                x.terms().forEach(term -> LayerTerm.visit(term, this));
                return null;
            }
        });
        return out;
    }

    /**
     * The numbers of each factor of an elementwise or outer product, when they are short, so the
     * product can be followed by hand: {@code = [0.7413650696, -0.2170715347] ⊙ [0.1868156018, 0.1755100528]}.
     */
    private void appendStep(StringBuilder sb, String indent, LayerTerm term) {
        if (values == null) {
            return;
        }
        List<double[]> parts = new ArrayList<>();
        String sign;
        if (term instanceof LayerTerm.Outer o) {
            parts.add(form.evaluate(o.rest(), values));
            parts.add(form.factorValues(o.right(), o.at().shape().get(1), values));
            sign = " ⊗ ";
        } else if (term instanceof LayerTerm.Elementwise e && !e.at().isScalar()) {
            LayerTerm t = e;
            while (t instanceof LayerTerm.Elementwise x) {
                if (x.factor() != chainrule.expr.Exprs.ONE) {
                    parts.add(form.factorValues(x.factor(), x.at().size(), values));
                }
                t = x.rest() instanceof LayerTerm.Delta d && !form.isNamed(d.group()) ? inlined(d) : x.rest();
            }
            if (t != null) {
                parts.add(form.evaluate(t, values));
            }
            java.util.Collections.reverse(parts); // in the order the formula is written: the δ from above first
            sign = " ⊙ ";
        } else {
            return;
        }
        StringBuilder shown = new StringBuilder();
        int vectorSize = 0;
        for (double[] p : parts) {
            vectorSize = Math.max(vectorSize, p.length);
        }
        boolean previousScalar = false;
        for (int i = 0; i < parts.size(); i++) {
            double[] p = parts.get(i);
            if (p.length > STEP_VECTOR) {
                return;
            }
            // a scalar (δ of a scalar, lambda) is written as a number, with the scalar product sign
            boolean scalar = p.length == 1 && vectorSize > 1;
            if (i > 0) {
                shown.append(scalar || previousScalar ? "·" : sign);
            }
            shown.append(scalar ? Numbers.rounded(p[0], DIGITS) : list(p, 0, p.length));
            previousScalar = scalar;
        }
        if (parts.size() > 1) {
            sb.append(indent).append(shown).append("\n");
        }
    }

    /** What a δ written out in place stands for; null for the loss's δ, which is 1. */
    private LayerTerm inlined(LayerTerm.Delta d) {
        return d.group() == form.loss() ? null : form.delta(d.group());
    }

    /** In book notation, the formula again in the book's words: {@code   ((웨ᵀ δ(o.in)) ⊙ 액)}. */
    private String bookWords(LayerTerm term) {
        if (notation != Notation.BOOK) {
            return "";
        }
        String words = formulas.bookWords().print(term);
        return words.equals(formulas.print(term)) ? "" : "      (" + words + ")";
    }

    private String bookMark(LayerForm.Group g) {
        if (notation != Notation.BOOK) {
            return "";
        }
        String mark = Notation.bookMark(graph, g.elements().get(0));
        return mark.isEmpty() || Notation.namedAs(g.name(), mark) ? "" : "(" + mark + ")";
    }

    /** What the symbols mean, once, for the forms that use them. */
    private String legend(List<LayerTerm> printed, List<LayerForm.Group> used) {
        StringBuilder all = new StringBuilder();
        for (LayerTerm t : printed) {
            all.append(formulas.print(t));
        }
        for (LayerForm.Group d : used) {
            all.append(formulas.print(form.delta(d)));
        }
        List<String> parts = new ArrayList<>();
        parts.add("δ(name) = ∂" + loss + "/∂name");
        if (all.indexOf("⊙") >= 0) {
            parts.add("⊙ multiplies element by element");
        }
        if (all.indexOf("⊗") >= 0) {
            parts.add("(a ⊗ b)[i,j] = a[i]·b[j]");
        }
        if (all.indexOf("ᵀ") >= 0) {
            parts.add("Aᵀ is A transposed");
        }
        if (all.indexOf("(∂") >= 0) {
            parts.add("∂a/∂b is the matrix of ∂a[j]/∂b[k]");
        }
        if (all.indexOf("⟨") >= 0) {
            parts.add("⟨a, b⟩ = Σᵢ a[i]·b[i]");
        }
        for (LayerForm.Group y : form.summedGroupsUsed()) {
            if (all.indexOf("Σ" + y.name()) >= 0) {
                // softmax with cross-entropy against a target that need not sum to 1: p·Σy − y
                // with the number it stands for where the target's values are given: Σy = Σᵢ y[i] = 9/5
                chainrule.expr.Num sum = ClosedForm.givenSum(graph, y.elements());
                parts.add("Σ" + y.name() + " = Σᵢ " + y.name() + "[i]"
                        + (sum == null ? "" : " = " + chainrule.expr.TextPrinter.pretty().print(sum)));
            }
        }
        form.unitSumSoftmaxOutputs().forEach((y, p) -> {
            // Softmax with cross-entropy is p·Σy − y; it reads p − y only because Σy = 1 here.
            parts.add("softmax with cross-entropy gives " + p.name() + " - " + y.name() + " as " + y.name() + "'s values sum to 1");
        });
        form.logSoftmaxUnitSumTargetsUsed().forEach((y, z) -> parts.add("log_softmax with the negative log-likelihood gives softmax("
                + z.name() + ") - " + y.name() + " as " + y.name() + "'s values sum to 1"));
        form.softmaxCrossEntropyUnitSumTargetsUsed().forEach((y, z) -> parts.add("softmax with cross-entropy gives softmax("
                + z.name() + ") - " + y.name() + " as " + y.name() + "'s values sum to 1"));
        return String.join("; ", parts) + "\n";
    }

    /** The value line(s) of a group's gradient or δ, when there are values. */
    private void appendNumbers(StringBuilder sb, String indent, LayerForm.Group g, String name) {
        if (adjoints == null) {
            return;
        }
        double[] v = new double[g.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = adjoints.get(g.elements().get(k));
        }
        String pad = " ".repeat(TextWidth.of(indent));
        List<String> lines = numberLines(g, v, name);
        for (int k = 0; k < lines.size(); k++) {
            sb.append(k == 0 ? indent : pad).append(lines.get(k)).append("\n");
        }
    }

    /**
     * A scalar as itself; a short vector or a small matrix listed (a matrix one row a line); anything
     * larger summarised by its extremes and norm, with its first few elements.
     */
    static List<String> numberLines(LayerForm.Group g, double[] v, String name) {
        List<String> lines = new ArrayList<>();
        if (g.isScalar()) {
            lines.add(Numbers.text(v[0]));
        } else if (g.shape().size() == 1 && v.length <= LISTED_VECTOR) {
            lines.add(list(v, 0, v.length));
        } else if (g.shape().size() == 2 && g.shape().get(0) <= LISTED_ROWS && g.shape().get(1) <= LISTED_COLUMNS) {
            int rows = g.shape().get(0);
            int columns = g.shape().get(1);
            for (int r = 0; r < rows; r++) {
                String row = list(v, r * columns, columns);
                lines.add((r == 0 ? "[" : " ") + row + (r == rows - 1 ? "]" : ","));
            }
        } else {
            lines.add(summary(g, v, name));
        }
        return lines;
    }

    private static String list(double[] v, int from, int count) {
        List<String> parts = new ArrayList<>();
        for (int k = from; k < from + count; k++) {
            parts.add(Numbers.rounded(v[k], DIGITS));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static String summary(LayerForm.Group g, double[] v, String name) {
        VectorSummary s = VectorSummary.of(v);
        StringBuilder sb = new StringBuilder();
        sb.append(g.shapeText()).append(" values: min ").append(Numbers.rounded(v[s.min()], 6)).append(" at ")
                .append(elementName(g, name, s.min())).append(", max ").append(Numbers.rounded(v[s.max()], 6))
                .append(" at ").append(elementName(g, name, s.max())).append(", norm ")
                .append(Numbers.rounded(s.norm(), 6)).append("; ");
        List<String> first = new ArrayList<>();
        for (int k = 0; k < Math.min(SHOWN_ELEMENTS, v.length); k++) {
            first.add(elementName(g, name, k) + " = " + Numbers.rounded(v[k], DIGITS));
        }
        return sb.append(String.join(", ", first)).append(", …").toString();
    }

    /** {@code W1[1,2]}, or {@code δ(h.in)[3]} for a δ. */
    private static String elementName(LayerForm.Group g, String name, int k) {
        StringBuilder sb = new StringBuilder(name).append('[');
        List<Integer> index = g.elements().get(k).index();
        for (int i = 0; i < index.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(index.get(i));
        }
        return sb.append(']').toString();
    }
}
