package chainrule.layer;

import chainrule.compile.Bytecode;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.UserFunction;
import java.util.HashMap;
import java.util.List;
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
     * this scope use it — the interned DAG makes equal subexpressions the same object.
     */
    Scope scope(Map<Sym, Integer> bound) {
        return new Scope(bound);
    }

    final class Scope implements Expr.Visitor<Void> {
        private final Map<Sym, Integer> bound;
        private final Map<Expr, Integer> computed = new HashMap<>();

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
            e.accept(this);
            if (!(e instanceof Num) && !(e instanceof Sym)) {
                int l = newDouble();
                mv.visitInsn(Opcodes.DUP2);
                storeLocal(l);
                computed.put(e, l);
            }
        }

        @Override public Void num(Num e) {
            pushDouble(e.value());
            return null;
        }

        @Override public Void sym(Sym e) {
            Integer local = bound.get(e);
            if (local == null) {
                throw new IllegalStateException("unbound symbol in a layer expression: " + e.name());
            }
            loadLocal(local);
            return null;
        }

        @Override public Void sum(Sum e) {
            fold(e.children(), Opcodes.DADD);
            return null;
        }

        @Override public Void product(Product e) {
            fold(e.children(), Opcodes.DMUL);
            return null;
        }

        private void fold(List<Expr> operands, int opcode) {
            emit(operands.get(0));
            for (int i = 1; i < operands.size(); i++) {
                emit(operands.get(i));
                mv.visitInsn(opcode);
            }
        }

        /** Squares and reciprocals inline; other powers through the runtime, as the interpreter does. */
        @Override public Void power(Power e) {
            if (e.exponent() instanceof Num n && n.value() == 2.0) {
                emit(e.base());
                mv.visitInsn(Opcodes.DUP2);
                mv.visitInsn(Opcodes.DMUL);
            } else if (e.exponent() instanceof Num n && n.value() == -1.0) {
                mv.visitInsn(Opcodes.DCONST_1);
                emit(e.base());
                mv.visitInsn(Opcodes.DDIV);
            } else {
                emit(e.base());
                emit(e.exponent());
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, "pow", "(DD)D", false);
            }
            return null;
        }

        /** A built-in calls the runtime (the interpreter's own numerics); a user function is inlined. */
        @Override public Void apply(Apply e) {
            if (e.fn() instanceof UserFunction f) {
                emit(f.inline(e.args()));
                return null;
            }
            Primitive p = (Primitive) e.fn();
            for (Expr a : e.args()) {
                emit(a);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, p.runtimeMethod(), p.runtimeDescriptor(), false);
            return null;
        }
    }

    /** A run of consecutive elements of the work array or (for parameters' adjoints) the gradient array. */
    record Slice(boolean inGradient, int offset) {
        static Slice work(int offset) {
            return new Slice(false, offset);
        }
    }
}
