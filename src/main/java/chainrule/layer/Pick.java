package chainrule.layer;

import java.util.List;

/**
 * {@code t[i]} or {@code W[i,j]}: one element of a stored value, at row-major position
 * {@link #flat} (from {@code ir.Op.Index}).
 *
 * <p>Backward: {@code δt[flat] += δ}. When this is the first contribution to δt, the whole of δt
 * is cleared first (no adjoint is cleared per call otherwise: the first writer stores), then the
 * one element is stored.
 */
final class Pick extends Node {
    final Node input;
    final int flat;

    Pick(int id, Node input, int flat) {
        super(id, List.of());
        this.input = input;
        this.flat = flat;
    }

    @Override List<Node> inputs() { return List.of(input); }

    private static LoopWriter.Slice element(LoopWriter.Slice s, int flat) {
        return new LoopWriter.Slice(s.inGradient(), s.offset() + flat);
    }

    @Override
    void forward(LoopWriter w) {
        w.store(value(), -1, () -> w.load(element(input.value(), flat), -1));
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        boolean first = adjoints.first(input);
        if (first && input.size > 1) {
            w.zero(input.adjoint, input.size);
        }
        w.accumulate(element(input.adjoint, flat), -1, first, () -> w.load(adjoint, -1));
    }

    @Override
    void forwardSource(SourceWriter s) {
        s.assign(s.at(value(), null), s.at(element(input.value(), flat), null));
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        boolean first = adjoints.first(input);
        if (first && input.size > 1) {
            s.zero(input.adjoint, input.size);
        }
        s.accumulate(element(input.adjoint, flat), null, first, s.at(adjoint, null));
    }
}
