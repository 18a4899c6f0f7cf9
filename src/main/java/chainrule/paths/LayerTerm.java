package chainrule.paths;

import chainrule.expr.Expr;
import java.util.List;

/**
 * A backpropagation equation at the level of layers, as a textbook writes it:
 * {@code δ(h.in) = (W2ᵀ δ(o.in)) ⊙ step(h.in)}, {@code ∂L/∂W1 = δ(h.in) ⊗ x}. Each form stands for
 * one recognised pattern of element edges between two vectors ({@link LayerForm}); elementwise
 * factors are scalar expressions over vector symbols ({@code h} for every {@code h[i]}).
 */
public sealed interface LayerTerm permits LayerTerm.Delta, LayerTerm.Elementwise, LayerTerm.Transposed,
        LayerTerm.Outer, LayerTerm.Broadcast, LayerTerm.Softmax, LayerTerm.Jacobian, LayerTerm.Sum {

    /** δ(group) = ∂loss/∂group; for the loss itself, 1. */
    record Delta(LayerForm.Group group) implements LayerTerm {}

    /**
     * {@code factor ⊙ rest}, the shape of {@code at}: element i is factor (at index i) times
     * element i of {@code rest} (or its only element, when {@code rest} is a scalar: into a reduction).
     * Also a scalar times a scalar.
     */
    record Elementwise(Expr factor, LayerForm.Group at, LayerTerm rest, Role role) implements LayerTerm {}

    /** {@code weightᵀ rest}: a matrix-vector product with the transposed weight matrix. */
    record Transposed(LayerForm.Group weight, LayerTerm rest) implements LayerTerm {}

    /** {@code rest ⊗ right}: the outer product, element [i,j] = rest[i]·right[j], the shape of {@code at}. */
    record Outer(LayerTerm rest, Expr right, LayerForm.Group at) implements LayerTerm {}

    /**
     * A scalar feeding every element of a vector: {@code ⟨factor, rest⟩}, or {@code Σᵢ rest[i]}
     * when the factor is 1 (a bias broadcast over a layer). {@code over} gives the factor's indices.
     */
    record Broadcast(Expr factor, LayerForm.Group over, LayerTerm rest, Role role) implements LayerTerm {}

    /**
     * The softmax Jacobian-vector product {@code p ⊙ (rest − ⟨p, rest⟩)}, from element factors
     * {@code p[j]·(δjk − p[k])}.
     */
    record Softmax(LayerForm.Group output, LayerTerm rest) implements LayerTerm {}

    /** {@code (∂output/∂input)ᵀ rest}: a dense Jacobian no simpler pattern describes. */
    record Jacobian(LayerForm.Group output, LayerForm.Group input, LayerTerm rest) implements LayerTerm {}

    /** The sum of the contributions of several consumers. */
    record Sum(List<LayerTerm> terms) implements LayerTerm {
        public Sum {
            terms = List.copyOf(terms);
        }
    }

    /** One method per form, so every printer and evaluator handles each (Java 17 has no pattern switch). */
    interface Visitor<R> {
        R delta(Delta d);
        R elementwise(Elementwise e);
        R transposed(Transposed t);
        R outer(Outer o);
        R broadcast(Broadcast b);
        R softmax(Softmax s);
        R jacobian(Jacobian j);
        R sum(Sum s);
    }

    static <R> R visit(LayerTerm t, Visitor<R> v) {
        if (t instanceof Delta d) {
            return v.delta(d);
        } else if (t instanceof Elementwise e) {
            return v.elementwise(e);
        } else if (t instanceof Transposed x) {
            return v.transposed(x);
        } else if (t instanceof Outer o) {
            return v.outer(o);
        } else if (t instanceof Broadcast b) {
            return v.broadcast(b);
        } else if (t instanceof Softmax s) {
            return v.softmax(s);
        } else if (t instanceof Jacobian j) {
            return v.jacobian(j);
        } else {
            return v.sum((Sum) t);
        }
    }
}
