package chainrule.compile;

import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Num;
import chainrule.expr.VectorElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Turns a {@link Tape} into one JVM class implementing {@link GradientKernel}.
 *
 * <p>The steps are cut into static methods whose bytecode stays below {@link #METHOD_BUDGET} bytes:
 * HotSpot does not JIT-compile methods over 8000 bytes ({@code -XX:-DontCompileHugeMethods}), and
 * the class-file format caps a method at 64 KB. Within a method values live in locals; a value
 * that another method reads is also written to the work array, so a method boundary can fall
 * between any two steps.
 * Numbers are inlined as constants ({@code ldc2_w}), slot indices as {@code sipush} or {@code ldc}.
 */
final class BytecodeEmitter {
    /**
     * Largest estimated method body; the estimate is an upper bound, so real sizes stay below 8000.
     * 3000 by default: smaller methods are register-allocated better by C2 and measured at least as
     * fast; the system property {@code chainrule.methodBudget} (500..7000) changes it.
     */
    static final int METHOD_BUDGET = Math.max(500, Math.min(7000, Integer.getInteger("chainrule.methodBudget", 3000)));

    private static final String WORK = "[D";

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
        Bytecode.kernelClass(cw, className);
        // loss() runs the forward steps only; gradient() runs forward and reverse steps as one
        // sequence, so a small network's whole gradient is one method with every value in locals.
        List<Step> all = new ArrayList<>(tape.forward());
        all.addAll(tape.reverse());
        List<String> forward = chunks("forward", split(tape.forward()), "(" + WORK + WORK + ")V");
        List<String> gradient = chunks("gradient", split(all), "(" + WORK + WORK + ")V");
        entry("loss", "(" + WORK + ")D", forward);
        entry("gradient", "(" + WORK + WORK + ")D", gradient);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Cuts steps into method bodies whose estimated bytecode stays within {@link #METHOD_BUDGET}. */
    private List<List<Step>> split(List<Step> steps) {
        List<List<Step>> chunks = new ArrayList<>();
        List<Step> chunk = new ArrayList<>();
        int estimate = 0;
        for (Step s : steps) {
            if (!chunk.isEmpty() && estimate + estimatedSize(s) > METHOD_BUDGET) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                estimate = 0;
            }
            chunk.add(s);
            estimate += estimatedSize(s);
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    /**
     * The work slots that must be written to the array, not only to a local: those touched by more
     * than one method, the loss (read by the entry method) and the kink arguments (read by
     * {@link CompiledGradient.Workspace#operand} after the forward pass).
     */
    private Set<Integer> arraySlots(List<List<Step>> chunks) {
        Map<Integer, Integer> firstChunk = new HashMap<>();
        Set<Integer> shared = new HashSet<>();
        for (Expr e : tape.kinkArguments()) {
            slotsOf(e, shared);
        }
        slotsOf(tape.loss(), shared);
        for (int c = 0; c < chunks.size(); c++) {
            for (Step s : chunks.get(c)) {
                Set<Integer> touched = new HashSet<>();
                for (Expr o : s.operands()) {
                    slotsOf(o, touched);
                }
                if (s.source() >= 0) {
                    touched.add(s.source());
                }
                if (!s.intoGradient() && s.kind() != Step.Kind.GRADIENT) {
                    touched.add(s.target());
                }
                for (int slot : touched) {
                    Integer first = firstChunk.putIfAbsent(slot, c);
                    if (first != null && first != c) {
                        shared.add(slot);
                    }
                }
            }
        }
        return shared;
    }

    private void slotsOf(Expr operand, Set<Integer> out) {
        List<Expr> factors = tape.fusedFactors(operand);
        if (tape.divisor(operand) != null) {
            slotsOf(tape.divisor(operand), out);
        } else if (factors != null) {
            for (Expr f : factors) {
                slotsOf(f, out);
            }
        } else if (tape.slot(operand) >= 0) {
            out.add(tape.slot(operand));
        }
    }

    /** {@code loss}/{@code gradient}: call the chunks in order, then return the loss. */
    private void entry(String name, String descriptor, List<String> chunks) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, name, descriptor, null, null);
        mv.visitCode();
        boolean hasGradient = descriptor.startsWith("(" + WORK + WORK);
        for (String chunk : chunks) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            if (hasGradient) {
                mv.visitVarInsn(Opcodes.ALOAD, 2);
            } else {
                mv.visitInsn(Opcodes.ACONST_NULL); // forward steps never touch the gradient
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, className, chunk, "(" + WORK + WORK + ")V", false);
        }
        new StepWriter(mv, 1, 2, Set.of()).operand(tape.loss());
        mv.visitInsn(Opcodes.DRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Emits each chunk as a static method {@code prefix0}, {@code prefix1}, ...; returns their names. */
    private List<String> chunks(String prefix, List<List<Step>> chunks, String descriptor) {
        Set<Integer> arraySlots = arraySlots(chunks);
        List<String> names = new ArrayList<>();
        for (List<Step> chunk : chunks) {
            String name = prefix + names.size();
            names.add(name);
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, name, descriptor, null, null);
            mv.visitCode();
            StepWriter w = new StepWriter(mv, 0, 1, arraySlots);
            for (Step s : chunk) {
                w.step(s);
            }
            mv.visitInsn(Opcodes.RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        return names;
    }

    /**
     * An upper bound of a step's bytecode: at most 11 bytes per operand (a first read from the
     * array, kept in a wide local), 30 for the store into local and array, the operation and a call.
     */
    int estimatedSize(Step s) {
        // an element of softmax stores each operand into an array: dup, index, load, dastore
        boolean vector = s.node() instanceof Apply a && a.fn() instanceof VectorElement;
        return 30 + (vector ? 16 : 11) * tape.operandCount(s);
    }

    /**
     * Writes steps into one method; {@code work} and {@code grad} are the local variable numbers of
     * the arrays. Within a method every slot read or written is also kept in a local variable, so
     * a value is read from the array at most once per method: the JIT cannot keep array elements
     * in registers across stores (the work and gradient arrays might be the same array), but it
     * can keep locals there. Every write still goes to the array, for the methods that follow.
     */
    private final class StepWriter {
        private final MethodVisitor mv;
        private final int work;
        private final int grad;
        private final Map<Integer, Integer> workLocals = new HashMap<>();
        private final Map<Integer, Integer> gradLocals = new HashMap<>();
        private final Set<Integer> arraySlots;
        private int nextLocal;
        private List<Expr> operands;
        /** Operations go through the emitter the loop compiler uses too; operands are this method's slots. */
        private final ExprEmitter emitter;

        StepWriter(MethodVisitor mv, int work, int grad, Set<Integer> arraySlots) {
            this.mv = mv;
            this.work = work;
            this.grad = grad;
            this.arraySlots = arraySlots;
            this.nextLocal = Math.max(work, grad) + 1;
            this.emitter = new ExprEmitter(mv, this::operand);
        }

        void step(Step s) {
            operands = s.operands();
            switch (s.kind()) {
                case VALUE -> {
                    emitter.emit(s.node(), operands);
                    store(s.target(), false);
                }
                case MORE_TERMS, MORE_FACTORS -> {
                    int op = s.kind() == Step.Kind.MORE_TERMS ? Opcodes.DADD : Opcodes.DMUL;
                    load(s.target(), false);
                    for (Expr o : operands) {
                        operand(o);
                        mv.visitInsn(op);
                    }
                    store(s.target(), false);
                }
                case ADJOINT_SET, ADJOINT_ADD -> {
                    if (s.kind() == Step.Kind.ADJOINT_ADD) {
                        load(s.target(), s.intoGradient());
                    }
                    load(s.source(), false);
                    if (!s.unitFactor()) {
                        Expr factor = operands.get(0);
                        Expr divisor = tape.divisor(factor);
                        tape.adjointProduct(null, factor, new StackQuotient(mv) {
                            @Override public Void one() { throw new AssertionError(); }

                            @Override void push(int k) {
                                StepWriter.this.operand(divisor != null ? divisor : factor);
                            }
                        });
                    }
                    if (s.kind() == Step.Kind.ADJOINT_ADD) {
                        mv.visitInsn(Opcodes.DADD);
                    }
                    store(s.target(), s.intoGradient());
                }
                case ADJOINT_SEED -> {
                    mv.visitInsn(Opcodes.DCONST_1);
                    store(s.target(), s.intoGradient());
                }
                case GRADIENT -> {
                    mv.visitInsn(Opcodes.DCONST_0);
                    store(s.target(), true);
                }
            }
        }

        /** Pushes a slot's value: from its local if this method has it, else from the array (then kept). */
        private void load(int index, boolean inGradient) {
            Map<Integer, Integer> locals = inGradient ? gradLocals : workLocals;
            Integer local = locals.get(index);
            if (local != null) {
                mv.visitVarInsn(Opcodes.DLOAD, local);
                return;
            }
            mv.visitVarInsn(Opcodes.ALOAD, inGradient ? grad : work);
            index(index);
            mv.visitInsn(Opcodes.DALOAD);
            mv.visitInsn(Opcodes.DUP2);
            local = newLocal();
            locals.put(index, local);
            mv.visitVarInsn(Opcodes.DSTORE, local);
        }

        /** Pops the value on the stack into a slot's local, and into the array if another method reads it. */
        private void store(int index, boolean inGradient) {
            Map<Integer, Integer> locals = inGradient ? gradLocals : workLocals;
            Integer local = locals.get(index);
            if (local == null) {
                local = newLocal();
                locals.put(index, local);
            }
            mv.visitVarInsn(Opcodes.DSTORE, local);
            if (inGradient || arraySlots.contains(index)) {
                mv.visitVarInsn(Opcodes.ALOAD, inGradient ? grad : work);
                index(index);
                mv.visitVarInsn(Opcodes.DLOAD, local);
                mv.visitInsn(Opcodes.DASTORE);
            }
        }

        private int newLocal() {
            int local = nextLocal;
            nextLocal += 2;
            return local;
        }

        private void index(int i) {
            Bytecode.pushInt(mv, i);
        }

        void operand(Expr o) {
            if (o instanceof Num n) {
                Bytecode.pushDouble(mv, n.value());
            } else if (tape.fusedFactors(o) != null) {
                List<Expr> factors = tape.fusedFactors(o);
                tape.foldFused(o, new StackQuotient(mv) {
                    @Override void push(int k) {
                        StepWriter.this.operand(factors.get(k));
                    }
                });
            } else {
                load(tape.slot(o), false);
            }
        }
    }
}
