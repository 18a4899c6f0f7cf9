package chainrule.layer;

import org.objectweb.asm.Opcodes;

/**
 * {@code p = softmax(z)}: {@code p[k] = exp(z[k] − m) / Σ_j exp(z[j] − m)} with m = max z, so no
 * exponent exceeds 0 (stable at any logits).
 *
 * <p>Backward: {@code δz[k] += p[k]·(δp[k] − Σ_j δp[j]·p[j])} (the Jacobian diag(p) − p pᵀ applied
 * to δp, without forming it).
 */
final class Softmax extends VectorOp {
    Softmax(int id, Node input) {
        super(id, input);
    }

    @Override
    void forward(LoopWriter w) {
        int m = Stable.max(w, input.value(), size);
        int s = Stable.sum(w, size, k -> {
            w.address(value(), k);
            Stable.shiftedExp(w, input.value(), k, m);
            w.mv().visitInsn(Opcodes.DUP2_X2); // keep e[k] for the sum, store it as p[k] for now
            w.mv().visitInsn(Opcodes.DASTORE);
        });
        w.loop(0, size, 1, k -> w.store(value(), k, () -> {
            w.load(value(), k);
            w.loadLocal(s);
            w.mv().visitInsn(Opcodes.DDIV);
        }));
    }

    @Override
    void forwardSource(SourceWriter s) {
        String m = s.maxOf(input.value(), size);
        String total = s.let("0.0");
        s.loop(size, k -> {
            s.assign(s.at(value(), k), s.exp(s.at(input.value(), k) + " - " + m));
            s.assign(total, total + " + " + s.at(value(), k));
        });
        s.loop(size, k -> s.assign(s.at(value(), k), s.at(value(), k) + " / " + total));
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        String dot = s.sum(size, k -> s.at(adjoint, k) + " * " + s.at(value(), k));
        boolean first = adjoints.first(input);
        s.loop(size, k -> s.accumulate(input.adjoint, k, first,
                s.at(value(), k) + " * (" + s.at(adjoint, k) + " - " + dot + ")"));
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        int dot = Stable.sum(w, size, k -> {
            w.load(adjoint, k);
            w.load(value(), k);
            w.mv().visitInsn(Opcodes.DMUL);
        });
        boolean first = adjoints.first(input);
        w.loop(0, size, 1, k -> w.accumulate(input.adjoint, k, first, () -> {
            w.load(value(), k);
            w.load(adjoint, k);
            w.loadLocal(dot);
            w.mv().visitInsn(Opcodes.DSUB);
            w.mv().visitInsn(Opcodes.DMUL);
        }));
    }
}
