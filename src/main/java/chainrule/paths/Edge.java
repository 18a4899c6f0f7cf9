package chainrule.paths;

import chainrule.expr.Expr;
import chainrule.model.Vertex;
import java.util.function.Function;

/**
 * An edge {@code from -> to} of the path graph: {@code from} appears in the definition of {@code to}.
 * Edges are compared by identity: a graph has one edge per pair.
 *
 * <p>The factor of an edge that no path from a parameter can use (out of an input, say) is
 * derived only when something asks for it, such as a drawing of the whole network: for a deep
 * expression it can cost far more than every derivative a gradient needs.
 */
public final class Edge {
    private final Vertex from;
    private final Vertex to;
    private Function<Edge, Expr> derive;
    private Expr factor;
    private Role role;
    private final RoleRule classify;

    /** How an edge's role follows from its ends and its factor ({@link PathGraph}'s rule). */
    interface RoleRule {
        Role of(Vertex from, Vertex to, Expr factor);
    }

    /** An edge whose factor is already known. */
    public Edge(Vertex from, Vertex to, Expr factor, Role role) {
        this.from = from;
        this.to = to;
        this.factor = factor;
        this.role = role;
        this.classify = null;
    }

    /**
     * An edge whose factor is derived, and role classified, on first use. {@code derive} gets the
     * edge, so one function can serve all edges into a vertex (a layer has a hundred thousand).
     */
    Edge(Vertex from, Vertex to, Function<Edge, Expr> derive, RoleRule classify) {
        this.from = from;
        this.to = to;
        this.derive = derive;
        this.classify = classify;
    }

    public Vertex from() { return from; }

    public Vertex to() { return to; }

    /**
     * The local partial derivative ∂to/∂from, other vertices held fixed, written in terms of vertex
     * values (σ′ as {@code out·(1 - out)}).
     */
    public synchronized Expr factor() {
        if (factor == null) {
            factor = derive.apply(this);
            derive = null;
        }
        return factor;
    }

    private Expr numericFactor;
    private Function<Edge, Expr> deriveNumeric;

    /** How {@link #numericFactor()} is derived, for a definition whose built-ins have a numeric form. */
    synchronized void numericDerivation(Function<Edge, Expr> derive) {
        this.deriveNumeric = derive;
    }

    /**
     * The factor in the form numbers are computed from: the definition's partial with every
     * built-in's derivative taken from the primitive table's numeric column (σ(x)·σ(−x) where
     * {@link #factor()} prints out·(1 − out)). The factor itself when no built-in in the
     * definition has a separate numeric form.
     */
    public synchronized Expr numericFactor() {
        if (numericFactor == null) {
            numericFactor = deriveNumeric != null ? deriveNumeric.apply(this) : factor();
            deriveNumeric = null;
        }
        return numericFactor;
    }

    public synchronized Role role() {
        if (role == null) {
            role = classify.of(from, to, factor());
        }
        return role;
    }

    @Override
    public String toString() {
        return "Edge[" + from.name() + " -> " + to.name() + "]";
    }
}
