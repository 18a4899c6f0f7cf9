package chainrule.print;

import chainrule.model.Vertex;
import chainrule.paths.PathGraph;
import chainrule.paths.Role;

/**
 * How factors and vertices are labelled: {@code DEFAULT} uses input / activation / weight / loss;
 * {@code BOOK} uses the vocabulary of <i>Easy! 딥러닝</i>: 들 (a node's input, the pre-activation),
 * 나 (its output, the activation), 액 (an activation derivative), 웨 (a weight).
 */
public enum Notation {
    DEFAULT, BOOK;

    public String role(Role r) {
        return this == BOOK ? r.bookLabel() : r.label();
    }

    /**
     * The label of a factor's role, the loss's in book notation after the loss's own name
     * ({@code ∂E/∂나}, {@code ∂오차/∂나}): labels follow the roles, whatever the names.
     */
    public String role(Role r, String lossName) {
        return this == BOOK ? bookLabel(r, lossName) : r.label();
    }

    /** {@link Role#bookLabel()}, with the loss's own name in the loss's ({@code ∂E/∂나} for a loss named E). */
    public static String bookLabel(Role r, String lossName) {
        return r == Role.LOSS ? "∂" + lossName + "/∂나" : r.bookLabel();
    }

    /**
     * A vertex name, marked 들 or 나 in book notation ({@code net_h1(들)}), unless the user already
     * named it so ({@code 들1}).
     */
    public String vertex(PathGraph graph, Vertex v) {
        String mark = this == BOOK ? bookMark(graph, v) : "";
        return mark.isEmpty() || namedAs(v.name(), mark) ? v.name() : v.name() + "(" + mark + ")";
    }

    /**
     * Whether a name already says its role's mark: the mark itself, numbered, perhaps an element
     * ({@code 나}, {@code 나1}, {@code 들2[3]}). A name that only starts with the syllable
     * ({@code 나쁨}) or says another role ({@code 나1} for a pre-activation) is marked.
     */
    public static boolean namedAs(String name, String mark) {
        return name.startsWith(mark) && name.substring(mark.length()).matches("[0-9_]*(\\[[0-9, ]*\\])?");
    }

    /** 나 for an activation's output, 들 for an activation's input, otherwise empty. */
    public static String bookMark(PathGraph graph, Vertex v) {
        if (v.isActivation()) {
            return "나";
        }
        for (var e : graph.pathOutgoing(v)) {
            if (e.role() == Role.ACTIVATION) {
                return "들";
            }
        }
        return "";
    }
}
