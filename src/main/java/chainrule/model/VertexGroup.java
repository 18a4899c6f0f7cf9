package chainrule.model;

import chainrule.expr.Expr;
import chainrule.expr.Sym;
import chainrule.parse.Ast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What the analysis states about the structure of the element view: the declaration, definition,
 * pre-activation or shared reduction a vertex is an element of, with its shape. {@code W1[1,2]}
 * is element (1, 2) of the group {@code W1} of shape 2×2; {@code h.in[3]} element 3 of the
 * pre-activation of {@code h}; {@code v.mean} the only element of a reduction shared by the
 * elements of {@code v}. The analyser records it where it creates each vertex, so nothing needs to
 * read structure back out of a vertex's name: names are for printing (a name's characters, Hangul
 * or otherwise, never change which group or index a vertex has).
 *
 * <p>Compared by identity: a network has one group per declaration or definition.
 */
public final class VertexGroup {

    /** Where a group comes from in the file. */
    public enum Origin {
        /** {@code weight W1[2,2]}: the declared elements. */
        DECLARATION,
        /** {@code h = sigmoid(W1 @ x + b1)}: the node's elements ({@code h[1]}, ...), or the loss. */
        DEFINITION,
        /** The implicit argument {@code h.in} of an activation applied to an expression (the book's 들). */
        PRE_ACTIVATION,
        /** A reduction broadcast over a vector, made a vertex of its own ({@code v.mean}). */
        SHARED_REDUCTION
    }

    private final String name;
    private final List<Integer> shape;
    private final Origin origin;
    private final String owner;
    private final Vertex[] elements;
    private int filled;

    private VertexGroup(String name, List<Integer> shape, Origin origin, String owner) {
        this.name = name;
        this.shape = List.copyOf(shape);
        this.origin = origin;
        this.owner = owner;
        this.elements = new Vertex[Tensor.size(shape)];
    }

    /**
     * A new, empty group; {@link #add} creates its elements in row-major order.
     *
     * @param owner the declaration or definition the group belongs to: its own name, or {@code h}
     *              for the pre-activation {@code h.in} and for a reduction shared inside {@code h}
     */
    static VertexGroup of(String name, List<Integer> shape, Origin origin, String owner) {
        return new VertexGroup(name, shape, origin, owner);
    }

    /**
     * A declared group built outside an analysis (for tests and tools): its elements named as the
     * analyser names them ({@code W[1,2]}), with symbols of the kind the declaration gives.
     */
    public static VertexGroup declared(String name, List<Integer> shape, VertexKind kind) {
        chainrule.expr.SymKind symKind = switch (kind) {
            case WEIGHT, BIAS -> chainrule.expr.SymKind.PARAMETER;
            case CONSTANT -> chainrule.expr.SymKind.CONSTANT;
            case INPUT, TARGET -> chainrule.expr.SymKind.DATA;
            case NODE, PRE_ACTIVATION, LOSS -> chainrule.expr.SymKind.NODE;
        };
        VertexGroup g = new VertexGroup(name, shape, kind.isDeclared() ? Origin.DECLARATION : Origin.DEFINITION, name);
        for (String element : Tensor.elementNames(name, shape)) {
            g.add(element, kind, chainrule.expr.Exprs.sym(element, symKind), null, Ast.Pos.NONE);
        }
        return g;
    }

    /** Creates the next element (row-major) of this group, named {@code elementName}. */
    Vertex add(String elementName, VertexKind kind, Sym symbol, Expr definition, Ast.Pos pos) {
        return add(filled, elementName, kind, symbol, definition, pos);
    }

    /**
     * Creates the element at row-major position {@code flat}, named {@code elementName}. A partial
     * element view ({@code grad --wrt 'W1[1,1]'}) makes some elements of a group only: the others
     * are absent ({@link #element} gives null, {@link #elements} leaves them out).
     */
    Vertex add(int flat, String elementName, VertexKind kind, Sym symbol, Expr definition, Ast.Pos pos) {
        Vertex v = new Vertex(elementName, kind, symbol, definition, pos, this, flat);
        if (elements[flat] == null) {
            present++;
        }
        elements[flat] = v;
        filled = Math.max(filled, flat + 1);
        return v;
    }

    /** How many elements have been made. */
    private int present;

    /** The name it is printed by: {@code W1}, {@code h.in}, {@code v.mean}. */
    public String name() { return name; }

    /** The shape: {@code [2,2]}, {@code [128]}, empty for a scalar. */
    public List<Integer> shape() { return shape; }

    public Origin origin() { return origin; }

    /**
     * The declaration or definition of the file this group belongs to: its own name for a
     * declaration or definition, {@code h} for {@code h.in} and for a reduction shared in {@code h}.
     */
    public String owner() { return owner; }

    public boolean isScalar() { return shape.isEmpty(); }

    public int size() { return elements.length; }

    /** The elements in row-major order (those made, in a partial element view). */
    public List<Vertex> elements() {
        if (present == elements.length) {
            return Collections.unmodifiableList(Arrays.asList(elements));
        }
        List<Vertex> made = new ArrayList<>(present);
        for (Vertex v : elements) {
            if (v != null) {
                made.add(v);
            }
        }
        return Collections.unmodifiableList(made);
    }

    /** The element at row-major position {@code flat} (null if a partial element view has not made it). */
    public Vertex element(int flat) { return elements[flat]; }

    /** The 1-based index tuple of the element at row-major position {@code flat} ({@code [1, 2]} for W1[1,2]); empty for a scalar. */
    public List<Integer> index(int flat) {
        List<Integer> out = new ArrayList<>(Collections.nCopies(shape.size(), 0));
        for (int k = shape.size() - 1; k >= 0; k--) {
            out.set(k, flat % shape.get(k) + 1);
            flat /= shape.get(k);
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        return name + (shape.isEmpty() ? "" : Tensor.shapeText(shape));
    }
}
