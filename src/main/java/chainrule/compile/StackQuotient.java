package chainrule.compile;

import chainrule.expr.QuotientEntry;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link QuotientEntry}'s operations as JVM instructions on the operand stack: 1 is {@code
 * DCONST_1}, a multiplication {@code DMUL}, a division {@code DDIV}; each emitter says only how it
 * pushes operand k ({@link #operand}). The values are the stack's, so they are all null.
 */
abstract class StackQuotient implements QuotientEntry.Operations<Void> {
    private final MethodVisitor mv;

    StackQuotient(MethodVisitor mv) {
        this.mv = mv;
    }

    /** Pushes operand k. */
    abstract void push(int k);

    @Override public Void one() {
        mv.visitInsn(Opcodes.DCONST_1);
        return null;
    }

    @Override public final Void operand(int k) {
        push(k);
        return null;
    }

    @Override public final Void times(Void a, Void b) {
        mv.visitInsn(Opcodes.DMUL);
        return null;
    }

    @Override public final Void over(Void a, Void b) {
        mv.visitInsn(Opcodes.DDIV);
        return null;
    }
}
