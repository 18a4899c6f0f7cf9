package chainrule.latex;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Numbers;
import chainrule.expr.Sym;
import chainrule.expr.VectorElement;
import chainrule.graph.PathEdges;
import chainrule.model.Vertex;
import chainrule.paths.ClosedForm;
import chainrule.paths.Edge;
import chainrule.paths.LayerForm;
import chainrule.paths.LayerTerm;
import chainrule.paths.Path;
import chainrule.paths.PathEnumerator;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Role;
import chainrule.paths.Values;
import chainrule.print.ChainText;
import chainrule.print.LatexNames;
import chainrule.print.LatexPrinter;
import chainrule.print.LatexText;
import chainrule.print.Notation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The derivation a teaching assistant writes for ∂loss/∂w, as LaTeX: the network's forward
 * definitions (with the numbers substituted where values are known), the local derivative on each
 * edge with its role, every path from w to the loss as a labelled product, the closed form
 * factored with shared δ terms, and the value step by step. With several parameters, each δ term is
 * defined once, where it is first used, and reused after.
 *
 * <p>The output is a complete document (article + amsmath, and kotex only when Hangul occurs) or
 * an {@code align*} fragment. Every name goes through {@link LatexNames}, every text through
 * {@link LatexText}, so nothing a user writes reaches LaTeX unmapped.
 */
public final class LatexDerivation {
    /** Significant digits of the numbers inside a step (factor values, substituted names). */
    static final int FACTOR_DIGITS = 6;
    /** Estimated characters per line before a formula is broken. */
    static final int WIDTH = 60;

    private final PathGraph graph;
    private final Values values;
    private final Notation notation;
    private final long maxPaths;
    private final Blocks out = new Blocks();
    private final Set<Vertex> definedDeltas = new HashSet<>();
    private final Map<Vertex, Double> deltaValues = new HashMap<>();
    /** Derivatives of the user's functions ({@code swish'}) the document uses: it defines them at the end. */
    private final Set<chainrule.expr.UserFunction> derived = new LinkedHashSet<>();

    private LatexDerivation(PathGraph graph, Values values, Notation notation, long maxPaths) {
        this.graph = graph;
        this.values = values;
        this.notation = notation;
        this.maxPaths = maxPaths;
    }

    /**
     * The derivation of ∂loss/∂w for each w of {@code wrt}.
     *
     * @param values   the evaluation, or null when some value is missing (formulas only)
     * @param title    what the derivation is of, usually the file name (escaped here)
     * @param maxPaths the most paths listed per parameter; the count is always exact
     * @param fragment an {@code align*} block instead of a whole document
     */
    public static String of(PathGraph graph, List<Vertex> wrt, Values values, Notation notation, String title,
                            long maxPaths, boolean fragment) {
        LatexDerivation d = new LatexDerivation(graph, values, notation, maxPaths);
        d.network(title);
        LayerForm layers = LayerForm.hasVectorParameters(graph.network())
                && LayerForm.asksForAWholeParameter(graph.network(), wrt) ? LayerForm.of(graph, values) : null;
        List<LayerForm.Group> layered = new ArrayList<>();
        List<Vertex> elements = new ArrayList<>();
        for (int i = 0; i < wrt.size(); ) {
            LayerForm.Group g = layers == null ? null : layers.wholeGroupAt(wrt, i);
            if (g != null) {
                layered.add(g);
                i += g.size();
            } else {
                elements.add(wrt.get(i++));
            }
        }
        d.localDerivatives(elements);
        if (!layered.isEmpty()) {
            d.layers(layers, layered);
        }
        for (Vertex w : elements) {
            d.parameter(w);
        }
        d.derivedFunctions();
        return fragment ? d.out.fragment() : d.out.document();
    }

    private String loss() { return LatexNames.name(graph.network().loss().name()); }

    private static String partial(String of, String by) {
        return "\\frac{\\partial " + of + "}{\\partial " + by + "}";
    }

    private static String eq() { return LatexPrinter.BREAK + " = "; }

    private static String result(double v) { return LatexPrinter.number(Numbers.text(v)); }

    private static String label(String text) { return "\\text{" + LatexText.escape(text) + "}"; }

    /**
     * A vector longer than this is summarised: its given values in one line, its forward rows as
     * the first {@link #SHOWN_ROWS} and a note. A 784-128-10 network written out in full is
     * 100,000 values and 51,000 lines of sums, more than pdflatex's memory holds and more than
     * a reader wants; the element sums all have the same shape, so two of them show it.
     */
    static final int LONG_VECTOR = 12;
    static final int SHOWN_ROWS = 2;

    /** The forward definitions, each followed by its numbers and value when they are known. */
    private void network(String title) {
        out.heading("Network \\texttt{" + LatexText.escape(title) + "}");
        Map<String, List<Vertex>> groups = new java.util.LinkedHashMap<>();
        for (Vertex v : graph.vertices()) {
            groups.computeIfAbsent(v.group().name(), k -> new ArrayList<>()).add(v);
        }
        if (values != null) {
            List<String> given = new ArrayList<>();
            for (List<Vertex> group : groups.values()) {
                List<Vertex> known = new ArrayList<>();
                for (Vertex v : group) {
                    if (v.kind().isDeclared() && graph.network().values().containsKey(v.name())) {
                        known.add(v);
                    }
                }
                if (known.size() > LONG_VECTOR) {
                    given.add(summary(known.get(0).group().name(), known));
                } else {
                    for (Vertex v : known) {
                        given.add("$" + LatexNames.name(v.name()) + " = " + result(values.vertex(v.name())) + "$");
                    }
                }
            }
            // one value per source line: pdflatex reads a line into a fixed buffer (200,000 bytes)
            out.raggedParagraph("Given " + String.join(",\n", given) + ", the forward pass:");
        }
        LatexPrinter symbolic = LatexPrinter.breakable();
        LatexPrinter substituted = values == null ? null : LatexPrinter.withValues(values.vertices());
        for (List<Vertex> group : groups.values()) {
            int shown = 0;
            for (Vertex v : group) {
                if (v.definition() == null) {
                    continue;
                }
                if (group.size() > LONG_VECTOR && shown == SHOWN_ROWS) {
                    out.paragraph("\\ldots\\ and " + (group.size() - SHOWN_ROWS) + " more elements of $"
                            + LatexNames.vector(v.group().name()) + "$, defined the same way.");
                    break;
                }
                shown++;
                // long reductions as their calls, a shared one's row named by its call (mean(w), not L.mean)
                Expr definition = graph.printedDefinition(v);
                StringBuilder rhs = new StringBuilder("= ").append(symbolic.print(definition));
                if (values != null) {
                    appendNumbers(rhs, substituted, definition, values.vertex(v.name()));
                }
                String mark = notation == Notation.BOOK ? Notation.bookMark(graph, v) : "";
                Expr called = graph.printedForm(v.symbol());
                String name = called != v.symbol() && called instanceof Sym c
                        ? LatexPrinter.folded(c).orElse(LatexNames.name(v.name())) : LatexNames.name(v.name());
                out.row(name, rhs.toString(), mark.isEmpty() ? null : label(mark));
            }
        }
    }

    /** A long vector's given values in one phrase: the common value, or the range. */
    private String summary(String base, List<Vertex> known) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Vertex v : known) {
            double x = values.vertex(v.name());
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        String name = "$" + LatexNames.vector(base) + "$";
        String count = known.size() + " values";
        return min == max ? name + " (" + count + ", each $" + result(min) + "$)"
                : name + " (" + count + " from $" + result(min) + "$ to $" + result(max) + "$)";
    }

    /**
     * {@code = numbers = value} after a formula: the numbers only when the formula has an operator
     * (a lone name's number is its value), the value only when the formula is not a number itself.
     */
    private static void appendNumbers(StringBuilder rhs, LatexPrinter substituted, Expr formula, double value) {
        if (formula instanceof Num) {
            return;
        }
        rhs.append(eq()).append(formula instanceof Sym ? result(value) : numbersThenValue(substituted.print(formula), value));
    }

    private static final java.util.regex.Pattern ONE_NUMBER = java.util.regex.Pattern.compile(
            "-?[0-9.]+(?: \\\\times 10\\^\\{-?[0-9]+\\})?");

    /**
     * {@code numbers = value}, or the value alone when the numbers are one number already: a
     * one-factor path or a δ that is a single factor would otherwise read {@code = -2.54058 =
     * -2.54058310674} or {@code = 0 = 0}.
     */
    static String numbersThenValue(String numbers, double value) {
        String bare = numbers.replace(String.valueOf(LatexPrinter.BREAK), "").replace("\\left(", "")
                .replace("\\right)", "").replace("{", "").replace("}", "").strip();
        if (ONE_NUMBER.matcher(bare).matches()) {
            return result(value);
        }
        return numbers + eq() + result(value);
    }

    /** The local derivative on every edge that lies on a path from one of {@code wrt} to the loss. */
    private void localDerivatives(List<Vertex> wrt) {
        Set<Edge> edges = new LinkedHashSet<>();
        for (Vertex w : wrt) {
            edges.addAll(PathEdges.from(graph, w));
        }
        if (edges.isEmpty()) {
            return;
        }
        out.heading("Local derivatives");
        LatexPrinter symbolic = LatexPrinter.breakable();
        LatexPrinter substituted = values == null ? null : LatexPrinter.withValues(values.vertices());
        for (Vertex v : graph.pathVertices()) {
            for (Edge e : graph.pathOutgoing(v)) { // the spec's edges: no shared reduction's
                if (!edges.contains(e)) {
                    continue;
                }
                StringBuilder rhs = new StringBuilder("= ");
                String factor = symbolic.print(e.printedFactor());
                derived.addAll(ChainText.derivedFunctions(e.printedFactor()));
                if (e.role() == Role.ACTIVATION && e.to().definition() instanceof Apply call
                        && !(call.fn() instanceof VectorElement)) { // softmax′ has no one-argument prime form
                    String primed = symbolic.primedCall(call);
                    if (!primed.equals(factor)) {
                        rhs.append(primed).append(eq()); // σ′(net) = out(1 − out)
                    }
                }
                rhs.append(factor);
                if (values != null) {
                    appendNumbers(rhs, substituted, e.printedFactor(), values.of(e));
                }
                out.row(partial(LatexNames.name(e.to().name()), LatexNames.name(e.from().name())), rhs.toString(),
                        label(notation.role(e.role(), graph.network().loss().name())));
            }
        }
    }

    private static String softmaxOf(LayerForm.Group z) {
        return "\\operatorname{softmax}\\mathopen{}\\left(" + LatexLayerTerm.wholeName(z) + "\\right)";
    }

    /**
     * Backpropagation by layers for whole vector parameters: each gradient as the textbook writes
     * it ({@code \delta^{(h)} \otimes x}), then each δ it uses, from the loss back, with the numbers
     * (computed by reverse accumulation, which the layer forms were checked against).
     */
    private void layers(LayerForm form, List<LayerForm.Group> parameters) {
        LatexLayerTerm formulas = new LatexLayerTerm(form);
        Map<Vertex, Double> adjoints = values == null ? null : ReverseAccumulator.adjoints(graph, values);
        out.heading("Backpropagation by layers");
        StringBuilder sums = new StringBuilder();
        for (LayerForm.Group y : form.summedGroupsUsed()) {
            // softmax with cross-entropy against a target that need not sum to 1: p Σy − y
            String v = LatexLayerTerm.wholeName(y);
            chainrule.expr.Num given = ClosedForm.givenSum(graph, y.elements());
            sums.append(", $\\Sigma ").append(v).append(" = \\sum_i ").append(v).append("_i")
                    .append(given == null ? "" : " = " + LatexPrinter.latex().print(given)).append("$");
        }
        StringBuilder unitSums = new StringBuilder();
        // p − y holds only because the target's given values sum to 1: say so, as the text does
        form.unitSumSoftmaxOutputs().forEach((y, p) -> unitSums.append(" Softmax with cross-entropy gives $")
                .append(LatexLayerTerm.wholeName(p)).append(" - ").append(LatexLayerTerm.wholeName(y))
                .append("$ as the values of $").append(LatexLayerTerm.wholeName(y)).append("$ sum to 1."));
        form.softmaxCrossEntropyUnitSumTargetsUsed().forEach((y, z) -> unitSums.append(" Softmax with cross-entropy gives $")
                .append(softmaxOf(z)).append(" - ").append(LatexLayerTerm.wholeName(y))
                .append("$ as the values of $").append(LatexLayerTerm.wholeName(y)).append("$ sum to 1."));
        form.logSoftmaxUnitSumTargetsUsed().forEach((y, z) -> unitSums.append(" $\\operatorname{log\\_softmax}$ with the negative log-likelihood gives $")
                .append(softmaxOf(z)).append(" - ").append(LatexLayerTerm.wholeName(y))
                .append("$ as the values of $").append(LatexLayerTerm.wholeName(y)).append("$ sum to 1."));
        out.paragraph("$\\odot$ multiplies element by element, $(a \\otimes b)_{ij} = a_i b_j$, "
                + "$A^{\\top}$ is $A$ transposed" + sums + ", and $\\delta^{(v)} = \\partial " + loss() + "/\\partial v$." + unitSums);
        List<LayerTerm> terms = new ArrayList<>();
        for (LayerForm.Group g : parameters) {
            LayerTerm term = form.gradient(g).orElseThrow();
            terms.add(term);
            derived.addAll(chainrule.print.LayerFormText.derivedFunctions(term));
            layerRow(partial(loss(), LatexLayerTerm.wholeName(g)), formulas.print(term), g, adjoints,
                    bookWords(formulas, term, ""));
        }
        List<LayerForm.Group> deltas = form.namedDeltasUsedBy(terms);
        if (!deltas.isEmpty()) {
            out.paragraph("where, from the loss back:");
        }
        for (LayerForm.Group d : deltas) {
            derived.addAll(chainrule.print.LayerFormText.derivedFunctions(form.delta(d)));
            String mark = notation == Notation.BOOK ? Notation.bookMark(graph, d.elements().get(0)) : "";
            layerRow(formulas.delta(d), partial(loss(), formulas.printedName(d)) + eq() + formulas.print(form.delta(d)),
                    d, adjoints, bookWords(formulas, form.delta(d), mark));
        }
    }

    /**
     * In book notation, the label of a layer row: the node's mark ({@code 들}) and the formula
     * again in the book's words, {@code (\text{액} \odot \partial L/\partial \text{나})}, as
     * the text report writes them; null otherwise.
     */
    private String bookWords(LatexLayerTerm formulas, LayerTerm term, String mark) {
        if (notation != Notation.BOOK) {
            return null;
        }
        String words = formulas.bookWords().print(term).replace(String.valueOf(LatexPrinter.BREAK), "");
        String same = formulas.print(term).replace(String.valueOf(LatexPrinter.BREAK), "");
        String shown = words.equals(same) ? "" : "\\left(" + words + "\\right)";
        String labelled = mark.isEmpty() ? shown : label(mark) + (shown.isEmpty() ? "" : "\\ " + shown);
        return labelled.isEmpty() ? null : labelled;
    }

    private void layerRow(String lhs, String formula, LayerForm.Group g, Map<Vertex, Double> adjoints, String label) {
        StringBuilder rhs = new StringBuilder("= ").append(formula);
        if (adjoints != null) {
            double[] v = new double[g.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = adjoints.get(g.elements().get(k));
            }
            rhs.append(eq()).append(LatexLayerTerm.numbers(g, v));
        }
        out.row(lhs, rhs.toString(), label);
    }

    /** The section of one parameter: its paths, their sum, the factored form, the numbers. */
    private void parameter(Vertex w) {
        String wName = LatexNames.name(w.name());
        String lhs = partial(loss(), wName);
        out.heading("The derivative $\\partial " + loss() + "/\\partial " + wName + "$");
        BigInteger count = graph.pathCount(w);
        List<Path> paths = PathEnumerator.first(graph, w, maxPaths);
        String counted = count + (count.equals(BigInteger.ONE) ? " path leads" : " paths lead");
        String shown = paths.size() < count.longValue() || count.bitLength() > 62
                ? " (the first " + paths.size() + " are listed)" : "";
        out.paragraph(counted + " from $" + wName + "$ to $" + loss() + "$" + shown
                + "; each contributes the product of the local derivatives along it.");
        int k = 1;
        for (Path p : paths) {
            pathRows(p, k++);
        }
        if (values != null && paths.size() > 1 && shown.isEmpty()) {
            sumRow(lhs, paths);
        }
        closedForm(lhs, ClosedForm.cancelled(graph, w));
    }

    private void pathRows(Path p, int index) {
        List<String> route = new ArrayList<>();
        for (Vertex v : p.vertices()) {
            route.add(LatexNames.name(v.name()));
        }
        out.paragraph("Path " + index + ": $" + String.join(" \\to ", route) + "$");
        ChainText factors = LatexChain.symbolic();
        List<String> labelled = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        for (Edge e : p.edges()) {
            labelled.add("\\underbrace{" + factors.factorText(e.printedFactor(), true) + "}_{" + label(notation.role(e.role(), graph.network().loss().name())) + "}");
            if (values != null) {
                numbers.add(LatexChain.value(values.of(e), true));
            }
        }
        String times = LatexPrinter.BREAK + " \\cdot ";
        out.row("P_{" + index + "}", "= " + String.join(times, labelled), null);
        if (values != null) {
            // The numbers start a line of their own, under the formulas they replace.
            out.row("", "= " + numbersThenValue(String.join(times, numbers), p.value(values)), null);
        }
    }

    private void sumRow(String lhs, List<Path> paths) {
        List<String> names = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < paths.size(); i++) {
            names.add("P_{" + (i + 1) + "}");
            double v = paths.get(i).value(values);
            numbers.add(LatexChain.value(v, true));
            sum += v;
        }
        String plus = LatexPrinter.BREAK + " + ";
        out.paragraph("Summed over the paths:");
        out.row(lhs, "= " + String.join(plus, names) + eq() + String.join(plus, numbers) + eq() + result(sum), null);
    }

    /**
     * The definitions of the derivatives of the user's functions the document uses ({@code swish'},
     * {@code \partial_1 g}), which the file does not have, and of those their definitions use, each once.
     */
    private void derivedFunctions() {
        List<chainrule.expr.UserFunction> all = ChainText.closure(derived);
        if (all.isEmpty()) {
            return;
        }
        out.paragraph(all.size() == 1 ? "The derivative of the file's function used above:"
                : "The derivatives of the file's functions used above:");
        LatexPrinter symbolic = LatexPrinter.breakable();
        for (chainrule.expr.UserFunction f : all) {
            out.row(symbolic.print(chainrule.expr.Exprs.apply(f, new ArrayList<Expr>(f.params()))),
                    "= " + symbolic.print(f.body()), null);
        }
    }

    /** What a form that writes softmax with cross-entropy as {@code p - y} relies on, as the text says it. */
    private static final String UNIT_SUM_NOTE = "This form uses that the target's given values sum to 1 (softmax with cross-entropy as $p - y$).";

    /**
     * What a form written with a target's given values relies on: {@link #UNIT_SUM_NOTE} for a sum
     * of 1, else the sum Σy stands for ({@code 9·p[k]/5 - y[k]} as the values sum to 9/5).
     */
    private static String targetSumNote(chainrule.expr.Num sum) {
        return sum.isOne() ? UNIT_SUM_NOTE : "This form uses that the target's given values sum to $"
                + LatexPrinter.breakable().print(sum) + "$ (softmax with cross-entropy as $p \\, \\Sigma y - y$).";
    }

    /** The given target sum a form's chain relies on, its shared δs included (a large network's), or null. */
    private static chainrule.expr.Num chainTargetSum(ClosedForm form) {
        if (form.chainTargetSum() != null || !form.sharesDeltas()) {
            return form.chainTargetSum();
        }
        for (chainrule.paths.Chain c : form.deltas().values()) {
            chainrule.expr.Num sum = ClosedForm.targetSumBehind(c);
            if (sum != null) {
                return sum;
            }
        }
        return null;
    }

    /** The factored closed form, the δ terms it introduces, and its value step by step. */
    private void closedForm(String lhs, ClosedForm form) {
        LatexChain symbolic = LatexChain.symbolic();
        out.paragraph("Factored, each common factor written once:");
        out.row(lhs, "= " + symbolic.print(form.chain()), null);
        if (form.simplified() == null && chainTargetSum(form) != null) {
            out.paragraph(targetSumNote(chainTargetSum(form)));
        }
        if (form.simplified() != null) {
            out.paragraph("Simplified (common factors cancelled):");
            out.row(lhs, "= " + LatexPrinter.breakable().print(form.simplified()), null);
            derived.addAll(ChainText.derivedFunctions(form.simplified()));
            if (form.simplifiedTargetSum() != null) {
                out.paragraph(targetSumNote(form.simplifiedTargetSum()));
            }
        }
        List<Vertex> fresh = new ArrayList<>();
        for (Vertex v : form.deltas().keySet()) {
            if (definedDeltas.add(v)) {
                fresh.add(v);
            }
        }
        // Nearest the loss first, as backpropagation computes them; within a layer in forward
        // order (δ_{o1} before δ_{o2}), as the text report and the reader's eye go.
        fresh.sort(java.util.Comparator.comparingInt(v -> stepsToLoss(v, stepsToLoss)));
        if (!fresh.isEmpty()) {
            out.paragraph("where each $\\delta$ is the derivative of the loss with respect to a node, "
                    + "computed from the loss back:");
        }
        for (Vertex v : fresh) {
            String name = chainrule.paths.FoldedReductions.callOf(v).flatMap(LatexPrinter::folded)
                    .orElseGet(() -> LatexNames.name(v.name()));
            String formula = symbolic.print(form.deltas().get(v));
            StringBuilder rhs = new StringBuilder("= ").append(partial(loss(), name)).append(eq()).append(formula);
            if (values != null) {
                double value = new ClosedForm(v, form.deltas().get(v), form.deltas()).value(values);
                String numbers = numbersThenValue(LatexChain.numeric(values, deltaValues).print(form.deltas().get(v)), value);
                if (!numbers.equals(formula)) { // \delta_z = ∂E/∂z = 1, not 1 = 1
                    rhs.append(eq()).append(numbers);
                }
                deltaValues.put(v, value);
            }
            out.row(LatexNames.delta(v), rhs.toString(), null);
        }
        if (values != null) {
            out.paragraph("Numerically:");
            out.row(lhs, "= " + numbersThenValue(LatexChain.numeric(values, deltaValues).print(form.chain()),
                    form.value(values)), null);
        }
    }

    private final Map<Vertex, Integer> stepsToLoss = new java.util.HashMap<>();

    /** The most edges on a path from {@code v} to the loss: 0 for the loss, 1 for what feeds it, … */
    private int stepsToLoss(Vertex v, Map<Vertex, Integer> memo) {
        Integer known = memo.get(v);
        if (known != null) {
            return known;
        }
        int most = 0;
        for (Edge e : graph.outgoing(v)) {
            most = Math.max(most, 1 + stepsToLoss(e.to(), memo));
        }
        memo.put(v, most);
        return most;
    }

    /**
     * How many display lines {@code rows} take, for {@link #PAGE_LINES}: a line with a fraction is
     * counted twice, as it is about twice as tall (a block of 30 rows of {@code \frac{∂…}{∂…}} kept
     * on one page ran 255pt off it).
     */
    static int height(String rows) {
        int n = 0;
        for (String line : rows.split("\n", -1)) {
            n += line.contains("\\frac") ? 2 : 1;
        }
        return n;
    }

    /** Display lines that fit on a page of the document (11pt article, with room for a heading). */
    static final int PAGE_LINES = 24;

    /** The output so far, as headings, paragraphs and rows of {@code align*}. */
    private static final class Blocks {
        private final List<String> documentParts = new ArrayList<>();
        private final List<String> fragmentLines = new ArrayList<>();
        private final List<String> pendingRows = new ArrayList<>();

        void heading(String latex) {
            flush();
            documentParts.add("\\section*{" + latex + "}");
            fragmentLines.add("\\intertext{\\textbf{" + latex + "}}");
        }

        void paragraph(String latex) {
            flush();
            documentParts.add(latex);
            fragmentLines.add("\\intertext{" + latex + "}");
        }

        /**
         * A paragraph set ragged right: a list of formulas such as the given values has few spaces
         * to stretch, so justified it would leave lines sticking out into the margin.
         */
        void raggedParagraph(String latex) {
            flush();
            documentParts.add("{\\raggedright " + latex + "\\par}");
            fragmentLines.add("\\intertext{\\raggedright " + latex + "}");
        }

        /** {@code lhs &= rhs && label}, broken across lines where the rhs is long. */
        void row(String lhs, String rhs, String label) {
            int labelWidth = label == null ? 0 : LineBreaker.width(label) + 4;
            List<String> lines = LineBreaker.lines(rhs, WIDTH - labelWidth - Math.min(LineBreaker.width(lhs), WIDTH / 3));
            StringBuilder sb = new StringBuilder(lhs).append(" &").append(lines.get(0));
            if (label != null) {
                sb.append(" && ").append(label);
            }
            // \\* : never a page break inside one equation — unless the equation is longer than a
            // page (the 875-term sum of a variance), which must break somewhere
            String between = height(String.join("\n", lines)) > 2 * PAGE_LINES ? " \\\\\n  &" : " \\\\*\n  &";
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                sb.append(between).append(line.startsWith("=") ? "" : "\\quad ").append(line);
            }
            pendingRows.add(sb.toString());
            fragmentLines.add(sb.toString());
        }

        /**
         * One {@code align*}. A block that fits on a page is kept on one page ({@code \\*} between its
         * rows); a longer one may break between equations, never inside one.
         */
        private void flush() {
            if (!pendingRows.isEmpty()) {
                int lines = 0;
                for (String row : pendingRows) {
                    lines += height(row);
                }
                String between = lines <= PAGE_LINES ? " \\\\*\n" : " \\\\\n";
                documentParts.add("\\begin{align*}\n" + String.join(between, pendingRows) + "\n\\end{align*}");
                pendingRows.clear();
            }
        }

        String document() {
            flush();
            String body = String.join("\n\n", documentParts);
            return "\\documentclass[11pt]{article}\n"
                    + "\\usepackage{amsmath}\n"
                    + (LatexText.containsHangul(body) ? "\\usepackage{kotex}\n" : "")
                    + "\\allowdisplaybreaks\n\\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.5\\baselineskip}\n"
                    + "\\begin{document}\n\n" + body + "\n\n\\end{document}\n";
        }

        /** One {@code align*}: a row ends with {@code \\} before what follows, an {@code \intertext} does not. */
        String fragment() {
            StringBuilder sb = new StringBuilder("\\begin{align*}\n");
            for (int i = 0; i < fragmentLines.size(); i++) {
                if (i > 0) {
                    sb.append(fragmentLines.get(i - 1).startsWith("\\intertext") ? "\n" : " \\\\\n");
                }
                sb.append(fragmentLines.get(i));
            }
            return sb.append("\n\\end{align*}\n").toString();
        }
    }
}
