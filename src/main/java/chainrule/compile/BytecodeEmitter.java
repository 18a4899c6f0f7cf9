package chainrule.compile;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Turns a {@link Tape} into one JVM class implementing {@link GradientKernel}.
 *
 * <p>The steps are cut into static methods whose bytecode stays below {@link #METHOD_BUDGET} bytes:
 * HotSpot does not JIT-compile methods over 8000 bytes ({@code -XX:-DontCompileHugeMethods}), and
 * the class-file format caps a method at 64 KB. Values live in the work array, never in locals, so
 * a method boundary can fall between any two steps. Numbers are inlined as constants
 * ({@code ldc2_w}), slot indices as {@code sipush} or {@code ldc}.
 */
final class BytecodeEmitter {
    /** Largest estimated method body; the estimate is an upper bound, so real sizes stay below 8000. */
    static final int METHOD_BUDGET = 7000;

    private static final String WORK = "[D";
    private static final String KERNEL = "chainrule/compile/GradientKernel";

    private final Tape tape;
    private final String className;
    private final ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);

    private BytecodeEmitter(Tape tape, String className) {
        this.tape = tape;
        this.className = className;
    }

    /** The class file of the kernel for {@code tape}, named {@code className} (internal form). */
    static byte[] emit(Tape tape, String className) {
        return new BytecodeEmitter(tape, className).emit();
    }

    private byte[] emit() {
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, className, null,
                "java/lang/Object", new String[] {KERNEL});
        constructor();
        List<String> forward = chunks("forward", tape.forward(), "(" + WORK + ")V");
        List<String> reverse = chunks("reverse", tape.reverse(), "(" + WORK + WORK + ")V");
        entry("loss", "(" + WORK + ")D", forward, List.of());
        entry("gradient", "(" + WORK + WORK + ")D", forward, reverse);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private void constructor() {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code loss}/{@code gradient}: call the chunks in order, then return the loss. */
    private void entry(String name, String descriptor, List<String> forward, List<String> reverse) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, name, descriptor, null, null);
        mv.visitCode();
        for (String chunk : forward) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, className, chunk, "(" + WORK + ")V", false);
        }
        for (String chunk : reverse) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitVarInsn(Opcodes.ALOAD, 2);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, className, chunk, "(" + WORK + WORK + ")V", false);
        }
        new StepWriter(mv, 1, 2).operand(tape.loss());
        mv.visitInsn(Opcodes.DRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Emits {@code steps} as static methods {@code prefix0}, {@code prefix1}, ...; returns their names. */
    private List<String> chunks(String prefix, List<Step> steps, String descriptor) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < steps.size()) {
            String name = prefix + names.size();
            names.add(name);
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, name, descriptor, null, null);
            mv.visitCode();
            StepWriter w = new StepWriter(mv, 0, 1);
            int estimate = 0;
            do {
                Step s = steps.get(i++);
                estimate += estimatedSize(s);
                w.step(s);
            } while (i < steps.size() && estimate + estimatedSize(steps.get(i)) <= METHOD_BUDGET);
            mv.visitInsn(Opcodes.RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        return names;
    }

    /** An upper bound of a step's bytecode: 5 bytes per array read or constant, plus the store and call. */
    int estimatedSize(Step s) {
        return 24 + 6 * tape.operandCount(s);
    }

    /** Writes steps into one method; {@code work} and {@code grad} are the local variable numbers. */
    private final class StepWriter implements Expr.Visitor<Void> {
        private final MethodVisitor mv;
        private final int work;
        private final int grad;
        private List<Expr> operands;

        StepWriter(MethodVisitor mv, int work, int grad) {
            this.mv = mv;
            this.work = work;
            this.grad = grad;
        }

        void step(Step s) {
            operands = s.operands();
            switch (s.kind()) {
                case VALUE -> {
                    address(s.target());
                    s.node().accept(this);
                    mv.visitInsn(Opcodes.DASTORE);
                }
                case MORE_TERMS, MORE_FACTORS -> {
                    int op = s.kind() == Step.Kind.MORE_TERMS ? Opcodes.DADD : Opcodes.DMUL;
                    address(s.target());
                    load(s.target());
                    for (Expr o : operands) {
                        operand(o);
                        mv.visitInsn(op);
                    }
                    mv.visitInsn(Opcodes.DASTORE);
                }
                case ADJOINT_SET, ADJOINT_ADD -> {
                    address(s.target(), s.intoGradient());
                    if (s.kind() == Step.Kind.ADJOINT_ADD) {
                        address(s.target(), s.intoGradient());
                        mv.visitInsn(Opcodes.DALOAD);
                    }
                    load(s.source());
                    if (!s.unitFactor()) {
                        operand(operands.get(0));
                        mv.visitInsn(Opcodes.DMUL);
                    }
                    if (s.kind() == Step.Kind.ADJOINT_ADD) {
                        mv.visitInsn(Opcodes.DADD);
                    }
                    mv.visitInsn(Opcodes.DASTORE);
                }
                case ADJOINT_SEED -> {
                    address(s.target(), s.intoGradient());
                    mv.visitInsn(Opcodes.DCONST_1);
                    mv.visitInsn(Opcodes.DASTORE);
                }
                case GRADIENT -> {
                    address(s.target(), true);
                    mv.visitInsn(Opcodes.DCONST_0);
                    mv.visitInsn(Opcodes.DASTORE);
                }
            }
        }

        /** Pushes the array and index for a following DASTORE. */
        private void address(int slot) {
            address(slot, false);
        }

        private void address(int index, boolean inGradient) {
            mv.visitVarInsn(Opcodes.ALOAD, inGradient ? grad : work);
            index(index);
        }

        private void load(int slot) {
            address(slot);
            mv.visitInsn(Opcodes.DALOAD);
        }

        private void index(int i) {
            if (i <= 5) {
                mv.visitInsn(Opcodes.ICONST_0 + i);
            } else if (i <= Short.MAX_VALUE) {
                mv.visitIntInsn(i <= Byte.MAX_VALUE ? Opcodes.BIPUSH : Opcodes.SIPUSH, i);
            } else {
                mv.visitLdcInsn(i);
            }
        }

        void operand(Expr o) {
            if (o instanceof Num n) {
                double v = n.value();
                if (v == 0.0 && Double.doubleToRawLongBits(v) == 0L) {
                    mv.visitInsn(Opcodes.DCONST_0);
                } else if (v == 1.0) {
                    mv.visitInsn(Opcodes.DCONST_1);
                } else {
                    mv.visitLdcInsn(v);
                }
            } else if (tape.fusedFactors(o) != null) {
                List<Expr> factors = tape.fusedFactors(o);
                operand(factors.get(0));
                for (int i = 1; i < factors.size(); i++) {
                    operand(factors.get(i));
                    mv.visitInsn(Opcodes.DMUL);
                }
            } else {
                load(tape.slot(o));
            }
        }

        private void fold(int opcode) {
            operand(operands.get(0));
            for (int i = 1; i < operands.size(); i++) {
                operand(operands.get(i));
                mv.visitInsn(opcode);
            }
        }

        @Override public Void num(Num e) {
            operand(e);
            return null;
        }

        @Override public Void sym(Sym e) {
            operand(operands.get(0));
            return null;
        }

        @Override public Void sum(Sum e) {
            fold(Opcodes.DADD);
            return null;
        }

        @Override public Void product(Product e) {
            fold(Opcodes.DMUL);
            return null;
        }

        /** Squares and reciprocals inline; other powers through the runtime, as the interpreter does. */
        @Override public Void power(Power e) {
            Expr base = operands.get(0);
            Expr exponent = operands.get(1);
            if (exponent instanceof Num n && n.value() == 2.0) {
                operand(base);
                mv.visitInsn(Opcodes.DUP2);
                mv.visitInsn(Opcodes.DMUL);
            } else if (exponent instanceof Num n && n.value() == -1.0) {
                mv.visitInsn(Opcodes.DCONST_1);
                operand(base);
                mv.visitInsn(Opcodes.DDIV);
            } else {
                operand(base);
                operand(exponent);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, "pow", "(DD)D", false);
            }
            return null;
        }

        @Override public Void apply(Apply e) {
            Primitive p = (Primitive) e.fn(); // the tape inlines user functions
            for (Expr o : operands) {
                operand(o);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, p.runtimeMethod(), p.runtimeDescriptor(), false);
            return null;
        }
    }
}
