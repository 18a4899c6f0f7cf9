package chainrule.compile;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network's loss and gradient compiled to JVM bytecode: one generated class computes the loss
 * and the whole gradient in one call, without allocating.
 *
 * <pre>{@code
 * CompiledGradient g = CompiledGradient.compile(Analyzer.analyze(source));
 * CompiledGradient.Workspace ws = g.workspace();   // one per thread
 * ws.set("w5", 0.0);
 * double[] grad = new double[g.parameters().size()];
 * double loss = ws.gradient(grad);                 // grad[i] = ∂loss/∂parameters().get(i)
 * }</pre>
 *
 * <p>A compiled gradient is immutable and thread-safe; a {@link Workspace} is not (give each thread
 * its own). Set the system property {@code chainrule.dumpClasses} to a directory to have every
 * generated class written there for inspection ({@code javap -c}).
 */
public final class CompiledGradient {
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Tape tape;
    private final byte[] classFile;
    private final GradientKernel kernel;
    private final List<String> declaredNames;
    private final List<String> parameterNames;
    private final Map<String, Integer> declaredIndex = new HashMap<>();
    private final int[] parameterSlots;

    private CompiledGradient(Tape tape, byte[] classFile, GradientKernel kernel) {
        this.tape = tape;
        this.classFile = classFile;
        this.kernel = kernel;
        List<String> names = new ArrayList<>();
        for (Vertex v : tape.declared()) {
            declaredIndex.put(v.name(), names.size());
            names.add(v.name());
        }
        this.declaredNames = Collections.unmodifiableList(names);
        List<String> params = new ArrayList<>();
        List<Vertex> ps = tape.network().parameters();
        parameterSlots = new int[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            params.add(ps.get(i).name());
            parameterSlots[i] = declaredIndex.get(ps.get(i).name());
        }
        this.parameterNames = Collections.unmodifiableList(params);
    }

    /** Compiles {@code network}'s loss and its gradient with respect to every weight and bias. */
    public static CompiledGradient compile(Network network) {
        Tape tape = Tape.of(network);
        String name = "chainrule/compile/Kernel" + COUNTER.incrementAndGet();
        byte[] bytes = BytecodeEmitter.emit(tape, name);
        dumpIfAsked(name, bytes);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            GradientKernel kernel = (GradientKernel) lookup.lookupClass().getConstructor().newInstance();
            return new CompiledGradient(tape, bytes, kernel);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class failed to load: " + e, e);
        }
    }

    /** Parses, analyses and compiles the text of a {@code .nn} file in one step. */
    public static CompiledGradient compile(String fileName, String text) throws DiagnosticException {
        return compile(Analyzer.analyze(new Source(fileName, text)));
    }

    private static void dumpIfAsked(String name, byte[] bytes) {
        String dir = System.getProperty("chainrule.dumpClasses");
        if (dir != null && !dir.isEmpty()) {
            dump(Path.of(dir), name, bytes);
        }
    }

    private static void dump(Path dir, String name, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name.substring(name.lastIndexOf('/') + 1) + ".class"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the generated class file into {@code dir}; returns its path. */
    public Path dumpClass(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("ChainruleKernel.class");
        Files.write(file, classFile);
        return file;
    }

    public Network network() { return tape.network(); }

    /** The straight-line program the class was generated from (also used by the source generators). */
    public Tape tape() { return tape; }

    /** The generated class file (its bytes, for inspection and verification). */
    public byte[] classFile() { return classFile.clone(); }

    /** Every declared name (inputs, targets, parameters, constants) in the order of {@link Workspace#declared()}. */
    public List<String> declaredNames() { return declaredNames; }

    /** The weights and biases, in the order of the gradient array. */
    public List<String> parameters() { return parameterNames; }

    /** Index of a declared name in the declared values, or -1. */
    public int declaredIndex(String name) { return declaredIndex.getOrDefault(name, -1); }

    /** Index of each parameter among the declared values. */
    public int[] parameterIndices() { return parameterSlots.clone(); }

    /** A new workspace, holding the network's declared values (NaN where the file gives none). */
    public Workspace workspace() {
        return new Workspace();
    }

    /**
     * The arrays one evaluation works in. Reusing a workspace makes evaluation allocation-free.
     * Not thread-safe: one per thread.
     */
    public final class Workspace {
        private final double[] work = new double[tape.slotCount()];

        private Workspace() {
            java.util.Arrays.fill(work, 0, declaredNames.size(), Double.NaN);
            tape.network().values().forEach((name, value) -> {
                Integer i = declaredIndex.get(name);
                if (i != null) {
                    work[i] = value;
                }
            });
        }

        /** Sets a declared value by name. */
        public Workspace set(String name, double value) {
            Integer i = declaredIndex.get(name);
            if (i == null) {
                throw new IllegalArgumentException("no declared name '" + name + "'");
            }
            work[i] = value;
            return this;
        }

        /** Sets a declared value by its index in {@link #declaredNames()}. */
        public void set(int index, double value) {
            if (index < 0 || index >= declaredNames.size()) {
                throw new IndexOutOfBoundsException(index);
            }
            work[index] = value;
        }

        /** The current declared value at {@code index}. */
        public double get(int index) {
            if (index < 0 || index >= declaredNames.size()) {
                throw new IndexOutOfBoundsException(index);
            }
            return work[index];
        }

        /** A copy of the declared values, in the order of {@link #declaredNames()}. */
        public double[] declared() {
            return java.util.Arrays.copyOf(work, declaredNames.size());
        }

        /** Replaces all declared values (an array as long as {@link #declaredNames()}). */
        public void setDeclared(double[] values) {
            if (values.length != declaredNames.size()) {
                throw new IllegalArgumentException("expected " + declaredNames.size() + " values, got " + values.length);
            }
            System.arraycopy(values, 0, work, 0, values.length);
        }

        /** The loss, by the forward pass only. */
        public double loss() {
            return kernel.loss(work);
        }

        /** The loss, and the gradient into {@code gradOut} (one entry per parameter). */
        public double gradient(double[] gradOut) {
            if (gradOut.length < parameterNames.size()) {
                throw new IllegalArgumentException("gradient array too short: " + gradOut.length);
            }
            return kernel.gradient(work, gradOut);
        }

        /** The compiled gradient this workspace belongs to. */
        public CompiledGradient compiled() {
            return CompiledGradient.this;
        }

        /** After an evaluation: the value of a tape operand (used to locate kinks). */
        public double operand(chainrule.expr.Expr operand) {
            return tape.read(work, operand);
        }
    }
}
