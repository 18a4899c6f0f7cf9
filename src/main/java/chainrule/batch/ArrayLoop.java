package chainrule.batch;

import chainrule.expr.Primitive;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * One primitive over whole arrays: {@code o[i] = f(args[0][i], ..., args[a-1][i])} for {@code i < n},
 * where f is the primitive's runtime method (the static method of {@link Primitive#RUNTIME_OWNER}
 * that the compiled gradients call, so the numbers are the same).
 *
 * <p>Each primitive gets its own small generated class (a hidden class, made once and cached):
 * its loop calls the runtime method directly, so the JIT inlines it (and vectorises it where it
 * can). A single shared loop calling {@link chainrule.expr.Fn#value} would be one call site for
 * every primitive of the program, too polymorphic to inline: in the digits benchmark it took a
 * quarter of the time.
 */
interface ArrayLoop {
    void run(double[][] args, double[] o, int n);

    /** The loop for {@code p}, or empty where its runtime method does not take and return doubles only. */
    static Optional<ArrayLoop> of(Primitive p) {
        return Generated.CACHE.computeIfAbsent(p, Generated::generate);
    }

    /** The generated classes. */
    final class Generated {
        private static final ConcurrentHashMap<Primitive, Optional<ArrayLoop>> CACHE = new ConcurrentHashMap<>();

        private Generated() {}

        private static Optional<ArrayLoop> generate(Primitive p) {
            String descriptor = p.runtimeDescriptor();
            Type[] params = Type.getArgumentTypes(descriptor);
            if (params.length == 0 || Type.getReturnType(descriptor) != Type.DOUBLE_TYPE) {
                return Optional.empty();
            }
            for (Type t : params) {
                if (t != Type.DOUBLE_TYPE) {
                    return Optional.empty();
                }
            }
            try {
                byte[] bytes = classFile(p, params.length);
                MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
                return Optional.of((ArrayLoop) lookup.findConstructor(lookup.lookupClass(),
                        MethodType.methodType(void.class)).invoke());
            } catch (Throwable e) { // a JVM that refuses the class: the interpreted loop stays
                return Optional.empty();
            }
        }

        private static byte[] classFile(Primitive p, int arity) {
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
            String name = "chainrule/batch/ArrayLoop$" + p.name();
            cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, "java/lang/Object",
                    new String[] {Type.getInternalName(ArrayLoop.class)});
            MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
            init.visitCode();
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            init.visitInsn(Opcodes.RETURN);
            init.visitMaxs(0, 0);
            init.visitEnd();
            // locals: 0 this, 1 args, 2 o, 3 n, 4.. the argument arrays, then i
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "([[D[DI)V", null, null);
            mv.visitCode();
            for (int a = 0; a < arity; a++) {
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitLdcInsn(a);
                mv.visitInsn(Opcodes.AALOAD);
                mv.visitVarInsn(Opcodes.ASTORE, 4 + a);
            }
            int i = 4 + arity;
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, i);
            Label test = new Label();
            Label end = new Label();
            mv.visitLabel(test);
            mv.visitVarInsn(Opcodes.ILOAD, i);
            mv.visitVarInsn(Opcodes.ILOAD, 3);
            mv.visitJumpInsn(Opcodes.IF_ICMPGE, end);
            mv.visitVarInsn(Opcodes.ALOAD, 2);
            mv.visitVarInsn(Opcodes.ILOAD, i);
            for (int a = 0; a < arity; a++) {
                mv.visitVarInsn(Opcodes.ALOAD, 4 + a);
                mv.visitVarInsn(Opcodes.ILOAD, i);
                mv.visitInsn(Opcodes.DALOAD);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Primitive.RUNTIME_OWNER, p.runtimeMethod(), p.runtimeDescriptor(),
                    false);
            mv.visitInsn(Opcodes.DASTORE);
            mv.visitIincInsn(i, 1);
            mv.visitJumpInsn(Opcodes.GOTO, test);
            mv.visitLabel(end);
            mv.visitInsn(Opcodes.RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            return cw.toByteArray();
        }
    }
}
