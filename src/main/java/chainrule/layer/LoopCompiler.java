package chainrule.layer;

import chainrule.compile.Bytecode;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Turns a {@link LayerProgram} into one JVM class implementing
 * {@link chainrule.compile.GradientKernel}: a static method per op for its forward loops and one
 * for its backward loops, called in order by {@code loss} and {@code gradient}. Every method is a
 * few loops, so its size does not grow with the layers' widths (only with the size of an
 * elementwise expression). Nothing is allocated per call: all values live in the work array.
 */
final class LoopCompiler {
    private static final String ARRAYS = "([D[D)V";

    private final LayerProgram program;
    private final String className;
    private final ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
        @Override
        protected String getCommonSuperClass(String a, String b) {
            return "java/lang/Object"; // frames only ever merge double[] with double[]
        }
    };

    private LoopCompiler(LayerProgram program, String className) {
        this.program = program;
        this.className = className;
    }

    static byte[] emit(LayerProgram program, String className) {
        return new LoopCompiler(program, className).emit();
    }

    private byte[] emit() {
        Bytecode.kernelClass(cw, className);
        List<Node> ops = program.ops();
        for (int k = 0; k < ops.size(); k++) {
            LoopWriter w = method("forward" + k);
            ops.get(k).forward(w);
            end(w);
        }
        Adjoints adjoints = new Adjoints();
        Node loss = program.loss();
        boolean seeded = loss.active();
        if (seeded) {
            adjoints.first(loss);
            LoopWriter seed = method("seed"); // δloss = 1
            seed.store(loss.adjoint, -1, () -> seed.mv().visitInsn(Opcodes.DCONST_1));
            end(seed);
        }
        for (int k = ops.size() - 1; k >= 0 && seeded; k--) {
            Node n = ops.get(k);
            if (n.active()) {
                LoopWriter w = method("backward" + k);
                n.backward(w, adjoints);
                end(w);
            }
        }
        LoopWriter zeros = method("untouchedParameters");
        for (Leaf l : program.leaves()) {
            if (l.isParameter() && !adjoints.written(l)) {
                zeros.zero(l.adjoint, l.size);
            }
        }
        end(zeros);
        entry(false);
        entry(true);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private LoopWriter method(String name) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, name, ARRAYS, null, null);
        mv.visitCode();
        return new LoopWriter(mv);
    }

    private static void end(LoopWriter w) {
        w.mv().visitInsn(Opcodes.RETURN);
        w.mv().visitMaxs(0, 0);
        w.mv().visitEnd();
    }

    /** {@code loss(work)} or {@code gradient(work, grad)}: the op methods in order, then the loss. */
    private void entry(boolean gradient) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, gradient ? "gradient" : "loss",
                gradient ? "([D[D)D" : "([D)D", null, null);
        mv.visitCode();
        List<Node> ops = program.ops();
        for (int k = 0; k < ops.size(); k++) {
            call(mv, "forward" + k, gradient);
        }
        Node loss = program.loss();
        if (gradient) {
            if (loss.active()) {
                call(mv, "seed", true);
                for (int k = ops.size() - 1; k >= 0; k--) {
                    if (ops.get(k).active()) {
                        call(mv, "backward" + k, true);
                    }
                }
            }
            call(mv, "untouchedParameters", true);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        new LoopWriter(mv).pushInt(loss.offset);
        mv.visitInsn(Opcodes.DALOAD);
        mv.visitInsn(Opcodes.DRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Calls a static op method with the work array (local 1) and the gradient array (local 2, or null). */
    private void call(MethodVisitor mv, String name, boolean withGradient) {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        if (withGradient) {
            mv.visitVarInsn(Opcodes.ALOAD, 2);
        } else {
            mv.visitInsn(Opcodes.ACONST_NULL);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, className, name, ARRAYS, false);
    }
}
