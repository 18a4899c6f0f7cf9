package chainrule.layer;

import org.objectweb.asm.Opcodes;

/**
 * The loops behind stable softmax-like ops: the maximum of a vector, and log Σ exp(z − max) + max
 * (log-sum-exp), which never overflows: every exponent is at most 0 and the largest term is 1.
 */
final class Stable {
    private Stable() {}

    /** A local holding max_k z[k]. */
    static int max(LoopWriter w, LoopWriter.Slice z, int n) {
        int m = w.newDouble();
        w.pushDouble(Double.NEGATIVE_INFINITY);
        w.storeLocal(m);
        w.loop(0, n, 1, k -> {
            w.loadLocal(m);
            w.load(z, k);
            w.mv().visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(DD)D", false);
            w.storeLocal(m);
        });
        return m;
    }

    /** Pushes exp(z[k] − shift) for the locals {@code k} (int) and {@code shift} (double). */
    static void shiftedExp(LoopWriter w, LoopWriter.Slice z, int k, int shift) {
        w.load(z, k);
        w.loadLocal(shift);
        w.mv().visitInsn(Opcodes.DSUB);
        exp(w);
    }

    static void exp(LoopWriter w) {
        w.mv().visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "exp", "(D)D", false);
    }

    /** A local holding log Σ_k exp(z[k]): max + log Σ exp(z − max). */
    static int logSumExp(LoopWriter w, LoopWriter.Slice z, int n) {
        int m = max(w, z, n);
        int s = sum(w, n, k -> shiftedExp(w, z, k, m));
        int lse = w.newDouble();
        w.loadLocal(s);
        w.mv().visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "log", "(D)D", false);
        w.loadLocal(m);
        w.mv().visitInsn(Opcodes.DADD);
        w.storeLocal(lse);
        return lse;
    }

    /** A local holding Σ_k term(k), where {@code term} pushes one double. */
    static int sum(LoopWriter w, int n, java.util.function.IntConsumer term) {
        int s = w.newDouble();
        w.pushDouble(0);
        w.storeLocal(s);
        w.loop(0, n, 1, k -> {
            w.loadLocal(s);
            term.accept(k);
            w.mv().visitInsn(Opcodes.DADD);
            w.storeLocal(s);
        });
        return s;
    }
}
