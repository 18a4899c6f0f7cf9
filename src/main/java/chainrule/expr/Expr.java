package chainrule.expr;

/**
 * An immutable symbolic expression.
 *
 * <p>Every node is created by {@link Exprs}, which normalises and interns it: two expressions are
 * structurally equal exactly when they are the same object, so equality is {@code ==}, hashing is
 * O(1), and equal subterms are shared (the expression is a DAG, not a tree). Source positions are
 * never part of an expression; the model keeps them beside it.
 *
 * <p>Java 17 has no exhaustive pattern switch, so code that must handle every kind of node uses
 * {@link Visitor}: adding a node kind then fails to compile wherever a case is missing.
 */
public sealed interface Expr permits Num, Sym, Sum, Product, Power, Apply {

    /** A unique, never-reused identity; interning keys refer to children by it. */
    long id();

    /** Height of the expression (a leaf has depth 1); recursive algorithms check it against limits. */
    int depth();

    /** Size of the expression printed as a tree (saturating at {@link Long#MAX_VALUE}): the cost measure. */
    long treeSize();

    /** The direct subexpressions, in order (empty for a leaf). */
    java.util.List<Expr> children();

    <R> R accept(Visitor<R> visitor);

    /** One method per node kind: the compiler checks that every kind is handled. */
    interface Visitor<R> {
        R num(Num e);
        R sym(Sym e);
        R sum(Sum e);
        R product(Product e);
        R power(Power e);
        R apply(Apply e);
    }
}
