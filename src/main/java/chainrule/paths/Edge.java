package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.model.Vertex;

/**
 * An edge {@code from -> to} of the path graph: {@code from} appears in the definition of {@code to}.
 *
 * @param factor the local partial derivative ∂to/∂from, other vertices held fixed, written in terms
 *               of vertex values (σ′ as {@code out·(1 - out)})
 */
public record Edge(Vertex from, Vertex to, Expr factor, Role role) {}
