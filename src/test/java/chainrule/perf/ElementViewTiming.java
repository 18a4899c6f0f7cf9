package chainrule.perf;

import chainrule.diag.Source;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.parse.SourceParser;
import chainrule.paths.ClosedForm;
import chainrule.paths.PathGraph;
import chainrule.paths.Values;
import chainrule.print.GradientReport;
import chainrule.print.Json;
import java.util.Locale;

/**
 * Times the symbolic pipeline on MNIST-size element views, phase by phase, cold (first round) and
 * warm (later rounds). Not a test: run it by hand (docs/performance.md, "Element view at MNIST
 * size"):
 * <pre>
 * mvn -q -o -DskipTests package test-compile
 * java -cp target/chainrule.jar:target/test-classes chainrule.perf.ElementViewTiming [rounds] [grad]
 * </pre>
 */
public final class ElementViewTiming {
    private ElementViewTiming() {}

    /** A dense ReLU network with a sigmoid output layer and squared error, {@code widths[0]} inputs. */
    public static String network(int... widths) {
        StringBuilder sb = new StringBuilder();
        int layers = widths.length - 1;
        sb.append("input x[").append(widths[0]).append("] = 0.5\n");
        sb.append("target y[").append(widths[layers]).append("] = 0.1\n");
        for (int l = 1; l <= layers; l++) {
            sb.append("weight W").append(l).append('[').append(widths[l]).append(',').append(widths[l - 1])
                    .append("] = 0.0").append(l == 1 ? 1 : 2).append('\n');
            sb.append("bias b").append(l).append('[').append(widths[l]).append("] = 0.").append(l == layers ? 2 : 1).append('\n');
        }
        String previous = "x";
        for (int l = 1; l < layers; l++) {
            sb.append('h').append(l).append(" = relu(W").append(l).append(" @ ").append(previous).append(" + b").append(l).append(")\n");
            previous = "h" + l;
        }
        sb.append("o = sigmoid(W").append(layers).append(" @ ").append(previous).append(" + b").append(layers).append(")\n");
        sb.append("loss L = sum(0.5*(y - o)^2)\n");
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean grad = args.length > 1 && args[1].equals("grad");
        for (int round = 1; round <= rounds; round++) {
            time("784-128-10", network(784, 128, 10), round, grad);
            time("784-128-128-128-10", network(784, 128, 128, 128, 10), round, grad);
        }
    }

    /** This thread's CPU time in ns: with other jobs on the machine, wall time says little. */
    private static long now() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static void time(String name, String text, int round, boolean grad) throws Exception {
        Source source = new Source(name + ".nn", text);
        long wall = System.nanoTime();
        long t0 = now();
        var ast = SourceParser.parseFile(source);
        long t1 = now();
        Network network = Analyzer.analyze(source, ast);
        long t2 = now();
        PathGraph graph = PathGraph.of(network);
        long t3 = now();
        Values values = Values.of(network);
        long t4 = now();
        Vertex w = network.vertex("W1[1,1]").orElseThrow();
        ClosedForm form = ClosedForm.of(graph, w);
        double value = form.value(values);
        long t5 = now();
        wall = System.nanoTime() - wall;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "round %d %-20s vertices %7d  (CPU ms; wall %5.0f)  parse %5.0f  analyse %5.0f  graph %5.0f  forward %5.0f"
                        + "  closed form of %s %5.0f (count %s, value %.6g)",
                round, name, network.vertices().size(), wall / 1e6, ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), w.name(),
                ms(t4, t5), graph.pathCount(w), value));
        if (grad) {
            long t6 = now();
            String json = Json.write(new GradientReport(graph, network.parameters(), values).json());
            long t7 = now();
            sb.append(String.format(Locale.ROOT, "  grad --json %6.0f ms (%d chars)", ms(t6, t7), json.length()));
        }
        System.out.println(sb);
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }
}
