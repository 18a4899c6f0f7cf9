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
    /**
     * For an edge of the spec's graph that the element view makes of several of its own edges (a
     * shared reduction {@code c.mean} between {@code h[1]} and {@code c[1]}): each route of
     * element-view edges from {@code from} to {@code to}, whose factors' products sum to this
     * edge's factor; null for an edge of the element view itself.
     */
    private final java.util.List<java.util.List<Edge>> routes;

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
        this.routes = null;
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
        this.routes = null;
    }

    /**
     * An edge of the spec's graph made of the element view's {@code routes} from {@code from} to
     * {@code to} (through shared reductions): its factor, derived on first use, is their sum.
     */
    Edge(Vertex from, Vertex to, java.util.List<java.util.List<Edge>> routes, Function<Edge, Expr> derive, RoleRule classify) {
        this.from = from;
        this.to = to;
        this.derive = derive;
        this.classify = classify;
        this.routes = java.util.List.copyOf(routes);
    }

    /**
     * The element view's routes this edge stands for (see the field), or null for an edge of the
     * element view itself.
     */
    java.util.List<java.util.List<Edge>> routes() { return routes; }

    /** The product of every factor of {@link #routes()} that is not 0: what names the parameters on the way. */
    private Expr routeFactors() {
        java.util.List<Expr> factors = new java.util.ArrayList<>();
        for (java.util.List<Edge> route : routes) {
            for (Edge e : route) {
                if (!e.factor().equals(chainrule.expr.Exprs.ZERO)) {
                    factors.add(e.factor());
                }
            }
        }
        return chainrule.expr.Exprs.mul(factors);
    }

    /** The sum over {@link #routes()} of the products of their factors (in the element view's names). */
    Expr routeSum() {
        java.util.List<Expr> terms = new java.util.ArrayList<>(routes.size());
        for (java.util.List<Edge> route : routes) {
            java.util.List<Expr> factors = new java.util.ArrayList<>(route.size());
            for (Edge e : route) {
                factors.add(e.factor());
            }
            terms.add(chainrule.expr.Exprs.mul(factors));
        }
        return chainrule.expr.Exprs.add(terms);
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

    /** How the factor is printed where it differs (a shared reduction as its call); null: as it is. */
    private Function<Expr, Expr> printing;
    private Expr printedFactor;

    /** Set by the graph when its element view shares reductions ({@link PathGraph#printedForm}). */
    synchronized void printing(Function<Expr, Expr> printing) {
        this.printing = printing;
    }

    /**
     * The factor as every printer writes it (text, JSON, LaTeX, book, drawings): a shared
     * reduction named by its call ({@code mean(w)}), not by the element view's own name
     * ({@code v.mean}, which is no name of the file). The same value as {@link #factor()}.
     */
    public synchronized Expr printedFactor() {
        if (printing == null) {
            return factor();
        }
        if (printedFactor == null) {
            printedFactor = printing.apply(factor());
        }
        return printedFactor;
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
            // an edge through shared reductions: classified by the product of its routes' factors,
            // which names the same parameters as their sum (the factor) without adding them up:
            // a number times a long sum is expanded inside a sum, and a variance's edges would
            // each expand its mean's 875-term factor
            role = classify.of(from, to, routes != null ? routeFactors() : factor());
        }
        return role;
    }

    @Override
    public String toString() {
        return "Edge[" + from.name() + " -> " + to.name() + "]";
    }
}
