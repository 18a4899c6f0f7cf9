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
     * A vertex name, marked 들 or 나 in book notation ({@code net_h1(들)}), unless the user already
     * named it so ({@code 들1}).
     */
    public String vertex(PathGraph graph, Vertex v) {
        String mark = this == BOOK ? bookMark(graph, v) : "";
        return mark.isEmpty() || v.name().startsWith(mark) ? v.name() : v.name() + "(" + mark + ")";
    }

    /** 나 for an activation's output, 들 for an activation's input, otherwise empty. */
    public static String bookMark(PathGraph graph, Vertex v) {
        if (v.isActivation()) {
            return "나";
        }
        for (var e : graph.outgoing(v)) {
            if (e.role() == Role.ACTIVATION) {
                return "들";
            }
        }
        return "";
    }
}
