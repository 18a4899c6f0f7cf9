package chainrule.compile;

import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 * <p>Two compilers produce the class: the {@link Tape} compiler (straight-line code over the
 * element view, any network) and the loop compiler of {@code chainrule.layer} (loops over arrays,
 * for files written with layers). Both share this class's {@link Layout}: the declared element
 * values first in the work array, in declaration order, and the gradient indexed like
 * {@link Network#parameters()}.
 *
 * <p>A compiled gradient is immutable and thread-safe; a {@link Workspace} is not (give each thread
 * its own). Set the system property {@code chainrule.dumpClasses} to a directory to have every
 * generated class written there for inspection ({@code javap -c}).
 */
public final class CompiledGradient {
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Network network;
    private final Tape tape;
    private final Layout layout;
    private final byte[] classFile;
    private final GradientKernel kernel;
    private final int workSize;
    private final KinkProbe kinks;
    /** Built on first use by name: at 784-128-10 it has 101,794 entries, and eval never asks. */
    private Map<String, Integer> declaredIndex;
    private final int[] parameterSlots;
    /** The declared values in slot order (NaN where none is given), computed once for every workspace. */
    private double[] initial;

    /**
     * Where the declared values and the gradient live: {@code declaredNames} are the first slots
     * of the work array, {@code parameterNames} the entries of the gradient array (each also a
     * declared name), {@code values} the starting values by element name.
     */
    public record Layout(List<String> declaredNames, List<String> parameterNames, Map<String, Double> values) {
        public Layout {
            declaredNames = List.copyOf(declaredNames);
            parameterNames = List.copyOf(parameterNames);
            values = Collections.unmodifiableMap(values); // not copied: a network's values do not change
        }

        /** The layout of a network: its declared vertices in order, its parameters, its values. */
        public static Layout of(Network network) {
            return new Layout(network.declaredNames(), network.parameterNames(), network.values());
        }
    }

    /**
     * Reads, after a forward pass over a work array, the arguments of every relu, leaky_relu and
     * abs: where the loss has kinks (used by gradient checks to recognise a kink within a step).
     */
    @FunctionalInterface
    public interface KinkProbe {
        double[] values(double[] work);
    }

    private CompiledGradient(Network network, Tape tape, Layout layout, byte[] classFile, GradientKernel kernel,
                             int workSize, KinkProbe kinks) {
        this.network = network;
        this.tape = tape;
        this.layout = layout;
        this.classFile = classFile;
        this.kernel = kernel;
        this.workSize = workSize;
        this.kinks = kinks;
        parameterSlots = slots(layout);
    }

    /**
     * Where each parameter sits among the declared names: the parameters are usually the declared
     * names' subsequence in the same order, found in one walk; otherwise by name.
     */
    private int[] slots(Layout layout) {
        List<String> declared = layout.declaredNames();
        List<String> params = layout.parameterNames();
        int[] out = new int[params.size()];
        int d = 0;
        for (int i = 0; i < out.length; i++) {
            while (d < declared.size() && !declared.get(d).equals(params.get(i))) {
                d++;
            }
            if (d == declared.size()) {
                for (int k = 0; k < out.length; k++) {
                    out[k] = declaredIndex().get(params.get(k));
                }
                return out;
            }
            out[i] = d++;
        }
        return out;
    }

    private synchronized Map<String, Integer> declaredIndex() {
        if (declaredIndex == null) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < layout.declaredNames().size(); i++) {
                index.put(layout.declaredNames().get(i), i);
            }
            declaredIndex = index;
        }
        return declaredIndex;
    }

    private synchronized double[] initial() {
        if (initial == null) {
            List<String> names = layout.declaredNames();
            double[] out = new double[names.size()];
            for (int i = 0; i < out.length; i++) {
                Double v = layout.values().get(names.get(i));
                out[i] = v == null ? Double.NaN : v;
            }
            initial = out;
        }
        return initial;
    }

    /** Compiles {@code network}'s loss and its gradient by the tape compiler (straight-line code). */
    public static CompiledGradient compile(Network network) {
        Tape tape = Tape.of(network);
        KinkProbe kinks = work -> {
            double[] out = new double[tape.kinkArguments().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = tape.read(work, tape.kinkArguments().get(i));
            }
            return out;
        };
        return define(Layout.of(network), network, tape, name -> BytecodeEmitter.emit(tape, name), tape.slotCount(), kinks);
    }

    /** Parses, analyses and compiles the text of a {@code .nn} file in one step (by the tape compiler). */
    public static CompiledGradient compile(String fileName, String text) throws DiagnosticException {
        return compile(Analyzer.analyze(new Source(fileName, text)));
    }

    /**
     * Loads a kernel generated by another compiler: {@code emit} gets the internal name the class
     * must have and returns its class file, which implements {@link GradientKernel} over a work
     * array of {@code workSize} slots laid out as {@code layout} says.
     *
     * @param network the network compiled, or null when compiled from a program without one
     */
    public static CompiledGradient define(Layout layout, Network network, Function<String, byte[]> emit, int workSize,
                                          KinkProbe kinks) {
        return define(layout, network, null, emit, workSize, kinks);
    }

    private static CompiledGradient define(Layout layout, Network network, Tape tape, Function<String, byte[]> emit,
                                           int workSize, KinkProbe kinks) {
        String name = "chainrule/compile/Kernel" + COUNTER.incrementAndGet();
        byte[] bytes = emit.apply(name);
        dumpIfAsked(name, bytes);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            GradientKernel kernel = (GradientKernel) lookup.lookupClass().getConstructor().newInstance();
            return new CompiledGradient(network, tape, layout, bytes, kernel, workSize, kinks);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class failed to load: " + e, e);
        }
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

    /** The network compiled; empty for a layer program compiled without one. */
    public Optional<Network> network() { return Optional.ofNullable(network); }

    /**
     * The straight-line program the class was generated from (also used by the source
     * generators); empty when the loop compiler made the class.
     */
    public Optional<Tape> tape() { return Optional.ofNullable(tape); }

    /** The generated class file (its bytes, for inspection and verification). */
    public byte[] classFile() { return classFile.clone(); }

    /** Every declared name (inputs, targets, parameters, constants) in the order of {@link Workspace#declared()}. */
    public List<String> declaredNames() { return layout.declaredNames(); }

    /** The weights and biases, in the order of the gradient array. */
    public List<String> parameters() { return layout.parameterNames(); }

    /** Index of a declared name in the declared values, or -1. */
    public int declaredIndex(String name) { return declaredIndex().getOrDefault(name, -1); }

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
        private final double[] work = new double[workSize];

        private Workspace() {
            double[] start = initial();
            System.arraycopy(start, 0, work, 0, start.length);
        }

        /** Sets a declared value by name. */
        public Workspace set(String name, double value) {
            Integer i = declaredIndex().get(name);
            if (i == null) {
                throw new IllegalArgumentException("no declared name '" + name + "'");
            }
            work[i] = value;
            return this;
        }

        /** Sets a declared value by its index in {@link #declaredNames()}. */
        public void set(int index, double value) {
            if (index < 0 || index >= layout.declaredNames().size()) {
                throw new IndexOutOfBoundsException(index);
            }
            work[index] = value;
        }

        /** The current declared value at {@code index}. */
        public double get(int index) {
            if (index < 0 || index >= layout.declaredNames().size()) {
                throw new IndexOutOfBoundsException(index);
            }
            return work[index];
        }

        /** A copy of the declared values, in the order of {@link #declaredNames()}. */
        public double[] declared() {
            return java.util.Arrays.copyOf(work, layout.declaredNames().size());
        }

        /** Replaces all declared values (an array as long as {@link #declaredNames()}). */
        public void setDeclared(double[] values) {
            if (values.length != layout.declaredNames().size()) {
                throw new IllegalArgumentException("expected " + layout.declaredNames().size() + " values, got " + values.length);
            }
            System.arraycopy(values, 0, work, 0, values.length);
        }

        /** The loss, by the forward pass only. */
        public double loss() {
            return kernel.loss(work);
        }

        /** The loss, and the gradient into {@code gradOut} (one entry per parameter). */
        public double gradient(double[] gradOut) {
            if (gradOut.length < parameterSlots.length) {
                throw new IllegalArgumentException("gradient array too short: " + gradOut.length);
            }
            return kernel.gradient(work, gradOut);
        }

        /** The compiled gradient this workspace belongs to. */
        public CompiledGradient compiled() {
            return CompiledGradient.this;
        }

        /** After an evaluation: the arguments of every relu, leaky_relu and abs (where the loss has kinks). */
        public double[] kinkArguments() {
            return kinks.values(work);
        }

        /** After an evaluation: the value of a tape operand. Only for a gradient compiled by the tape compiler. */
        public double operand(chainrule.expr.Expr operand) {
            if (tape == null) {
                throw new IllegalStateException("compiled by the loop compiler: there are no tape operands");
            }
            return tape.read(work, operand);
        }
    }
}
