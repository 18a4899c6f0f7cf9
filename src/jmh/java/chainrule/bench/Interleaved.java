package chainrule.bench;

/**
 * The {@link LayerBenchmark} methods timed interleaved in one JVM, keeping the best of many short
 * batches: on a shared machine, the best batch is the one least disturbed by other processes, and
 * interleaving exposes compiled and hand-written code to the same conditions. A complement to the
 * JMH run, not a replacement (no forks, no blackhole: the results are summed into a printed value).
 *
 * <pre>java -cp target/chainrule.jar chainrule.bench.Interleaved [rounds]</pre>
 */
public final class Interleaved {
    private static final int BATCH = 50;

    private Interleaved() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        for (String head : new String[] {"SOFTMAX_CE", "SIGMOID_SQUARES"}) {
            LayerBenchmark b = new LayerBenchmark();
            b.head = head;
            b.setUp();
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            double sink = 0;
            for (int round = 0; round < rounds; round++) {
                for (int which = 0; which < best.length; which++) {
                    long start = System.nanoTime();
                    for (int r = 0; r < BATCH; r++) {
                        sink += run(b, which);
                    }
                    best[which] = Math.min(best[which], (System.nanoTime() - start) / (BATCH * 1000.0));
                }
            }
            System.out.printf(java.util.Locale.ROOT, "%s, best of %d batches of %d, µs per call: compiledGradient %.1f, "
                            + "handWrittenGradient %.1f, compiledForward %.1f, handWrittenForward %.1f; compiled/hand-written "
                            + "gradient %.2f, (loss+gradient)/forward %.2f (checksum %.3g)%n",
                    head, rounds, BATCH, best[0], best[1], best[2], best[3], best[0] / best[1], best[0] / best[2], sink);
        }
    }

    private static double run(LayerBenchmark b, int which) {
        return switch (which) {
            case 0 -> b.compiledGradient();
            case 1 -> b.handWrittenGradient();
            case 2 -> b.compiledForward();
            default -> b.handWrittenForward();
        };
    }
}
