package chainrule.layer;

import chainrule.compile.Bytecode;
import chainrule.compile.ExprEmitter;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes the body of one generated method: counted loops over slices of the work and gradient
 * arrays, and scalar expressions per element. The method's arguments are the work array (local 0)
 * and the gradient array (local 1); every other local is allocated here.
 */
final class LoopWriter {
    static final int WORK = 0;
    static final int GRAD = 1;

    private final MethodVisitor mv;
    private int nextLocal = 2;

    LoopWriter(MethodVisitor mv) {
        this.mv = mv;
    }

    MethodVisitor mv() { return mv; }

    /** A fresh local for a double (two slots). */
    int newDouble() {
        int l = nextLocal;
        nextLocal += 2;
        return l;
    }

    int newInt() {
        return nextLocal++;
    }

    void pushInt(int i) {
        Bytecode.pushInt(mv, i);
    }

    void pushDouble(double v) {
        Bytecode.pushDouble(mv, v);
    }

    /** Pushes {@code array} and the index {@code offset + local(index)} ({@code index} &lt; 0: just the offset). */
    void address(Slice s, int index) {
        mv.visitVarInsn(Opcodes.ALOAD, s.inGradient() ? GRAD : WORK);
        pushInt(s.offset());
        if (index >= 0) {
            mv.visitVarInsn(Opcodes.ILOAD, index);
            mv.visitInsn(Opcodes.IADD);
        }
    }

    /** Pushes {@code s[index]} (index a local holding an int, or -1 for element 0). */
    void load(Slice s, int index) {
        address(s, index);
        mv.visitInsn(Opcodes.DALOAD);
    }

    /** Stores the double computed by {@code value} into {@code s[index]}. */
    void store(Slice s, int index, Runnable value) {
        address(s, index);
        value.run();
        mv.visitInsn(Opcodes.DASTORE);
    }

    /** {@code s[index] = value} when {@code set}, else {@code s[index] += value}. */
    void accumulate(Slice s, int index, boolean set, Runnable value) {
        address(s, index);
        if (!set) {
            mv.visitInsn(Opcodes.DUP2);
            mv.visitInsn(Opcodes.DALOAD);
            value.run();
            mv.visitInsn(Opcodes.DADD);
        } else {
            value.run();
        }
        mv.visitInsn(Opcodes.DASTORE);
    }

    void loadLocal(int local) {
        mv.visitVarInsn(Opcodes.DLOAD, local);
    }

    void storeLocal(int local) {
        mv.visitVarInsn(Opcodes.DSTORE, local);
    }

    /** {@code for (int i = from; i < to; i += step) body(i)}; returns the index local (valid after the loop). */
    int loop(int from, int to, int step, IntConsumer body) {
        int i = newInt();
        pushInt(from);
        mv.visitVarInsn(Opcodes.ISTORE, i);
        loopFrom(i, to, step, body);
        return i;
    }

    /** Continues counting in an existing index local: {@code for (; i < to; i += step)}. */
    void loopFrom(int i, int to, int step, IntConsumer body) {
        Label test = new Label();
        Label end = new Label();
        mv.visitLabel(test);
        mv.visitVarInsn(Opcodes.ILOAD, i);
        pushInt(to);
        mv.visitJumpInsn(Opcodes.IF_ICMPGE, end);
        body.accept(i);
        mv.visitIincInsn(i, step);
        mv.visitJumpInsn(Opcodes.GOTO, test);
        mv.visitLabel(end);
    }

    /** Fills {@code size} elements of {@code s} with 0. */
    void zero(Slice s, int size) {
        loop(0, size, 1, i -> store(s, i, () -> mv.visitInsn(Opcodes.DCONST_0)));
    }

    /**
     * Scalar expressions for one element: symbols read their bound locals, and every
     * subexpression is computed once (kept in a local) however often the expressions emitted in
     * this scope use it — the interned DAG makes equal subexpressions the same object. The
     * operations themselves are written by {@link ExprEmitter}, the emitter the tape uses too.
     */
    Scope scope(Map<Sym, Integer> bound) {
        return new Scope(bound);
    }

    final class Scope {
        private final Map<Sym, Integer> bound;
        private final Map<Expr, Integer> computed = new HashMap<>();
        private final ExprEmitter emitter = new ExprEmitter(mv, this::emit);

        private Scope(Map<Sym, Integer> bound) {
            this.bound = bound;
        }

        /** Pushes the value of {@code e}. */
        void emit(Expr e) {
            Integer local = computed.get(e);
            if (local != null) {
                loadLocal(local);
                return;
            }
            if (e instanceof Sym s) {
                Integer b = bound.get(s);
                if (b == null) {
                    throw new IllegalStateException("unbound symbol in a layer expression: " + s.name());
                }
                loadLocal(b);
                return;
            }
            if (e instanceof Apply a && a.fn() instanceof UserFunction f) {
                emit(f.inline(a.args())); // a user function is inlined
            } else {
                emitter.emit(e, QuotientEntry.operands(e)); // a quotient divides by its divisors
            }
            if (!(e instanceof Num)) {
                int l = newDouble();
                mv.visitInsn(Opcodes.DUP2);
                storeLocal(l);
                computed.put(e, l);
            }
        }
    }

    /** A run of consecutive elements of the work array or (for parameters' adjoints) the gradient array. */
    record Slice(boolean inGradient, int offset) {
        static Slice work(int offset) {
            return new Slice(false, offset);
        }
    }
}
