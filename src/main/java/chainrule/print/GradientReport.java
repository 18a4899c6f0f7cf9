package chainrule.print;

import chainrule.expr.Numbers;
import chainrule.expr.TextPrinter;
import chainrule.model.Vertex;
import chainrule.paths.ClosedForm;
import chainrule.paths.PathGraph;
import chainrule.paths.ReverseAccumulator;
import chainrule.paths.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code chainrule grad} prints: per parameter, the factored closed form of ∂loss/∂w and its
 * value (computed by reverse accumulation, and equal to the closed form's). In a large network
 * ({@link ClosedForm#sharesDeltas()}) the forms refer to δs shared between parameters, which are
 * defined once after all of them (text) or in a {@code "deltas"} object (JSON).
 *
 * @param values null when some value is missing: formulas only
 */
public record GradientReport(PathGraph graph, List<Vertex> wrt, Values values) {

    /** Closed forms past this size are given in factored form with named δs instead of expanded. */
    static final long MAX_EXPANDED_SIZE = 4000;

    public String text() {
        return text(Notation.DEFAULT);
    }

    /** The text; a network with vector parameters gets layer forms ({@link LayerFormText}). */
    public String text(Notation notation) {
        if (LayerFormText.applies(graph)) {
            return LayerFormText.gradient(graph, wrt, values, notation);
        }
        StringBuilder sb = new StringBuilder();
        Vertex loss = graph.network().loss();
        if (values != null) {
            sb.append(loss.name()).append(" = ").append(Numbers.text(values.vertex(loss.name()))).append("\n\n");
        }
        // the δs below the parameters asked for: every δ a closed form of one of them mentions
        Map<Vertex, Double> adjoints = values == null ? null : ReverseAccumulator.adjointsBelow(graph, values, wrt);
        ChainText chains = ChainText.pretty().definingOnce();
        List<ClosedForm> shared = new ArrayList<>();
        for (Vertex w : wrt) {
            ClosedForm form = ClosedForm.cancelled(graph, w);
            Double value = adjoints == null ? null : adjoints.get(w);
            if (form.sharesDeltas()) {
                // A large network: the δs are shared by many forms, so they are defined once, below.
                shared.add(form);
                chains.formulaLines(form, loss.name(), value).forEach(line -> sb.append(line).append("\n"));
                continue;
            }
            for (String line : chains.closedFormBlock(form, loss.name(), value, adjoints, true)) {
                sb.append(line).append("\n");
            }
            sb.append("\n");
        }
        if (!shared.isEmpty()) {
            sb.append("\n");
            for (String line : chains.deltaLines(ClosedForm.deltasOf(graph, shared), loss.name(), adjoints, "  where ")) {
                sb.append(line).append("\n");
            }
            sb.append("\n");
        }
        appendMissingValues(sb, graph.network());
        return sb.toString();
    }

    /**
     * Where values are missing, says which, so formulas without numbers do not look like a bug
     * (LANGUAGE.md: commands say which names are missing).
     */
    static void appendMissingValues(StringBuilder sb, chainrule.model.Network network) {
        List<String> missing = missingNames(network);
        if (!missing.isEmpty()) {
            sb.append("no numbers: ").append(String.join(", ", missing))
                    .append(missing.size() == 1 ? " has" : " have")
                    .append(" no value (give values in the file or with --set NAME=VALUE)\n");
        }
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        Vertex loss = graph.network().loss();
        Map<String, Object> lossObject = new LinkedHashMap<>();
        lossObject.put("name", loss.name());
        if (values != null) {
            lossObject.put("value", values.vertex(loss.name()));
        }
        out.put("loss", lossObject);
        if (values != null) {
            Map<Vertex, Double> all = ReverseAccumulator.adjointsBelow(graph, values, wrt);
            Map<String, Object> gradient = new LinkedHashMap<>();
            for (Vertex w : wrt) {
                gradient.put(w.name(), all.get(w));
            }
            out.put("gradient", gradient);
        }
        Map<String, Object> formulas = new LinkedHashMap<>();
        List<ClosedForm> shared = new ArrayList<>();
        for (Vertex w : wrt) {
            ClosedForm form = ClosedForm.cancelled(graph, w);
            formulas.put(w.name(), formula(form));
            if (form.sharesDeltas()) {
                shared.add(form);
            }
        }
        out.put("formulas", formulas);
        if (!shared.isEmpty()) {
            // A large network's formulas refer to shared δs (delta_h_in[1]); each is defined once here.
            ChainText plain = ChainText.plain();
            Map<String, Object> deltas = new LinkedHashMap<>();
            ClosedForm.deltasOf(graph, shared).forEach((v, c) -> deltas.put(plain.delta(v), plain.print(c)));
            out.put("deltas", deltas);
        }
        if (values == null) {
            out.put("missing_values", missingNames(graph.network()));
        }
        return out;
    }

    /** Names of the declared values the loss needs and lacks, in declaration order. */
    static List<String> missingNames(chainrule.model.Network network) {
        List<String> names = new ArrayList<>();
        for (Vertex v : network.missingValues()) {
            names.add(v.name());
        }
        return names;
    }

    /**
     * The closed form as one parseable formula: the simplified form, or the factored chain the
     * text prints when it has no δs (so JSON and text agree); else that chain with its δs written
     * out where they are used (in the text's factor order) while that stays small,
     * otherwise the factored chain with δs written out as {@code delta_v} terms. A form with
     * shared δs (a large network) is always the factored chain: expanding it would repeat the
     * layers above in every parameter's formula.
     */
    static String formula(ClosedForm form) {
        if (form.sharesDeltas()) {
            return ChainText.plain().print(form.chain());
        }
        if (form.simplified() != null) {
            return TextPrinter.plain().print(form.simplified());
        }
        if (form.deltas().isEmpty()) {
            // the chain as the text report writes it (backpropagation order), parseable as it is
            return ChainText.plain().print(form.chain());
        }
        var expr = form.toExpr();
        if (expr.treeSize() <= MAX_EXPANDED_SIZE) {
            // the δs written out where they are used, the factors in the order the text prints
            // them (docs/language.md, "Order of factors")
            return ChainText.plain().print(form.inlinedChain());
        }
        return ChainText.plain().print(form.chain());
    }
}
