package chainrule.layer;

import org.objectweb.asm.Opcodes;

/**
 * {@code o = log_softmax(z)}: {@code o[k] = z[k] − lse(z)} with the stable log-sum-exp.
 *
 * <p>Backward: {@code δz[k] += δo[k] − exp(o[k])·Σ_j δo[j]} (exp(o) is softmax(z)).
 */
final class LogSoftmax extends VectorOp {
    LogSoftmax(int id, Node input) {
        super(id, input);
    }

    @Override
    void forward(LoopWriter w) {
        int lse = Stable.logSumExp(w, input.value(), size);
        w.loop(0, size, 1, k -> w.store(value(), k, () -> {
            w.load(input.value(), k);
            w.loadLocal(lse);
            w.mv().visitInsn(Opcodes.DSUB);
        }));
    }

    @Override
    void forwardSource(SourceWriter s) {
        String lse = s.logSumExp(input.value(), size);
        s.loop(size, k -> s.assign(s.at(value(), k), s.at(input.value(), k) + " - " + lse));
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        String total = s.sum(size, k -> s.at(adjoint, k));
        boolean first = adjoints.first(input);
        s.loop(size, k -> s.accumulate(input.adjoint, k, first,
                "(" + s.at(adjoint, k) + " - " + s.exp(s.at(value(), k)) + " * " + total + ")"));
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        if (!input.active()) {
            return;
        }
        int total = Stable.sum(w, size, k -> w.load(adjoint, k));
        boolean first = adjoints.first(input);
        w.loop(0, size, 1, k -> w.accumulate(input.adjoint, k, first, () -> {
            w.load(adjoint, k);
            w.load(value(), k);
            Stable.exp(w);
            w.loadLocal(total);
            w.mv().visitInsn(Opcodes.DMUL);
            w.mv().visitInsn(Opcodes.DSUB);
        }));
    }
}
