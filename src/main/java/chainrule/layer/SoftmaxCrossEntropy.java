package chainrule.layer;

import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * {@code cross_entropy(softmax(z), y)} fused, computed from the logits z:
 * {@code L = Σ_k y[k]·(lse(z) − z[k])}, which is {@code −Σ y·log softmax(z)} without ever taking the
 * log of a probability that underflowed to 0 (finite and exact at logits of ±800, where the
 * unfused form gives inf or nan). lse(z) is kept in the slot after the loss for the backward pass.
 *
 * <p>Backward: {@code δz[k] += δL·(softmax(z)[k]·Σ_j y[j] − y[k])}, {@code δy[k] += δL·(lse − z[k])}.
 */
final class SoftmaxCrossEntropy extends Node {
    final Node logits;
    final Node target;

    SoftmaxCrossEntropy(int id, Node logits, Node target) {
        super(id, List.of());
        this.logits = logits;
        this.target = target;
    }

    @Override List<Node> inputs() { return List.of(logits, target); }

    @Override int extraSlots() { return 1; }

    private LoopWriter.Slice lseSlot() { return LoopWriter.Slice.work(offset + 1); }

    @Override
    void forward(LoopWriter w) {
        int n = logits.size;
        int lse = Stable.logSumExp(w, logits.value(), n);
        w.store(lseSlot(), -1, () -> w.loadLocal(lse));
        int loss = Stable.sum(w, n, k -> {
            targetElement(w, k);
            w.loadLocal(lse);
            w.load(logits.value(), k);
            w.mv().visitInsn(Opcodes.DSUB);
            w.mv().visitInsn(Opcodes.DMUL);
        });
        w.store(value(), -1, () -> w.loadLocal(loss));
    }

    /** y[k], or the one value of a broadcast scalar target. */
    private void targetElement(LoopWriter w, int k) {
        w.load(target.value(), target.size == 1 ? -1 : k);
    }

    private String targetElement(SourceWriter s, String k) {
        return s.at(target.value(), target.size == 1 ? null : k);
    }

    @Override
    void forwardSource(SourceWriter s) {
        int n = logits.size;
        String lse = s.logSumExp(logits.value(), n);
        s.assign(s.at(lseSlot(), null), lse);
        String loss = s.sum(n, k -> targetElement(s, k) + " * (" + lse + " - " + s.at(logits.value(), k) + ")");
        s.assign(s.at(value(), null), loss);
    }

    @Override
    void backwardSource(SourceWriter s, Adjoints adjoints) {
        int n = logits.size;
        String d = s.let(s.at(adjoint, null));
        String lse = s.let(s.at(lseSlot(), null));
        if (logits.active()) {
            String ySum = s.sum(n, k -> targetElement(s, k));
            boolean first = adjoints.first(logits);
            s.loop(n, k -> s.accumulate(logits.adjoint, k, first, d + " * (" + s.exp(s.at(logits.value(), k) + " - " + lse)
                    + " * " + ySum + " - " + targetElement(s, k) + ")"));
        }
        if (target.active()) {
            boolean first = adjoints.first(target);
            if (target.size == 1) {
                String total = s.sum(n, k -> "(" + lse + " - " + s.at(logits.value(), k) + ")");
                s.accumulate(target.adjoint, null, first, d + " * " + total);
            } else {
                s.loop(n, k -> s.accumulate(target.adjoint, k, first, d + " * (" + lse + " - " + s.at(logits.value(), k) + ")"));
            }
        }
    }

    @Override
    void backward(LoopWriter w, Adjoints adjoints) {
        int n = logits.size;
        int d = w.newDouble();
        w.load(adjoint, -1);
        w.storeLocal(d);
        int lse = w.newDouble();
        w.load(lseSlot(), -1);
        w.storeLocal(lse);
        if (logits.active()) {
            int ySum = Stable.sum(w, n, k -> targetElement(w, k));
            boolean first = adjoints.first(logits);
            w.loop(0, n, 1, k -> w.accumulate(logits.adjoint, k, first, () -> {
                w.loadLocal(d);
                Stable.shiftedExp(w, logits.value(), k, lse);
                w.loadLocal(ySum);
                w.mv().visitInsn(Opcodes.DMUL);
                targetElement(w, k);
                w.mv().visitInsn(Opcodes.DSUB);
                w.mv().visitInsn(Opcodes.DMUL);
            }));
        }
        if (target.active()) {
            boolean first = adjoints.first(target);
            if (target.size == 1) {
                int s = Stable.sum(w, n, k -> {
                    w.loadLocal(lse);
                    w.load(logits.value(), k);
                    w.mv().visitInsn(Opcodes.DSUB);
                });
                w.accumulate(target.adjoint, -1, first, () -> {
                    w.loadLocal(d);
                    w.loadLocal(s);
                    w.mv().visitInsn(Opcodes.DMUL);
                });
            } else {
                w.loop(0, n, 1, k -> w.accumulate(target.adjoint, k, first, () -> {
                    w.loadLocal(d);
                    w.loadLocal(lse);
                    w.load(logits.value(), k);
                    w.mv().visitInsn(Opcodes.DSUB);
                    w.mv().visitInsn(Opcodes.DMUL);
                }));
            }
        }
    }
}
