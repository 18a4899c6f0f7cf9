package chainrule.serve;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Times what the playground's server does for an edit of the 784-128-10 softmax classifier: the
 * same {@link Analysis#of} call as a request, on one warm JVM, one value of {@code b2} changed per
 * edit (edit 1 is the cold JVM). Prints wall time, the request thread's CPU time, the process's CPU
 * time (garbage collection and JIT included) and the answer's phases. Not a test: run it by hand
 * (docs/performance.md, "784-128-10: fewer passes"):
 * <pre>
 * mvn -q -o -DskipTests package test-compile
 * java -Xss16m -cp target/chainrule.jar:target/test-classes chainrule.serve.PlaygroundEditTiming 5 /tmp/mnist-softmax.nn
 * java -Xss16m -cp target/chainrule.jar:target/test-classes chainrule.serve.PlaygroundEditTiming 12 /tmp/mnist-softmax.nn alternate
 * </pre>
 * The edit changes only a declared number, so the server reuses the last structure
 * ({@link StructureCache}; the answer's phases say {@code reuse}); with {@code alternate} every odd
 * edit is analysed afresh ({@code analyse}).
 * The file (the network of {@code MnistSizeTest.file()} with a softmax/cross-entropy loss) is
 * written to the path given, so that the CLI commands can be timed on the same text.
 */
public final class PlaygroundEditTiming {
    private PlaygroundEditTiming() {}

    /** The 784-128-10 relu/softmax classifier, as {@code MnistSizeTest.gradTextOfTheSoftmaxClassifierIsLayerForms} writes it. */
    static String softmaxClassifier() throws ReflectiveOperationException {
        var file = Class.forName("chainrule.cli.MnistSizeTest").getDeclaredMethod("file");
        file.setAccessible(true);
        return ((String) file.invoke(null)).replace("o = sigmoid(W2 @ h + b2)\nloss E = sum(0.5*(y - o)^2)\n",
                "p = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)\n");
    }

    public static void main(String[] args) throws Exception {
        int edits = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String text = softmaxClassifier();
        if (args.length > 1) {
            Files.writeString(Path.of(args[1]), text);
        }
        var limits = new Analysis.Limits(10_000, 100_000_000, 10_000_000);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        // "alternate": every other edit starts with the caches emptied (a fresh analysis), to compare
        // it with reusing the last structure at the same moment of a busy machine
        boolean alternate = args.length > 2 && args[2].equals("alternate");
        for (int i = 1; i <= edits; i++) {
            if (alternate && i % 2 == 1) {
                Analysis.clearCaches();
            }
            String edited = text.replace("bias b2[10] = [-0.1,", "bias b2[10] = [-0.1" + i + ",");
            long wall = System.nanoTime();
            long process = os.getProcessCpuTime();
            long thread = threads.getCurrentThreadCpuTime();
            Map<String, Object> out = Analysis.of(new Analysis.Request("mnist.nn", edited, "W1[1,1]", Map.of(), null,
                    chainrule.print.Notation.DEFAULT), limits, null);
            System.out.printf(Locale.ROOT, "edit %d: %6.0f ms wall, %6.0f ms thread CPU, %6.0f ms process CPU, ok=%s, phases %s%n", i,
                    (System.nanoTime() - wall) / 1e6, (threads.getCurrentThreadCpuTime() - thread) / 1e6,
                    (os.getProcessCpuTime() - process) / 1e6, out.get("ok"), out.get("phases"));
        }
    }
}
