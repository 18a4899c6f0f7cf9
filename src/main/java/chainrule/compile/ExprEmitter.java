package chainrule.compile;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.PowerEntry;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.VectorElement;
import chainrule.expr.VectorPrimitive;
import java.util.List;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The one place that turns an expression node into JVM instructions, shared by the tape's kernel
 * ({@link BytecodeEmitter}) and the loop compiler ({@code layer.LoopWriter}). The caller says how
 * an operand's value is pushed — a slot of the work array kept in a local (the tape), or a
 * subexpression computed once per element (the loops) — and this class writes the operation: a
 * number as a constant, a sum or product as a fold, a power in its {@link PowerEntry} form, a
 * built-in as a call of its runtime method from the primitive table, an element of a vector
 * function as a call with the whole argument vector.
 */
public final class ExprEmitter {
    /** Pushes the value of one operand (a symbol, a slot's expression, a subexpression). */
    @FunctionalInterface
    public interface Operands {
        void push(Expr operand);
    }

    private final MethodVisitor mv;
    private final Operands operands;

    public ExprEmitter(MethodVisitor mv, Operands operands) {
        this.mv = mv;
        this.operands = operands;
    }

    /**
     * Pushes the value of {@code node} computed from {@code args}, the values it reads in the order
     * of {@link QuotientEntry#operands} (its children, a dividing product's denominators replaced by
     * their divisors; those themselves, or what the caller lowered them to). A symbol is
     * pushed through the caller; user functions must have been inlined.
     */
    public void emit(Expr node, List<Expr> args) {
        node.accept(new Node(args));
    }

    private final class Node implements Expr.Visitor<Void> {
        private final List<Expr> args;

        Node(List<Expr> args) {
            this.args = args;
        }

        @Override public Void num(Num e) {
            Bytecode.pushDouble(mv, e.value());
            return null;
        }

        @Override public Void sym(Sym e) {
            operands.push(e);
            return null;
        }

        @Override public Void sum(Sum e) {
            fold(Opcodes.DADD);
            return null;
        }

        /** A product with negative powers as a true division ({@link QuotientEntry}); {@code args} hold its divisors. */
        @Override public Void product(Product e) {
            if (!QuotientEntry.divides(e)) {
                fold(Opcodes.DMUL);
                return null;
            }
            QuotientEntry.fold(e, new StackQuotient(mv) {
                @Override void push(int k) {
                    operands.push(args.get(k));
                }
            });
            return null;
        }

        private void fold(int opcode) {
            operands.push(args.get(0));
            for (int i = 1; i < args.size(); i++) {
                operands.push(args.get(i));
                mv.visitInsn(opcode);
            }
        }

        /** The power entry's form: squares and reciprocals inline, other powers through the runtime, as the interpreter does. */
        @Override public Void power(Power e) {
            Expr base = args.get(0);
            Expr exponent = args.get(1);
            switch (PowerEntry.form(exponent)) {
                case SQUARE -> {
                    operands.push(base);
                    mv.visitInsn(Opcodes.DUP2);
                    mv.visitInsn(Opcodes.DMUL);
                }
                case RECIPROCAL -> {
                    mv.visitInsn(Opcodes.DCONST_1);
                    operands.push(base);
                    mv.visitInsn(Opcodes.DDIV);
                }
                case CALL -> {
                    operands.push(base);
                    operands.push(exponent);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, PowerEntry.RUNTIME_METHOD,
                            PowerEntry.RUNTIME_DESCRIPTOR, false);
                }
            }
            return null;
        }

        /** A built-in calls its runtime method (the interpreter's own numerics). */
        @Override public Void apply(Apply e) {
            if (e.fn() instanceof VectorElement v) {
                vectorElement(v);
                return null;
            }
            if (!(e.fn() instanceof Primitive p)) {
                throw new IllegalStateException("a user function reached the bytecode emitter uninlined: " + e.fn());
            }
            for (Expr a : args) {
                operands.push(a);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, p.runtimeMethod(), p.runtimeDescriptor(), false);
            return null;
        }

        /** {@code Fns.softmax(new double[] {args…}, j)}: the runtime sees the whole vector. */
        private void vectorElement(VectorElement v) {
            Bytecode.pushInt(mv, args.size());
            mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_DOUBLE);
            for (int k = 0; k < args.size(); k++) {
                mv.visitInsn(Opcodes.DUP);
                Bytecode.pushInt(mv, k);
                operands.push(args.get(k));
                mv.visitInsn(Opcodes.DASTORE);
            }
            Bytecode.pushInt(mv, v.index());
            VectorPrimitive f = v.primitive();
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, f.runtimeMethod(), f.runtimeDescriptor(), false);
        }
    }
}
