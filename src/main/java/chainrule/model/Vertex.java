package chainrule.model;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Sym;
import chainrule.expr.VectorElement;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.List;

/**
 * A named value of the network: a declared name or a defined node. A defined vertex has its
 * definition in terms of other vertices' symbols.
 *
 * <p>Its place in the file's structure is stated by the analysis, not read from its name: the
 * {@link #group()} it is an element of (the declaration, definition, pre-activation or shared
 * reduction) and its row-major position {@link #flat()} there, so {@code W1[1,2]} is element
 * {@code [1, 2]} of {@code W1} whatever characters the names contain.
 *
 * @param definition null for declared names
 * @param pos        where the name is declared or defined (an implicit vertex: its expression)
 * @param group      the declaration or definition this vertex is an element of (a scalar: its only element)
 * @param flat       its row-major position in {@code group}, 0-based
 */
public record Vertex(String name, VertexKind kind, Sym symbol, Expr definition, Ast.Pos pos, VertexGroup group, int flat) {

    public boolean isDefined() { return definition != null; }

    /** The 1-based index tuple in its group: {@code [1, 2]} for {@code W1[1,2]}, empty for a scalar. */
    public List<Integer> index() { return group.index(flat); }

    /** Whether this vertex is one element of a vector or matrix (not a scalar name of its own). */
    public boolean isElement() { return !group.isScalar(); }

    /** Its own record text without the group's elements (which refer back to it). */
    @Override
    public String toString() {
        return "Vertex[" + name + ", " + kind + ", " + group + " " + index() + "]";
    }

    /**
     * The symbol's precomputed hash: consistent with the record's equality (equal vertices have
     * the same symbol) and O(1), where the generated one hashes every component, the position and
     * the name included; the path graph keeps maps over a hundred thousand vertices.
     */
    @Override
    public int hashCode() {
        return symbol.hashCode();
    }

    /**
     * Whether this vertex is an activation's output (the book's 나): its definition is a function
     * applied to one other vertex, as in {@code out_h1 = sigmoid(net_h1)} or {@code h = relu(h.in)},
     * or an element of a vector function of vertices, as {@code p[j] = softmax(p.in)[j]}.
     */
    public boolean isActivation() {
        if (definition instanceof Apply a && a.fn() instanceof VectorElement) {
            return allNodes(a.args());
        }
        return definition instanceof Apply a && !a.args().isEmpty() && isNode(a.arg(0)) && otherArgsConstant(a);
    }

    private static boolean isNode(Expr e) {
        return e instanceof Sym s && s.kind() == chainrule.expr.SymKind.NODE;
    }

    private static boolean allNodes(List<Expr> args) {
        for (Expr e : args) {
            if (!isNode(e)) {
                return false;
            }
        }
        return true;
    }

    private static boolean otherArgsConstant(Apply a) {
        for (int i = 1; i < a.args().size(); i++) {
            if (!(a.arg(i) instanceof chainrule.expr.Num)) {
                return false;
            }
        }
        return true;
    }

    /** The activation's argument vertex (its 들), when {@link #isActivation()}; a vector function's first. */
    public Sym activationInput() {
        return (Sym) ((Apply) definition).arg(0);
    }

    /**
     * Every argument vertex of the activation, when {@link #isActivation()}: the one input of an
     * elementwise activation, or all of {@code p.in[1] … p.in[n]} for an element of
     * {@code softmax}, each of which feeds every output element.
     */
    public List<Sym> activationInputs() {
        Apply a = (Apply) definition;
        if (!(a.fn() instanceof VectorElement)) {
            return List.of(activationInput());
        }
        List<Sym> inputs = new ArrayList<>(a.args().size());
        for (Expr e : a.args()) {
            inputs.add((Sym) e);
        }
        return inputs;
    }
}
