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

    /** A vertex name, marked 들 or 나 in book notation. */
    public String vertex(PathGraph graph, Vertex v) {
        if (this != BOOK) {
            return v.name();
        }
        if (v.isActivation()) {
            return v.name() + "(나)";
        }
        for (var e : graph.outgoing(v)) {
            if (e.role() == Role.ACTIVATION) {
                return v.name() + "(들)";
            }
        }
        return v.name();
    }
}
