package chainrule.compile;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Bytecode pieces every kernel generator needs: the class header, constants in their shortest form. */
public final class Bytecode {
    /** Internal name of the interface generated kernels implement. */
    public static final String KERNEL = "chainrule/compile/GradientKernel";

    private Bytecode() {}

    /** Starts a public final kernel class {@code className} and gives it a public no-argument constructor. */
    public static void kernelClass(ClassWriter cw, String className) {
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, className, null,
                "java/lang/Object", new String[] {KERNEL});
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Pushes a double constant: {@code dconst_0}/{@code dconst_1} where exact, else {@code ldc2_w}. */
    public static void pushDouble(MethodVisitor mv, double v) {
        if (v == 0.0 && Double.doubleToRawLongBits(v) == 0L) {
            mv.visitInsn(Opcodes.DCONST_0);
        } else if (v == 1.0) {
            mv.visitInsn(Opcodes.DCONST_1);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    /** Pushes an int constant (an array index) in its shortest form. */
    public static void pushInt(MethodVisitor mv, int i) {
        if (i >= -1 && i <= 5) {
            mv.visitInsn(Opcodes.ICONST_0 + i);
        } else if (i >= Byte.MIN_VALUE && i <= Byte.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.BIPUSH, i);
        } else if (i >= Short.MIN_VALUE && i <= Short.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.SIPUSH, i);
        } else {
            mv.visitLdcInsn(i);
        }
    }
}
